"""XLSX exports, written once: user text always lands in a cell as text, never as a formula.

openpyxl stores any string that starts with ``=`` as a formula, and one that looks like an error
code (``#N/A``) as an error; Excel also evaluates ``+``, ``-`` and ``@`` (and a leading tab or
carriage return hides them) when a user re-edits such a cell. So a title like
``=HYPERLINK("http://evil","x")`` typed into a form must not become a live link in the office's
spreadsheet (CWE-1236, "CSV/formula injection").

:func:`safe_cell` keeps the text exactly as typed, forces the cell's type to string and sets
Excel's *quotePrefix* style on it (the "'" a user would type: the cell is text, also after editing).
Numbers, dates and booleans are left as they are. Characters a worksheet cannot hold (control
characters other than tab, newline and carriage return, U+FFFE/U+FFFF: see :mod:`fuyuan.lib.text`)
are dropped rather than failing the whole export.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.http import HttpResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell.cell import Cell

from fuyuan.lib.dbrouter import use_replica
from fuyuan.lib.text import xml_text

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))  # openpyxl's list
MAX_CELL_CHARS = 32767  # Excel's limit; openpyxl truncates silently, so do we


def clean_text(text: str) -> str:
    """The text without the characters a worksheet refuses, at most Excel's cell length."""
    return xml_text(text)[:MAX_CELL_CHARS]


def needs_guard(text: str) -> bool:
    """Whether Excel could take this text for a formula or an error value."""
    return text.startswith(FORMULA_TRIGGERS) or text in ERROR_CODES


def safe_cell(worksheet: Any, value: Any) -> Any:
    """A value for ``worksheet.append``: text that could be read as a formula becomes a literal text cell."""
    if isinstance(value, Promise):  # a lazy translation
        value = str(value)
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    if not needs_guard(text):
        return text
    cell = Cell(worksheet, row=1, column=1)  # the sheet sets the real position on append
    cell._value = text  # bypass openpyxl's guess (formula for "=…", error for "#N/A")
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def append_row(worksheet: Any, values: Iterable[Any]) -> None:
    """Append one row, every value through :func:`safe_cell`. Works on normal and write-only sheets."""
    worksheet.append([safe_cell(worksheet, value) for value in values])


def workbook_bytes(workbook: Workbook) -> bytes:
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A download of an XLSX file (``filename`` is ASCII, chosen by the code)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its title, a header row, then ``rows``."""

    title: Any
    header: Iterable[Any]
    rows: Iterable[Iterable[Any]]


def sheets_bytes(sheets: Iterable[Sheet]) -> bytes:
    """A workbook of the sheets in order, written in openpyxl's streaming mode, every cell through :func:`safe_cell`.

    The rows are read here (querysets are lazy), on the replica when there is one (an export may be a
    few milliseconds behind the primary; :mod:`fuyuan.lib.dbrouter`).
    """
    workbook = Workbook(write_only=True)
    with use_replica():
        for sheet in sheets:
            worksheet = workbook.create_sheet(title=str(sheet.title))
            append_row(worksheet, sheet.header)
            for row in sheet.rows:
                append_row(worksheet, row)
    return workbook_bytes(workbook)


def rows_response(
    *, sheet_title: str, header: Iterable[Any], rows: Iterable[Iterable[Any]], filename: str
) -> HttpResponse:
    """One sheet (a header row, then ``rows``) as a download."""
    return xlsx_response(sheets_bytes([Sheet(sheet_title, header, rows)]), filename)
