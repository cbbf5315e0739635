"""The alert engine of the meetings app (DESIGN.md promise 2).

A meeting's stages: reminders before it starts (its own offsets, else its kind's, else 3 days and
2 hours), the agenda cut-off, and the minutes-confirmation deadline. ``scan_reminders`` is the
periodic task's work for meetings and decisions; recipients come from one ``ContactDirectory``
per scan, passed down explicitly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.lib.alerts import AlertStage, due_probe, next_alert_time, scan_due
from meetings.decisions.models import Decision
from meetings.decisions.reminders import LevelOffices, at_alert_hour, decision_stages
from meetings.meetings.models import DEFAULT_REMINDER_OFFSETS, Invitation, Meeting, MeetingKindSetting, Minutes
from members.selectors import ContactDirectory
from members.services import NoticeItem, notify_many


def meeting_url(meeting: Meeting) -> str:
    return reverse("meeting-detail", args=[meeting.pk])


def _local(dt: datetime) -> datetime:
    return timezone.localtime(dt)


def minutes_of(meeting: Meeting) -> Minutes | None:
    try:
        return meeting.minutes
    except Minutes.DoesNotExist:
        return None


def kind_offsets() -> dict[str, list[int]]:
    """Each kind's reminder offsets (the kinds without a setting of their own: 3 days and 2 hours), in one query."""
    own = {kind: offsets for kind, offsets in MeetingKindSetting.objects.values_list("kind", "reminder_offsets")}
    return {kind: _clean_offsets(own.get(kind) or DEFAULT_REMINDER_OFFSETS) for kind in Meeting.Kind.values}


def _clean_offsets(offsets: Sequence[int]) -> list[int]:
    return sorted({int(o) for o in offsets if int(o) > 0}, reverse=True)


def reminder_offsets_of(meeting: Meeting, kinds: dict[str, list[int]] | None = None) -> list[int]:
    """Minutes before the start: the meeting's own, else its kind's, else 3 days and 2 hours.

    ``kinds``: ``kind_offsets()`` read once for many meetings (a list page, the API), else one query here.
    """
    if meeting.reminder_offsets:
        return _clean_offsets(meeting.reminder_offsets)
    if kinds is not None:
        return kinds[meeting.kind]
    setting = MeetingKindSetting.objects.filter(kind=meeting.kind).first()
    return _clean_offsets(
        setting.reminder_offsets if setting and setting.reminder_offsets else DEFAULT_REMINDER_OFFSETS
    )


def offsets_in_words(offsets: Sequence[int]) -> str:
    """Minutes before the start in days, hours and minutes: [4320, 120] is "提前3天、2小时"."""
    parts = []
    for offset in offsets:
        days, rest = divmod(int(offset), 24 * 60)
        hours, minutes = divmod(rest, 60)
        words = [
            _("%(n)d天") % {"n": days} if days else "",
            _("%(n)d小时") % {"n": hours} if hours else "",
            _("%(n)d分钟") % {"n": minutes} if minutes else "",
        ]
        parts.append("".join(words).strip())
    return _("提前%(when)s") % {"when": _("、").join(parts)} if parts else _("不提醒")


def reminders_in_words(meeting: Meeting, kinds: dict[str, list[int]] | None = None) -> str:
    """The meeting's effective reminders in words, saying when they are its kind's default (never "null")."""
    words = offsets_in_words(reminder_offsets_of(meeting, kinds))
    if meeting.reminder_offsets:
        return words
    return _("按会议类型默认(%(words)s)") % {"words": words}


def invited_unit_ids(meeting: Meeting, *, include_declined: bool) -> list[int]:
    if "invitations" in getattr(meeting, "_prefetched_objects_cache", {}):  # the scan prefetches them
        return [
            i.unit_id for i in meeting.invitations.all() if include_declined or i.reply != Invitation.Reply.DECLINED
        ]
    qs = Invitation.objects.filter(meeting=meeting)
    if not include_declined:
        qs = qs.exclude(reply=Invitation.Reply.DECLINED)
    return list(qs.values_list("unit_id", flat=True))


def confirming_unit_ids(meeting: Meeting) -> list[int]:
    """The one answer to "which units confirm the minutes": the invited units that have not declined.

    Not only those that replied "参加": a unit that never answered the invitation may well have come (the
    sign-in list, not the reply, says who attended), and the minutes bind every unit they name; a unit
    that declined in writing took no part and is not asked. The notice on circulation, the reminder
    before the deadline, the page's control, the unit's to-do and the issue gate all use it
    (``meetings.meetings.confirmation``).
    """
    return invited_unit_ids(meeting, include_declined=False)


def _before_stages(
    meeting: Meeting, directory: ContactDirectory, url: str, kinds: dict[str, list[int]] | None
) -> list[AlertStage]:
    start = meeting.starts_at
    stamp = _local(start).strftime("%Y%m%dT%H%M")
    ats = [(offset, start - timedelta(minutes=offset)) for offset in reminder_offsets_of(meeting, kinds)]
    stages = []
    for i, (offset, at) in enumerate(ats):
        until = ats[i + 1][1] if i + 1 < len(ats) else start
        key = f"before-{offset}m@{stamp}"
        send = _sender("meeting_reminder", meeting, key, url, directory, {"offset_minutes": offset})
        stages.append(AlertStage(name=key, at=at, until=until, send=send))
    if meeting.agenda_cutoff and meeting.agenda_cutoff <= start:
        cutoff = meeting.agenda_cutoff
        key = f"agenda-cutoff@{_local(cutoff):%Y%m%dT%H%M}"
        send = _sender("agenda_cutoff", meeting, key, url, directory)
        stages.append(AlertStage(name=key, at=cutoff - timedelta(days=1), until=cutoff, send=send))
    return stages


def meeting_stages(
    meeting: Meeting, directory: ContactDirectory, kinds: dict[str, list[int]] | None = None
) -> list[AlertStage]:
    """Reminders before the meeting, the agenda cut-off and the minutes-confirmation deadline.

    Stage keys carry the start time (or the cut-off, or the deadline): moving the meeting makes
    new keys, so its reminders are sent again for the new time. ``kinds``: ``kind_offsets()`` read
    once for a scan (else one query per meeting without offsets of its own).
    """
    if meeting.status == Meeting.Status.CANCELLED:
        return []
    url = meeting_url(meeting)
    stages = _before_stages(meeting, directory, url, kinds) if meeting.status == Meeting.Status.PLANNED else []
    minutes = minutes_of(meeting)
    if minutes is not None and minutes.status == Minutes.Status.CIRCULATED and minutes.confirm_by:
        deadline = minutes.confirm_deadline
        assert deadline is not None
        key = f"minutes-confirm@{minutes.confirm_by:%Y%m%d}"
        stages.append(
            AlertStage(
                name=key,
                at=at_alert_hour(minutes.confirm_by - timedelta(days=1)),
                until=deadline,
                send=lambda: _send_minutes_confirm(meeting, minutes, key, url, directory),
            )
        )
    return stages


def _sender(
    event: str,
    meeting: Meeting,
    stage: str,
    url: str,
    directory: ContactDirectory,
    context: dict[str, Any] | None = None,
) -> Callable[[], NoticeItem]:
    def send() -> NoticeItem:
        recipients = directory.contacts(invited_unit_ids(meeting, include_declined=False))
        return NoticeItem(event, meeting, stage, recipients, url, {"meeting": meeting, **(context or {})})

    return send


def _send_minutes_confirm(
    meeting: Meeting, minutes: Minutes, key: str, url: str, directory: ContactDirectory
) -> NoticeItem:
    confirmed = {c.unit_id for c in minutes.confirmations.all()}  # prefetched by the scan
    waiting = [u for u in confirming_unit_ids(meeting) if u not in confirmed]
    context = {"meeting": meeting, "minutes": minutes}
    return NoticeItem("minutes_confirm", meeting, key, directory.contacts(waiting), url, context)


def arm_meeting(meeting: Meeting, now: datetime) -> None:
    """Store when the meeting's next stage is due (``next_alert_at``), after any change."""
    meeting.next_alert_at = next_alert_time(meeting_stages(meeting, ContactDirectory()), now)
    Meeting.objects.filter(pk=meeting.pk).update(next_alert_at=meeting.next_alert_at)


def scan_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic task's work: send every due reminder of meetings and decisions.

    When nothing is due (nearly every minute) it costs one query, with no transaction and no join:
    both tables' partial indexes on ``next_alert_at`` probed in one UNION ALL. Only then does it read
    the units whose people the due rows need and claim rows with ``scan_due``. One ``ContactDirectory``
    serves the whole scan: a unit's people are read once, not once per stage; each batch's notices
    are written in one insert.
    """
    now = now or timezone.now()
    done = {"meetings": 0, "decisions": 0}
    due = list(_due_units(now))
    if not due:
        return done
    directory = ContactDirectory()
    directory.preload(unit for kind, unit in due if kind == DECISION)
    if any(kind == MEETING for kind, _unit in due):
        directory.preload(
            Invitation.objects.filter(meeting__next_alert_at__lte=now).values_list("unit_id", flat=True).distinct()
        )
        kinds = kind_offsets()
        done["meetings"] = scan_due(
            Meeting.objects.select_related("minutes").prefetch_related("invitations", "minutes__confirmations"),
            now=now,
            stages_of=lambda meeting: meeting_stages(meeting, directory, kinds),
            deliver=notify_many,
        )
    if any(kind == DECISION for kind, _unit in due):
        offices = LevelOffices()
        done["decisions"] = scan_due(
            Decision.objects.select_related("owner_unit"),
            now=now,
            stages_of=lambda decision: decision_stages(decision, directory, offices),
            deliver=notify_many,
        )
    return done


MEETING, DECISION = 1, 2


def _due_units(now: datetime) -> QuerySet[Any, tuple[int, Any]]:
    """(MEETING, its id) of each due meeting and (DECISION, its owner unit) of each due decision: one query."""
    return due_probe(now, (MEETING, Meeting.objects.all(), "pk"), (DECISION, Decision.objects.all(), "owner_unit_id"))
