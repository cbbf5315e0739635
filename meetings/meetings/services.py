"""The life of a joint meeting: who may do what, scheduling, changes, holding, closing, cancelling, replies.

Each service is keyword-only, runs in one transaction, locks the row it changes, checks who may
do it (``NotPermitted``) and from which status (``TransitionNotAllowed``), validates its input
(``ValidationError`` with Chinese messages) and re-arms the alert engine. ``allowed_actions`` is
the one answer to "what may this user do with this meeting now" for pages, templates and the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.locking import lock
from meetings.meetings.confirmation import may_confirm, needs_override
from meetings.meetings.models import Invitation, Meeting, Minutes
from meetings.meetings.reminders import arm_meeting, invited_unit_ids, meeting_url, minutes_of
from members.levels import is_within, office_reaches, reach_of, stamp
from members.models import MemberUnit, Region, User, WorkTask
from members.roles import Role, has_role, is_office
from members.selectors import unit_contacts
from members.services import notify

# --- Who may do what ----------------------------------------------------------------------------


def is_unit_staff(user: User) -> bool:
    """A liaison or a court clerk of a unit: the people who act for their unit."""
    return user.unit_id is not None and has_role(user, Role.LIAISON, Role.COURT_CLERK)


# The reasons a page gives (the 403 page) when the user may see it but not do this.
CREATE_REFUSAL = gettext_lazy("只有领导小组办公室、成员单位和法院的工作人员可以安排会议和登记会商;领导账号只能查看。")
MANAGE_REFUSAL = gettext_lazy("只有领导小组办公室或召集单位可以办理此事项。")


def can_create(user: User) -> bool:
    """Who may schedule a meeting or log a consultation: the office and the units' people."""
    return is_office(user) or is_unit_staff(user)


def office_reaches_unit(user: User, unit: MemberUnit) -> bool:
    """The office may name ``unit`` as the principal party of a new record: a unit of its region or below."""
    if not is_office(user):
        return False
    reach = reach_of(user)
    return reach.everything or (reach.region is not None and is_within(unit.region, reach.region))


def can_manage(user: User, meeting: Meeting) -> bool:
    """The convener side: the office whose scope holds the meeting, or the staff of the convening unit."""
    return office_reaches(user, meeting) or (is_unit_staff(user) and user.unit_id == meeting.convener_id)


def require_manage(user: User, meeting: Meeting) -> None:
    if not can_manage(user, meeting):
        raise NotPermitted(str(MANAGE_REFUSAL))


def can_act_for_unit(user: User, unit_id: int | None, record: Any = None) -> bool:
    """The unit's own people, or the office acting on ``record`` in its scope (any unit, without a record,
    only for an office that reads everything)."""
    if is_unit_staff(user) and unit_id is not None and user.unit_id == unit_id:
        return True
    if record is None:
        return is_office(user) and reach_of(user).everything
    return office_reaches(user, record)


MEETING_PARTS = {"material": gettext_lazy("会议材料")}
MINUTES_PARTS = {"minutes": gettext_lazy("纪要附件")}


def meeting_attachment_part(meeting: Meeting, user: User) -> str | None:
    """The convener side adds the meeting's materials (会议材料) before and at the meeting."""
    planned = meeting.status in (Meeting.Status.PLANNED, Meeting.Status.HELD)
    return "material" if planned and can_manage(user, meeting) else None


def minutes_attachment_part(minutes: Any, user: User) -> str | None:
    """The convener side adds the minutes' attachments (纪要附件) while drafting them."""
    drafting = minutes.status == minutes.Status.DRAFT
    return "minutes" if drafting and can_manage(user, minutes.meeting) else None


OPEN_FOR_AGENDA = (Meeting.Status.PLANNED, Meeting.Status.HELD)
AFTER_THE_MEETING = (Meeting.Status.HELD, Meeting.Status.CLOSED)
ATTENDING = (Invitation.Reply.ATTENDING, Invitation.Reply.DELEGATE)


def _convener_actions(meeting: Meeting, now: datetime) -> set[str]:
    actions: set[str] = set()
    status = meeting.status
    if status == Meeting.Status.PLANNED:
        actions |= {"edit", "cancel"}
        if meeting.starts_at <= now:
            actions.add("hold")
    if status in OPEN_FOR_AGENDA:
        actions |= {"edit_agenda", "decide_proposal", "add_decision"}
    if status == Meeting.Status.HELD:
        actions.add("record_attendance")
    minutes = minutes_of(meeting)
    if status == Meeting.Status.HELD and (minutes is None or minutes.status == Minutes.Status.ISSUED):
        actions.add("close")
    if status in AFTER_THE_MEETING and (minutes is None or minutes.status != Minutes.Status.ISSUED):
        actions.add("save_minutes")
        if minutes is not None and minutes.body:
            actions.add("issue_minutes")
            if needs_override(meeting, minutes, now):  # issuing now takes a reason (minutes.minutes_issue)
                actions.add("issue_minutes_override")
            if minutes.status == Minutes.Status.DRAFT:
                actions.add("circulate_minutes")
    return actions


def _invitee_actions(meeting: Meeting, user: User, now: datetime) -> set[str]:
    actions: set[str] = set()
    invitations = list(meeting.invitations.all())
    mine = next((i for i in invitations if i.unit_id == user.unit_id), None)
    planned = meeting.status == Meeting.Status.PLANNED
    if mine is not None and planned and meeting.starts_at > now and can_act_for_unit(user, mine.unit_id, meeting):
        actions.add("reply")
    if not is_unit_staff(user):
        return actions
    cutoff = meeting.agenda_cutoff or meeting.starts_at
    if planned and now < cutoff and (mine is not None or user.unit_id == meeting.convener_id):
        actions.add("propose")
    if may_confirm(meeting, user.unit_id):  # answering again changes the unit's answer
        actions.add("confirm_minutes")
    return actions


def allowed_actions(meeting: Meeting, user: User, *, now: datetime | None = None) -> set[str]:
    """What ``user`` may do with ``meeting`` now: the one place pages, templates and the API ask.

    Convener side: ``edit``, ``hold`` (once the meeting has started), ``close``, ``cancel``, ``edit_agenda``
    (add, move, reorder, remove items), ``decide_proposal``, ``add_decision``, ``record_attendance`` (the
    sign-in list, once held), ``save_minutes``, ``circulate_minutes``, ``issue_minutes`` (with
    ``issue_minutes_override`` when issuing now needs a reason: units have not answered and the confirmation
    deadline has not passed). An invited unit's people: ``reply``, ``propose`` (a topic), ``confirm_minutes``
    (any invited unit that has not declined). The services check the same rules again when called (and
    refuse with a reason).
    """
    now = now or timezone.now()
    actions = _invitee_actions(meeting, user, now)
    if can_manage(user, meeting):
        actions |= _convener_actions(meeting, now)
    return actions


# --- Meetings ---------------------------------------------------------------------------------------


def place(meeting: Meeting) -> None:
    """A meeting lives in its convener's region (``members.levels.stamp``); its level is that region's.

    Its decisions live where it does: moving the meeting (a new convener) moves them too.
    """
    stamp(meeting, meeting.convener)
    meeting.level = meeting.region.level if meeting.region is not None else Region.Level.PROVINCE
    if meeting.pk is not None:
        meeting.decisions.update(region=meeting.region, city_id=meeting.city_id)


def _validate_offsets(offsets: Any) -> list[int] | None:
    if offsets in (None, "", []):
        return None
    try:
        values = [int(o) for o in offsets]
    except (TypeError, ValueError):
        raise ValidationError({"reminder_offsets": [_("提前提醒须为分钟数的列表。")]}) from None
    if any(v <= 0 or v > 60 * 24 * 60 for v in values):
        raise ValidationError({"reminder_offsets": [_("提前提醒须在1分钟至60天之间。")]})
    return sorted(set(values), reverse=True)


def _validate_meeting(
    *, starts_at: datetime, ends_at: datetime, location: str, video_link: str, agenda_cutoff: datetime | None
) -> None:
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = [_("结束时间必须晚于开始时间。")]
    elif ends_at - starts_at > timedelta(days=7):
        errors["ends_at"] = [_("会议时长不能超过7天。")]
    if not (location or "").strip() and not (video_link or "").strip():
        errors["location"] = [_("请填写会议地点或视频会议链接。")]
    if agenda_cutoff and agenda_cutoff > starts_at:
        errors["agenda_cutoff"] = [_("议题征集截止时间不能晚于会议开始时间。")]
    if errors:
        raise ValidationError(errors)


def _new_meeting(
    *,
    by: User,
    kind: str,
    title: str,
    convener: MemberUnit,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    video_link: str,
    description: str,
    agenda_cutoff: datetime | None = None,
) -> Meeting:
    """A meeting checked for who may convene it and for its input (not yet saved): the planned and the recorded one."""
    if not (office_reaches_unit(by, convener) or (is_unit_staff(by) and by.unit_id == convener.pk)):
        raise NotPermitted(_("只有领导小组办公室或召集单位可以安排会议。"))
    if kind not in Meeting.Kind.values:
        raise ValidationError({"kind": [_("未知的会议类型。")]})
    if not (title or "").strip():
        raise ValidationError({"title": [_("请填写会议名称。")]})
    _validate_meeting(
        starts_at=starts_at, ends_at=ends_at, location=location, video_link=video_link, agenda_cutoff=agenda_cutoff
    )
    return Meeting(
        kind=kind,
        title=title.strip(),
        convener=convener,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        video_link=video_link,
        description=description,
        agenda_cutoff=agenda_cutoff,
        created_by=by,
    )


def _save_new(meeting: Meeting, *, tasks: Iterable[WorkTask], invited_units: Iterable[MemberUnit]) -> list[int]:
    """Place and save a new meeting with its tasks and invitations; the invited units' ids."""
    place(meeting)
    meeting.full_clean(exclude=["invited_units", "tasks"])
    meeting.save()
    meeting.tasks.set(list(tasks))
    units = sorted({u.pk for u in invited_units})
    Invitation.objects.bulk_create([Invitation(meeting=meeting, unit_id=pk) for pk in units])
    return units


@transaction.atomic
def meeting_create(
    *,
    by: User,
    kind: str,
    title: str,
    convener: MemberUnit,
    starts_at: datetime,
    ends_at: datetime,
    invited_units: Iterable[MemberUnit] = (),
    tasks: Iterable[WorkTask] = (),
    location: str = "",
    video_link: str = "",
    description: str = "",
    agenda_cutoff: datetime | None = None,
    reminder_offsets: Sequence[int] | None = None,
    now: datetime | None = None,
) -> Meeting:
    now = now or timezone.now()
    meeting = _new_meeting(
        by=by,
        kind=kind,
        title=title,
        convener=convener,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        video_link=video_link,
        description=description,
        agenda_cutoff=agenda_cutoff,
    )
    if starts_at <= now:
        raise ValidationError(
            {"starts_at": [_("不能安排开始时间已过的会议。已经召开的会议请用“补录已召开会议”录入。")]}
        )
    meeting.reminder_offsets = _validate_offsets(reminder_offsets)
    units = _save_new(meeting, tasks=tasks, invited_units=invited_units)
    arm_meeting(meeting, now)
    if units:
        notify(
            event="meeting_invited",
            obj=meeting,
            stage="invited",
            recipients=unit_contacts(units),
            url=meeting_url(meeting),
            context={"meeting": meeting},
        )
    return meeting


@transaction.atomic
def meeting_record(
    *,
    by: User,
    kind: str,
    title: str,
    convener: MemberUnit,
    starts_at: datetime,
    ends_at: datetime,
    invited_units: Iterable[MemberUnit] = (),
    tasks: Iterable[WorkTask] = (),
    location: str = "",
    video_link: str = "",
    description: str = "",
    now: datetime | None = None,
) -> Meeting:
    """补录: enter a meeting that already took place (held offline), as held, for its sign-in list, minutes
    and decisions. Nothing is sent: no invitation and no reminder for a meeting that is over (the units
    hear of it when its minutes are circulated to them)."""
    now = now or timezone.now()
    meeting = _new_meeting(
        by=by,
        kind=kind,
        title=title,
        convener=convener,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        video_link=video_link,
        description=description,
    )
    if starts_at > now:
        raise ValidationError({"starts_at": [_("补录的会议须已开始;尚未召开的会议请用“安排会议”。")]})
    meeting.status = Meeting.Status.HELD
    meeting.held_at = now
    meeting.recorded_after = True
    _save_new(meeting, tasks=tasks, invited_units=invited_units)
    arm_meeting(meeting, now)  # held: no stage before the start, so nothing is armed
    return meeting


CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "location", "video_link", "description")
NOTIFY_FIELDS = ("starts_at", "ends_at", "location", "video_link")


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    by: User,
    now: datetime | None = None,
    invited_units: Iterable[MemberUnit] | None = None,
    tasks: Iterable[WorkTask] | None = None,
    **changes: Any,
) -> Meeting:
    """Edit a planned meeting. Moving it (time or place) bumps SEQUENCE, re-arms and tells the invitees."""
    now = now or timezone.now()
    meeting = lock(meeting)
    require_manage(by, meeting)
    if meeting.status != Meeting.Status.PLANNED:
        raise TransitionNotAllowed(_("只有尚未召开的会议可以修改。"))
    allowed = {
        "kind",
        "title",
        "convener",
        "location",
        "video_link",
        "description",
        "agenda_cutoff",
        "reminder_offsets",
        "starts_at",
        "ends_at",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({"non_field_errors": [_("不能修改:%(f)s") % {"f": ", ".join(sorted(unknown))}]})
    new_convener = changes.get("convener")
    if (
        new_convener is not None
        and new_convener.pk != meeting.convener_id
        and not office_reaches_unit(by, new_convener)
    ):
        raise NotPermitted(_("只有领导小组办公室可以更换召集单位。"))
    before = {f: getattr(meeting, f) for f in CALENDAR_FIELDS}
    if "reminder_offsets" in changes:
        changes["reminder_offsets"] = _validate_offsets(changes["reminder_offsets"])
    for field, value in changes.items():
        setattr(meeting, field, value)
    _validate_meeting(
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location=meeting.location,
        video_link=meeting.video_link,
        agenda_cutoff=meeting.agenda_cutoff,
    )
    if meeting.starts_at != before["starts_at"] and meeting.starts_at <= now:
        raise ValidationError({"starts_at": [_("不能把会议改到已经过去的时间。")]})
    changed = [f for f in CALENDAR_FIELDS if getattr(meeting, f) != before[f]]
    moved = [f for f in NOTIFY_FIELDS if f in changed]
    if changed:
        meeting.sequence += 1
    if new_convener is not None:
        place(meeting)
    meeting.full_clean(exclude=["invited_units", "tasks"])
    meeting.save()
    if tasks is not None:
        meeting.tasks.set(list(tasks))
    new_units: list[int] = []
    if invited_units is not None:
        wanted = {u.pk for u in invited_units}
        current = set(Invitation.objects.filter(meeting=meeting).values_list("unit_id", flat=True))
        Invitation.objects.filter(meeting=meeting, unit_id__in=current - wanted).delete()
        new_units = sorted(wanted - current)
        Invitation.objects.bulk_create([Invitation(meeting=meeting, unit_id=pk) for pk in new_units])
    arm_meeting(meeting, now)
    url = meeting_url(meeting)
    if moved:
        old_ids = [u for u in invited_unit_ids(meeting, include_declined=True) if u not in new_units]
        notify(
            event="meeting_changed",
            obj=meeting,
            stage=f"changed-s{meeting.sequence}",
            recipients=unit_contacts(old_ids),
            url=url,
            context={
                "meeting": meeting,
                "old_starts_at": before["starts_at"],
                "old_ends_at": before["ends_at"],
                "old_location": before["location"],
                "changed_fields": moved,
            },
        )
    if new_units:
        notify(
            event="meeting_invited",
            obj=meeting,
            stage="invited",
            recipients=unit_contacts(new_units),
            url=url,
            context={"meeting": meeting},
        )
    return meeting


@transaction.atomic
def meeting_hold(*, meeting: Meeting, by: User, now: datetime | None = None) -> Meeting:
    """Record that a planned meeting took place (once it has started)."""
    now = now or timezone.now()
    meeting = lock(meeting)
    require_manage(by, meeting)
    if meeting.status != Meeting.Status.PLANNED:
        raise TransitionNotAllowed(_("只有已安排的会议可以确认召开。"))
    if meeting.starts_at > now:
        raise TransitionNotAllowed(_("会议尚未开始,不能确认召开。"))
    meeting.status = Meeting.Status.HELD
    meeting.held_at = now
    meeting.save(update_fields=["status", "held_at", "updated_at"])
    arm_meeting(meeting, now)
    return meeting


@transaction.atomic
def meeting_close(*, meeting: Meeting, by: User, now: datetime | None = None) -> Meeting:
    now = now or timezone.now()
    meeting = lock(meeting)
    require_manage(by, meeting)
    if meeting.status != Meeting.Status.HELD:
        raise TransitionNotAllowed(_("只有已召开的会议可以办结。"))
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is not None and minutes.status != Minutes.Status.ISSUED:
        raise TransitionNotAllowed(_("会议纪要印发后才能办结会议。"))
    meeting.status = Meeting.Status.CLOSED
    meeting.closed_at = now
    meeting.next_alert_at = None
    meeting.save(update_fields=["status", "closed_at", "next_alert_at", "updated_at"])
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: User, reason: str = "", now: datetime | None = None) -> Meeting:
    """Cancel a planned meeting: no more reminders, SEQUENCE grows, every invitee is told."""
    now = now or timezone.now()
    meeting = lock(meeting)
    require_manage(by, meeting)
    if meeting.status != Meeting.Status.PLANNED:
        raise TransitionNotAllowed(_("只有尚未召开的会议可以取消。"))
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason.strip()
    meeting.cancelled_at = now
    meeting.sequence += 1
    meeting.next_alert_at = None
    meeting.save(update_fields=["status", "cancel_reason", "cancelled_at", "sequence", "next_alert_at", "updated_at"])
    notify(
        event="meeting_cancelled",
        obj=meeting,
        stage="cancelled",
        recipients=unit_contacts(invited_unit_ids(meeting, include_declined=True)),
        url=meeting_url(meeting),
        context={"meeting": meeting},
    )
    return meeting


# --- Replies ---------------------------------------------------------------------------------------------


@transaction.atomic
def invitation_reply(
    *,
    meeting: Meeting,
    unit: MemberUnit,
    by: User,
    reply: str,
    attendees: str = "",
    reason: str = "",
    now: datetime | None = None,
) -> Invitation:
    now = now or timezone.now()
    if not can_act_for_unit(by, unit.pk, meeting):
        raise NotPermitted(_("只能以本单位的名义答复。"))
    invitation = Invitation.objects.select_for_update().filter(meeting_id=meeting.pk, unit_id=unit.pk).first()
    if invitation is None:
        raise NotPermitted(_("该单位未受邀参加此会议,不能答复。"))
    meeting = Meeting.objects.get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED or meeting.starts_at <= now:
        raise TransitionNotAllowed(_("会议已开始、已召开或已取消,不能再答复。"))
    if reply not in (*ATTENDING, Invitation.Reply.DECLINED):
        raise ValidationError({"reply": [_("请选择参加、委派代表参加或不参加。")]})
    attendees = attendees.strip()
    reason = reason.strip()
    if reply in ATTENDING and not attendees:
        raise ValidationError({"attendees": [_("请填写参会人员。")]})
    if reply == Invitation.Reply.DECLINED and not reason:
        raise ValidationError({"reason": [_("不参加须说明原因。")]})
    invitation.reply = reply
    invitation.attendees = attendees if reply != Invitation.Reply.DECLINED else ""
    invitation.reason = reason if reply == Invitation.Reply.DECLINED else ""
    invitation.replied_at = now
    invitation.replied_by = by
    invitation.reported_at = None  # the convener's next digest tells it (meetings.meetings.digest)
    invitation.save()
    return invitation
