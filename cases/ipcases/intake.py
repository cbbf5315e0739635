"""The bulk intake of concluded IP cases from an XLSX sheet (the referral intake's pieces: ``fuyuan.lib.sheets``).

A court downloads the template, fills one row per concluded case and uploads it. Every row is checked
first and each problem is named by its row and its column (``第 3 行 · 结案日期: …``); a sheet with any problem
saves nothing. A valid sheet is saved at once, all rows in one transaction: the rows whose 案号 the court
has already recorded are skipped and counted, never created twice. A sheet is untrusted input:
``fuyuan.lib.uploads.check_upload`` (size, type by content, the ZIP's declared size), at most ``MAX_ROWS``
data rows (blank ones counted as they stream, whatever the sheet's ``<dimension>`` says).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from cases.ipcases.models import IPCase
from cases.ipcases.services import case_errors, clean_case_number, clerk_court, default_tasks
from fuyuan.lib.errors import NotPermitted
from fuyuan.lib.sheets import cell_text, header_problems, looks_like_xlsx, parse_date
from fuyuan.lib.uploads import check_upload
from fuyuan.lib.xlsx import rows_response
from members.levels import place_of
from members.models import MemberUnit, User

MAX_ROWS = 5000
ALL_ROWS = 2**31  # an explicit last row: openpyxl streams the rows there are, whatever <dimension> says
LOOKUP_CHUNK = 2000
COLUMNS: list[tuple[str, str]] = [
    ("case_number", "案号"),
    ("kind", "案件类型"),
    ("concluded_on", "结案日期"),
    ("outcome", "结案方式"),
    ("mediated_by", "调解组织"),
    ("note", "备注"),
]
KEYS = [key for key, _label in COLUMNS]
LABELS = [label for _key, label in COLUMNS]
LABEL_OF = dict(COLUMNS)
EXAMPLE_ROW = ["(2026)甘01知民初1号", "商标", "2026-01-05", "调解", "", "示例行,导入前请删除"]


@dataclass
class CellError:
    line: int
    column: str  # the column's heading ("" for the whole row or sheet)
    message: str


@dataclass
class SheetCheck:
    """What a sheet holds: its valid rows, its problems cell by cell, and which 案号 the court already has."""

    rows: list[IPCase] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    existing: set[str] = field(default_factory=set)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def skipped(self) -> int:
        return len(self.existing)


def template_response() -> HttpResponse:
    """The XLSX template a court fills in: the header row and one example row."""
    return rows_response(
        sheet_title="知识产权案件", header=LABELS, rows=[EXAMPLE_ROW], filename="ip-cases-template.xlsx"
    )


def import_court(user: User) -> MemberUnit:
    """The court a user imports for: a court clerk's own court (``NotPermitted`` for anyone else)."""
    court = clerk_court(user)
    if court is None:
        raise NotPermitted(_("只有人民法院工作人员可以批量导入本院的知识产权案件。"))
    return court


def _choice(text: str, choices: Iterable[tuple[str, Any]]) -> str | None:
    """A choice typed by its label (专利) or its code (patent)."""
    for code, label in choices:
        if text in (code, str(label)):
            return code
    return None


def _units_by_name() -> dict[str, MemberUnit]:
    units: dict[str, MemberUnit] = {}
    for unit in MemberUnit.objects.only("id", "name", "short_name", "active"):
        units.setdefault(unit.name, unit)
        if unit.short_name:
            units.setdefault(unit.short_name, unit)
    return units


class RowChecker:
    """Checks one sheet's rows, one at a time: each row gives an unsaved IPCase or its cells' problems."""

    def __init__(self, *, court: MemberUnit, today: date) -> None:
        self.court = court
        self.today = today
        self.units = _units_by_name()
        self.seen: dict[str, int] = {}  # 案号 → the first line that has it

    def check(self, line: int, values: Sequence[Any]) -> tuple[IPCase | None, list[CellError]]:
        raw = list(values[: len(KEYS)]) + [None] * (len(KEYS) - len(values))
        data = dict(zip(KEYS, [cell_text(v) for v in raw], strict=True))
        problems: dict[str, list[str]] = {}
        case_number = clean_case_number(data["case_number"])
        kind = _choice(data["kind"], IPCase.Kind.choices)
        outcome = _choice(data["outcome"], IPCase.Outcome.choices)
        concluded_on = parse_date(raw[KEYS.index("concluded_on")])
        mediated_by = self._unit(data["mediated_by"], problems)
        if data["concluded_on"] and concluded_on is None:
            problems["concluded_on"] = [
                _("“%(v)s”不是有效日期(应为 2026-01-05 这样的格式)。") % {"v": data["concluded_on"]}
            ]
        for key, value in (("kind", kind), ("outcome", outcome)):
            if data[key] and value is None:
                problems[key] = [_("“%(v)s”不是可选的值。") % {"v": data[key]}]
        found = case_errors(
            case_number=case_number,
            kind=kind or "",
            concluded_on=concluded_on,
            outcome=outcome or "",
            mediated_by=mediated_by,
            court=self.court,
            today=self.today,
        )
        for key, messages in found.items():
            problems.setdefault(key, messages)
        if case_number and "case_number" not in problems:
            if case_number in self.seen:
                problems["case_number"] = [_("与第 %(n)s 行的案号相同。") % {"n": self.seen[case_number]}]
            else:
                self.seen[case_number] = line
        if problems:
            return None, [CellError(line, LABEL_OF[k], m) for k in KEYS for m in problems.get(k, [])]
        assert kind is not None and outcome is not None and concluded_on is not None
        case = IPCase(
            court=self.court,
            case_number=case_number,
            kind=kind,
            concluded_on=concluded_on,
            outcome=outcome,
            mediated_by=mediated_by,
            note=data["note"],
            imported=True,
        )
        return case, []

    def _unit(self, name: str, problems: dict[str, list[str]]) -> MemberUnit | None:
        if not name:
            return None
        unit = self.units.get(name)
        if unit is None:
            problems["mediated_by"] = [_("未知单位“%(name)s”。") % {"name": name}]
        return unit


def _too_many() -> str:
    return _("每次最多导入 %(n)s 行(空行也计入),请拆分表格后再上传。") % {"n": MAX_ROWS}


def check_sheet(*, court: MemberUnit, fileobj: Any, today: date | None = None) -> SheetCheck:
    """Read and check every row of a sheet; nothing is written."""
    check = SheetCheck()
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is the user's error
        check.errors.append(CellError(0, "", _("无法读取文件,请使用下载的模板(.xlsx)。")))
        return check
    try:
        ws = wb.worksheets[0]
        if (ws.max_row or 0) - 1 > MAX_ROWS:  # the declared <dimension>: refused before reading a row
            check.errors.append(CellError(0, "", _too_many()))
            return check
        header = [cell_text(v) for v in next(ws.iter_rows(max_row=1, values_only=True), ())]
        while header and header[-1] == "":
            header.pop()
        for problem in header_problems(header, LABELS):
            check.errors.append(CellError(1, "", problem))
        if check.errors:
            return check
        checker = RowChecker(court=court, today=today or timezone.localdate())
        rows = ws.iter_rows(min_row=2, max_row=ALL_ROWS, max_col=len(KEYS), values_only=True)
        _check_rows(check, rows, checker)
    finally:
        wb.close()
    if not check.rows and not check.errors:
        check.errors.append(CellError(0, "", _("表格中没有数据行。")))
    if check.rows:
        check.existing = existing_numbers(court.pk, (r.case_number for r in check.rows))
    return check


def _check_rows(check: SheetCheck, rows: Iterable[Sequence[Any]], checker: RowChecker) -> None:
    for line, values in enumerate(rows, start=2):
        if line - 1 > MAX_ROWS:
            check.errors.append(CellError(line, "", _too_many()))
            return
        texts = [cell_text(v) for v in values[: len(KEYS)]]
        if not any(texts) or texts == EXAMPLE_ROW:  # blank, or the template's sample row left in
            continue
        case, problems = checker.check(line, values)
        if case is None:
            check.errors.extend(problems)
        else:
            check.rows.append(case)


def existing_numbers(court_id: int, numbers: Iterable[str]) -> set[str]:
    """Which of these 案号 the court has already recorded."""
    numbers = list(numbers)
    found: set[str] = set()
    for i in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = numbers[i : i + LOOKUP_CHUNK]
        found.update(
            IPCase.objects.filter(court_id=court_id, case_number__in=chunk).values_list("case_number", flat=True)
        )
    return found


def ipcase_import(*, by: User, upload: Any, today: date | None = None) -> SheetCheck:
    """Check an uploaded sheet and, when every row is valid, save its new cases (all or nothing)."""
    court = import_court(by)
    not_a_sheet = _("请上传 XLSX 格式的表格(使用下载的模板)。")
    check_upload(upload, field="file", kinds=("xlsx",), refusal=not_a_sheet)
    if not looks_like_xlsx(upload):
        raise ValidationError({"file": [not_a_sheet]})
    check = check_sheet(court=court, fileobj=upload, today=today)
    if check.ok:
        check.created = _save(court=court, by=by, check=check)
    return check


@transaction.atomic
def _save(*, court: MemberUnit, by: User, check: SheetCheck) -> int:
    """The sheet's new cases in one transaction; the 案号 recorded meanwhile are skipped too."""
    if connection.vendor == "postgresql":  # two imports of one court wait for each other
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4206, court.pk])
    check.existing = existing_numbers(court.pk, (r.case_number for r in check.rows))
    place = place_of(MemberUnit.objects.select_related("region").get(pk=court.pk))
    now = timezone.now()
    new = [r for r in check.rows if r.case_number not in check.existing]
    for case in new:
        case.region, case.city_id, case.created_by = place["region"], place["city_id"], by
    IPCase.objects.bulk_create(new, batch_size=1000)
    IPCase.history.bulk_history_create(new, default_user=by, default_date=now)
    tasks, through = default_tasks(), IPCase.tasks.through
    links = [through(ipcase_id=case.pk, worktask_id=task.pk) for case in new for task in tasks]
    through.objects.bulk_create(links, batch_size=2000)
    return len(new)
