"""Minutes: drafted after the meeting, circulated for confirmation, issued with a number, then read-only.
Agenda proposals by units until the cut-off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from meetings.meetings import agenda
from meetings.meetings import minutes as meeting_minutes
from meetings.meetings import services as meeting_services
from meetings.models import AgendaItem, Minutes, MinutesConfirmation, TopicProposal
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(cast, make_meeting, time_machine):  # type: ignore[no-untyped-def]
    meeting = make_meeting(invited=[cast.unit, cast.court, cast.other_unit])
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.unit, by=cast.liaison, reply="attending", attendees="王局长"
    )
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.court, by=cast.clerk, reply="delegate", attendees="赵庭长"
    )
    with pytest.raises(TransitionNotAllowed):
        meeting_minutes.minutes_save(meeting=meeting, by=cast.office, body="会前不能写纪要")
    time_machine.move_to(meeting.starts_at + timedelta(hours=3))
    meeting_services.meeting_hold(meeting=meeting, by=cast.office)
    return meeting


def test_minutes_lifecycle(cast, held):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        meeting_minutes.minutes_circulate(
            meeting=held, by=cast.office, confirm_by=today + timedelta(days=3)
        )  # no body yet
    meeting_minutes.minutes_save(meeting=held, by=cast.office, body="一、会议听取了……")
    with pytest.raises(NotPermitted):
        meeting_minutes.minutes_save(meeting=held, by=cast.liaison, body="联络员不能起草")
    with pytest.raises(ValidationError):
        meeting_minutes.minutes_circulate(meeting=held, by=cast.office, confirm_by=today - timedelta(days=1))
    meeting_minutes.minutes_circulate(meeting=held, by=cast.office, confirm_by=today + timedelta(days=3))
    with pytest.raises(NotPermitted):
        meeting_minutes.minutes_confirm(meeting=held, by=cast.office)  # not an invited unit's people
    meeting_minutes.minutes_confirm(meeting=held, by=cast.liaison, comment="无意见")
    meeting_minutes.minutes_confirm(meeting=held, by=cast.liaison, comment="再次确认")  # idempotent
    assert MinutesConfirmation.objects.filter(minutes__meeting=held).count() == 1
    with pytest.raises(ValidationError):
        meeting_minutes.minutes_issue(meeting=held, by=cast.office, document_number="  ")
    meeting_minutes.minutes_confirm(meeting=held, by=cast.clerk)
    meeting_minutes.minutes_confirm(meeting=held, by=cast.other_liaison)  # invited, never answered: asked too
    minutes = meeting_minutes.minutes_issue(meeting=held, by=cast.office, document_number="甘府院纪〔2026〕3号")
    assert minutes.status == Minutes.Status.ISSUED and minutes.issued_at is not None
    held.refresh_from_db()
    assert held.next_alert_at is None  # no confirmation reminder once issued
    with pytest.raises(TransitionNotAllowed):
        meeting_minutes.minutes_confirm(meeting=held, by=cast.clerk)


def test_document_numbers_are_unique(cast, held, make_meeting, time_machine):
    meeting_minutes.minutes_save(meeting=held, by=cast.office, body="正文")
    meeting_minutes.minutes_issue(meeting=held, by=cast.office, document_number="纪〔2026〕1号", override_reason="急用")
    other = make_meeting(starts_at=timezone.now() + timedelta(hours=1), invited=[])
    time_machine.move_to(other.starts_at + timedelta(minutes=1))
    meeting_services.meeting_hold(meeting=other, by=cast.office)
    meeting_minutes.minutes_save(meeting=other, by=cast.office, body="正文")
    with pytest.raises(ValidationError) as err:
        meeting_minutes.minutes_issue(meeting=other, by=cast.office, document_number="纪〔2026〕1号")
    assert "document_number" in err.value.message_dict


def test_issued_minutes_page_is_read_only(cast, held):
    meeting_minutes.minutes_save(meeting=held, by=cast.office, body="会议议定三件事")
    meeting_minutes.minutes_issue(
        meeting=held, by=cast.office, document_number="纪〔2026〕5号", override_reason="会议决定当场印发"
    )
    body = client_for(cast.office).get(reverse("meeting-detail", args=[held.pk])).content.decode()
    assert "纪〔2026〕5号" in body and "会议议定三件事" in body
    assert reverse("minutes-action", args=[held.pk, "save"]) not in body


def test_minutes_confirmation_from_the_page(cast, held):
    meeting_minutes.minutes_save(meeting=held, by=cast.office, body="正文")
    meeting_minutes.minutes_circulate(meeting=held, by=cast.office, confirm_by=timezone.localdate() + timedelta(days=2))
    client = client_for(cast.clerk)
    body = client.get(reverse("meeting-detail", args=[held.pk])).content.decode()
    assert "无意见确认" in body and "提出修改意见" in body
    client.post(reverse("minutes-action", args=[held.pk, "confirm"]), {"verdict": "agreed", "comment": ""})
    assert MinutesConfirmation.objects.filter(unit=cast.court).exists()


def test_topic_proposals_until_the_cutoff_then_accepted_into_the_agenda(cast, make_meeting, time_machine):
    start = timezone.now() + timedelta(days=5)
    meeting = make_meeting(starts_at=start, invited=[cast.unit], agenda_cutoff=start - timedelta(days=2))
    with pytest.raises(NotPermitted):
        agenda.proposal_submit(meeting=meeting, by=cast.other_liaison, title="不受邀的单位", minutes=10)
    client_for(cast.liaison).post(reverse("proposal-add", args=[meeting.pk]), {"title": "涉企执行案件", "minutes": 20})
    proposal = TopicProposal.objects.get()
    assert proposal.unit == cast.unit
    with pytest.raises(NotPermitted):
        agenda.proposal_decide(proposal=proposal, by=cast.liaison, accept=True)
    client_for(cast.office).post(reverse("proposal-decide", args=[proposal.pk]), {"accept": "1"})
    proposal.refresh_from_db()
    assert proposal.status == TopicProposal.Status.ACCEPTED
    item = AgendaItem.objects.get(meeting=meeting)
    assert (item.title, item.minutes, item.presenter_unit) == ("涉企执行案件", 20, cast.unit)
    with pytest.raises(TransitionNotAllowed):
        agenda.proposal_decide(proposal=proposal, by=cast.office, accept=False)
    time_machine.move_to(start - timedelta(days=1))
    client_for(cast.liaison).post(reverse("proposal-add", args=[meeting.pk]), {"title": "迟到", "minutes": 5})
    assert TopicProposal.objects.count() == 1
