"""Reading an uploaded XLSX sheet a user filled from a template: the pieces every bulk import shares.

A sheet is untrusted input (``fuyuan.lib.uploads.check_upload`` first): :func:`looks_like_xlsx` checks it by
content, :func:`header_problems` compares its first row with the template's, :func:`cell_text` and
:func:`parse_date` read a cell as a person typed it (a number without its ``.0``, a date in any of the
usual Chinese spellings).
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


def looks_like_xlsx(fileobj: Any) -> bool:
    """Check by content, not by name: an XLSX file is a ZIP holding a workbook part."""
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as zf:
            names = set(zf.namelist())
        return "[Content_Types].xml" in names and "xl/workbook.xml" in names
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        fileobj.seek(0)


def cell_text(value: Any) -> str:
    """A cell as text, stripped (``12.0`` typed as a number reads ``12``; an empty cell ``""``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value: Any) -> date | None:
    """A cell as a date (a date cell, or text in one of ``DATE_FORMATS``); None when it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def header_problems(header: list[str], labels: Sequence[str]) -> list[str]:
    """What is wrong with the sheet's first row (nothing when it is the template's ``labels``)."""
    labels = list(labels)
    if header == labels:
        return []
    problems = []
    for i, label in enumerate(labels):
        got = header[i] if i < len(header) else ""
        if got != label:
            problems.append(
                _("第 %(col)s 列应为“%(want)s”,实际为“%(got)s”。") % {"col": i + 1, "want": label, "got": got}
            )
    if len(header) > len(labels):
        problems.append(_("多出的列:%(cols)s。") % {"cols": "、".join(header[len(labels) :])})
    return problems
