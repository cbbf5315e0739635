"""Every write of decisions (议定事项): add, change, report progress, complete; and ``allowed_actions``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attachments.services import CheckedFile, ensure_checked, store
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.locking import lock
from meetings.decisions.models import Decision, DecisionProgress
from meetings.decisions.reminders import arm_decision, decision_url
from meetings.meetings.models import Meeting
from meetings.meetings.services import MANAGE_REFUSAL, can_manage, is_unit_staff, office_reaches, require_manage
from members.models import MemberUnit, User
from members.selectors import unit_contacts
from members.services import notify


def _validate_decision(*, meeting: Meeting, text: str, due: date | None) -> None:
    errors: dict[str, list[str]] = {}
    if not (text or "").strip():
        errors["text"] = [_("请填写议定事项内容。")]
    if due is None:
        errors["due"] = [_("请填写完成时限。")]
    elif due < timezone.localdate(meeting.starts_at):
        errors["due"] = [_("完成时限不能早于会议日期。")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def decision_add(
    *,
    meeting: Meeting,
    by: User,
    text: str,
    owner_unit: MemberUnit,
    due: date,
    supporting_units: Iterable[MemberUnit] = (),
    now: datetime | None = None,
) -> Decision:
    now = now or timezone.now()
    meeting = lock(meeting)
    require_manage(by, meeting)
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.HELD):
        raise TransitionNotAllowed(_("会议已办结或已取消,不能再添加议定事项。"))
    _validate_decision(meeting=meeting, text=text, due=due)
    # A decision lives in its meeting's region (the meeting lives in its convener's).
    decision = Decision.objects.create(
        meeting=meeting,
        text=text.strip(),
        owner_unit=owner_unit,
        due=due,
        region_id=meeting.region_id,
        city_id=meeting.city_id,
    )
    decision.supporting_units.set([u for u in supporting_units if u.pk != owner_unit.pk])
    arm_decision(decision, now)
    notify(
        event="decision_assigned",
        obj=decision,
        stage="assigned",
        recipients=unit_contacts([owner_unit.pk]),
        url=decision_url(decision),
        context={"decision": decision},
    )
    return decision


@transaction.atomic
def decision_update(
    *,
    decision: Decision,
    by: User,
    now: datetime | None = None,
    supporting_units: Iterable[MemberUnit] | None = None,
    **changes: Any,
) -> Decision:
    now = now or timezone.now()
    decision = lock(decision)
    require_manage(by, decision.meeting)
    if decision.status != Decision.Status.OPEN:
        raise TransitionNotAllowed(_("已办结的议定事项不能修改。"))
    unknown = set(changes) - {"text", "owner_unit", "due"}
    if unknown:
        raise ValidationError({"non_field_errors": [_("不能修改:%(f)s") % {"f": ", ".join(sorted(unknown))}]})
    for field, value in changes.items():
        setattr(decision, field, value)
    _validate_decision(meeting=decision.meeting, text=decision.text, due=decision.due)
    decision.save()
    if supporting_units is not None:
        decision.supporting_units.set([u for u in supporting_units if u.pk != decision.owner_unit_id])
    arm_decision(decision, now)
    return decision


def _decision_units(decision: Decision) -> set[int]:
    return {decision.owner_unit_id, *(u.pk for u in decision.supporting_units.all())}


def _may_report(user: User, decision: Decision) -> bool:
    """The owner unit, a supporting unit or the office whose scope holds the decision may report progress."""
    return office_reaches(user, decision) or (is_unit_staff(user) and user.unit_id in _decision_units(decision))


def _may_complete(user: User, decision: Decision) -> bool:
    return office_reaches(user, decision) or (is_unit_staff(user) and user.unit_id == decision.owner_unit_id)


def allowed_actions(decision: Decision, user: User) -> set[str]:
    """What ``user`` may do with ``decision`` now: ``edit`` (the convener side), ``add_progress``, ``complete``.

    The one place pages, templates and the API ask; the services check the same rules when called.
    """
    if decision.status != Decision.Status.OPEN:
        return set()
    actions = set()
    if can_manage(user, decision.meeting):
        actions.add("edit")
    if _may_report(user, decision):
        actions.add("add_progress")
    if _may_complete(user, decision):
        actions.add("complete")
    return actions


PROGRESS_PARTS = {"evidence": gettext_lazy("进展材料")}


def progress_attachment_part(entry: DecisionProgress, user: User) -> str | None:
    """Evidence of a progress report: added with the report, and later by its reporter while the decision is open."""
    open_ = entry.decision.status == Decision.Status.OPEN
    return "evidence" if open_ and entry.by_id == user.pk and _may_report(user, entry.decision) else None


def edit_refusal(decision: Decision, user: User) -> str:
    """Why ``user`` may not edit ``decision`` now (the 403 page's reason)."""
    if decision.status != Decision.Status.OPEN:
        return _("议定事项已办结,不能修改。")
    return str(MANAGE_REFUSAL)


@transaction.atomic
def decision_add_progress(
    *, decision: Decision, by: User, note: str, attachments: Sequence[UploadedFile | CheckedFile] = ()
) -> DecisionProgress:
    """A progress report, with its evidence (files checked by content; a bad one saves nothing)."""
    decision = lock(decision)
    if not _may_report(by, decision):
        raise NotPermitted(_("只有牵头单位、配合单位或办公室可以填报进展。"))
    if decision.status != Decision.Status.OPEN:
        raise TransitionNotAllowed(_("议定事项已办结。"))
    if not (note or "").strip():
        raise ValidationError({"note": [_("请填写进展情况。")]})
    checked = ensure_checked(attachments)
    entry = DecisionProgress.objects.create(decision=decision, note=note.strip(), by=by, unit_id=by.unit_id)
    store(record=entry, checked=checked, part="evidence", by=by)
    return entry


@transaction.atomic
def decision_complete(*, decision: Decision, by: User, note: str, now: datetime | None = None) -> Decision:
    now = now or timezone.now()
    decision = lock(decision)
    if not _may_complete(by, decision):
        raise NotPermitted(_("只有牵头单位或办公室可以办结议定事项。"))
    if decision.status != Decision.Status.OPEN:
        raise TransitionNotAllowed(_("议定事项已办结。"))
    if not (note or "").strip():
        raise ValidationError({"note": [_("请填写办结说明。")]})
    decision.status = Decision.Status.DONE
    decision.done_at = now
    decision.done_note = note.strip()
    decision.done_by = by
    decision.next_alert_at = None
    decision.save()
    return decision
