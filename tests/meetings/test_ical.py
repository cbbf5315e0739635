"""Meetings as .ics, parsed back with icalendar: stable UID, growing SEQUENCE, cancellation; the private feed."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings.meetings import ical
from meetings.meetings import services as meeting_services
from meetings.models import CalendarFeedToken
from tests.conftest import client_for
from tests.meetings.conftest import local

pytestmark = pytest.mark.django_db


def parse(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def event_of(cal):  # type: ignore[no-untyped-def]
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def test_ics_has_the_meeting_and_a_stable_uid_with_growing_sequence(cast, make_meeting, time_machine):
    time_machine.move_to(local(2026, 12, 1, 9, 0), tick=False)
    start = local(2026, 12, 10, 10, 0)
    meeting = make_meeting(starts_at=start, invited=[cast.unit], title="金融审判联席会议")
    client = client_for(cast.liaison)
    url = reverse("meeting-ics", args=[meeting.pk])

    cal = parse(client.get(url))
    assert str(cal["METHOD"]) == "PUBLISH"
    event = event_of(cal)
    uid = str(event["UID"])
    assert str(event["SUMMARY"]) == "金融审判联席会议"
    assert event.decoded("DTSTART") == start.astimezone(UTC)
    assert event.decoded("DTEND") == (start + timedelta(hours=2)).astimezone(UTC)
    assert int(event["SEQUENCE"]) == 0
    assert str(event["LOCATION"]) == "省司法厅三楼会议室"
    assert str(event["STATUS"]) == "CONFIRMED"

    new_start = start + timedelta(days=1)
    meeting_services.meeting_update(
        meeting=meeting, by=cast.office, starts_at=new_start, ends_at=new_start + timedelta(hours=3)
    )
    event = event_of(parse(client.get(url)))
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == new_start.astimezone(UTC)

    meeting_services.meeting_update(meeting=meeting, by=cast.office, location="视频会议室")
    event = event_of(parse(client.get(url)))
    assert int(event["SEQUENCE"]) == 2 and str(event["LOCATION"]) == "视频会议室"

    meeting_services.meeting_cancel(meeting=meeting, by=cast.office)
    cal = parse(client.get(url))
    assert str(cal["METHOD"]) == "CANCEL"
    event = event_of(cal)
    assert str(event["UID"]) == uid
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 3


def test_api_ics_without_and_with_slash(cast, make_meeting):
    meeting = make_meeting(invited=[cast.unit])
    client = client_for(cast.liaison)
    for url in (f"/api/v1/meetings/{meeting.pk}/ics", f"/api/v1/meetings/{meeting.pk}/ics/"):
        event = event_of(parse(client.get(url, HTTP_ACCEPT="text/calendar")))
        assert str(event["UID"]) == f"{meeting.uid}@fuyuan"


def test_private_feed_has_the_units_meetings_only(cast, make_meeting, client):
    mine = make_meeting(invited=[cast.unit], title="本单位受邀")
    convened = make_meeting(by=cast.liaison, convener=cast.unit, invited=[cast.court], title="本单位召集")
    cancelled = make_meeting(invited=[cast.unit], title="已取消的会")
    meeting_services.meeting_cancel(meeting=cancelled, by=cast.office)
    make_meeting(invited=[cast.other_unit], title="别的单位的会")
    owner = client_for(cast.liaison)
    owner.post(reverse("calendar-feed"), {"action": "regenerate"})
    token = CalendarFeedToken.objects.get(user=cast.liaison).token

    response = client.get(reverse("calendar-feed-ics", args=[token]))  # anonymous: the token is the key
    cal = parse(response)
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"本单位受邀", "本单位召集", "已取消的会"}
    assert str(events["已取消的会"]["STATUS"]) == "CANCELLED"
    assert str(events["本单位受邀"]["UID"]) == f"{mine.uid}@fuyuan"
    assert str(events["本单位召集"]["UID"]) == f"{convened.uid}@fuyuan"


def test_feed_page_shows_the_url_and_regenerating_or_revoking_kills_the_old_one(cast, client):
    owner = client_for(cast.liaison)
    page = owner.get(reverse("calendar-feed"))
    assert page.status_code == 200
    owner.post(reverse("calendar-feed"), {"action": "regenerate"})
    old = CalendarFeedToken.objects.get(user=cast.liaison).token
    assert old in owner.get(reverse("calendar-feed")).content.decode()
    assert client.get(reverse("calendar-feed-ics", args=[old])).status_code == 200

    owner.post(reverse("calendar-feed"), {"action": "regenerate"})
    new = CalendarFeedToken.objects.get(user=cast.liaison).token
    assert new != old
    assert client.get(reverse("calendar-feed-ics", args=[old])).status_code == 404
    assert client.get(reverse("calendar-feed-ics", args=[new])).status_code == 200

    owner.post(reverse("calendar-feed"), {"action": "revoke"})
    assert client.get(reverse("calendar-feed-ics", args=[new])).status_code == 404


def test_feed_of_a_retired_user_is_gone(cast, client):
    token = ical.feed_token_get_or_create(user=cast.liaison).token
    cast.liaison.is_active = False
    cast.liaison.save()
    assert client.get(reverse("calendar-feed-ics", args=[token])).status_code == 404


def test_feed_query_count_does_not_grow_and_is_cached(cast, make_meeting, client, django_assert_num_queries):
    token = ical.feed_token_get_or_create(user=cast.liaison).token
    url = reverse("calendar-feed-ics", args=[token])
    make_meeting(invited=[cast.unit])
    # The token with its user, the user's roles and units in reach (the scope), the feed's state, the meetings.
    with django_assert_num_queries(5):
        client.get(url)
    with django_assert_num_queries(4):  # nothing changed: the body comes from the cache
        client.get(url)
    for i in range(5):
        make_meeting(invited=[cast.unit], title=f"会议{i}")
    with django_assert_num_queries(5):
        response = client.get(url)
    assert len(list(Calendar.from_ical(response.content).walk("VEVENT"))) == 6


def test_feed_changes_when_a_meeting_changes_and_answers_304_when_not(cast, make_meeting, client, time_machine):
    meeting = make_meeting(invited=[cast.unit], title="原名称")
    token = ical.feed_token_get_or_create(user=cast.liaison).token
    url = reverse("calendar-feed-ics", args=[token])
    first = client.get(url)
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    time_machine.move_to(timezone.now() + timedelta(minutes=1))
    meeting_services.meeting_update(meeting=meeting, by=cast.office, title="新名称")
    second = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert second.status_code == 200
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(second.content).walk("VEVENT")] == ["新名称"]
    assert second["ETag"] != etag


def test_the_feed_writer_says_what_the_icalendar_package_says(cast, make_meeting):
    """The feed is written by hand for speed; parsed back, each event equals the single .ics."""
    plain = make_meeting(invited=[cast.unit], title="普通会议")
    tricky = make_meeting(
        invited=[cast.unit],
        title="关于“执行难”问题的专题会商;第二轮,含逗号\\反斜杠" + "很长的标题" * 12,
        location="",
        video_link="https://meet.example.org/room?id=1,2;3",
        description="第一行\n第二行,带逗号;分号",
    )
    meeting_services.meeting_cancel(meeting=plain, by=cast.office)
    token = ical.feed_token_get_or_create(user=cast.liaison).token
    raw = client_for(cast.liaison).get(reverse("calendar-feed-ics", args=[token])).content
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded at 75 octets
    feed = Calendar.from_ical(raw)
    by_uid = {str(e["UID"]): e for e in feed.walk("VEVENT")}
    client = client_for(cast.liaison)
    for meeting in (plain, tricky):
        single = event_of(parse(client.get(reverse("meeting-ics", args=[meeting.pk]))))
        mine = by_uid[str(single["UID"])]
        for prop in ("SUMMARY", "LOCATION", "DESCRIPTION", "URL", "STATUS"):
            assert str(mine.get(prop)) == str(single.get(prop)), prop
        for prop in ("DTSTART", "DTEND", "DTSTAMP"):
            assert mine.decoded(prop) == single.decoded(prop), prop
        assert int(mine["SEQUENCE"]) == int(single["SEQUENCE"])
