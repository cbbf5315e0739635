"""Every write and transition of the meetings app (DESIGN.md promise 1).

Each service is keyword-only, runs in one transaction, locks the row it changes, checks who may
do it (``NotPermitted``) and from which status (``TransitionNotAllowed``), validates its input
(``ValidationError`` with Chinese messages) and re-arms the alert engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.lib.alerts import AlertStage, next_alert_time, scan_due
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from meetings.models import (
    DEFAULT_REMINDER_OFFSETS,
    AgendaItem,
    CalendarFeedToken,
    Consultation,
    Decision,
    DecisionProgress,
    Invitation,
    Meeting,
    MeetingKindSetting,
    Minutes,
    MinutesConfirmation,
    TopicProposal,
    new_feed_token,
)
from members.models import MemberUnit, Region, User, WorkTask
from members.roles import Role, has_role, is_office
from members.selectors import office_staff
from members.services import notify

MAX_AGENDA_MINUTES = 24 * 60
DECISION_DUE_SOON_DAYS = 3
ALERT_HOUR = time(9, 0)

# --- Who may do what ----------------------------------------------------------------------------


def _is_unit_staff(user: User) -> bool:
    return user.unit_id is not None and has_role(user, Role.LIAISON, Role.COURT_CLERK)


def can_manage(user: User, meeting: Meeting) -> bool:
    """The convener side: the office, or the staff of the convening unit."""
    return is_office(user) or (_is_unit_staff(user) and user.unit_id == meeting.convener_id)


def _require_manage(user: User, meeting: Meeting) -> None:
    if not can_manage(user, meeting):
        raise NotPermitted(_("只有领导小组办公室或召集单位可以办理此事项。"))


def can_act_for_unit(user: User, unit_id: int | None) -> bool:
    return is_office(user) or (_is_unit_staff(user) and unit_id is not None and user.unit_id == unit_id)


def unit_contacts(unit_ids: Iterable[int]) -> QuerySet[User]:
    """Who hears for a unit: its liaisons (A and B) and, for a court, its clerks."""
    ids = list(unit_ids)
    return User.objects.filter(
        Q(liaison__isnull=False) | Q(groups__name=Role.COURT_CLERK), unit_id__in=ids, is_active=True
    ).distinct()


class _Directory:
    """Who hears for each unit, and the office, read once per scan instead of once per stage."""

    def __init__(self) -> None:
        self._by_unit: dict[int, list[User]] | None = None
        self._office: list[User] | None = None

    def contacts(self, unit_ids: Iterable[int]) -> list[User]:
        if self._by_unit is None:
            self._by_unit = {}
            for user in unit_contacts_all():
                self._by_unit.setdefault(user.unit_id, []).append(user)
        return [u for unit_id in dict.fromkeys(unit_ids) for u in self._by_unit.get(unit_id, [])]

    def office(self) -> list[User]:
        if self._office is None:
            self._office = list(office_staff())
        return self._office


_directory: ContextVar[_Directory | None] = ContextVar("meetings_directory", default=None)


def unit_contacts_all() -> QuerySet[User]:
    return User.objects.filter(
        Q(liaison__isnull=False) | Q(groups__name=Role.COURT_CLERK), unit__isnull=False, is_active=True
    ).distinct()


def _contacts(unit_ids: Iterable[int]) -> list[User]:
    directory = _directory.get()
    return directory.contacts(unit_ids) if directory is not None else list(unit_contacts(unit_ids))


def _office() -> list[User]:
    directory = _directory.get()
    return directory.office() if directory is not None else list(office_staff())


def _meeting_url(meeting: Meeting) -> str:
    return reverse("meeting-detail", args=[meeting.pk])


def _decision_url(decision: Decision) -> str:
    return reverse("decision-detail", args=[decision.pk])


def _local(dt: datetime) -> datetime:
    return timezone.localtime(dt)


def _at(day: date, at: time = ALERT_HOUR) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


# --- Reminder ladders ----------------------------------------------------------------------------


def reminder_offsets_of(meeting: Meeting) -> list[int]:
    """Minutes before the start: the meeting's own, else its kind's, else 3 days and 2 hours."""
    offsets: Sequence[int] | None = meeting.reminder_offsets
    if not offsets:
        setting = MeetingKindSetting.objects.filter(kind=meeting.kind).first()
        offsets = setting.reminder_offsets if setting and setting.reminder_offsets else DEFAULT_REMINDER_OFFSETS
    return sorted({int(o) for o in offsets if int(o) > 0}, reverse=True)


def _invited_ids(meeting: Meeting, *, include_declined: bool) -> list[int]:
    if "invitations" in getattr(meeting, "_prefetched_objects_cache", {}):  # the scan prefetches them
        return [
            i.unit_id for i in meeting.invitations.all() if include_declined or i.reply != Invitation.Reply.DECLINED
        ]
    qs = Invitation.objects.filter(meeting=meeting)
    if not include_declined:
        qs = qs.exclude(reply=Invitation.Reply.DECLINED)
    return list(qs.values_list("unit_id", flat=True))


def meeting_stages(meeting: Meeting) -> list[AlertStage]:
    """Reminders before the meeting, the agenda cut-off and the minutes-confirmation deadline.

    Stage keys carry the start time (or the cut-off, or the deadline): moving the meeting makes
    new keys, so its reminders are sent again for the new time.
    """
    stages: list[AlertStage] = []
    if meeting.status == Meeting.Status.CANCELLED:
        return stages
    url = _meeting_url(meeting)
    if meeting.status == Meeting.Status.PLANNED:
        start = meeting.starts_at
        stamp = _local(start).strftime("%Y%m%dT%H%M")
        ats = [(offset, start - timedelta(minutes=offset)) for offset in reminder_offsets_of(meeting)]
        for i, (offset, at) in enumerate(ats):
            until = ats[i + 1][1] if i + 1 < len(ats) else start
            stages.append(
                AlertStage(
                    name=f"before-{offset}m@{stamp}",
                    at=at,
                    until=until,
                    send=_sender(
                        "meeting_reminder", meeting, f"before-{offset}m@{stamp}", url, {"offset_minutes": offset}
                    ),
                )
            )
        if meeting.agenda_cutoff and meeting.agenda_cutoff <= start:
            cutoff = meeting.agenda_cutoff
            key = f"agenda-cutoff@{_local(cutoff):%Y%m%dT%H%M}"
            stages.append(
                AlertStage(
                    name=key,
                    at=cutoff - timedelta(days=1),
                    until=cutoff,
                    send=_sender("agenda_cutoff", meeting, key, url),
                )
            )
    minutes = _minutes_of(meeting)
    if minutes is not None and minutes.status == Minutes.Status.CIRCULATED and minutes.confirm_by:
        deadline = minutes.confirm_deadline
        assert deadline is not None
        key = f"minutes-confirm@{minutes.confirm_by:%Y%m%d}"
        stages.append(
            AlertStage(
                name=key,
                at=_at(minutes.confirm_by - timedelta(days=1)),
                until=deadline,
                send=lambda: _send_minutes_confirm(meeting, minutes, key, url),
            )
        )
    return stages


def _minutes_of(meeting: Meeting) -> Minutes | None:
    try:
        return meeting.minutes
    except Minutes.DoesNotExist:
        return None


def _sender(event: str, meeting: Meeting, stage: str, url: str, context: dict[str, Any] | None = None) -> Any:
    def send() -> None:
        notify(
            event=event,
            obj=meeting,
            stage=stage,
            recipients=_contacts(_invited_ids(meeting, include_declined=False)),
            url=url,
            context={"meeting": meeting, **(context or {})},
        )

    return send


def _attending_ids(meeting: Meeting) -> list[int]:
    return list(
        Invitation.objects.filter(
            meeting=meeting, reply__in=[Invitation.Reply.ATTENDING, Invitation.Reply.DELEGATE]
        ).values_list("unit_id", flat=True)
    )


def _send_minutes_confirm(meeting: Meeting, minutes: Minutes, key: str, url: str) -> None:
    confirmed = set(minutes.confirmations.values_list("unit_id", flat=True))
    waiting = [u for u in _attending_ids(meeting) if u not in confirmed]
    notify(
        event="minutes_confirm",
        obj=meeting,
        stage=key,
        recipients=_contacts(waiting),
        url=url,
        context={"meeting": meeting, "minutes": minutes},
    )


def decision_stages(decision: Decision) -> list[AlertStage]:
    """Due soon (3 days before, 09:00) and overdue (the day after the due date, 09:00): owner unit and office."""
    if decision.status != Decision.Status.OPEN:
        return []
    overdue_at = _at(decision.due + timedelta(days=1))
    due_key = f"due-soon@{decision.due:%Y%m%d}"
    over_key = f"overdue@{decision.due:%Y%m%d}"
    return [
        AlertStage(
            name=due_key,
            at=_at(decision.due - timedelta(days=DECISION_DUE_SOON_DAYS)),
            until=_at(decision.due + timedelta(days=1), time.min),
            send=lambda: _send_decision(decision, "decision_due", due_key),
        ),
        AlertStage(name=over_key, at=overdue_at, send=lambda: _send_decision(decision, "decision_overdue", over_key)),
    ]


def _send_decision(decision: Decision, event: str, stage: str) -> None:
    recipients = _contacts([decision.owner_unit_id]) + _office()
    notify(
        event=event,
        obj=decision,
        stage=stage,
        recipients=recipients,
        url=_decision_url(decision),
        context={"decision": decision},
    )


def _arm_meeting(meeting: Meeting, now: datetime) -> None:
    meeting.next_alert_at = next_alert_time(meeting_stages(meeting), now)
    Meeting.objects.filter(pk=meeting.pk).update(next_alert_at=meeting.next_alert_at)


def _arm_decision(decision: Decision, now: datetime) -> None:
    decision.next_alert_at = next_alert_time(decision_stages(decision), now)
    Decision.objects.filter(pk=decision.pk).update(next_alert_at=decision.next_alert_at)


def scan_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic task's work: send every due reminder of meetings and decisions.

    When nothing is due (nearly every minute) it costs one index-only lookup per model, with no
    transaction and no join to plan; only then does it claim rows with ``scan_due``.
    """
    now = now or timezone.now()
    done = {"meetings": 0, "decisions": 0}
    meetings_due = Meeting.objects.filter(next_alert_at__lte=now).exists()
    decisions_due = Decision.objects.filter(next_alert_at__lte=now).exists()
    if not (meetings_due or decisions_due):
        return done
    token = _directory.set(_Directory())
    try:
        if meetings_due:
            done["meetings"] = scan_due(
                Meeting.objects.select_related("minutes").prefetch_related("invitations"),
                now=now,
                stages_of=meeting_stages,
            )
        if decisions_due:
            done["decisions"] = scan_due(
                Decision.objects.select_related("owner_unit"), now=now, stages_of=decision_stages
            )
    finally:
        _directory.reset(token)
    return done


# --- Meetings ---------------------------------------------------------------------------------------


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
    level: str = MemberUnit.Level.PROVINCE,
    region: Region | None = None,
    location: str = "",
    video_link: str = "",
    description: str = "",
    agenda_cutoff: datetime | None = None,
    reminder_offsets: Sequence[int] | None = None,
    now: datetime | None = None,
) -> Meeting:
    now = now or timezone.now()
    if not (is_office(by) or (_is_unit_staff(by) and by.unit_id == convener.pk)):
        raise NotPermitted(_("只有领导小组办公室或召集单位可以安排会议。"))
    if kind not in Meeting.Kind.values:
        raise ValidationError({"kind": [_("未知的会议类型。")]})
    if not (title or "").strip():
        raise ValidationError({"title": [_("请填写会议名称。")]})
    _validate_meeting(
        starts_at=starts_at, ends_at=ends_at, location=location, video_link=video_link, agenda_cutoff=agenda_cutoff
    )
    if starts_at <= now:
        raise ValidationError({"starts_at": [_("不能安排开始时间已过的会议。")]})
    meeting = Meeting(
        kind=kind,
        title=title.strip(),
        convener=convener,
        starts_at=starts_at,
        ends_at=ends_at,
        level=level,
        region=region,
        location=location,
        video_link=video_link,
        description=description,
        agenda_cutoff=agenda_cutoff,
        reminder_offsets=_validate_offsets(reminder_offsets),
        created_by=by,
    )
    meeting.full_clean(exclude=["invited_units", "tasks"])
    meeting.save()
    meeting.tasks.set(list(tasks))
    units = {u.pk: u for u in invited_units}
    Invitation.objects.bulk_create([Invitation(meeting=meeting, unit_id=pk) for pk in units])
    _arm_meeting(meeting, now)
    if units:
        notify(
            event="meeting_invited",
            obj=meeting,
            stage="invited",
            recipients=unit_contacts(units.keys()),
            url=_meeting_url(meeting),
            context={"meeting": meeting},
        )
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
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manage(by, meeting)
    if meeting.status != Meeting.Status.PLANNED:
        raise TransitionNotAllowed(_("只有尚未召开的会议可以修改。"))
    allowed = {
        "kind",
        "title",
        "convener",
        "level",
        "region",
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
    if new_convener is not None and new_convener.pk != meeting.convener_id and not is_office(by):
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
    _arm_meeting(meeting, now)
    url = _meeting_url(meeting)
    if moved:
        old_ids = [u for u in _invited_ids(meeting, include_declined=True) if u not in new_units]
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
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manage(by, meeting)
    if meeting.status != Meeting.Status.PLANNED:
        raise TransitionNotAllowed(_("只有已安排的会议可以确认召开。"))
    if meeting.starts_at > now:
        raise TransitionNotAllowed(_("会议尚未开始,不能确认召开。"))
    meeting.status = Meeting.Status.HELD
    meeting.held_at = now
    meeting.save(update_fields=["status", "held_at", "updated_at"])
    _arm_meeting(meeting, now)
    return meeting


@transaction.atomic
def meeting_close(*, meeting: Meeting, by: User, now: datetime | None = None) -> Meeting:
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manage(by, meeting)
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
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manage(by, meeting)
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
        recipients=unit_contacts(_invited_ids(meeting, include_declined=True)),
        url=_meeting_url(meeting),
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
    if not can_act_for_unit(by, unit.pk):
        raise NotPermitted(_("只能以本单位的名义答复。"))
    invitation = Invitation.objects.select_for_update().filter(meeting_id=meeting.pk, unit_id=unit.pk).first()
    if invitation is None:
        raise NotPermitted(_("该单位未受邀参加此会议,不能答复。"))
    meeting = Meeting.objects.get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED or meeting.starts_at <= now:
        raise TransitionNotAllowed(_("会议已开始、已召开或已取消,不能再答复。"))
    if reply not in (Invitation.Reply.ATTENDING, Invitation.Reply.DELEGATE, Invitation.Reply.DECLINED):
        raise ValidationError({"reply": [_("请选择参加、委派代表参加或不参加。")]})
    attendees = attendees.strip()
    reason = reason.strip()
    if reply in (Invitation.Reply.ATTENDING, Invitation.Reply.DELEGATE) and not attendees:
        raise ValidationError({"attendees": [_("请填写参会人员。")]})
    if reply == Invitation.Reply.DECLINED and not reason:
        raise ValidationError({"reason": [_("不参加须说明原因。")]})
    invitation.reply = reply
    invitation.attendees = attendees if reply != Invitation.Reply.DECLINED else ""
    invitation.reason = reason if reply == Invitation.Reply.DECLINED else ""
    invitation.replied_at = now
    invitation.replied_by = by
    invitation.save()
    return invitation


# --- Agenda ----------------------------------------------------------------------------------------------


def _agenda_editable(meeting: Meeting) -> None:
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.HELD):
        raise TransitionNotAllowed(_("会议已办结或已取消,议程不能再修改。"))


def _check_agenda_total(meeting: Meeting, extra: int, *, exclude_pk: int | None = None) -> None:
    qs = AgendaItem.objects.filter(meeting=meeting)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    total = (qs.aggregate(total=Sum("minutes"))["total"] or 0) + extra
    if total > MAX_AGENDA_MINUTES:
        raise ValidationError({"minutes": [_("议程总时长不能超过24小时(现为 %(m)s 分钟)。") % {"m": total}]})


def _validate_item(title: str, minutes: int) -> None:
    errors = {}
    if not (title or "").strip():
        errors["title"] = [_("请填写议题。")]
    if minutes is None or int(minutes) < 1:
        errors["minutes"] = [_("时长至少1分钟。")]
    elif int(minutes) > MAX_AGENDA_MINUTES:
        errors["minutes"] = [_("议程总时长不能超过24小时。")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agenda_add(
    *, meeting: Meeting, by: User, title: str, minutes: int, presenter_unit: MemberUnit | None = None
) -> AgendaItem:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manage(by, meeting)
    _agenda_editable(meeting)
    _validate_item(title, minutes)
    _check_agenda_total(meeting, int(minutes))
    last = AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("order"))["m"] or 0
    return AgendaItem.objects.create(
        meeting=meeting, order=last + 1, title=title.strip(), minutes=int(minutes), presenter_unit=presenter_unit
    )


@transaction.atomic
def agenda_update(
    *, item: AgendaItem, by: User, title: str, minutes: int, presenter_unit: MemberUnit | None = None
) -> AgendaItem:
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    _require_manage(by, meeting)
    _agenda_editable(meeting)
    _validate_item(title, minutes)
    _check_agenda_total(meeting, int(minutes), exclude_pk=item.pk)
    item.title, item.minutes, item.presenter_unit = title.strip(), int(minutes), presenter_unit
    item.save()
    return item


@transaction.atomic
def agenda_replace(*, meeting: Meeting, by: User, items: Sequence[dict[str, Any]]) -> list[AgendaItem]:
    """Set the whole agenda at once (the API's ``agenda`` field)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manage(by, meeting)
    _agenda_editable(meeting)
    total = 0
    for entry in items:
        _validate_item(entry.get("title", ""), entry.get("minutes", 0))
        total += int(entry["minutes"])
    if total > MAX_AGENDA_MINUTES:
        raise ValidationError({"agenda": [_("议程总时长不能超过24小时(现为 %(m)s 分钟)。") % {"m": total}]})
    AgendaItem.objects.filter(meeting=meeting).delete()
    ordered = sorted(enumerate(items), key=lambda p: (p[1].get("order") or p[0] + 1, p[0]))
    return AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                meeting=meeting,
                order=i,
                title=entry["title"].strip(),
                minutes=int(entry["minutes"]),
                presenter_unit=entry.get("presenter_unit"),
            )
            for i, (_pos, entry) in enumerate(ordered, start=1)
        ]
    )


@transaction.atomic
def agenda_move(*, item: AgendaItem, by: User, direction: str) -> list[AgendaItem]:
    """Move an item one place up or down; the orders are renumbered 1..n."""
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    _require_manage(by, meeting)
    _agenda_editable(meeting)
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("order", "id"))
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for number, it in enumerate(items, start=1):
        it.order = number
    AgendaItem.objects.bulk_update(items, ["order"])
    return items


@transaction.atomic
def agenda_reorder(*, meeting: Meeting, by: User, item_ids: Sequence[int]) -> list[AgendaItem]:
    """Put the items in the given order (drag and drop); the list must hold each item exactly once."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manage(by, meeting)
    _agenda_editable(meeting)
    items = {it.pk: it for it in AgendaItem.objects.filter(meeting=meeting)}
    if sorted(item_ids) != sorted(items):
        raise ValidationError({"order": [_("议程已被他人修改,请刷新后重试。")]})
    ordered = [items[pk] for pk in item_ids]
    for number, it in enumerate(ordered, start=1):
        it.order = number
    AgendaItem.objects.bulk_update(ordered, ["order"])
    return ordered


@transaction.atomic
def agenda_remove(*, item: AgendaItem, by: User) -> None:
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    _require_manage(by, meeting)
    _agenda_editable(meeting)
    item.delete()
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("order", "id"))
    for number, it in enumerate(items, start=1):
        it.order = number
    AgendaItem.objects.bulk_update(items, ["order"])


@transaction.atomic
def proposal_submit(
    *, meeting: Meeting, by: User, title: str, note: str = "", minutes: int = 10, now: datetime | None = None
) -> TopicProposal:
    """A unit proposes an agenda topic, until the cut-off the convener set (or the start)."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not _is_unit_staff(by) and not is_office(by):
        raise NotPermitted(_("只有成员单位可以提出议题。"))
    unit_id = by.unit_id
    invited = Invitation.objects.filter(meeting=meeting, unit_id=unit_id).exists()
    if not is_office(by) and not invited and unit_id != meeting.convener_id:
        raise NotPermitted(_("该单位未受邀参加此会议,不能提出议题。"))
    if meeting.status != Meeting.Status.PLANNED:
        raise TransitionNotAllowed(_("会议已召开或已取消,不能再提出议题。"))
    cutoff = meeting.agenda_cutoff or meeting.starts_at
    if now >= cutoff:
        raise TransitionNotAllowed(_("议题征集已截止。"))
    _validate_item(title, minutes)
    if unit_id is None:
        raise ValidationError({"title": [_("提出议题须属于一个单位。")]})
    return TopicProposal.objects.create(
        meeting=meeting, unit_id=unit_id, title=title.strip(), note=note, minutes=int(minutes), proposed_by=by
    )


@transaction.atomic
def proposal_decide(*, proposal: TopicProposal, by: User, accept: bool) -> TopicProposal:
    proposal = TopicProposal.objects.select_for_update().get(pk=proposal.pk)
    meeting = Meeting.objects.get(pk=proposal.meeting_id)
    _require_manage(by, meeting)
    if proposal.status != TopicProposal.Status.PROPOSED:
        raise TransitionNotAllowed(_("该议题建议已处理。"))
    if accept:
        agenda_add(meeting=meeting, by=by, title=proposal.title, minutes=proposal.minutes, presenter_unit=proposal.unit)
    proposal.status = TopicProposal.Status.ACCEPTED if accept else TopicProposal.Status.REJECTED
    proposal.save(update_fields=["status"])
    return proposal


# --- Minutes -------------------------------------------------------------------------------------------


def _minutes_for_update(meeting: Meeting) -> Minutes:
    minutes, _created = Minutes.objects.get_or_create(meeting=meeting)
    return Minutes.objects.select_for_update().get(pk=minutes.pk)


@transaction.atomic
def minutes_save(*, meeting: Meeting, by: User, body: str) -> Minutes:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manage(by, meeting)
    if meeting.status not in (Meeting.Status.HELD, Meeting.Status.CLOSED):
        raise TransitionNotAllowed(_("会议召开后才能起草会议纪要。"))
    minutes = _minutes_for_update(meeting)
    if minutes.status == Minutes.Status.ISSUED:
        raise TransitionNotAllowed(_("会议纪要已印发,不能再修改。"))
    if not (body or "").strip():
        raise ValidationError({"body": [_("请填写纪要正文。")]})
    minutes.body = body.strip()
    minutes.save()
    return minutes


@transaction.atomic
def minutes_circulate(*, meeting: Meeting, by: User, confirm_by: date, now: datetime | None = None) -> Minutes:
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manage(by, meeting)
    minutes = _minutes_for_update(meeting)
    if minutes.status != Minutes.Status.DRAFT:
        raise TransitionNotAllowed(_("只有草稿状态的纪要可以送参会单位确认。"))
    if not minutes.body.strip():
        raise ValidationError({"body": [_("请先起草纪要正文。")]})
    if confirm_by < timezone.localdate(now):
        raise ValidationError({"confirm_by": [_("确认截止日期不能早于今天。")]})
    minutes.status = Minutes.Status.CIRCULATED
    minutes.confirm_by = confirm_by
    minutes.circulated_at = now
    minutes.save()
    meeting.minutes = minutes
    _arm_meeting(meeting, now)
    notify(
        event="minutes_circulated",
        obj=meeting,
        stage=f"minutes-circulated@{now:%Y%m%dT%H%M%S}",
        recipients=unit_contacts(_attending_ids(meeting)),
        url=_meeting_url(meeting),
        context={"meeting": meeting, "minutes": minutes},
    )
    return minutes


@transaction.atomic
def minutes_confirm(*, meeting: Meeting, by: User, comment: str = "") -> MinutesConfirmation:
    minutes = Minutes.objects.select_for_update().filter(meeting_id=meeting.pk).first()
    if minutes is None or minutes.status != Minutes.Status.CIRCULATED:
        raise TransitionNotAllowed(_("会议纪要不在征求确认阶段。"))
    if not _is_unit_staff(by) or by.unit_id not in _attending_ids(meeting):
        raise NotPermitted(_("只有参会单位可以确认会议纪要。"))
    confirmation, _created = MinutesConfirmation.objects.update_or_create(
        minutes=minutes, unit_id=by.unit_id, defaults={"comment": comment.strip(), "confirmed_by": by}
    )
    return confirmation


@transaction.atomic
def minutes_issue(*, meeting: Meeting, by: User, document_number: str, now: datetime | None = None) -> Minutes:
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manage(by, meeting)
    minutes = _minutes_for_update(meeting)
    if minutes.status == Minutes.Status.ISSUED:
        raise TransitionNotAllowed(_("会议纪要已印发。"))
    if not minutes.body.strip():
        raise ValidationError({"body": [_("请先起草纪要正文。")]})
    number = (document_number or "").strip()
    if not number:
        raise ValidationError({"document_number": [_("印发纪要须填写文号。")]})
    if Minutes.objects.filter(document_number=number).exclude(pk=minutes.pk).exists():
        raise ValidationError({"document_number": [_("该文号已被使用。")]})
    minutes.status = Minutes.Status.ISSUED
    minutes.document_number = number
    minutes.issued_at = now
    try:
        with transaction.atomic():
            minutes.save()
    except IntegrityError:
        raise ValidationError({"document_number": [_("该文号已被使用。")]}) from None
    meeting.minutes = minutes
    _arm_meeting(meeting, now)
    return minutes


# --- Decisions --------------------------------------------------------------------------------------------


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
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manage(by, meeting)
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.HELD):
        raise TransitionNotAllowed(_("会议已办结或已取消,不能再添加议定事项。"))
    _validate_decision(meeting=meeting, text=text, due=due)
    decision = Decision.objects.create(meeting=meeting, text=text.strip(), owner_unit=owner_unit, due=due)
    decision.supporting_units.set([u for u in supporting_units if u.pk != owner_unit.pk])
    _arm_decision(decision, now)
    notify(
        event="decision_assigned",
        obj=decision,
        stage="assigned",
        recipients=unit_contacts([owner_unit.pk]),
        url=_decision_url(decision),
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
    decision = Decision.objects.select_for_update().select_related("meeting").get(pk=decision.pk)
    _require_manage(by, decision.meeting)
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
    _arm_decision(decision, now)
    return decision


def _decision_units(decision: Decision) -> set[int]:
    return {decision.owner_unit_id, *decision.supporting_units.values_list("pk", flat=True)}


@transaction.atomic
def decision_add_progress(*, decision: Decision, by: User, note: str) -> DecisionProgress:
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if not (is_office(by) or (_is_unit_staff(by) and by.unit_id in _decision_units(decision))):
        raise NotPermitted(_("只有牵头单位、配合单位或办公室可以填报进展。"))
    if decision.status != Decision.Status.OPEN:
        raise TransitionNotAllowed(_("议定事项已办结。"))
    if not (note or "").strip():
        raise ValidationError({"note": [_("请填写进展情况。")]})
    return DecisionProgress.objects.create(decision=decision, note=note.strip(), by=by, unit_id=by.unit_id)


@transaction.atomic
def decision_complete(*, decision: Decision, by: User, note: str, now: datetime | None = None) -> Decision:
    now = now or timezone.now()
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if not (is_office(by) or (_is_unit_staff(by) and by.unit_id == decision.owner_unit_id)):
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


# --- Consultations ---------------------------------------------------------------------------------------


def _validate_consultation(*, held_on: date | None, topic: str, topic_kind: str, units: list[MemberUnit]) -> None:
    errors: dict[str, list[str]] = {}
    if held_on is None:
        errors["held_on"] = [_("请填写会商日期。")]
    elif held_on > timezone.localdate():
        errors["held_on"] = [_("会商日期不能晚于今天。")]
    if not (topic or "").strip():
        errors["topic"] = [_("请填写会商议题。")]
    if topic_kind not in Consultation.TopicKind.values:
        errors["topic_kind"] = [_("请选择会商类型。")]
    if len(units) < 2:
        errors["units"] = [_("会商至少要有两个参与单位。")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def consultation_log(
    *,
    by: User,
    topic_kind: str,
    held_on: date,
    units: Iterable[MemberUnit],
    topic: str,
    level: str = MemberUnit.Level.PROVINCE,
    region: Region | None = None,
    case_number: str = "",
    tasks: Iterable[WorkTask] = (),
    outcome: str = "",
    follow_up: str = "",
    meeting: Meeting | None = None,
) -> Consultation:
    """A liaison or clerk logs a consultation their unit held (their unit is always among the units)."""
    if not (is_office(by) or _is_unit_staff(by)):
        raise NotPermitted(_("只有成员单位联络员、法院工作人员或办公室可以登记会商。"))
    unit_list = list({u.pk: u for u in units}.values())
    if by.unit_id and by.unit_id not in {u.pk for u in unit_list} and not is_office(by):
        unit_list.append(by.unit)
    _validate_consultation(held_on=held_on, topic=topic, topic_kind=topic_kind, units=unit_list)
    consultation = Consultation(
        topic_kind=topic_kind,
        held_on=held_on,
        level=level,
        region=region,
        topic=topic.strip(),
        case_number=case_number.strip(),
        outcome=outcome,
        follow_up=follow_up,
        meeting=meeting,
        logging_unit_id=by.unit_id,
        logged_by=by,
    )
    consultation.full_clean(exclude=["units", "tasks"])
    consultation.save()
    consultation.units.set(unit_list)
    consultation.tasks.set(list(tasks))
    return consultation


@transaction.atomic
def consultation_update(
    *,
    consultation: Consultation,
    by: User,
    units: Iterable[MemberUnit] | None = None,
    tasks: Iterable[WorkTask] | None = None,
    **changes: Any,
) -> Consultation:
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not can_act_for_unit(by, consultation.logging_unit_id):
        raise NotPermitted(_("只有登记单位或办公室可以修改会商记录。"))
    allowed = {"topic_kind", "held_on", "level", "region", "topic", "case_number", "outcome", "follow_up", "meeting"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({"non_field_errors": [_("不能修改:%(f)s") % {"f": ", ".join(sorted(unknown))}]})
    for field, value in changes.items():
        setattr(consultation, field, value)
    unit_list = list(units) if units is not None else list(consultation.units.all())
    if by.unit_id and not is_office(by) and by.unit_id not in {u.pk for u in unit_list}:
        unit_list.append(by.unit)
    _validate_consultation(
        held_on=consultation.held_on, topic=consultation.topic, topic_kind=consultation.topic_kind, units=unit_list
    )
    consultation.full_clean(exclude=["units", "tasks"])
    consultation.save()
    if units is not None:
        consultation.units.set(unit_list)
    if tasks is not None:
        consultation.tasks.set(list(tasks))
    return consultation


# --- Calendar feed ------------------------------------------------------------------------------------


def feed_token_get_or_create(*, user: User) -> CalendarFeedToken:
    token, _created = CalendarFeedToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def feed_token_regenerate(*, user: User) -> CalendarFeedToken:
    """Give the user a new secret; the old feed URL stops working at once."""
    token, _created = CalendarFeedToken.objects.select_for_update().get_or_create(user=user)
    token.token = new_feed_token()
    token.created_at = timezone.now()
    token.save()
    return token


def feed_token_revoke(*, user: User) -> None:
    CalendarFeedToken.objects.filter(user=user).delete()
