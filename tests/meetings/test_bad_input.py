"""The issue's "Bad input and scope" list: each case refused, through the service, the page and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from meetings.decisions import services as decision_services
from meetings.meetings import agenda
from meetings.meetings import minutes as meeting_minutes
from meetings.meetings import services as meeting_services
from meetings.models import AgendaItem, Decision, Invitation, Meeting, Minutes
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _api_meeting_body(cast, **over):  # type: ignore[no-untyped-def]
    start = timezone.now() + timedelta(days=5)
    body = {
        "kind": "joint_meeting",
        "title": "金融审判联席会议",
        "convener": cast.office.unit_id,
        "invited_units": [cast.unit.pk, cast.court.pk],
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "location": "省高院第一会议室",
    }
    body.update(over)
    return body


# --- end before start ------------------------------------------------------------------------------------


def test_end_before_start_is_refused_by_the_service(cast, make_meeting):
    start = timezone.now() + timedelta(days=3)
    with pytest.raises(ValidationError) as err:
        meeting_services.meeting_create(
            by=cast.office,
            kind="joint_meeting",
            title="t",
            convener=cast.office.unit,
            starts_at=start,
            ends_at=start - timedelta(minutes=30),
            location="x",
        )
    assert "ends_at" in err.value.message_dict
    assert Meeting.objects.count() == 0


def test_end_before_start_on_the_form_says_what_is_wrong_and_saves_nothing(cast):
    start = timezone.localtime(timezone.now() + timedelta(days=3))
    response = client_for(cast.office).post(
        reverse("meeting-create"),
        {
            "kind": "joint_meeting",
            "title": "联席会议",
            "convener": cast.office.unit_id,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "location": "会议室",
            "level": "province",
        },
    )
    assert response.status_code == 200
    assert "结束时间必须晚于开始时间" in response.content.decode()
    assert Meeting.objects.count() == 0


def test_end_before_start_on_the_api_is_400(cast):
    start = timezone.now() + timedelta(days=3)
    body = _api_meeting_body(cast, ends_at=(start - timedelta(hours=1)).isoformat(), starts_at=start.isoformat())
    response = client_for(cast.office).post("/api/v1/meetings/", body, content_type="application/json")
    assert response.status_code == 400
    assert "ends_at" in response.json()


def test_moving_the_end_before_the_start_is_refused(cast, make_meeting):
    meeting = make_meeting()
    with pytest.raises(ValidationError):
        meeting_services.meeting_update(meeting=meeting, by=cast.office, ends_at=meeting.starts_at - timedelta(hours=1))
    meeting.refresh_from_db()
    assert meeting.ends_at > meeting.starts_at
    assert meeting.sequence == 0


# --- planned meeting in the past ---------------------------------------------------------------------------


def test_planned_meeting_in_the_past_is_refused(cast, make_meeting):
    with pytest.raises(ValidationError) as err:
        make_meeting(starts_at=timezone.now() - timedelta(hours=1))
    assert "starts_at" in err.value.message_dict


def test_planned_meeting_in_the_past_on_the_api_is_400(cast):
    start = timezone.now() - timedelta(days=1)
    body = _api_meeting_body(cast, starts_at=start.isoformat(), ends_at=(start + timedelta(hours=2)).isoformat())
    response = client_for(cast.office).post("/api/v1/meetings/", body, content_type="application/json")
    assert response.status_code == 400
    assert "starts_at" in response.json()
    assert Meeting.objects.count() == 0


# --- agenda over 24 hours ------------------------------------------------------------------------------------


def test_agenda_over_24_hours_is_refused(cast, make_meeting):
    meeting = make_meeting()
    agenda.agenda_add(meeting=meeting, by=cast.office, title="议题一", minutes=20 * 60)
    with pytest.raises(ValidationError) as err:
        agenda.agenda_add(meeting=meeting, by=cast.office, title="议题二", minutes=4 * 60 + 1)
    assert "minutes" in err.value.message_dict
    assert AgendaItem.objects.filter(meeting=meeting).count() == 1


def test_agenda_over_24_hours_through_the_api_is_400_and_keeps_the_old_agenda(cast, make_meeting):
    meeting = make_meeting()
    agenda.agenda_add(meeting=meeting, by=cast.office, title="原议题", minutes=30)
    body = {"agenda": [{"title": "甲", "minutes": 800}, {"title": "乙", "minutes": 700}]}
    response = client_for(cast.office).patch(f"/api/v1/meetings/{meeting.pk}/", body, content_type="application/json")
    assert response.status_code == 400
    assert "agenda" in response.json()
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("title", flat=True)) == ["原议题"]


def test_agenda_over_24_hours_on_the_page_shows_the_reason(cast, make_meeting):
    meeting = make_meeting()
    response = client_for(cast.office).post(
        reverse("agenda-add", args=[meeting.pk]), {"title": "超长议题", "minutes": 1441}, follow=True
    )
    assert "24小时" in response.content.decode()
    assert not AgendaItem.objects.filter(meeting=meeting).exists()


# --- editing issued minutes --------------------------------------------------------------------------------


def _issued_minutes(cast, make_meeting, time_machine):  # type: ignore[no-untyped-def]
    meeting = make_meeting()
    time_machine.move_to(meeting.starts_at + timedelta(minutes=5))
    meeting_services.meeting_hold(meeting=meeting, by=cast.office)
    meeting_minutes.minutes_save(meeting=meeting, by=cast.office, body="会议议定了三项事项。")
    meeting_minutes.minutes_issue(
        meeting=meeting, by=cast.office, document_number="甘府院办纪〔2026〕1号", override_reason="当场会签"
    )
    return meeting


def test_editing_issued_minutes_is_refused(cast, make_meeting, time_machine):
    meeting = _issued_minutes(cast, make_meeting, time_machine)
    with pytest.raises(TransitionNotAllowed):
        meeting_minutes.minutes_save(meeting=meeting, by=cast.office, body="改过的纪要")
    with pytest.raises(TransitionNotAllowed):
        meeting_minutes.minutes_issue(meeting=meeting, by=cast.office, document_number="另一个文号")
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.body == "会议议定了三项事项。"
    assert minutes.document_number == "甘府院办纪〔2026〕1号"


def test_editing_issued_minutes_on_the_page_is_refused(cast, make_meeting, time_machine):
    meeting = _issued_minutes(cast, make_meeting, time_machine)
    response = client_for(cast.office).post(
        reverse("minutes-action", args=[meeting.pk, "save"]), {"body": "改过的纪要"}, follow=True
    )
    assert "已印发,不能再修改" in response.content.decode()
    assert Minutes.objects.get(meeting=meeting).body == "会议议定了三项事项。"


# --- a unit not invited answering ----------------------------------------------------------------------------


def test_a_unit_not_invited_cannot_answer(cast, make_meeting):
    meeting = make_meeting(invited=[cast.unit])
    with pytest.raises(NotPermitted):
        meeting_services.invitation_reply(
            meeting=meeting, unit=cast.other_unit, by=cast.other_liaison, reply="attending", attendees="张三"
        )
    assert not Invitation.objects.filter(meeting=meeting, unit=cast.other_unit).exists()


def test_a_liaison_cannot_answer_for_another_unit(cast, make_meeting):
    meeting = make_meeting(invited=[cast.unit, cast.other_unit])
    with pytest.raises(NotPermitted):
        meeting_services.invitation_reply(
            meeting=meeting, unit=cast.unit, by=cast.other_liaison, reply="declined", reason="x"
        )
    assert Invitation.objects.get(meeting=meeting, unit=cast.unit).reply == "pending"


def test_the_convener_unit_not_invited_answering_on_the_api_is_403(cast, make_meeting):
    # The other unit convenes (so it can see the meeting) but is not among the invited units.
    meeting = make_meeting(by=cast.other_liaison, convener=cast.other_unit, invited=[cast.unit])
    response = client_for(cast.other_liaison).post(
        f"/api/v1/meetings/{meeting.pk}/reply/",
        {"reply": "attending", "attendees": "李四"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_declining_needs_a_reason_and_attending_needs_names(cast, make_meeting):
    meeting = make_meeting()
    with pytest.raises(ValidationError) as err:
        meeting_services.invitation_reply(meeting=meeting, unit=cast.unit, by=cast.liaison, reply="declined")
    assert "reason" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        meeting_services.invitation_reply(meeting=meeting, unit=cast.unit, by=cast.liaison, reply="attending")
    assert "attendees" in err.value.message_dict


# --- a decision due before the meeting -------------------------------------------------------------------


def test_a_decision_due_before_the_meeting_is_refused(cast, make_meeting):
    meeting = make_meeting()
    with pytest.raises(ValidationError) as err:
        decision_services.decision_add(
            meeting=meeting,
            by=cast.office,
            text="制定工作方案",
            owner_unit=cast.unit,
            due=timezone.localdate(meeting.starts_at) - timedelta(days=1),
        )
    assert "due" in err.value.message_dict
    assert not Decision.objects.exists()


def test_a_decision_due_before_the_meeting_on_the_api_is_400(cast, make_meeting):
    meeting = make_meeting()
    body = {
        "meeting": meeting.pk,
        "text": "制定工作方案",
        "owner_unit": cast.unit.pk,
        "due": str(timezone.localdate(meeting.starts_at) - timedelta(days=2)),
    }
    response = client_for(cast.office).post("/api/v1/decisions/", body, content_type="application/json")
    assert response.status_code == 400
    assert "due" in response.json()


# --- a liaison of an uninvited unit opening the meeting ------------------------------------------------------


@pytest.mark.parametrize("name", ["meeting-detail", "meeting-ics", "meeting-edit", "decision-create"])
def test_an_uninvited_liaison_gets_404_on_the_pages(cast, make_meeting, name):
    meeting = make_meeting(invited=[cast.unit])
    response = client_for(cast.other_liaison).get(reverse(name, args=[meeting.pk]))
    assert response.status_code == 404


def test_an_uninvited_clerk_gets_404(cast, make_meeting):
    meeting = make_meeting(invited=[cast.court])
    assert client_for(cast.other_clerk).get(reverse("meeting-detail", args=[meeting.pk])).status_code == 404
    assert client_for(cast.clerk).get(reverse("meeting-detail", args=[meeting.pk])).status_code == 200


@pytest.mark.parametrize("suffix", ["", "ics", "hold/", "cancel/"])
def test_an_uninvited_liaison_gets_404_on_the_api(cast, make_meeting, suffix):
    meeting = make_meeting(invited=[cast.unit])
    client = client_for(cast.other_liaison)
    url = f"/api/v1/meetings/{meeting.pk}/{suffix}"
    response = client.get(url) if suffix in ("", "ics") else client.post(url)
    assert response.status_code == 404


def test_an_uninvited_liaison_posting_to_the_meeting_gets_404(cast, make_meeting):
    meeting = make_meeting(invited=[cast.unit])
    client = client_for(cast.other_liaison)
    for name in ("meeting-reply", "meeting-cancel", "agenda-add", "proposal-add"):
        assert client.post(reverse(name, args=[meeting.pk]), {"reply": "attending"}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
