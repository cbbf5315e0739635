"""Every write of judicial recommendations (司法建议): drafting, the lifecycle, the reply clock and its alerts.

Lifecycle (API.md): ``draft`` → ``issued`` → ``acknowledged`` → ``replied`` → ``closed``;
``withdrawn`` from ``draft``/``issued``/``acknowledged``. Only the issuing court's clerks draft,
issue, close and withdraw; only the addressee's liaisons acknowledge and reply; the office may
remind by hand. Each transition locks the row, checks the status on the server and re-arms the
alert ladder (``next_alert_at``), which the periodic scan of :mod:`fuyuan.lib.alerts` follows.

Every delay of the ladder is a setting (defaults below, overridable in Django settings):

- ``FUYUAN_RECOMMENDATION_ACK_REMINDER_DAYS`` (5): not acknowledged this many days after issue →
  reminder to the addressee's liaisons and the issuing clerk;
- ``FUYUAN_RECOMMENDATION_DUE_SOON_DAYS`` ((14, 3)): reply due in this many days → reminder;
- the day after the due date → overdue alert to the addressee, the issuing court and the office;
- ``FUYUAN_RECOMMENDATION_ESCALATE_DAYS`` (30): days overdue → escalation notice to the
  supervising authority's liaisons and the office, and ``escalated_at`` is set;
- ``FUYUAN_RECOMMENDATION_ALERT_HOUR`` (9): the local hour at which a stage of a day becomes due;
- ``FUYUAN_RECOMMENDATION_DEFAULT_PERIOD`` (("months", 2)): the reply period of a court without
  its own :class:`~cases.models.RecommendationPolicy`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import JudicialRecommendation, RecommendationAttachment, RecommendationPolicy
from fuyuan.lib.alerts import AlertStage, next_alert_time, scan_due
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.uploads import check_upload, safe_filename
from fuyuan.lib.workdays import add_months, add_working_days
from members.models import MemberUnit, User, WorkTask
from members.roles import Role, has_role, is_office
from members.selectors import office_staff, unit_contacts
from members.services import notify

Status = JudicialRecommendation.Status
Outcome = JudicialRecommendation.Outcome

EVENT_PREFIX = "recommendation"

# --- Settings -------------------------------------------------------------------------------------


def ack_reminder_days() -> int:
    return int(getattr(settings, "FUYUAN_RECOMMENDATION_ACK_REMINDER_DAYS", 5))


def due_soon_days() -> tuple[int, ...]:
    """Days before the due date at which a reminder goes out, largest first."""
    days = getattr(settings, "FUYUAN_RECOMMENDATION_DUE_SOON_DAYS", (14, 3))
    return tuple(sorted({int(d) for d in days}, reverse=True)) or (14,)


def escalate_after_days() -> int:
    return int(getattr(settings, "FUYUAN_RECOMMENDATION_ESCALATE_DAYS", 30))


def alert_hour() -> int:
    return int(getattr(settings, "FUYUAN_RECOMMENDATION_ALERT_HOUR", 9))


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


def _at(day: date) -> datetime:
    """The moment on ``day`` (local time) at which a stage of that day becomes due."""
    return timezone.make_aware(datetime.combine(day, time(alert_hour())))


# --- Who may do what --------------------------------------------------------------------------------


def is_clerk_of(user: User, court_id: int | None) -> bool:
    return court_id is not None and user.unit_id == court_id and has_role(user, Role.COURT_CLERK)


def is_liaison_of(user: User, unit_id: int | None) -> bool:
    return unit_id is not None and user.unit_id == unit_id and has_role(user, Role.LIAISON)


def can_draft(user: User) -> bool:
    unit = user.unit if user.unit_id else None
    return unit is not None and unit.kind == MemberUnit.Kind.COURT and has_role(user, Role.COURT_CLERK)


ACTIONS = ("edit", "issue", "acknowledge", "reply", "close", "withdraw", "remind")


def allowed_actions(recommendation: JudicialRecommendation, user: User) -> set[str]:
    """The actions this user may take now; the pages show exactly these (the services check again)."""
    rec = recommendation
    actions: set[str] = set()
    if is_clerk_of(user, rec.court_id):
        if rec.status == Status.DRAFT:
            actions |= {"edit", "issue"}
        if rec.status == Status.REPLIED:
            actions.add("close")
        if rec.status in (Status.DRAFT, Status.ISSUED, Status.ACKNOWLEDGED):
            actions.add("withdraw")
    if is_liaison_of(user, rec.addressee_id):
        if rec.status == Status.ISSUED:
            actions.add("acknowledge")
        if rec.status == Status.ACKNOWLEDGED:
            actions.add("reply")
    if is_office(user) and rec.status in JudicialRecommendation.OPEN_STATUSES:
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


def _lock(rec: JudicialRecommendation) -> JudicialRecommendation:
    return (
        JudicialRecommendation.objects.select_for_update(of=("self",))
        .select_related("court", "addressee", "supervisor")
        .get(pk=rec.pk)
    )


def _sync(target: JudicialRecommendation, source: JudicialRecommendation) -> JudicialRecommendation:
    """Copy the saved state onto the caller's instance, so that it sees the transition."""
    for f in source._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return source


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


def _save(rec: JudicialRecommendation, reason: str, *, by: User | None, update_fields: list[str] | None = None) -> None:
    """Save with the audit trail's reason and author (the timeline reads both)."""
    rec._change_reason = reason  # type: ignore[attr-defined]
    rec._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            rec.save(update_fields=update_fields)
    except IntegrityError as exc:
        text = str(exc)
        if "recommendation_number_per_court_year" in text:
            raise ValidationError({"number": [_("本院本年度已有相同文号的司法建议。")]}) from exc
        if "recommendation_due_after_issue" in text:
            raise ValidationError({"reply_due": [_("回复期限不能早于发出日期。")]}) from exc
        raise
    finally:
        # Later many-to-many changes of the same call get their own history rows, without the reason.
        rec.__dict__.pop("_change_reason", None)
        rec.__dict__.pop("_history_user", None)


def _check_files(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, Any]]:
    return [(f, check_upload(f, field="attachments")) for f in files]


def _store_files(
    rec: JudicialRecommendation, checked: list[tuple[UploadedFile, Any]], *, part: str, by: User
) -> list[RecommendationAttachment]:
    stored = []
    for upload, info in checked:
        attachment = RecommendationAttachment(
            recommendation=rec,
            part=part,
            name=safe_filename(upload.name or "", info.kind),
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
            uploaded_by=by,
        )
        attachment.file.save(f"{info.sha256[:16]}", upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


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
    attachments: Sequence[UploadedFile] = (),
) -> JudicialRecommendation:
    """A new draft of the clerk's court. The supervising authority defaults from the addressee."""
    if not can_draft(by):
        raise NotPermitted(_("只有人民法院的工作人员可以起草司法建议。"))
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
    checked = _check_files(attachments)
    _save(rec, "created", by=by)
    rec.copy_to.set(list(copy_to))
    rec.tasks.set(list(tasks))
    _store_files(rec, checked, part=RecommendationAttachment.Part.RECOMMENDATION, by=by)
    return rec


@transaction.atomic
def recommendation_update(
    *,
    recommendation: JudicialRecommendation,
    by: User,
    changes: Mapping[str, Any],
    attachments: Sequence[UploadedFile] = (),
) -> JudicialRecommendation:
    """Change a draft. ``changes`` holds any of EDITABLE_FIELDS and ``copy_to``/``tasks`` (lists)."""
    rec = _lock(recommendation)
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
    checked = _check_files(attachments)
    _save(rec, "updated", by=by)
    if "copy_to" in changes:
        rec.copy_to.set(list(changes["copy_to"]))
    if "tasks" in changes:
        rec.tasks.set(list(changes["tasks"]))
    _store_files(rec, checked, part=RecommendationAttachment.Part.RECOMMENDATION, by=by)
    return _sync(recommendation, rec)


@transaction.atomic
def recommendation_add_attachments(
    *, recommendation: JudicialRecommendation, by: User, files: Sequence[UploadedFile]
) -> list[RecommendationAttachment]:
    """The court adds documents while drafting; the addressee adds reply material while it may reply."""
    rec = _lock(recommendation)
    checked = _check_files(files)
    if is_clerk_of(by, rec.court_id) and rec.status == Status.DRAFT:
        part = RecommendationAttachment.Part.RECOMMENDATION
    elif is_liaison_of(by, rec.addressee_id) and rec.status == Status.ACKNOWLEDGED:
        part = RecommendationAttachment.Part.REPLY
    elif is_clerk_of(by, rec.court_id) or is_liaison_of(by, rec.addressee_id):
        raise TransitionNotAllowed(_("当前状态(%(status)s)下不能上传附件。") % {"status": rec.get_status_display()})
    else:
        raise NotPermitted(_("您不能为这份司法建议上传附件。"))
    return _store_files(rec, checked, part=part, by=by)


# --- The lifecycle ----------------------------------------------------------------------------------


def _court_contacts(rec: JudicialRecommendation) -> list[User]:
    """The issuing clerk, or every clerk of the court when the issuer has left."""
    if rec.issued_by_id:
        issuer = User.objects.filter(pk=rec.issued_by_id, is_active=True).first()
        if issuer is not None:
            return [issuer]
    return list(unit_contacts([rec.court_id], roles=(Role.COURT_CLERK,)))


def _notify(rec: JudicialRecommendation, event: str, stage: str, recipients: Iterable[User], **context: Any) -> int:
    return notify(
        event=f"{EVENT_PREFIX}.{event}",
        obj=rec,
        stage=stage,
        recipients=recipients,
        url=rec.get_absolute_url(),
        context={"rec": rec, **context},
    )


def _rearm(rec: JudicialRecommendation, now: datetime) -> None:
    rec.next_alert_at = next_alert_time(stages_of(rec), now)


@transaction.atomic
def recommendation_issue(
    *, recommendation: JudicialRecommendation, by: User, issued_on: date | None = None
) -> JudicialRecommendation:
    rec = _lock(recommendation)
    _require_clerk(rec, by)
    _require_status(rec, [Status.DRAFT], _("只有草稿可以发出(当前状态:%(status)s)。"))
    now = timezone.now()
    if issued_on is not None:
        rec.issued_on = issued_on
    rec.issued_on = rec.issued_on or timezone.localdate(now)
    missing = {
        "number": _("发出前请填写文号。"),
        "case_number": _("发出前请填写案号。"),
        "problem": _("发出前请填写发现的问题。"),
        "recommendation": _("发出前请填写建议内容。"),
    }
    errors = {name: [message] for name, message in missing.items() if not (getattr(rec, name) or "").strip()}
    if errors:
        raise ValidationError(errors)
    _validate(rec)
    rec.status = Status.ISSUED
    rec.issued_at = now
    rec.issued_by = by
    _rearm(rec, now)
    _save(rec, "issued", by=by)
    copy_to_ids = list(rec.copy_to.values_list("pk", flat=True))
    _notify(rec, "issued", "issued", unit_contacts([rec.addressee_id, *copy_to_ids], roles=(Role.LIAISON,)))
    return _sync(recommendation, rec)


@transaction.atomic
def recommendation_acknowledge(*, recommendation: JudicialRecommendation, by: User) -> JudicialRecommendation:
    """签收: starts the reply clock (the court's period from today, unless the court fixed a due date)."""
    rec = _lock(recommendation)
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
    if not rec.reply_due_fixed:
        rec.reply_due = compute_reply_due(court_id=rec.court_id, acknowledged_on=timezone.localdate(now))
    _rearm(rec, now)
    _save(rec, "acknowledged", by=by)
    _notify(rec, "acknowledged", "acknowledged", _court_contacts(rec))
    return _sync(recommendation, rec)


@transaction.atomic
def recommendation_reply(
    *,
    recommendation: JudicialRecommendation,
    by: User,
    outcome: str,
    content: str,
    measures: str = "",
    reason: str = "",
    attachments: Sequence[UploadedFile] = (),
) -> JudicialRecommendation:
    """The agency's written reply. Stops the alert ladder."""
    rec = _lock(recommendation)
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
    if errors:
        raise ValidationError(errors)
    checked = _check_files(attachments)
    now = timezone.now()
    rec.status = Status.REPLIED
    rec.reply_outcome = outcome
    rec.reply_content = content.strip()
    rec.reply_measures = (measures or "").strip()
    rec.reply_reason = (reason or "").strip()
    rec.replied_at = now
    rec.replied_by = by
    rec.next_alert_at = None
    _save(rec, "replied", by=by)
    _store_files(rec, checked, part=RecommendationAttachment.Part.REPLY, by=by)
    _notify(rec, "replied", "replied", _court_contacts(rec))
    return _sync(recommendation, rec)


@transaction.atomic
def recommendation_close(
    *, recommendation: JudicialRecommendation, by: User, assessment: str = ""
) -> JudicialRecommendation:
    """The court closes the record with its assessment of the reply."""
    rec = _lock(recommendation)
    _require_clerk(rec, by)
    _require_status(rec, [Status.REPLIED], _("只有已回复的司法建议可以办结(当前状态:%(status)s)。"))
    rec.status = Status.CLOSED
    rec.assessment = (assessment or "").strip()
    rec.closed_at = timezone.now()
    rec.next_alert_at = None
    _save(rec, "closed", by=by)
    _notify(rec, "closed", "closed", unit_contacts([rec.addressee_id], roles=(Role.LIAISON,)))
    return _sync(recommendation, rec)


@transaction.atomic
def recommendation_withdraw(
    *, recommendation: JudicialRecommendation, by: User, reason: str = ""
) -> JudicialRecommendation:
    rec = _lock(recommendation)
    _require_clerk(rec, by)
    _require_status(
        rec,
        [Status.DRAFT, Status.ISSUED, Status.ACKNOWLEDGED],
        _("当前状态(%(status)s)下不能撤回。"),
    )
    was_issued = rec.status != Status.DRAFT
    rec.status = Status.WITHDRAWN
    rec.withdrawn_at = timezone.now()
    rec.withdraw_reason = (reason or "").strip()
    rec.next_alert_at = None
    _save(rec, "withdrawn", by=by)
    if was_issued:
        _notify(rec, "withdrawn", "withdrawn", unit_contacts([rec.addressee_id], roles=(Role.LIAISON,)))
    return _sync(recommendation, rec)


@transaction.atomic
def recommendation_remind(*, recommendation: JudicialRecommendation, by: User) -> JudicialRecommendation:
    """The office reminds the addressee by hand (督办). Each reminder is a notice of its own."""
    rec = _lock(recommendation)
    if not is_office(by):
        raise NotPermitted(_("只有领导小组办公室可以督办。"))
    _require_status(rec, JudicialRecommendation.OPEN_STATUSES, _("当前状态(%(status)s)下无需督办。"))
    rec.reminders_sent += 1
    _save(rec, "reminded", by=by, update_fields=["reminders_sent", "updated_at"])
    _notify(
        rec,
        "remind",
        f"remind-{rec.reminders_sent}",
        unit_contacts([rec.addressee_id], roles=(Role.LIAISON,)),
        count=rec.reminders_sent,
    )
    return _sync(recommendation, rec)


# --- The alert ladder ---------------------------------------------------------------------------------


class Recipients:
    """The people of units and roles, each read once per scan: many records share a unit or court."""

    def __init__(self, *, due_at: datetime | None = None) -> None:
        self._liaisons: dict[int, list[User]] = {}
        self._clerks: dict[int, list[User]] = {}
        self._issuers: dict[int, User | None] = {}
        self._office: list[User] | None = None
        self._due_at = due_at  # when set, the liaisons of every unit with a due record are read at once

    def _preload(self) -> None:
        due = JudicialRecommendation.objects.filter(next_alert_at__lte=self._due_at)
        self._due_at = None
        unit_ids = {*due.values_list("addressee_id", flat=True), *due.values_list("supervisor_id", flat=True)}
        unit_ids.discard(None)
        for unit_id in unit_ids:
            self._liaisons.setdefault(unit_id, [])
        for user in unit_contacts(unit_ids, roles=(Role.LIAISON,)):
            self._liaisons[user.unit_id].append(user)

    def liaisons(self, unit_id: int | None) -> list[User]:
        if unit_id is None:
            return []
        if unit_id not in self._liaisons and self._due_at is not None:
            self._preload()
        if unit_id not in self._liaisons:
            self._liaisons[unit_id] = list(unit_contacts([unit_id], roles=(Role.LIAISON,)))
        return self._liaisons[unit_id]

    def clerks(self, court_id: int) -> list[User]:
        if court_id not in self._clerks:
            self._clerks[court_id] = list(unit_contacts([court_id], roles=(Role.COURT_CLERK,)))
        return self._clerks[court_id]

    def office(self) -> list[User]:
        if self._office is None:
            self._office = list(office_staff())
        return self._office

    def court_contacts(self, rec: JudicialRecommendation) -> list[User]:
        """The issuing clerk, or every clerk of the court when the issuer has left."""
        if rec.issued_by_id:
            if rec.issued_by_id not in self._issuers:
                self._issuers[rec.issued_by_id] = User.objects.filter(pk=rec.issued_by_id, is_active=True).first()
            issuer = self._issuers[rec.issued_by_id]
            if issuer is not None:
                return [issuer]
        return self.clerks(rec.court_id)


def stages_of(rec: JudicialRecommendation, people: Recipients | None = None) -> list[AlertStage]:
    """The ladder of an open recommendation, from its issue date and its reply due date."""
    people = people or Recipients()
    if rec.status not in JudicialRecommendation.OPEN_STATUSES or rec.issued_on is None:
        return []
    stages: list[AlertStage] = []
    if rec.status == Status.ISSUED:
        stages.append(
            AlertStage("ack_reminder", _at(rec.issued_on + timedelta(days=ack_reminder_days())), None,
                       partial(_send_ack_reminder, rec, people))
        )  # fmt: skip
    if rec.reply_due is None:
        return stages
    started = rec.acknowledged_at or rec.issued_at or _at(rec.issued_on)
    overdue_at = _at(rec.reply_due + timedelta(days=1))
    escalate_at = _at(rec.reply_due + timedelta(days=escalate_after_days()))
    soon = [(d, _at(rec.reply_due - timedelta(days=d))) for d in due_soon_days()]
    soon = [(d, at) for d, at in soon if at > started]  # a reminder older than the clock makes no sense
    for i, (days, at) in enumerate(soon):
        until = soon[i + 1][1] if i + 1 < len(soon) else overdue_at
        stages.append(AlertStage(f"due_{days}", at, until, partial(_send_due_soon, rec, people, days)))
    stages.append(AlertStage("overdue", overdue_at, None, partial(_send_overdue, rec, people)))
    stages.append(AlertStage("escalated", max(escalate_at, overdue_at), None, partial(_send_escalated, rec, people)))
    return stages


def _send_ack_reminder(rec: JudicialRecommendation, people: Recipients) -> None:
    recipients = [*people.liaisons(rec.addressee_id), *people.court_contacts(rec)]
    _notify(rec, "ack_reminder", "ack_reminder", recipients, days=ack_reminder_days())


def _send_due_soon(rec: JudicialRecommendation, people: Recipients, days: int) -> None:
    _notify(rec, "due_soon", f"due_{days}", people.liaisons(rec.addressee_id), days=days)


def _send_overdue(rec: JudicialRecommendation, people: Recipients) -> None:
    recipients = [*people.liaisons(rec.addressee_id), *people.clerks(rec.court_id), *people.office()]
    _notify(rec, "overdue", "overdue", recipients, days=escalate_after_days())


def _send_escalated(rec: JudicialRecommendation, people: Recipients) -> None:
    if rec.escalated_at is None:
        rec.escalated_at = timezone.now()
        _save(rec, "escalated", by=None, update_fields=["escalated_at"])
    recipients = [*people.office(), *people.liaisons(rec.supervisor_id)]
    _notify(rec, "escalated", "escalated", recipients, days=escalate_after_days())


def recommendation_scan_alerts(*, now: datetime | None = None) -> int:
    """Send every due stage of every recommendation (the periodic task). Returns the rows processed."""
    now = now or timezone.now()
    # Nothing due (the usual case): one index lookup on the partial index, no transaction.
    if not JudicialRecommendation.objects.filter(next_alert_at__lte=now).exists():
        return 0
    people = Recipients(due_at=now)
    return scan_due(
        JudicialRecommendation.objects.select_related("court", "addressee", "supervisor"),
        now=now,
        stages_of=partial(stages_of, people=people),
    )
