"""补录: a meeting held offline is entered afterwards, already held, without notices; the ordinary form
still refuses a past start and points to 补录; "确认已召开" is offered only once it can succeed."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from meetings.decisions import services as decision_services
from meetings.meetings import minutes as meeting_minutes
from meetings.meetings import services as meeting_services
from meetings.models import Meeting
from members.models import Notification
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=SH)
HELD_ON = datetime(2026, 3, 12, 9, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _frozen(time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)


def _record(cast, **kw):  # type: ignore[no-untyped-def]
    start = kw.pop("starts_at", HELD_ON)
    return meeting_services.meeting_record(
        by=kw.pop("by", cast.office),
        kind=kw.pop("kind", "joint_meeting"),
        title=kw.pop("title", "生态环境保护联席会议"),
        convener=kw.pop("convener", cast.office.unit),
        starts_at=start,
        ends_at=kw.pop("ends_at", start + timedelta(hours=2)),
        invited_units=kw.pop("invited", [cast.unit, cast.court]),
        location=kw.pop("location", "省司法厅三楼会议室"),
        **kw,
    )


def _form(cast, start: datetime, **over):  # type: ignore[no-untyped-def]
    data = {
        "kind": "joint_meeting",
        "title": "线下召开的联席会议",
        "convener": cast.office.unit_id,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "location": "省法院第二会议室",
        "invited_units": [cast.unit.pk, cast.court.pk],
    }
    return {**data, **over}


def test_a_recorded_meeting_is_held_and_sends_nothing(cast) -> None:  # type: ignore[no-untyped-def]
    meeting = _record(cast)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert meeting.held_at == NOW
    assert meeting.recorded_after is True
    assert meeting.created_by == cast.office
    assert meeting.next_alert_at is None  # no reminder for a meeting that is over
    assert set(meeting.invitations.values_list("unit_id", flat=True)) == {cast.unit.pk, cast.court.pk}
    assert not Notification.objects.exists()  # no meeting_invited (nor anything else) for the units
    # Then the normal work of a held meeting: minutes, decisions, the sign-in list.
    actions = meeting_services.allowed_actions(meeting, cast.office)
    assert {"save_minutes", "add_decision", "record_attendance", "close"} <= actions
    assert "hold" not in actions and "edit" not in actions and "cancel" not in actions
    meeting_minutes.minutes_save(meeting=meeting, by=cast.office, body="一、会议通报了……")
    decision_services.decision_add(
        meeting=meeting, by=cast.office, text="建立联合执法机制", owner_unit=cast.unit, due=NOW.date()
    )
    assert meeting.decisions.count() == 1


def test_an_invited_liaison_cannot_reply_to_a_recorded_meeting(cast) -> None:  # type: ignore[no-untyped-def]
    meeting = _record(cast)
    assert meeting_services.allowed_actions(meeting, cast.liaison) == set()
    with pytest.raises(TransitionNotAllowed):
        meeting_services.invitation_reply(
            meeting=meeting, unit=cast.unit, by=cast.liaison, reply="attending", attendees="王局长"
        )


def test_a_future_start_cannot_be_recorded(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        _record(cast, starts_at=NOW + timedelta(hours=1))
    assert "安排会议" in exc.value.message_dict["starts_at"][0]
    assert not Meeting.objects.exists()


def test_the_ordinary_create_refuses_a_past_start_and_points_to_the_record(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        meeting_services.meeting_create(
            by=cast.office,
            kind="joint_meeting",
            title="已开过的会",
            convener=cast.office.unit,
            starts_at=HELD_ON,
            ends_at=HELD_ON + timedelta(hours=1),
            location="会议室",
        )
    assert "补录已召开会议" in exc.value.message_dict["starts_at"][0]
    assert not Meeting.objects.exists()


def test_who_may_record(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotPermitted):
        _record(cast, by=cast.leader)
    with pytest.raises(NotPermitted):  # a liaison convenes for their own unit only
        _record(cast, by=cast.liaison, convener=cast.other_unit)
    assert not Meeting.objects.exists()
    own = _record(cast, by=cast.liaison, convener=cast.unit, invited=[cast.court])
    assert own.status == Meeting.Status.HELD


def test_bad_input_saves_nothing(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        _record(cast, ends_at=HELD_ON - timedelta(minutes=5))
    assert exc.value.message_dict["ends_at"] == ["结束时间必须晚于开始时间。"]
    with pytest.raises(ValidationError):
        _record(cast, location="")
    assert not Meeting.objects.exists()


# --- the pages ------------------------------------------------------------------------------------------


def test_record_from_the_page(cast) -> None:  # type: ignore[no-untyped-def]
    client = client_for(cast.office)
    listing = client.get(reverse("meeting-list")).content.decode()
    assert reverse("meeting-record") in listing and "补录已召开会议" in listing
    page = client.get(reverse("meeting-record")).content.decode()
    assert "补录已召开会议" in page and "agenda_cutoff" not in page and "reminder_offsets" not in page
    response = client.post(reverse("meeting-record"), _form(cast, HELD_ON))
    meeting = Meeting.objects.get(title="线下召开的联席会议")
    assert response.status_code == 302 and response["Location"] == reverse("meeting-detail", args=[meeting.pk])
    assert meeting.status == Meeting.Status.HELD and meeting.starts_at == HELD_ON
    assert not Notification.objects.exists()
    body = client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    assert "会后补录" in body and "登记签到" in body and "确认已召开" not in body


def test_the_record_page_refuses_bad_input_in_chinese(cast) -> None:  # type: ignore[no-untyped-def]
    client = client_for(cast.office)
    response = client.post(reverse("meeting-record"), _form(cast, NOW + timedelta(days=1)))
    assert response.status_code == 200
    assert "补录的会议须已开始" in response.content.decode()
    response = client.post(reverse("meeting-record"), _form(cast, HELD_ON, title=""))
    assert response.status_code == 200
    assert not Meeting.objects.exists()


def test_the_create_page_points_to_the_record(cast) -> None:  # type: ignore[no-untyped-def]
    client = client_for(cast.office)
    assert reverse("meeting-record") in client.get(reverse("meeting-create")).content.decode()
    response = client.post(reverse("meeting-create"), _form(cast, HELD_ON))
    assert response.status_code == 200
    assert "补录已召开会议" in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_leader_has_no_record_page(cast) -> None:  # type: ignore[no-untyped-def]
    client = client_for(cast.leader)
    assert client.get(reverse("meeting-record")).status_code == 404
    assert client.post(reverse("meeting-record"), _form(cast, HELD_ON)).status_code == 404
    assert "补录已召开会议" not in client.get(reverse("meeting-list")).content.decode()
    assert not Meeting.objects.exists()


def test_record_through_the_api(cast) -> None:  # type: ignore[no-untyped-def]
    client = client_for(cast.office)
    body = {
        "kind": "case_symposium",
        "title": "重大案件座谈(线下)",
        "convener": cast.office.unit_id,
        "starts_at": HELD_ON.isoformat(),
        "ends_at": (HELD_ON + timedelta(hours=1)).isoformat(),
        "location": "省高院",
        "invited_units": [cast.court.pk],
    }
    response = client.post("/api/v1/meetings/record/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "held" and response.json()["recorded_after"] is True
    assert not Notification.objects.exists()
    tomorrow = NOW + timedelta(days=1)
    future = {**body, "starts_at": tomorrow.isoformat(), "ends_at": (tomorrow + timedelta(hours=1)).isoformat()}
    assert client.post("/api/v1/meetings/record/", future, content_type="application/json").status_code == 400
    assert client_for(cast.leader).post(
        "/api/v1/meetings/record/", body, content_type="application/json"
    ).status_code in (403, 404)
    assert Meeting.objects.count() == 1


# --- "确认已召开" only once it can succeed -------------------------------------------------------------------


def test_hold_is_offered_only_from_the_start(cast, make_meeting, time_machine) -> None:  # type: ignore[no-untyped-def]
    meeting = make_meeting(starts_at=NOW + timedelta(days=2))
    client = client_for(cast.office)
    assert "hold" not in meeting_services.allowed_actions(meeting, cast.office)
    assert "确认已召开" not in client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    with pytest.raises(TransitionNotAllowed):
        meeting_services.meeting_hold(meeting=meeting, by=cast.office)
    assert client.post(f"/api/v1/meetings/{meeting.pk}/hold/").status_code == 409
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED and meeting.held_at is None

    time_machine.move_to(meeting.starts_at, tick=False)
    assert "hold" in meeting_services.allowed_actions(meeting, cast.office)
    client = client_for(cast.office)
    assert "确认已召开" in client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    meeting = meeting_services.meeting_hold(meeting=meeting, by=cast.office)
    assert meeting.status == Meeting.Status.HELD
