"""Every write of judicial recommendations (司法建议): drafting, the lifecycle and the reply clock.

Lifecycle (API.md): ``draft`` → (``submitted`` → ``approved``, 核稿签发, where the court's policy asks
for approval: :mod:`cases.recommendations.approval`) → ``issued`` → ``acknowledged`` (签收, or a paper
送达回证 marked by the clerk) → ``replied`` (not adopted) or ``rectifying`` (adopted: measures and a
rectification deadline) → ``rectified`` → ``visited`` (回访: :mod:`cases.recommendations.followup`) →
``closed``; ``withdrawn`` from any status before the reply. Only the issuing court's clerks draft,
issue, close, visit and withdraw; only its signers approve; only the addressee's liaisons acknowledge,
reply and report rectification; the office may remind by hand. :func:`allowed_actions` is the one
place that says which of these a user may do now. Each transition locks the row, checks the status on
the server and re-arms the alert ladder (``next_alert_at``, see :mod:`cases.recommendations.alerts`).

``FUYUAN_RECOMMENDATION_DEFAULT_PERIOD`` (("months", 2)) is the reply period of a court without
its own :class:`~cases.recommendations.models.RecommendationPolicy`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attachments.services import CheckedFile, ensure_checked, store
from cases.recommendations import recurrence
from cases.recommendations.alerts import court_contacts, save_with_reason, send_notice, stages_of
from cases.recommendations.models import AttachmentPart, JudicialRecommendation, RecommendationPolicy
from fuyuan.lib.alerts import next_alert_time
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.locking import copy_back, lock
from fuyuan.lib.workdays import add_months, add_working_days
from members.levels import office_reaches, stamp
from members.models import MemberUnit, User, WorkTask
from members.roles import Role, has_role
from members.selectors import ContactDirectory, unit_contacts

Status = JudicialRecommendation.Status
Outcome = JudicialRecommendation.Outcome
Part = AttachmentPart
Files = Sequence[UploadedFile | CheckedFile]  # raw uploads (API) or files a page form checked already
SIGN_PERMISSION = "cases.sign_recommendation"


def default_period() -> tuple[str, int]:
    kind, length = getattr(settings, "FUYUAN_RECOMMENDATION_DEFAULT_PERIOD", ("months", 2))
    return str(kind), int(length)


# --- The reply clock ------------------------------------------------------------------------------


def reply_period(court_id: int) -> tuple[str, int]:
    policy = RecommendationPolicy.objects.filter(court_id=court_id).only("period_kind", "period_length").first()
    if policy is None:
        return default_period()
    return policy.period_kind, policy.period_length


def compute_reply_due(*, court_id: int, acknowledged_on: date) -> date:
    """The reply due date: the court's period counted from the day of acknowledgement."""
    kind, length = reply_period(court_id)
    if kind == RecommendationPolicy.PeriodKind.WORKING_DAYS:
        return add_working_days(acknowledged_on, length)
    return add_months(acknowledged_on, length)


# --- Who may do what --------------------------------------------------------------------------------


def is_clerk_of(user: User, court_id: int | None) -> bool:
    return court_id is not None and user.unit_id == court_id and has_role(user, Role.COURT_CLERK)


def is_liaison_of(user: User, unit_id: int | None) -> bool:
    return unit_id is not None and user.unit_id == unit_id and has_role(user, Role.LIAISON)


def can_sign(user: User, court_id: int | None) -> bool:
    """A clerk of this court whom the administrator gave the signing permission (核稿签发)."""
    return is_clerk_of(user, court_id) and user.has_perm(SIGN_PERMISSION)


def approval_required(court_id: int) -> bool:
    """Whether this court's drafts need approval before issue (its policy; the setting for a court without one)."""
    policy = RecommendationPolicy.objects.filter(court_id=court_id).values_list("approval_required", flat=True).first()
    if policy is None:
        return bool(getattr(settings, "FUYUAN_RECOMMENDATION_APPROVAL_REQUIRED", True))
    return bool(policy)


def can_draft(user: User) -> bool:
    unit = user.unit if user.unit_id else None
    return unit is not None and unit.kind == MemberUnit.Kind.COURT and has_role(user, Role.COURT_CLERK)


ACTIONS = (
    "edit",
    "submit",
    "approve",
    "send_back",
    "issue",
    "mark_delivered",
    "acknowledge",
    "reply",
    "rectified",
    "schedule_visit",
    "visit",
    "close",
    "withdraw",
    "remind",
)
WITHDRAWABLE = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.ISSUED, Status.ACKNOWLEDGED)
CLOSABLE = (Status.REPLIED, Status.VISITED)


def _clerk_actions(rec: JudicialRecommendation, *, needs_approval: bool) -> set[str]:
    actions: set[str] = set()
    if rec.status == Status.DRAFT:
        actions |= {"edit", "submit"} if needs_approval else {"edit", "issue"}
    if rec.status == Status.APPROVED:
        actions.add("issue")
    if rec.status == Status.ISSUED:
        actions.add("mark_delivered")
    if rec.status in JudicialRecommendation.RECTIFICATION_STATUSES:
        actions |= {"schedule_visit", "visit"}
    if rec.status in CLOSABLE:
        actions.add("close")
    if rec.status in WITHDRAWABLE:
        actions.add("withdraw")
    return actions


def allowed_actions(recommendation: JudicialRecommendation, user: User) -> set[str]:
    """The actions this user may take now; the pages show exactly these (the services check again)."""
    rec = recommendation
    actions: set[str] = set()
    if is_clerk_of(user, rec.court_id):
        needs_approval = rec.status == Status.DRAFT and approval_required(rec.court_id)
        actions |= _clerk_actions(rec, needs_approval=needs_approval)
        if rec.status == Status.SUBMITTED and can_sign(user, rec.court_id) and rec.submitted_by_id != user.pk:
            actions |= {"approve", "send_back"}
    if is_liaison_of(user, rec.addressee_id):
        if rec.status == Status.ISSUED:
            actions.add("acknowledge")
        if rec.status == Status.ACKNOWLEDGED:
            actions.add("reply")
        if rec.status == Status.RECTIFYING:
            actions.add("rectified")
    if office_reaches(user, rec) and rec.status in JudicialRecommendation.OPEN_STATUSES:
        actions.add("remind")
    return actions


def _require_clerk(rec: JudicialRecommendation, user: User) -> None:
    if not is_clerk_of(user, rec.court_id):
        raise NotPermitted(_("只有发出法院的工作人员可以办理此操作。"))


def _require_liaison(rec: JudicialRecommendation, user: User) -> None:
    if not is_liaison_of(user, rec.addressee_id):
        raise NotPermitted(_("只有收文单位的联络员可以办理此操作。"))


def _require_status(rec: JudicialRecommendation, allowed: Sequence[str], message: str) -> None:
    if rec.status not in allowed:
        raise TransitionNotAllowed(message % {"status": rec.get_status_display()})


def edit_refusal(recommendation: JudicialRecommendation, user: User) -> str:
    """Why ``user`` may not edit ``recommendation`` now (the 403 page's reason): the checks of the update."""
    try:
        _require_clerk(recommendation, user)
        _require_status(recommendation, [Status.DRAFT], _("只有草稿可以修改(当前状态:%(status)s)。"))
    except (NotPermitted, TransitionNotAllowed) as exc:
        return exc.message
    return _("您不能修改这份司法建议。")


# --- Drafting ---------------------------------------------------------------------------------------

YEAR_IN_NUMBER = re.compile(r"[（(〔\[](\d{4})[）)〕\]]")
EDITABLE_FIELDS = (
    "number",
    "case_number",
    "addressee",
    "supervisor",
    "category",
    "title",
    "problem",
    "recommendation",
    "issued_on",
    "reply_due",
)


def year_of(number: str, issued_on: date | None) -> int:
    match = YEAR_IN_NUMBER.search(number or "")
    if match:
        return int(match.group(1))
    return (issued_on or timezone.localdate()).year


def _validate(rec: JudicialRecommendation, *, copy_to: Iterable[MemberUnit] | None = None) -> None:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    rec.number = (rec.number or "").strip()
    rec.title = (rec.title or "").strip()
    if not rec.title:
        errors.setdefault("title", []).append(_("请填写标题。"))
    if rec.addressee_id is None:
        errors.setdefault("addressee", []).append(_("请选择收文单位。"))
    elif rec.addressee_id == rec.court_id:
        errors.setdefault("addressee", []).append(_("收文单位不能是发出法院本身。"))
    if rec.supervisor_id is not None and rec.supervisor_id == rec.addressee_id:
        errors.setdefault("supervisor", []).append(_("主管部门不能是收文单位本身。"))
    if rec.issued_on and rec.issued_on > today:
        errors.setdefault("issued_on", []).append(_("发出日期不能晚于今天。"))
    if rec.reply_due and rec.issued_on and rec.reply_due < rec.issued_on:
        errors.setdefault("reply_due", []).append(_("回复期限不能早于发出日期。"))
    if rec.category not in JudicialRecommendation.Category.values:
        errors.setdefault("category", []).append(_("类别不正确。"))
    rec.year = year_of(rec.number, rec.issued_on)
    if rec.number:
        duplicate = JudicialRecommendation.objects.filter(court_id=rec.court_id, year=rec.year, number=rec.number)
        if rec.pk:
            duplicate = duplicate.exclude(pk=rec.pk)
        if duplicate.exists():
            errors.setdefault("number", []).append(
                _("本院本年度已有文号为“%(number)s”的司法建议。") % {"number": rec.number}
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def recommendation_create(
    *,
    by: User,
    title: str,
    addressee: MemberUnit,
    number: str = "",
    case_number: str = "",
    copy_to: Iterable[MemberUnit] = (),
    supervisor: MemberUnit | None = None,
    tasks: Iterable[WorkTask] = (),
    category: str = JudicialRecommendation.Category.OTHER,
    problem: str = "",
    recommendation: str = "",
    issued_on: date | None = None,
    reply_due: date | None = None,
    attachments: Files = (),
) -> JudicialRecommendation:
    """A new draft of the clerk's court. The supervising authority defaults from the addressee."""
    if not can_draft(by):
        raise NotPermitted(_("只有人民法院的工作人员可以起草司法建议。"))
    assert by.unit_id is not None  # can_draft: a court's clerk
    rec = JudicialRecommendation(
        court_id=by.unit_id,
        number=number,
        case_number=(case_number or "").strip(),
        addressee=addressee,
        supervisor=supervisor if supervisor is not None else addressee.supervisor,
        category=category,
        title=title,
        problem=problem,
        recommendation=recommendation,
        issued_on=issued_on,
        reply_due=reply_due,
        reply_due_fixed=reply_due is not None,
        created_by=by,
        status=Status.DRAFT,
    )
    _validate(rec)
    checked = ensure_checked(attachments)
    stamp(rec, by.unit, addressee)
    save_with_reason(rec, "created", by=by)
    rec.copy_to.set(list(copy_to))
    rec.tasks.set(list(tasks))
    recurrence.link(rec)
    store(record=rec, checked=checked, part=Part.RECOMMENDATION, by=by)
    return rec


@transaction.atomic
def recommendation_update(
    *,
    recommendation: JudicialRecommendation,
    by: User,
    changes: Mapping[str, Any],
    attachments: Files = (),
) -> JudicialRecommendation:
    """Change a draft. ``changes`` holds any of EDITABLE_FIELDS and ``copy_to``/``tasks`` (lists)."""
    rec = lock(recommendation)
    _require_clerk(rec, by)
    _require_status(rec, [Status.DRAFT], _("只有草稿可以修改(当前状态:%(status)s)。"))
    unknown = set(changes) - {*EDITABLE_FIELDS, "copy_to", "tasks"}
    if unknown:
        raise ValidationError({name: [_("此项不能修改。")] for name in sorted(unknown)})
    old_addressee = rec.addressee
    for name in EDITABLE_FIELDS:
        if name in changes:
            setattr(rec, name, changes[name])
    if "addressee" in changes and "supervisor" not in changes and rec.supervisor_id == old_addressee.supervisor_id:
        rec.supervisor = rec.addressee.supervisor
    if "reply_due" in changes:
        rec.reply_due_fixed = rec.reply_due is not None
    _validate(rec)
    checked = ensure_checked(attachments)
    if "addressee" in changes:
        stamp(rec, rec.court, rec.addressee)
    save_with_reason(rec, "updated", by=by)
    if "copy_to" in changes:
        rec.copy_to.set(list(changes["copy_to"]))
    if "tasks" in changes:
        rec.tasks.set(list(changes["tasks"]))
    if "addressee" in changes or "category" in changes:
        recurrence.link(rec)
    store(record=rec, checked=checked, part=Part.RECOMMENDATION, by=by)
    return copy_back(recommendation, rec)


def attachment_part(recommendation: JudicialRecommendation, user: User) -> str | None:
    """The part of the files ``user`` may add now (the registration's ``part_for``, see ``cases.apps``): the
    court's documents while drafting, the addressee's reply material while it may reply, and rectification
    evidence while it rectifies (before its report of rectification)."""
    rec = recommendation
    if rec.status == Status.DRAFT and is_clerk_of(user, rec.court_id):
        return Part.RECOMMENDATION
    if rec.status == Status.ACKNOWLEDGED and is_liaison_of(user, rec.addressee_id):
        return Part.REPLY
    if rec.status == Status.RECTIFYING and is_liaison_of(user, rec.addressee_id):
        return Part.RECTIFICATION
    return None


# --- The lifecycle ----------------------------------------------------------------------------------


def _rearm(rec: JudicialRecommendation, now: datetime) -> None:
    rec.next_alert_at = next_alert_time(stages_of(rec), now)


@transaction.atomic
def recommendation_issue(
    *, recommendation: JudicialRecommendation, by: User, issued_on: date | None = None
) -> JudicialRecommendation:
    """发出. Where the court's policy asks for approval, only an approved draft (``approved``) is issued."""
    rec = lock(recommendation)
    _require_clerk(rec, by)
    if rec.status == Status.DRAFT and approval_required(rec.court_id):
        raise TransitionNotAllowed(_("本院的司法建议须经核稿签发后才能发出,请先提交核稿。"))
    _require_status(
        rec, [Status.DRAFT, Status.APPROVED], _("只有草稿或已签发的司法建议可以发出(当前状态:%(status)s)。")
    )
    now = timezone.now()
    if issued_on is not None:
        rec.issued_on = issued_on
    rec.issued_on = rec.issued_on or timezone.localdate(now)
    require_complete(rec, _("发出前请填写%(field)s。"))
    _validate(rec)
    rec.status = Status.ISSUED
    rec.issued_at = now
    rec.issued_by = by
    recurrence.link(rec, now=now)
    if rec.recurrence_of.exists():
        rec.supervisor_informed_at = rec.supervisor_informed_at or now
    _rearm(rec, now)
    save_with_reason(rec, "issued", by=by)
    copy_to_ids = list(rec.copy_to.values_list("pk", flat=True))
    send_notice(rec, "issued", "issued", unit_contacts([rec.addressee_id, *copy_to_ids], roles=(Role.LIAISON,)))
    recurrence.tell_supervisor(rec)
    return copy_back(recommendation, rec)


REQUIRED_TO_ISSUE = {
    "number": gettext_lazy("文号"),
    "case_number": gettext_lazy("案号"),
    "problem": gettext_lazy("发现的问题"),
    "recommendation": gettext_lazy("建议内容"),
}


def require_complete(rec: JudicialRecommendation, message: str) -> None:
    """The fields a recommendation must have before it goes for approval or out of the court."""
    errors = {
        name: [message % {"field": label}]
        for name, label in REQUIRED_TO_ISSUE.items()
        if not (getattr(rec, name) or "").strip()
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def recommendation_acknowledge(*, recommendation: JudicialRecommendation, by: User) -> JudicialRecommendation:
    """签收: starts the reply clock (the court's period from today, unless the court fixed a due date)."""
    rec = lock(recommendation)
    _require_liaison(rec, by)
    if rec.status != Status.ISSUED and rec.acknowledged_at is not None:
        raise TransitionNotAllowed(
            _("这份司法建议已于 %(when)s 签收,不能重复签收。")
            % {"when": timezone.localtime(rec.acknowledged_at).strftime("%Y-%m-%d %H:%M")}
        )
    _require_status(rec, [Status.ISSUED], _("当前状态(%(status)s)下不能签收。"))
    now = timezone.now()
    rec.status = Status.ACKNOWLEDGED
    rec.acknowledged_at = now
    rec.acknowledged_by = by
    rec.delivery = JudicialRecommendation.Delivery.PLATFORM
    rec.delivered_on = timezone.localdate(now)
    if not rec.reply_due_fixed:
        rec.reply_due = compute_reply_due(court_id=rec.court_id, acknowledged_on=rec.delivered_on)
    _rearm(rec, now)
    save_with_reason(rec, "acknowledged", by=by)
    send_notice(rec, "acknowledged", "acknowledged", court_contacts(rec, ContactDirectory()))
    return copy_back(recommendation, rec)


@transaction.atomic
def recommendation_reply(
    *,
    recommendation: JudicialRecommendation,
    by: User,
    outcome: str,
    content: str,
    measures: str = "",
    reason: str = "",
    rectification_due: date | None = None,
    attachments: Files = (),
) -> JudicialRecommendation:
    """The agency's written reply. Stops the reply ladder; a reply that adopts (fully or partly) states the
    measures and a rectification deadline, and starts the rectification clock (``rectifying``)."""
    rec = lock(recommendation)
    _require_liaison(rec, by)
    if rec.status == Status.WITHDRAWN:
        raise TransitionNotAllowed(_("这份司法建议已被法院撤回,不能回复。"))
    if rec.status == Status.ISSUED:
        raise TransitionNotAllowed(_("请先签收,再回复。"))
    _require_status(rec, [Status.ACKNOWLEDGED], _("当前状态(%(status)s)下不能回复。"))
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("请选择采纳情况:采纳、部分采纳或未采纳。")]
    if not (content or "").strip():
        errors["content"] = [_("请填写回复内容。")]
    if outcome == Outcome.NOT_ADOPTED and not (reason or "").strip():
        errors["reason"] = [_("未采纳的,必须说明理由。")]
    now = timezone.now()
    adopting = outcome in JudicialRecommendation.ADOPTING
    if adopting:
        errors.update(_rectification_errors(measures, rectification_due, timezone.localdate(now)))
    if errors:
        raise ValidationError(errors)
    checked = ensure_checked(attachments)
    rec.status = Status.RECTIFYING if adopting else Status.REPLIED
    rec.reply_outcome = outcome
    rec.reply_content = content.strip()
    rec.reply_measures = (measures or "").strip()
    rec.reply_reason = (reason or "").strip()
    rec.rectification_due = rectification_due if adopting else None
    rec.replied_at = now
    rec.replied_by = by
    _rearm(rec, now)  # the rectification ladder when adopted; nothing otherwise
    save_with_reason(rec, "replied", by=by)
    store(record=rec, checked=checked, part=Part.REPLY, by=by)
    send_notice(rec, "replied", "replied", court_contacts(rec, ContactDirectory()))
    return copy_back(recommendation, rec)


def _rectification_errors(measures: str, due: date | None, today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (measures or "").strip():
        errors["measures"] = [_("采纳或部分采纳的,请填写整改措施。")]
    if due is None:
        errors["rectification_due"] = [_("采纳或部分采纳的,请填写整改期限。")]
    elif due < today:
        errors["rectification_due"] = [_("整改期限不能早于回复之日(%(today)s)。") % {"today": today.isoformat()}]
    return errors


@transaction.atomic
def recommendation_close(
    *, recommendation: JudicialRecommendation, by: User, assessment: str = ""
) -> JudicialRecommendation:
    """The court closes the record with its assessment of the reply."""
    rec = lock(recommendation)
    _require_clerk(rec, by)
    if rec.status in JudicialRecommendation.RECTIFICATION_STATUSES:
        raise TransitionNotAllowed(_("采纳的司法建议须回访核实整改情况后才能办结。"))
    _require_status(rec, CLOSABLE, _("只有已回复或已回访的司法建议可以办结(当前状态:%(status)s)。"))
    rec.status = Status.CLOSED
    rec.assessment = (assessment or "").strip()
    rec.closed_at = timezone.now()
    rec.next_alert_at = None
    save_with_reason(rec, "closed", by=by)
    send_notice(rec, "closed", "closed", unit_contacts([rec.addressee_id], roles=(Role.LIAISON,)))
    return copy_back(recommendation, rec)


@transaction.atomic
def recommendation_withdraw(
    *, recommendation: JudicialRecommendation, by: User, reason: str = ""
) -> JudicialRecommendation:
    rec = lock(recommendation)
    _require_clerk(rec, by)
    _require_status(rec, WITHDRAWABLE, _("当前状态(%(status)s)下不能撤回。"))
    was_issued = rec.status not in JudicialRecommendation.DRAFT_STATUSES
    rec.status = Status.WITHDRAWN
    rec.withdrawn_at = timezone.now()
    rec.withdraw_reason = (reason or "").strip()
    rec.next_alert_at = None
    save_with_reason(rec, "withdrawn", by=by)
    if was_issued:
        send_notice(rec, "withdrawn", "withdrawn", unit_contacts([rec.addressee_id], roles=(Role.LIAISON,)))
    return copy_back(recommendation, rec)


@transaction.atomic
def recommendation_remind(*, recommendation: JudicialRecommendation, by: User) -> JudicialRecommendation:
    """The office reminds the addressee by hand (督办). Each reminder is a notice of its own."""
    rec = lock(recommendation)
    if not office_reaches(by, rec):
        raise NotPermitted(_("只有领导小组办公室可以督办。"))
    _require_status(rec, JudicialRecommendation.OPEN_STATUSES, _("当前状态(%(status)s)下无需督办。"))
    rec.reminders_sent += 1
    save_with_reason(rec, "reminded", by=by, update_fields=["reminders_sent", "updated_at"])
    send_notice(
        rec,
        "remind",
        f"remind-{rec.reminders_sent}",
        unit_contacts([rec.addressee_id], roles=(Role.LIAISON,)),
        count=rec.reminders_sent,
    )
    return copy_back(recommendation, rec)
