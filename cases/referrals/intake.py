"""The bulk intake of mediation delegations (委派调解) from an XLSX sheet.

A court downloads the template, fills one row per delegation and uploads it: every row is checked
(:class:`RowChecker`) and the errors are shown row by row before anything is saved; a valid sheet
is kept as a :class:`~cases.referrals.models.ReferralImport`, and once confirmed a Celery task creates
its new referrals in one transaction.

Limits (a sheet is untrusted input): the upload passes :func:`fuyuan.lib.uploads.check_upload` (size,
type by content, the ZIP's declared decompressed size and parts); a sheet whose ``<dimension>`` declares
more than ``IMPORT_MAX_ROWS`` data rows is refused before any row is read; since a file may omit or lie
about its dimension, rows are also counted as they stream, blank ones included, and reading stops at the
limit; and the check stops after ``settings.FUYUAN_IMPORT_MAX_SECONDS`` (a deadline looked at per row).
Only units that may send mediation delegations (courts, :data:`IMPORT_SENDER_KINDS`) import them, and a
row's 委派日期 may not precede the sender's first day on the platform (its users' earliest
``date_joined``: a unit records no creation date) nor ``settings.FUYUAN_IMPORT_BACKDATE_DAYS`` ago.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import monotonic
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Min
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from cases.referrals.alerts import referral_stages
from cases.referrals.models import Party, Referral, ReferralEvent, ReferralImport, ReferralKind
from cases.referrals.privacy import ID_NUMBER_RE, PHONE_RE
from cases.referrals.selectors import local_datetime
from cases.referrals.services import writer_unit
from fuyuan.lib.alerts import next_alert_time
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.sheets import cell_text, header_problems, looks_like_xlsx, parse_date
from fuyuan.lib.uploads import check_upload
from fuyuan.lib.xlsx import rows_response
from members.levels import place_of
from members.models import MemberUnit, User

log = logging.getLogger(__name__)

S = Referral.Status
A = ReferralEvent.Action

MEDIATION = "mediation"
#: The kinds of unit that send mediation delegations (委派调解 is a court's), so may import them.
IMPORT_SENDER_KINDS = (MemberUnit.Kind.COURT,)
IMPORT_MAX_ROWS = 20000
ALL_ROWS = 2**31  # an explicit last row: openpyxl then streams the rows there are, whatever <dimension> says
IMPORT_BATCH = 1000
LOOKUP_CHUNK = 5000
PROGRESS_SECONDS = 3600
IMPORT_COLUMNS: list[tuple[str, str]] = [
    ("case_number", "案号"),
    ("receiver", "受托调解组织"),
    ("subject", "案由"),
    ("sent_on", "委派日期"),
    ("applicant", "申请人"),
    ("applicant_id", "申请人身份证号"),
    ("applicant_phone", "申请人电话"),
    ("respondent", "被申请人"),
    ("respondent_id", "被申请人身份证号"),
    ("respondent_phone", "被申请人电话"),
    ("summary", "基本情况"),
]
COLUMN_KEYS = [key for key, _label in IMPORT_COLUMNS]
COLUMN_LABELS = [label for _key, label in IMPORT_COLUMNS]
EXAMPLE_ROW = [
    "(2026)甘0102民诉前调1号",
    "某某人民调解委员会",
    "买卖合同纠纷",
    "2026-01-05",
    "张三",
    "620102199001011234",
    "13812345678",
    "某某有限公司",
    "",
    "",
    "示例行,导入前请删除",
]


@dataclass
class ImportRow:
    line: int
    case_number: str
    receiver_id: int
    subject: str
    summary: str
    sent_on: date
    parties: list[tuple[str, str, str, str]]


@dataclass
class ImportCheck:
    """What a sheet holds: its valid rows, the errors row by row, and how many already exist."""

    rows: list[ImportRow] = field(default_factory=list)
    errors: list[tuple[int, list[str]]] = field(default_factory=list)
    existing: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def new_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.case_number not in self.existing]


def import_template_response() -> HttpResponse:
    """The XLSX template a court fills in: the header row and one example row."""
    return rows_response(
        sheet_title="委派调解",
        header=COLUMN_LABELS,
        rows=[EXAMPLE_ROW],
        filename="mediation-delegations-template.xlsx",
    )


def units_by_name() -> dict[str, MemberUnit]:
    """Every unit under its name and its short name (the sheet names the receiving organisation)."""
    units: dict[str, MemberUnit] = {}
    for unit in MemberUnit.objects.only("id", "name", "short_name", "active"):
        units.setdefault(unit.name, unit)
        if unit.short_name:
            units.setdefault(unit.short_name, unit)
    return units


PARTY_COLUMNS = (
    (Party.Role.APPLICANT, "applicant", gettext_lazy("申请人")),
    (Party.Role.RESPONDENT, "respondent", gettext_lazy("被申请人")),
)


class RowChecker:
    """Checks the rows of one sheet, one at a time: each row gives an ImportRow or its problems."""

    def __init__(self, *, sender: MemberUnit, units: dict[str, MemberUnit], today: date) -> None:
        self.sender = sender
        self.units = units
        self.today = today
        self.first_day = first_day(sender) or today
        self.window_start = today - timedelta(days=settings.FUYUAN_IMPORT_BACKDATE_DAYS)
        self.seen: dict[str, int] = {}  # case number → the first line that has it

    def check(self, line: int, values: Sequence[Any]) -> tuple[ImportRow | None, list[str]]:
        width = len(COLUMN_KEYS)
        raw = list(values[:width]) + [None] * (width - len(values))
        data = dict(zip(COLUMN_KEYS, [cell_text(v) for v in raw], strict=True))
        problems: list[str] = []
        case_number = self._case_number(data["case_number"], line, problems)
        unit = self._receiver(data["receiver"], problems)
        if not data["subject"]:
            problems.append(_("案由不能为空。"))
        sent_on = self._sent_on(raw[3], data["sent_on"], problems)
        parties = self._parties(data, problems)
        if problems or unit is None or sent_on is None:
            return None, problems
        row = ImportRow(
            line=line,
            case_number=case_number,
            receiver_id=unit.pk,
            subject=data["subject"][:200],
            summary=data["summary"],
            sent_on=sent_on,
            parties=parties,
        )
        return row, []

    def _case_number(self, case_number: str, line: int, problems: list[str]) -> str:
        if not case_number:
            problems.append(_("案号不能为空。"))
        elif len(case_number) > 100:
            problems.append(_("案号过长。"))
        elif case_number in self.seen:
            problems.append(_("重复行:案号与第 %(n)s 行相同。") % {"n": self.seen[case_number]})
        else:
            self.seen[case_number] = line
        return case_number

    def _receiver(self, name: str, problems: list[str]) -> MemberUnit | None:
        unit = self.units.get(name)
        if not name:
            problems.append(_("受托调解组织不能为空。"))
        elif unit is None:
            problems.append(_("未知单位“%(name)s”。") % {"name": name})
        elif not unit.active:
            problems.append(_("单位“%(name)s”已停用。") % {"name": name})
        elif unit.pk == self.sender.pk:
            problems.append(_("不能委派给本单位。"))
        return unit

    def _sent_on(self, value: Any, text: str, problems: list[str]) -> date | None:
        sent_on = parse_date(value)
        if sent_on is None:
            problems.append(_("委派日期“%(v)s”不是有效日期(应为 2026-01-05 这样的格式)。") % {"v": text})
        elif sent_on > self.today:
            problems.append(_("委派日期不能晚于今天。"))
        elif sent_on < self.first_day:
            problems.append(
                _("委派日期不能早于本单位开始使用平台的日期(%(day)s)。") % {"day": self.first_day.isoformat()}
            )
        elif sent_on < self.window_start:
            problems.append(
                _("委派日期不能早于 %(day)s(只能导入 %(n)s 天以内的委派)。")
                % {"day": self.window_start.isoformat(), "n": settings.FUYUAN_IMPORT_BACKDATE_DAYS}
            )
        return sent_on

    def _parties(self, data: dict[str, str], problems: list[str]) -> list[tuple[str, str, str, str]]:
        parties = []
        for role, prefix, label in PARTY_COLUMNS:
            name, id_number, phone = data[prefix], data[f"{prefix}_id"].upper(), data[f"{prefix}_phone"]
            if not name:
                if role == Party.Role.APPLICANT:
                    problems.append(_("申请人不能为空。"))
                continue
            if id_number and not ID_NUMBER_RE.match(id_number):
                problems.append(_("%(who)s身份证号“%(v)s”格式不正确。") % {"who": label, "v": id_number})
            if phone and not PHONE_RE.match(phone):
                problems.append(_("%(who)s电话“%(v)s”格式不正确。") % {"who": label, "v": phone})
            parties.append((str(role), name[:100], id_number, phone))
        return parties


def first_day(unit: MemberUnit) -> date | None:
    """The unit's first day on the platform: the day its first user joined (a unit records no creation date)."""
    joined = User.objects.filter(unit=unit).aggregate(first=Min("date_joined"))["first"]
    return timezone.localdate(joined) if joined else None


def may_import(unit: MemberUnit | None) -> bool:
    """Whether this unit may import mediation delegations: only a kind of unit that sends them (a court)."""
    return unit is not None and unit.kind in IMPORT_SENDER_KINDS


def import_sender(user: User) -> MemberUnit:
    """The unit a user imports delegations for; NotPermitted unless that unit may send them (a court)."""
    unit = writer_unit(user)
    if not may_import(unit):
        raise NotPermitted(_("只有人民法院可以批量导入委派调解。"))
    return unit


def existing_numbers(sender_id: int, numbers: Iterable[str]) -> set[str]:
    """Which of these case numbers the sender already has as mediation delegations."""
    kind = ReferralKind.objects.get(code=MEDIATION)
    numbers = list(numbers)
    existing: set[str] = set()
    for i in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = numbers[i : i + LOOKUP_CHUNK]
        existing.update(
            Referral.objects.filter(sender_id=sender_id, kind=kind, case_number__in=chunk).values_list(
                "case_number", flat=True
            )
        )
    return existing


def _too_many_rows() -> str:
    return _("每次最多导入 %(n)s 行(空行也计入),请拆分表格后再上传。") % {"n": IMPORT_MAX_ROWS}


def _check_rows(check: ImportCheck, rows: Iterable[Sequence[Any]], checker: RowChecker, deadline: float) -> None:
    """Check the data rows as they stream: every row counts toward the limit, blank or not, and the
    deadline is looked at per row, so neither a long sheet nor a slow one holds the worker."""
    for line, values in enumerate(rows, start=2):
        if line - 1 > IMPORT_MAX_ROWS:
            check.errors.append((line, [_too_many_rows()]))
            return
        if monotonic() > deadline:
            message = _("表格检查超过 %(s)s 秒仍未完成,已停止:请拆分为较小的表格后再上传。")
            check.errors.append((line, [message % {"s": settings.FUYUAN_IMPORT_MAX_SECONDS}]))
            return
        texts = [cell_text(v) for v in values[: len(COLUMN_KEYS)]]
        if not any(texts) or texts == EXAMPLE_ROW:  # blank, or the template's sample row left in
            continue
        row, problems = checker.check(line, values)
        if row is None:
            check.errors.append((line, problems))
        else:
            check.rows.append(row)


def referral_import_check(*, sender: MemberUnit, fileobj: Any, today: date | None = None) -> ImportCheck:
    """Read and validate every row of a sheet; nothing is written."""
    check = ImportCheck()
    deadline = monotonic() + settings.FUYUAN_IMPORT_MAX_SECONDS
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is the user's error
        check.errors.append((0, [_("无法读取文件,请使用下载的模板(.xlsx)。")]))
        return check
    try:
        ws = wb.worksheets[0]
        if (ws.max_row or 0) - 1 > IMPORT_MAX_ROWS:  # the declared <dimension>: refused before reading a row
            check.errors.append((0, [_too_many_rows()]))
            return check
        header = [cell_text(v) for v in next(ws.iter_rows(max_row=1, values_only=True), ())]
        while header and header[-1] == "":
            header.pop()
        problems = header_problems(header, COLUMN_LABELS)
        if problems:
            check.errors.append((1, problems))
            return check
        checker = RowChecker(sender=sender, units=units_by_name(), today=today or timezone.localdate())
        _check_rows(check, _data_rows(ws), checker, deadline)
    finally:
        wb.close()
    if not check.rows and not check.errors:
        check.errors.append((0, [_("表格中没有数据行。")]))
    if check.rows:
        check.existing = existing_numbers(sender.pk, (r.case_number for r in check.rows))
    return check


def _data_rows(ws: Any) -> Iterable[Sequence[Any]]:
    """The rows under the header, as many as there really are (not as the dimension says), the template's width."""
    return ws.iter_rows(min_row=2, max_row=ALL_ROWS, max_col=len(COLUMN_KEYS), values_only=True)


def import_progress_key(import_id: int) -> str:
    return f"referral-import:{import_id}:progress"


def _set_progress(import_id: int, done: int, total: int) -> None:
    cache.set(import_progress_key(import_id), {"done": done, "total": total}, PROGRESS_SECONDS)


def import_progress(imp: ReferralImport) -> dict[str, Any]:
    """How far an import has got: rows done of the total, as a percentage, and whether it has finished."""
    state = cache.get(import_progress_key(imp.pk)) or {}
    done_status, failed_status = ReferralImport.Status.DONE, ReferralImport.Status.FAILED
    total = state.get("total", imp.new_rows) or 0
    done = imp.created_count if imp.status == done_status else state.get("done", 0)
    percent = 100 if imp.status == done_status else int(done * 100 / total) if total else 0
    return {
        "imp": imp,
        "done": done,
        "total": total,
        "percent": percent,
        "finished": imp.status in (done_status, failed_status),
        "succeeded": imp.status == done_status,
        "failed": imp.status == failed_status,
    }


def referral_import_prepare(*, by: User, upload: Any) -> tuple[ReferralImport | None, ImportCheck]:
    """Validate an uploaded sheet; when it is valid and has new rows keep it as a ReferralImport ready to run."""
    sender = import_sender(by)
    not_a_sheet = _("请上传 XLSX 格式的表格(使用下载的模板)。")
    check_upload(upload, field="file", kinds=("xlsx",), refusal=not_a_sheet)
    if not looks_like_xlsx(upload):
        raise ValidationError({"file": [not_a_sheet]})
    check = referral_import_check(sender=sender, fileobj=upload)
    if not check.ok or not check.new_rows:  # errors, or every row exists already: nothing to keep
        return None, check
    upload.seek(0)
    imp = ReferralImport(
        sender=sender,
        uploaded_by=by,
        file_name=str(getattr(upload, "name", ""))[:200],
        total_rows=check.total,
        new_rows=len(check.new_rows),
        skipped_count=len(check.existing),
        rows=[
            [r.line, r.case_number, r.receiver_id, r.subject, r.summary, r.sent_on.isoformat(), r.parties]
            for r in check.rows
        ],
    )
    imp.file.save("delegations.xlsx", upload, save=False)
    imp.save()
    return imp, check


def _queue(import_id: int) -> None:
    try:
        # By its name: cases.referrals.tasks imports this module.
        current_app.signature("cases.run_referral_import", args=(import_id,)).delay()
    except Exception:  # noqa: BLE001 - no broker: run it here rather than lose it
        log.warning("broker unavailable; running referral import %s in the request", import_id)
        referral_import_run(import_id=import_id)


def referral_import_queue(*, imp: ReferralImport, by: User) -> ReferralImport:
    """Confirm a checked sheet: queue the creation (a Celery task) once the transaction commits."""
    with transaction.atomic():
        locked = ReferralImport.objects.select_for_update().get(pk=imp.pk)
        if locked.uploaded_by_id != by.pk:
            raise NotPermitted(_("只能导入自己上传的表格。"))
        if locked.status != ReferralImport.Status.READY:
            raise TransitionNotAllowed(_("该表格已在导入或已导入。"))
        locked.status = ReferralImport.Status.QUEUED
        locked.save(update_fields=["status"])
        _set_progress(locked.pk, 0, locked.new_rows)
        pk = locked.pk
        transaction.on_commit(lambda: _queue(pk))
    return locked


def referral_import_run(*, import_id: int, now: datetime | None = None) -> ReferralImport:
    """Create the sheet's new referrals in ONE transaction (bulk inserts), reporting progress in the cache.

    Safe to run twice: only a queued import runs, rows whose case number exists are skipped, and
    an advisory lock per sender keeps two imports of one court from racing.
    """
    started = monotonic()
    now = now or timezone.now()
    claimed = ReferralImport.objects.filter(
        pk=import_id, status__in=[ReferralImport.Status.QUEUED, ReferralImport.Status.READY]
    ).update(status=ReferralImport.Status.RUNNING)
    imp = ReferralImport.objects.select_related("sender", "uploaded_by").get(pk=import_id)
    if not claimed:
        return imp
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":  # SQLite (development) writes one at a time anyway
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4205, imp.sender_id])
            rows, existing = _recheck_rows(imp)
            created = _bulk_create_delegations(imp=imp, rows=rows, now=now)
            imp.status = ReferralImport.Status.DONE
            imp.created_count = created
            imp.skipped_count = existing
            imp.finished_at = timezone.now()
            imp.seconds = round(monotonic() - started, 3)
            imp.save()
    except Exception as exc:
        log.exception("referral import %s failed", import_id)
        ReferralImport.objects.filter(pk=import_id).update(
            status=ReferralImport.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        imp.refresh_from_db()
    return imp


def _recheck_rows(imp: ReferralImport) -> tuple[list[ImportRow], int]:
    """The rows checked at upload, checked again against the database as it is now (inside the lock)."""
    rows = [
        ImportRow(
            line=line,
            case_number=number,
            receiver_id=receiver_id,
            subject=subject,
            summary=summary,
            sent_on=date.fromisoformat(sent_on),
            parties=[tuple(p) for p in parties],
        )
        for line, number, receiver_id, subject, summary, sent_on, parties in imp.rows
    ]
    receivers = {r.receiver_id for r in rows}
    usable = set(
        MemberUnit.objects.filter(pk__in=receivers, active=True).exclude(pk=imp.sender_id).values_list("pk", flat=True)
    )
    for row in rows:
        if row.receiver_id not in usable:
            raise ValidationError(_("第 %(n)s 行:受托调解组织已停用或不存在。") % {"n": row.line})
    existing = existing_numbers(imp.sender_id, (r.case_number for r in rows))
    return [r for r in rows if r.case_number not in existing], len(existing)


def _places(sender_id: int, receiver_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Where each delegation lives (``members.levels.place_of``), by receiver: a few queries per import."""
    receivers = set(receiver_ids)
    units = MemberUnit.objects.select_related("region").in_bulk({sender_id, *receivers})
    return {pk: place_of(units[sender_id], units[pk]) for pk in receivers}


def _delegation(
    imp: ReferralImport, kind: ReferralKind, row: ImportRow, now: datetime, place: dict[str, Any]
) -> Referral:
    r = Referral(
        **place,
        kind=kind,
        sender_id=imp.sender_id,
        receiver_id=row.receiver_id,
        case_number=row.case_number,
        subject=row.subject,
        summary=row.summary,
        status=S.SENT,
        created_by_id=imp.uploaded_by_id,
        sent_at=local_datetime(row.sent_on, time(9, 0)),
        send_count=1,
    )
    r.next_alert_at = next_alert_time(referral_stages(r), now)
    return r


def _bulk_create_delegations(*, imp: ReferralImport, rows: list[ImportRow], now: datetime) -> int:
    kind = ReferralKind.objects.get(code=MEDIATION)
    task_ids = [kind.default_task_id] if kind.default_task_id else []
    total = len(rows)
    done = 0
    _set_progress(imp.pk, 0, total)
    through = Referral.tasks.through
    places = _places(imp.sender_id, (row.receiver_id for row in rows))
    for start in range(0, total, IMPORT_BATCH):
        chunk = rows[start : start + IMPORT_BATCH]
        objs = [_delegation(imp, kind, row, now, places[row.receiver_id]) for row in chunk]
        Referral.objects.bulk_create(objs)
        Referral.history.bulk_history_create(objs, default_user=imp.uploaded_by, default_date=now)
        parties = []
        events = []
        links: list[Any] = []
        for r, row in zip(objs, chunk, strict=True):
            for role, name, id_number, phone in row.parties:
                parties.append(Party(referral_id=r.pk, role=role, name=name, id_number=id_number, phone=phone))
            events.append(
                ReferralEvent(
                    referral_id=r.pk,
                    action=A.IMPORT,
                    at=now,
                    by_id=imp.uploaded_by_id,
                    unit_id=imp.sender_id,
                    to_status=S.SENT,
                    note=imp.file_name,
                )
            )
            links.extend(through(referral_id=r.pk, worktask_id=t) for t in task_ids)
        Party.objects.bulk_create(parties)
        ReferralEvent.objects.bulk_create(events)
        through.objects.bulk_create(links)
        done += len(chunk)
        _set_progress(imp.pk, done, total)
    return done
