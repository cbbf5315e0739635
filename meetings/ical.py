"""Meetings as iCalendar (RFC 5545): one .ics per meeting, and a unit's feed.

The UID is the meeting's own UUID and never changes; SEQUENCE is the meeting's ``sequence``,
which every change of time, place or title (and the cancellation) increases, so calendar
clients replace the event they hold. Times are written in UTC, which Outlook, Apple Calendar
and Thunderbird all read without a VTIMEZONE block.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from meetings.models import Meeting

PRODID = "-//fuyuan//府院联动工作平台//ZH"


def _utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC)


def meeting_event(meeting: Meeting, *, stamp: datetime | None = None) -> Event:
    event = Event()
    event.add("uid", f"{meeting.uid}@fuyuan")
    event.add("dtstamp", _utc(stamp or meeting.updated_at or timezone.now()))
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.ends_at))
    event.add("sequence", meeting.sequence)
    event.add("summary", meeting.title)
    location = meeting.location or meeting.video_link
    if location:
        event.add("location", location)
    url = settings.SITE_URL + reverse("meeting-detail", args=[meeting.pk])
    event.add("url", url)
    lines = [f"{meeting.get_kind_display()} · {meeting.convener.name}"]
    if meeting.video_link:
        lines.append(str(meeting.video_link))
    if meeting.description:
        lines.append(meeting.description)
    lines.append(url)
    event.add("description", "\n".join(lines))
    if meeting.status == Meeting.Status.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    return event


def _calendar(method: str, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def meeting_ics(meeting: Meeting) -> bytes:
    """One meeting; a cancelled one as METHOD:CANCEL with STATUS:CANCELLED."""
    cancelled = meeting.status == Meeting.Status.CANCELLED
    cal = _calendar("CANCEL" if cancelled else "PUBLISH")
    cal.add_component(meeting_event(meeting))
    return cal.to_ical()


def feed_ics(meetings: Iterable[Meeting], *, name: str) -> bytes:
    """A subscription feed: every meeting, the cancelled ones with STATUS:CANCELLED."""
    cal = _calendar("PUBLISH", name)
    for meeting in meetings:
        cal.add_component(meeting_event(meeting))
    return cal.to_ical()
