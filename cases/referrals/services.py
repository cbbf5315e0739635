"""Every write of a case referral: its lifecycle, its alerts, and the bulk intake of mediation delegations.

Each transition is keyword-only, runs in one transaction, locks the row, checks the allowed
transition (``TransitionNotAllowed`` → 409) and the acting side (``NotPermitted`` → 403), writes
one timeline event and re-arms the alert engine.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.lib_referrals import ID_NUMBER_RE, PHONE_RE, day_after, local_datetime
from cases.models import Party, Referral, ReferralEvent, ReferralKind
from fuyuan.lib.alerts import AlertStage, next_alert_time, scan_due
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.workdays import add_working_days
from members.models import MemberUnit, User, WorkTask
from members.roles import Role, has_role
from members.selectors import office_staff
from members.services import notify

log = logging.getLogger(__name__)

S = Referral.Status
A = ReferralEvent.Action

UNACKNOWLEDGED_WORKING_DAYS = 2
DUE_SOON_DAYS = 2
DUE_SOON_TIME = time(9, 0)


# --- who may act --------------------------------------------------------------------------------


def _writer_unit(user: User) -> MemberUnit:
    if not user.is_authenticated or not user.is_active:
        raise NotPermitted(_("请先登录。"))
    if has_role(user, Role.LEADER) and not has_role(user, Role.OFFICE, Role.LIAISON, Role.COURT_CLERK):
        raise NotPermitted(_("领导账号只能查看,不能办理。"))
    if user.unit_id is None:
        raise NotPermitted(_("您的账号未关联单位,不能办理案件移送。"))
    return user.unit


def _require_sender(referral: Referral, user: User) -> None:
    unit = _writer_unit(user)
    if unit.pk != referral.sender_id:
        raise NotPermitted(_("只有移送单位可以进行此操作。"))


def _require_receiver(referral: Referral, user: User, *, main_receiver_only: bool = False) -> None:
    unit = _writer_unit(user)
    allowed = {referral.receiver_id} if main_receiver_only else {referral.receiver_id, referral.handler_id}
    if unit.pk not in allowed:
        raise NotPermitted(_("只有接收单位可以进行此操作。"))


def _require_status(referral: Referral, allowed: Iterable[str], action: str) -> None:
    if referral.status not in set(allowed):
        raise TransitionNotAllowed(
            _("当前状态为“%(status)s”,不能%(action)s。") % {"status": referral.get_status_display(), "action": action}
        )


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("kind", "sender", "receiver", "handler")
        .get(pk=referral.pk)
    )


def _event(referral: Referral, action: str, *, by: User | None, at: datetime, before: str, note: str = "") -> None:
    ReferralEvent.objects.create(
        referral=referral,
        action=action,
        at=at,
        by=by,
        unit=by.unit if by is not None and by.unit_id else None,
        from_status=before,
        to_status=referral.status,
        note=note,
    )


def _rearm(referral: Referral, now: datetime) -> None:
    referral.next_alert_at = next_alert_time(referral_stages(referral), now)


def _copy_back(target: Referral, source: Referral) -> None:
    """Callers keep their object: reflect the locked row's new state on it."""
    if target is not source:
        target.__dict__.update({k: v for k, v in source.__dict__.items() if not k.startswith("_")})
        target._state = source._state


# --- validation ---------------------------------------------------------------------------------


def _check_receiver(*, sender: MemberUnit, receiver: MemberUnit | None) -> None:
    if receiver is None:
        raise ValidationError({"receiver": [_("请选择接收单位。")]})
    if receiver.pk == sender.pk:
        raise ValidationError({"receiver": [_("不能移送给本单位。")]})
    if not receiver.active:
        raise ValidationError({"receiver": [_("接收单位“%(name)s”已停用,不能移送。") % {"name": receiver.name}]})


def clean_parties(parties: Sequence[Mapping[str, Any]]) -> list[Party]:
    """Validate parties given as mappings (role, name, id_number, phone); raise ValidationError in Chinese."""
    result = []
    for i, data in enumerate(parties, start=1):
        name = str(data.get("name") or "").strip()
        id_number = str(data.get("id_number") or "").strip().upper()
        phone = str(data.get("phone") or "").strip()
        role = str(data.get("role") or Party.Role.OTHER)
        if not name:
            raise ValidationError({"parties": [_("第 %(n)s 个当事人:请填写姓名或名称。") % {"n": i}]})
        if id_number and not ID_NUMBER_RE.match(id_number):
            raise ValidationError({"parties": [_("第 %(n)s 个当事人:证件号码应为 18 位身份证号。") % {"n": i}]})
        if phone and not PHONE_RE.match(phone):
            raise ValidationError({"parties": [_("第 %(n)s 个当事人:联系电话格式不正确。") % {"n": i}]})
        if role not in Party.Role.values:
            raise ValidationError({"parties": [_("第 %(n)s 个当事人:身份不正确。") % {"n": i}]})
        result.append(Party(role=role, name=name[:100], id_number=id_number, phone=phone))
    return result


def _check_case_number(*, sender: MemberUnit, kind: ReferralKind, case_number: str, exclude: int | None = None) -> str:
    case_number = (case_number or "").strip()
    if not case_number:
        raise ValidationError({"case_number": [_("请填写案号或编号。")]})
    qs = Referral.objects.filter(sender=sender, kind=kind, case_number=case_number)
    if exclude:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise ValidationError({"case_number": [_("本单位已有同类别、同案号的移送:%(n)s。") % {"n": case_number}]})
    return case_number


# --- create and edit ----------------------------------------------------------------------------


@transaction.atomic
def referral_create(
    *,
    by: User,
    kind: ReferralKind,
    receiver: MemberUnit | None,
    case_number: str,
    subject: str,
    summary: str = "",
    tasks: Iterable[WorkTask] | None = None,
    parties: Sequence[Mapping[str, Any]] = (),
    now: datetime | None = None,
) -> Referral:
    """A draft referral of the user's unit."""
    now = now or timezone.now()
    sender = _writer_unit(by)
    if not kind.active:
        raise ValidationError({"kind": [_("该移送类别已停用。")]})
    _check_receiver(sender=sender, receiver=receiver)
    case_number = _check_case_number(sender=sender, kind=kind, case_number=case_number)
    if not (subject or "").strip():
        raise ValidationError({"subject": [_("请填写事项。")]})
    party_rows = clean_parties(parties)
    referral = Referral.objects.create(
        kind=kind,
        sender=sender,
        receiver=receiver,
        case_number=case_number,
        subject=subject.strip(),
        summary=summary,
        created_by=by,
        status=S.DRAFT,
    )
    task_list = list(tasks) if tasks is not None else ([kind.default_task] if kind.default_task_id else [])
    if task_list:
        referral.tasks.set(task_list)
    for party in party_rows:
        party.referral = referral
    Party.objects.bulk_create(party_rows)
    _event(referral, A.CREATE, by=by, at=now, before="")
    return referral


@transaction.atomic
def referral_update(
    *,
    referral: Referral,
    by: User,
    receiver: MemberUnit | None = None,
    case_number: str | None = None,
    subject: str | None = None,
    summary: str | None = None,
    tasks: Iterable[WorkTask] | None = None,
    parties: Sequence[Mapping[str, Any]] | None = None,
) -> Referral:
    """Edit a draft, or correct a returned referral before sending it again."""
    locked = _lock(referral)
    _require_sender(locked, by)
    _require_status(locked, [S.DRAFT, S.RETURNED], _("修改"))
    if receiver is not None:
        _check_receiver(sender=locked.sender, receiver=receiver)
        locked.receiver = receiver
    if case_number is not None:
        locked.case_number = _check_case_number(
            sender=locked.sender, kind=locked.kind, case_number=case_number, exclude=locked.pk
        )
    if subject is not None:
        if not subject.strip():
            raise ValidationError({"subject": [_("请填写事项。")]})
        locked.subject = subject.strip()
    if summary is not None:
        locked.summary = summary
    locked.save()
    if tasks is not None:
        locked.tasks.set(list(tasks))
    if parties is not None:
        rows = clean_parties(parties)
        locked.parties.all().delete()
        for party in rows:
            party.referral = locked
        Party.objects.bulk_create(rows)
    _copy_back(referral, locked)
    return referral


# --- the lifecycle ------------------------------------------------------------------------------


@transaction.atomic
def referral_send(*, referral: Referral, by: User, now: datetime | None = None) -> Referral:
    """Send a draft, or send a corrected returned referral again (when its kind allows)."""
    now = now or timezone.now()
    locked = _lock(referral)
    _require_sender(locked, by)
    _require_status(locked, [S.DRAFT, S.RETURNED], _("移送"))
    if locked.status == S.RETURNED and not locked.kind.resend_allowed:
        raise TransitionNotAllowed(_("“%(kind)s”类事项退回后不能重新移送。") % {"kind": locked.kind.name})
    _check_receiver(sender=locked.sender, receiver=locked.receiver)
    before = locked.status
    locked.status = S.SENT
    locked.sent_at = now
    locked.send_count += 1
    locked.acknowledged_at = locked.accepted_at = locked.due = None
    locked.handler = None
    locked.return_reason = "" if before == S.DRAFT else locked.return_reason
    _rearm(locked, now)
    locked.save()
    _event(locked, A.SEND, by=by, at=now, before=before, note=_("重新移送") if before == S.RETURNED else "")
    _notify_update(locked, "sent", f"sent:{locked.send_count}", unit_recipients([locked.receiver_id]))
    _copy_back(referral, locked)
    return referral


def compute_due(kind: ReferralKind, start: datetime) -> Any:
    if kind.answer_days is None:
        return None
    day = timezone.localdate(start)
    if kind.working_days:
        return add_working_days(day, kind.answer_days)
    return day + timedelta(days=kind.answer_days)


@transaction.atomic
def referral_acknowledge(*, referral: Referral, by: User, now: datetime | None = None) -> Referral:
    """Confirm receipt (签收): the answer clock starts."""
    now = now or timezone.now()
    locked = _lock(referral)
    _require_receiver(locked, by)
    _require_status(locked, [S.SENT], _("签收"))
    locked.status = S.ACKNOWLEDGED
    locked.acknowledged_at = now
    locked.due = compute_due(locked.kind, now)
    _rearm(locked, now)
    locked.save()
    _event(locked, A.ACKNOWLEDGE, by=by, at=now, before=S.SENT)
    _copy_back(referral, locked)
    return referral


def _is_below(unit: MemberUnit, ancestor_id: int) -> bool:
    seen: set[int] = set()
    current = unit
    while current.parent_id and current.parent_id not in seen:
        if current.parent_id == ancestor_id:
            return True
        seen.add(current.parent_id)
        current = current.parent  # type: ignore[assignment]
    return False


@transaction.atomic
def referral_forward(
    *, referral: Referral, by: User, sub_unit: MemberUnit, note: str = "", now: datetime | None = None
) -> Referral:
    """The receiver passes the matter to one of its sub-units; the sender still sees where it is."""
    now = now or timezone.now()
    locked = _lock(referral)
    _require_receiver(locked, by, main_receiver_only=True)
    _require_status(locked, [S.SENT, S.ACKNOWLEDGED, S.ACCEPTED], _("转交"))
    if sub_unit.pk == locked.receiver_id or not _is_below(sub_unit, locked.receiver_id):
        raise ValidationError({"sub_unit": [_("只能转交本单位的下级单位。")]})
    if not sub_unit.active:
        raise ValidationError({"sub_unit": [_("该单位已停用。")]})
    locked.handler = sub_unit
    _rearm(locked, now)
    locked.save()
    _event(locked, A.FORWARD, by=by, at=now, before=locked.status, note=f"{sub_unit.name} {note}".strip())
    _notify_update(locked, "forwarded", f"forwarded:{sub_unit.pk}", unit_recipients([sub_unit.pk]))
    _copy_back(referral, locked)
    return referral


@transaction.atomic
def referral_accept(*, referral: Referral, by: User, now: datetime | None = None) -> Referral:
    now = now or timezone.now()
    locked = _lock(referral)
    _require_receiver(locked, by)
    _require_status(locked, [S.ACKNOWLEDGED], _("受理"))
    locked.status = S.ACCEPTED
    locked.accepted_at = now
    _rearm(locked, now)
    locked.save()
    _event(locked, A.ACCEPT, by=by, at=now, before=S.ACKNOWLEDGED)
    _copy_back(referral, locked)
    return referral


@transaction.atomic
def referral_extend(
    *, referral: Referral, by: User, both_parties_consent: bool, consent_note: str, now: datetime | None = None
) -> Referral:
    """Extend the period once (mediation: 30 more days), with both parties' consent recorded."""
    now = now or timezone.now()
    locked = _lock(referral)
    _require_receiver(locked, by)
    _require_status(locked, [S.ACKNOWLEDGED, S.ACCEPTED], _("延期"))
    if not locked.kind.extension_days:
        raise TransitionNotAllowed(_("“%(kind)s”类事项不能延期。") % {"kind": locked.kind.name})
    if locked.extended_at is not None:
        raise TransitionNotAllowed(_("办理期限只能延长一次。"))
    if not both_parties_consent:
        raise ValidationError({"both_parties_consent": [_("延期须经双方当事人同意。")]})
    if not (consent_note or "").strip():
        raise ValidationError({"consent_note": [_("请记录双方当事人同意延期的情况。")]})
    before_due = locked.due
    assert before_due is not None
    locked.due = before_due + timedelta(days=locked.kind.extension_days)
    locked.extended_at = now
    locked.extension_note = consent_note.strip()
    _rearm(locked, now)
    locked.save()
    _event(
        locked,
        A.EXTEND,
        by=by,
        at=now,
        before=locked.status,
        note=_("期限由 %(a)s 延至 %(b)s。%(n)s") % {"a": before_due, "b": locked.due, "n": locked.extension_note},
    )
    _copy_back(referral, locked)
    return referral


@transaction.atomic
def referral_return(*, referral: Referral, by: User, reason: str, now: datetime | None = None) -> Referral:
    """The receiver sends the matter back with a reason (before accepting it)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    locked = _lock(referral)
    _require_receiver(locked, by)
    _require_status(locked, [S.SENT, S.ACKNOWLEDGED], _("退回"))
    if not reason:
        raise ValidationError({"reason": [_("请填写退回理由。")]})
    before = locked.status
    locked.status = S.RETURNED
    locked.returned_at = now
    locked.return_reason = reason
    _rearm(locked, now)
    locked.save()
    _event(locked, A.RETURN, by=by, at=now, before=before, note=reason)
    _notify_update(locked, "returned", f"returned:{locked.send_count}", unit_recipients([locked.sender_id]))
    _copy_back(referral, locked)
    return referral


@transaction.atomic
def referral_conclude(
    *, referral: Referral, by: User, outcome: str, note: str = "", now: datetime | None = None
) -> Referral:
    """Close the matter with one of its kind's outcomes and a note."""
    now = now or timezone.now()
    locked = _lock(referral)
    _require_receiver(locked, by)
    _require_status(locked, [S.ACCEPTED], _("办结"))
    if outcome not in locked.kind.outcomes:
        raise ValidationError(
            {
                "outcome": [
                    _("“%(kind)s”的办理结果只能是:%(list)s。")
                    % {
                        "kind": locked.kind.name,
                        "list": "、".join(label for _c, label in locked.kind.outcome_choices()),
                    }
                ]
            }
        )
    locked.status = S.CONCLUDED
    locked.concluded_at = now
    locked.outcome = outcome
    locked.outcome_note = note or ""
    _rearm(locked, now)
    locked.save()
    _event(locked, A.CONCLUDE, by=by, at=now, before=S.ACCEPTED, note=note or "")
    _notify_update(locked, "concluded", "concluded", unit_recipients([locked.sender_id]))
    _copy_back(referral, locked)
    return referral


@transaction.atomic
def referral_revoke(*, referral: Referral, by: User, reason: str = "", now: datetime | None = None) -> Referral:
    """The sender takes the matter back before the receiver has accepted it."""
    now = now or timezone.now()
    locked = _lock(referral)
    _require_sender(locked, by)
    _require_status(locked, [S.DRAFT, S.SENT, S.ACKNOWLEDGED, S.RETURNED], _("撤回"))
    before = locked.status
    locked.status = S.REVOKED
    locked.revoked_at = now
    _rearm(locked, now)
    locked.save()
    _event(locked, A.REVOKE, by=by, at=now, before=before, note=reason)
    if before in (S.SENT, S.ACKNOWLEDGED):
        ids = [locked.receiver_id] + ([locked.handler_id] if locked.handler_id else [])
        _notify_update(locked, "revoked", "revoked", unit_recipients(ids))
    _copy_back(referral, locked)
    return referral


# --- alerts -------------------------------------------------------------------------------------


def unit_recipients(unit_ids: Iterable[int | None]) -> QuerySet[User]:
    """The people who act for these units: liaisons (A and B) and, for courts, the court clerks."""
    ids = [i for i in unit_ids if i]
    return (
        User.objects.filter(unit_id__in=ids, is_active=True)
        .filter(Q(liaison__isnull=False) | Q(groups__name=Role.COURT_CLERK))
        .distinct()
    )


def _url(referral: Referral) -> str:
    return reverse("referral-detail", args=[referral.pk])


def _notify_update(referral: Referral, action: str, stage: str, recipients: Iterable[User]) -> None:
    notify(
        event="referral_update",
        obj=referral,
        stage=stage,
        recipients=recipients,
        url=_url(referral),
        context={"referral": referral, "action": action},
    )


def _alert(referral: Referral, event: str, stage: str, unit_ids: Sequence[int | None], office: bool) -> None:
    people = list(unit_recipients(unit_ids))
    if office:
        people += list(office_staff())
    notify(
        event=event, obj=referral, stage=stage, recipients=people, url=_url(referral), context={"referral": referral}
    )


def referral_stages(referral: Referral) -> list[AlertStage]:
    """The alert ladder of a referral in its current status (the engine's ``stages_of``)."""
    r = referral
    receivers = [r.receiver_id, r.handler_id]
    stages: list[AlertStage] = []
    if r.status == S.SENT and r.sent_at is not None:
        sent = timezone.localtime(r.sent_at)
        at = local_datetime(add_working_days(sent.date(), UNACKNOWLEDGED_WORKING_DAYS), sent.time())
        name = f"unacknowledged:{r.send_count}"
        stages.append(
            AlertStage(name, at, None, send=lambda n=name: _alert(r, "referral_unacknowledged", n, receivers, False))
        )
    if r.status in (S.ACKNOWLEDGED, S.ACCEPTED) and r.due is not None:
        overdue_at = day_after(r.due)
        soon_at = local_datetime(r.due - timedelta(days=DUE_SOON_DAYS), DUE_SOON_TIME)
        soon = f"due_soon:{r.due.isoformat()}"
        late = f"overdue:{r.due.isoformat()}"
        stages.append(
            AlertStage(
                soon, soon_at, overdue_at, send=lambda n=soon: _alert(r, "referral_due_soon", n, receivers, False)
            )
        )
        stages.append(
            AlertStage(
                late,
                overdue_at,
                None,
                send=lambda n=late: _alert(r, "referral_overdue", n, [*receivers, r.sender_id], True),
            )
        )
    return stages


def referral_scan_alerts(*, now: datetime | None = None) -> int:
    """The periodic scan: send every alert stage that has come (once per stage and recipient)."""
    now = now or timezone.now()
    qs = Referral.objects.select_related("kind", "sender", "receiver", "handler")
    return scan_due(qs, now=now, stages_of=referral_stages)


# --- bulk intake of mediation delegations (XLSX) ----------------------------------------------

MEDIATION = "mediation"
IMPORT_MAX_ROWS = 20000
IMPORT_BATCH = 1000
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


class ImportRow:
    __slots__ = ("case_number", "line", "parties", "receiver_id", "sent_on", "subject", "summary")

    def __init__(self, **kwargs: Any) -> None:
        for key, value in kwargs.items():
            setattr(self, key, value)


class ImportCheck:
    """What a sheet holds: its valid rows, the errors row by row, and how many already exist."""

    def __init__(self) -> None:
        self.rows: list[ImportRow] = []
        self.errors: list[tuple[int, list[str]]] = []
        self.existing: set[str] = set()

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def new_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.case_number not in self.existing]


def import_template() -> bytes:
    """The XLSX template a court fills in: the header row and one example row."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "委派调解"
    ws.append([label for _key, label in IMPORT_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(
        [
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
    )
    for col, width in zip("ABCDEFGHIJK", (26, 24, 18, 12, 12, 22, 14, 18, 22, 14, 30), strict=True):
        ws.column_dimensions[col].width = width
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def looks_like_xlsx(fileobj: Any) -> bool:
    """Check by content, not by name: an XLSX file is a ZIP holding a workbook part."""
    import zipfile

    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as zf:
            names = set(zf.namelist())
        return "[Content_Types].xml" in names and "xl/workbook.xml" in names
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        fileobj.seek(0)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_date(value: Any) -> Any:
    from datetime import date as date_cls

    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date_cls):
        return value
    text = _cell_text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def referral_import_check(*, sender: MemberUnit, fileobj: Any, today: Any = None) -> ImportCheck:
    """Read and validate every row of a sheet; nothing is written."""
    from openpyxl import load_workbook

    check = ImportCheck()
    today = today or timezone.localdate()
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is the user's error
        check.errors.append((0, [_("无法读取文件,请使用下载的模板(.xlsx)。")]))
        return check
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = [_cell_text(v) for v in next(rows, ())]
        while header and header[-1] == "":
            header.pop()
        expected = [label for _key, label in IMPORT_COLUMNS]
        if header != expected:
            problems = []
            for i, label in enumerate(expected):
                got = header[i] if i < len(header) else ""
                if got != label:
                    problems.append(
                        _("第 %(col)s 列应为“%(want)s”,实际为“%(got)s”。") % {"col": i + 1, "want": label, "got": got}
                    )
            if len(header) > len(expected):
                problems.append(_("多出的列:%(cols)s。") % {"cols": "、".join(header[len(expected) :])})
            check.errors.append((1, problems))
            return check
        units: dict[str, MemberUnit] = {}
        for unit in MemberUnit.objects.only("id", "name", "short_name", "active"):
            units.setdefault(unit.name, unit)
            if unit.short_name:
                units.setdefault(unit.short_name, unit)
        seen: dict[str, int] = {}
        for line, values in enumerate(rows, start=2):
            cells = [_cell_text(v) for v in values[: len(expected)]]
            raw = list(values[: len(expected)]) + [None] * (len(expected) - len(values))
            if not any(cells):
                continue
            if line - 1 > IMPORT_MAX_ROWS:
                check.errors.append((line, [_("每次最多导入 %(n)s 行。") % {"n": IMPORT_MAX_ROWS}]))
                break
            cells += [""] * (len(expected) - len(cells))
            data = dict(zip([k for k, _l in IMPORT_COLUMNS], cells, strict=True))
            problems = []
            case_number = data["case_number"]
            if not case_number:
                problems.append(_("案号不能为空。"))
            elif len(case_number) > 100:
                problems.append(_("案号过长。"))
            elif case_number in seen:
                problems.append(_("重复行:案号与第 %(n)s 行相同。") % {"n": seen[case_number]})
            else:
                seen[case_number] = line
            unit = units.get(data["receiver"])
            if not data["receiver"]:
                problems.append(_("受托调解组织不能为空。"))
            elif unit is None:
                problems.append(_("未知单位“%(name)s”。") % {"name": data["receiver"]})
            elif not unit.active:
                problems.append(_("单位“%(name)s”已停用。") % {"name": data["receiver"]})
            elif unit.pk == sender.pk:
                problems.append(_("不能委派给本单位。"))
            if not data["subject"]:
                problems.append(_("案由不能为空。"))
            sent_on = _parse_date(raw[3])
            if sent_on is None:
                problems.append(_("委派日期“%(v)s”不是有效日期(应为 2026-01-05 这样的格式)。") % {"v": data["sent_on"]})
            elif sent_on > today:
                problems.append(_("委派日期不能晚于今天。"))
            parties = []
            for role, prefix, label in (
                (Party.Role.APPLICANT, "applicant", _("申请人")),
                (Party.Role.RESPONDENT, "respondent", _("被申请人")),
            ):
                name, id_number, phone = data[prefix], data[f"{prefix}_id"].upper(), data[f"{prefix}_phone"]
                if not name:
                    if role == Party.Role.APPLICANT:
                        problems.append(_("申请人不能为空。"))
                    continue
                if id_number and not ID_NUMBER_RE.match(id_number):
                    problems.append(_("%(who)s身份证号“%(v)s”格式不正确。") % {"who": label, "v": id_number})
                if phone and not PHONE_RE.match(phone):
                    problems.append(_("%(who)s电话“%(v)s”格式不正确。") % {"who": label, "v": phone})
                parties.append((role, name[:100], id_number, phone))
            if problems:
                check.errors.append((line, problems))
                continue
            check.rows.append(
                ImportRow(
                    line=line,
                    case_number=case_number,
                    receiver_id=unit.pk,  # type: ignore[union-attr]
                    subject=data["subject"][:200],
                    summary=data["summary"],
                    sent_on=sent_on,
                    parties=parties,
                )
            )
    finally:
        wb.close()
    if not check.rows and not check.errors:
        check.errors.append((0, [_("表格中没有数据行。")]))
    if check.rows:
        kind = ReferralKind.objects.get(code=MEDIATION)
        numbers = [r.case_number for r in check.rows]
        for i in range(0, len(numbers), 5000):
            check.existing.update(
                Referral.objects.filter(sender=sender, kind=kind, case_number__in=numbers[i : i + 5000]).values_list(
                    "case_number", flat=True
                )
            )
    return check


def import_progress_key(import_id: int) -> str:
    return f"referral-import:{import_id}:progress"


def _set_progress(import_id: int, done: int, total: int) -> None:
    from cases.lib_referrals import _cache_set

    _cache_set(import_progress_key(import_id), {"done": done, "total": total}, 3600)


def referral_import_prepare(*, by: User, upload: Any) -> tuple[Any, ImportCheck]:
    """Validate an uploaded sheet; when it is valid keep it as a ReferralImport ready to run."""
    from django.conf import settings

    from cases.models import ReferralImport

    sender = _writer_unit(by)
    limit = settings.FUYUAN_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "file": [
                    _("文件“%(name)s”超过 %(mb)s MB 的大小限制。")
                    % {"name": getattr(upload, "name", ""), "mb": round(limit / 1024 / 1024)}
                ]
            }
        )
    if not looks_like_xlsx(upload):
        raise ValidationError({"file": [_("请上传 XLSX 格式的表格(使用下载的模板)。")]})
    check = referral_import_check(sender=sender, fileobj=upload)
    if not check.ok:
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


def referral_import_queue(*, imp: Any, by: User) -> Any:
    """Confirm a checked sheet: queue the creation (a Celery task) once the transaction commits."""
    from cases.models import ReferralImport

    with transaction.atomic():
        locked = ReferralImport.objects.select_for_update().get(pk=imp.pk)
        if locked.uploaded_by_id != by.pk:
            raise NotPermitted(_("只能导入自己上传的表格。"))
        if locked.status != ReferralImport.Status.READY:
            raise TransitionNotAllowed(_("该表格已在导入或已导入。"))
        locked.status = ReferralImport.Status.QUEUED
        locked.save(update_fields=["status"])
        _set_progress(locked.pk, 0, locked.new_rows)

        def _queue() -> None:
            from cases.tasks_referrals import run_referral_import

            try:
                run_referral_import.delay(locked.pk)
            except Exception:  # noqa: BLE001 - no broker: run it here rather than lose it
                log.warning("broker unavailable; running referral import %s in the request", locked.pk)
                referral_import_run(import_id=locked.pk)

        transaction.on_commit(_queue)
    return locked


def referral_import_run(*, import_id: int, now: datetime | None = None) -> Any:
    """Create the sheet's new referrals in ONE transaction (bulk inserts), reporting progress in the cache.

    Safe to run twice: only a queued import runs, rows whose case number exists are skipped, and
    an advisory lock per sender keeps two imports of one court from racing.
    """
    import time as time_mod

    from django.db import connection

    from cases.models import ReferralImport

    started = time_mod.monotonic()
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
            imp.seconds = round(time_mod.monotonic() - started, 3)
            imp.save()
    except Exception as exc:
        log.exception("referral import %s failed", import_id)
        ReferralImport.objects.filter(pk=import_id).update(
            status=ReferralImport.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        imp.refresh_from_db()
    return imp


def _recheck_rows(imp: Any) -> tuple[list[ImportRow], int]:
    """The rows checked at upload, checked again against the database as it is now (inside the lock)."""
    from datetime import date as date_cls

    rows = [
        ImportRow(
            line=line,
            case_number=number,
            receiver_id=receiver_id,
            subject=subject,
            summary=summary,
            sent_on=date_cls.fromisoformat(sent_on),
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
    kind = ReferralKind.objects.get(code=MEDIATION)
    numbers = [r.case_number for r in rows]
    existing: set[str] = set()
    for i in range(0, len(numbers), 5000):
        existing.update(
            Referral.objects.filter(
                sender_id=imp.sender_id, kind=kind, case_number__in=numbers[i : i + 5000]
            ).values_list("case_number", flat=True)
        )
    return [r for r in rows if r.case_number not in existing], len(existing)


def _bulk_create_delegations(*, imp: Any, rows: list[ImportRow], now: datetime) -> int:
    kind = ReferralKind.objects.get(code=MEDIATION)
    task_ids = [kind.default_task_id] if kind.default_task_id else []
    total = len(rows)
    done = 0
    _set_progress(imp.pk, 0, total)
    through = Referral.tasks.through
    for start in range(0, total, IMPORT_BATCH):
        chunk = rows[start : start + IMPORT_BATCH]
        objs = []
        for row in chunk:
            sent_at = local_datetime(row.sent_on, time(9, 0))
            r = Referral(
                kind=kind,
                sender_id=imp.sender_id,
                receiver_id=row.receiver_id,
                case_number=row.case_number,
                subject=row.subject,
                summary=row.summary,
                status=S.SENT,
                created_by_id=imp.uploaded_by_id,
                sent_at=sent_at,
                send_count=1,
            )
            r.next_alert_at = next_alert_time(referral_stages(r), now)
            objs.append(r)
        Referral.objects.bulk_create(objs)
        Referral.history.bulk_history_create(objs, default_user=imp.uploaded_by, default_date=now)
        parties = []
        events = []
        links = []
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
