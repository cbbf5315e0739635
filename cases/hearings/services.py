"""Every write of hearings (行政机关负责人出庭应诉): the court's draft, the notice, the agency's answer, the record
of who appeared, and cancellation.

Only the court's clerks draft, edit, notify, record and cancel; only the defendant's liaisons answer (anyone else
does not see the hearing: 404). :func:`allowed_actions` is the one place that says what a user may do now. Each
transition locks the row, checks the status and the clock on the server (a refusal is ``TransitionNotAllowed``:
409 in the API, a message on the page) and re-arms the reminders (:mod:`cases.hearings.alerts`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.hearings.alerts import arm, liaisons, save_with_reason, send_notice
from cases.hearings.models import Hearing
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.locking import copy_back, lock
from members.levels import stamp
from members.models import MemberUnit, User, WorkTask
from members.roles import Role, has_role
from members.selectors import ContactDirectory

Status = Hearing.Status
Appeared = Hearing.Appeared

ACTIONS = ("edit", "notify", "answer", "record", "cancel")
EDITABLE_FIELDS = ("case_number", "defendant", "summary", "hearing_at", "place")


# --- Who may do what --------------------------------------------------------------------------------


def is_clerk_of(user: User, court_id: int | None) -> bool:
    return court_id is not None and user.unit_id == court_id and has_role(user, Role.COURT_CLERK)


def is_liaison_of(user: User, unit_id: int | None) -> bool:
    return unit_id is not None and user.unit_id == unit_id and has_role(user, Role.LIAISON)


def can_create(user: User) -> bool:
    unit = user.unit if user.unit_id else None
    return unit is not None and unit.kind == MemberUnit.Kind.COURT and has_role(user, Role.COURT_CLERK)


def allowed_actions(hearing: Hearing, user: User, *, now: datetime | None = None) -> set[str]:
    """The actions ``user`` may take now; pages, the API and the admin show exactly these."""
    now = now or timezone.now()
    actions: set[str] = set()
    before = now < hearing.hearing_at
    if is_clerk_of(user, hearing.court_id):
        if hearing.status == Status.DRAFT:
            actions |= {"edit", "notify"} if before else {"edit"}
        if hearing.status in (Status.DRAFT, *Hearing.OPEN_STATUSES):
            actions.add("cancel")
        if hearing.status in Hearing.OPEN_STATUSES and not before:
            actions.add("record")
    if is_liaison_of(user, hearing.defendant_id) and hearing.status in Hearing.OPEN_STATUSES and before:
        actions.add("answer")
    return actions


ATTACHMENT_PARTS = {"notice": gettext_lazy("出庭通知材料"), "answer": gettext_lazy("出庭回复材料")}


def attachment_part(hearing: Hearing, user: User) -> str | None:
    """The court's clerks add the notice's papers while drafting; the defendant agency's liaisons add the
    papers of their answer (授权委托书, 身份证明) while they may answer, before the hearing."""
    if is_clerk_of(user, hearing.court_id) and hearing.status == Status.DRAFT:
        return "notice"
    answering = hearing.status in Hearing.OPEN_STATUSES and timezone.now() < hearing.hearing_at
    return "answer" if answering and is_liaison_of(user, hearing.defendant_id) else None


def _require_clerk(hearing: Hearing, user: User) -> None:
    if not is_clerk_of(user, hearing.court_id):
        raise NotPermitted(_("只有审理法院的工作人员可以办理此操作。"))


def _require_status(hearing: Hearing, allowed: Iterable[str], message: str) -> None:
    if hearing.status not in allowed:
        raise TransitionNotAllowed(message % {"status": hearing.get_status_display()})


def _when(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


# --- Drafting ---------------------------------------------------------------------------------------


def normalise_case_number(value: str) -> str:
    """案号 as users write it, without surrounding or inner spaces (（2026）甘01行初12号)."""
    return "".join((value or "").split())


def _validate(hearing: Hearing) -> None:
    errors: dict[str, list[str]] = {}
    hearing.case_number = normalise_case_number(hearing.case_number)
    hearing.place = (hearing.place or "").strip()
    if not hearing.case_number:
        errors["case_number"] = [_("请填写案号。")]
    elif len(hearing.case_number) > 100:
        errors["case_number"] = [_("案号不能超过 100 个字。")]
    if hearing.defendant_id is None:
        errors["defendant"] = [_("请选择被告行政机关。")]
    elif hearing.defendant_id == hearing.court_id or hearing.defendant.kind == MemberUnit.Kind.COURT:
        errors["defendant"] = [_("被告须为行政机关,不能是人民法院。")]
    if hearing.hearing_at is None:
        errors["hearing_at"] = [_("请填写开庭时间。")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def hearing_create(
    *,
    by: User,
    case_number: str,
    defendant: MemberUnit,
    hearing_at: datetime,
    place: str = "",
    summary: str = "",
    tasks: Iterable[WorkTask] | None = None,
) -> Hearing:
    """A draft of the clerk's court. Tasks default to task 1 (联动推进法治政府建设)."""
    if not can_create(by):
        raise NotPermitted(_("只有人民法院的工作人员可以登记出庭应诉案件。"))
    assert by.unit is not None  # can_create: a court's clerk
    hearing = Hearing(
        court=by.unit,
        case_number=case_number,
        defendant=defendant,
        hearing_at=hearing_at,
        place=place,
        summary=(summary or "").strip(),
        created_by=by,
    )
    _validate(hearing)
    stamp(hearing, by.unit, defendant)
    save_with_reason(hearing, "created", by=by)
    chosen = list(tasks) if tasks is not None else []
    hearing.tasks.set(chosen or list(WorkTask.objects.filter(number=1)))
    return hearing


@transaction.atomic
def hearing_update(*, hearing: Hearing, by: User, changes: Mapping[str, Any]) -> Hearing:
    """Change a draft: any of EDITABLE_FIELDS and ``tasks``."""
    row = lock(hearing)
    _require_clerk(row, by)
    _require_status(row, [Status.DRAFT], _("只有草稿可以修改(当前状态:%(status)s)。"))
    unknown = set(changes) - {*EDITABLE_FIELDS, "tasks"}
    if unknown:
        raise ValidationError({name: [_("此项不能修改。")] for name in sorted(unknown)})
    for name in EDITABLE_FIELDS:
        if name in changes:
            setattr(row, name, changes[name])
    _validate(row)
    stamp(row, row.court, row.defendant)
    save_with_reason(row, "updated", by=by)
    if "tasks" in changes:
        row.tasks.set(list(changes["tasks"]))
    return copy_back(hearing, row)


# --- The lifecycle ----------------------------------------------------------------------------------


@transaction.atomic
def hearing_notify(*, hearing: Hearing, by: User) -> Hearing:
    """出庭通知: the defendant's liaisons hear of the hearing; the reminders are armed."""
    row = lock(hearing)
    _require_clerk(row, by)
    _require_status(row, [Status.DRAFT], _("只有草稿可以发出出庭通知(当前状态:%(status)s)。"))
    now = timezone.now()
    if row.hearing_at <= now:
        raise TransitionNotAllowed(
            _("开庭时间(%(when)s)已过,不能发出出庭通知。请先修改开庭时间。") % {"when": _when(row.hearing_at)}
        )
    row.status = Status.NOTIFIED
    row.notified_at, row.notified_by = now, by
    arm(row, now)
    save_with_reason(row, "notified", by=by)
    send_notice(row, "notified", "notified", liaisons(ContactDirectory(), row.defendant_id))
    return copy_back(hearing, row)


@transaction.atomic
def hearing_answer(
    *, hearing: Hearing, by: User, name: str, post: str, responsible_person: bool, reason: str = ""
) -> Hearing:
    """The agency says who will appear; it may change its answer until the hearing. Disarms the reminders."""
    row = lock(hearing)
    if not is_liaison_of(by, row.defendant_id):
        raise NotPermitted(_("只有被告行政机关的联络员可以回复出庭通知。"))
    _require_status(row, Hearing.OPEN_STATUSES, _("当前状态(%(status)s)下不能回复出庭通知。"))
    now = timezone.now()
    if row.hearing_at <= now:
        raise TransitionNotAllowed(_("已到开庭时间(%(when)s),不能再回复。") % {"when": _when(row.hearing_at)})
    errors: dict[str, list[str]] = {}
    name, post, reason = (name or "").strip(), (post or "").strip(), (reason or "").strip()
    if not name:
        errors["name"] = [_("请填写拟出庭人员姓名。")]
    if not post:
        errors["post"] = [_("请填写拟出庭人员职务。")]
    if not responsible_person and not reason:
        errors["reason"] = [_("负责人不出庭的,必须说明理由。")]
    if errors:
        raise ValidationError(errors)
    again = row.status == Status.ANSWERED
    row.status = Status.ANSWERED
    row.answer_name, row.answer_post = name[:50], post[:100]
    row.answer_responsible = bool(responsible_person)
    row.answer_reason = "" if responsible_person else reason
    row.answered_at, row.answered_by = now, by
    row.next_alert_at = None
    save_with_reason(row, "answered", by=by)
    clerks = ContactDirectory().contacts([row.court_id], roles=(Role.COURT_CLERK,))
    send_notice(row, "answered", f"answered@{now:%Y%m%d%H%M%S}" if again else "answered", clerks)
    return copy_back(hearing, row)


def needs_report(hearing: Hearing) -> bool:
    """A responsible person did not appear and the agency gave no reason in its answer (通报)."""
    return hearing.appeared not in Hearing.RESPONSIBLE and not (hearing.answer_reason or "").strip()


@transaction.atomic
def hearing_record(*, hearing: Hearing, by: User, appeared: str, name: str = "", post: str = "") -> Hearing:
    """After the hearing, the court records who appeared. A head absent without a reason is reported to the
    agency's supervising authority (主管部门) and the office of the record's level."""
    row = lock(hearing)
    _require_clerk(row, by)
    _require_status(row, Hearing.OPEN_STATUSES, _("当前状态(%(status)s)下不能登记出庭情况。"))
    now = timezone.now()
    if now < row.hearing_at:
        raise TransitionNotAllowed(
            _("尚未开庭(开庭时间 %(when)s),开庭后才能登记出庭情况。") % {"when": _when(row.hearing_at)}
        )
    errors: dict[str, list[str]] = {}
    name, post = (name or "").strip(), (post or "").strip()
    if appeared not in Appeared.values:
        errors["appeared"] = [_("请选择实际出庭情况。")]
    elif appeared != Appeared.NONE and not name:
        errors["name"] = [_("请填写出庭人员姓名。")]
    if errors:
        raise ValidationError(errors)
    row.status = Status.HELD
    row.appeared = appeared
    row.appeared_name, row.appeared_post = name[:50], post[:100]
    row.recorded_at, row.recorded_by = now, by
    row.next_alert_at = None
    report = needs_report(row)
    if report:
        row.reported_at = now
    save_with_reason(row, "recorded", by=by)
    if report:
        people = ContactDirectory()
        supervisor = row.defendant.supervisor_id
        send_notice(row, "reported", "reported", [*liaisons(people, supervisor), *people.office_for(row.region_id)])
    return copy_back(hearing, row)


@transaction.atomic
def hearing_cancel(*, hearing: Hearing, by: User, reason: str = "") -> Hearing:
    row = lock(hearing)
    _require_clerk(row, by)
    _require_status(row, [Status.DRAFT, *Hearing.OPEN_STATUSES], _("当前状态(%(status)s)下不能取消。"))
    was_notified = row.status != Status.DRAFT
    row.status = Status.CANCELLED
    row.cancelled_at, row.cancel_reason = timezone.now(), (reason or "").strip()
    row.next_alert_at = None
    save_with_reason(row, "cancelled", by=by)
    if was_notified:
        send_notice(row, "cancelled", "cancelled", liaisons(ContactDirectory(), row.defendant_id))
    return copy_back(hearing, row)
