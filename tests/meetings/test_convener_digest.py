"""The convener hears of invitation replies and agenda proposals, batched per meeting (issue 14, item 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from meetings.meetings import agenda, digest
from meetings.meetings import services as meeting_services
from meetings.models import Invitation, Meeting, TopicProposal
from members.models import Notification
from tests.factories import UnitFactory, make_user
from tests.meetings.conftest import local

pytestmark = pytest.mark.django_db

T0 = local(2026, 12, 1, 9, 0)
START = local(2026, 12, 10, 10, 0)


def digests(user=None):  # type: ignore[no-untyped-def]
    qs = Notification.objects.filter(event="convener_digest")
    return qs if user is None else qs.filter(recipient=user)


@pytest.fixture
def meeting(cast, make_meeting, time_machine) -> Meeting:  # type: ignore[no-untyped-def]
    time_machine.move_to(T0, tick=False)
    return make_meeting(starts_at=START, invited=[cast.unit, cast.court, cast.other_unit])


def test_replies_and_proposals_reach_the_office_in_one_notice_per_meeting(cast, meeting, time_machine):
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.unit, by=cast.liaison, reply="attending", attendees="王局长"
    )
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.court, by=cast.clerk, reply="delegate", attendees="赵庭长"
    )
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.other_unit, by=cast.other_liaison, reply="declined", reason="另有公务"
    )
    # 甲局 changes its mind before the digest goes: the digest tells the latest answer, once.
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.unit, by=cast.liaison, reply="attending", attendees="李处长"
    )
    agenda.proposal_submit(meeting=meeting, by=cast.liaison, title="涉企执行案件协调", minutes=20, note="请法院通报")
    assert not digests().exists()  # nothing per click

    time_machine.move_to(T0 + timedelta(minutes=30), tick=False)
    assert digest.send_convener_digests() == 1
    notice = digests(cast.office).get()  # the office of the meeting's level (the province)
    assert notice.url.endswith(f"/meetings/{meeting.pk}/")
    assert "4 条" in notice.subject and meeting.title in notice.subject
    body = notice.body
    assert f"{cast.unit.name}:参加(李处长)" in body and "王局长" not in body
    assert f"{cast.court.name}:委派代表参加(赵庭长)" in body
    assert f"{cast.other_unit.name}:不参加。原因:另有公务" in body
    assert f"{cast.unit.name}:涉企执行案件协调(20 分钟)。请法院通报" in body
    assert "已答复 3 / 共 3 家" in body
    assert digests().count() == 1  # the invitees hear nothing of each other's replies

    assert digest.send_convener_digests() == 0  # all reported: nothing twice
    assert not Invitation.objects.filter(replied_at__isnull=False, reported_at__isnull=True).exists()
    assert not TopicProposal.objects.filter(reported_at__isnull=True).exists()

    time_machine.move_to(T0 + timedelta(hours=2), tick=False)
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.court, by=cast.clerk, reply="declined", reason="庭审冲突"
    )
    assert digest.send_convener_digests() == 1
    later = digests(cast.office).order_by("-pk").first()
    assert later.pk != notice.pk and "庭审冲突" in later.body and cast.unit.name not in later.body


def test_a_unit_convened_meeting_tells_its_people_and_the_office_of_its_level(cast, make_meeting, time_machine):
    time_machine.move_to(T0, tick=False)
    meeting = make_meeting(by=cast.liaison, convener=cast.unit, starts_at=START, invited=[cast.court])
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.court, by=cast.clerk, reply="attending", attendees="赵庭长"
    )
    digest.send_convener_digests()
    assert set(digests().values_list("recipient__username", flat=True)) == {"liaison", "office"}


def test_a_cancelled_meeting_sends_nothing_but_is_cleared(cast, meeting):
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.unit, by=cast.liaison, reply="attending", attendees="王局长"
    )
    meeting_services.meeting_cancel(meeting=meeting, by=cast.office, reason="改期")
    assert digest.send_convener_digests() == 0
    assert not digests().exists()
    assert Invitation.objects.get(meeting=meeting, unit=cast.unit).reported_at is not None


def test_nothing_pending_costs_two_index_lookups(cast, meeting):
    with CaptureQueriesContext(connection) as ctx:
        assert digest.send_convener_digests() == 0
    assert len(ctx.captured_queries) == 2
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert '"reported_at" IS NULL' in sql


def test_queries_do_not_grow_with_replies(cast, make_meeting, time_machine):
    def run_with(n: int) -> int:
        time_machine.move_to(T0, tick=False)
        people = [make_user("liaison", UnitFactory()) for _ in range(n)]
        meeting = make_meeting(starts_at=START, invited=[p.unit for p in people])
        for person in people:
            meeting_services.invitation_reply(
                meeting=meeting, unit=person.unit, by=person, reply="attending", attendees="参会人"
            )
            agenda.proposal_submit(meeting=meeting, by=person, title="议题", minutes=10)
        with CaptureQueriesContext(connection) as ctx:
            assert digest.send_convener_digests() == 1
        return len(ctx.captured_queries)

    assert run_with(1) == run_with(6)


def test_the_digest_task_is_scheduled_and_runs(cast, meeting):
    task = PeriodicTask.objects.get(task="meetings.send_convener_digests")
    assert task.enabled and task.interval.every == 30 * 60
    from meetings.tasks import send_convener_digests

    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.unit, by=cast.liaison, reply="attending", attendees="王局长"
    )
    assert send_convener_digests() == 1
    assert send_convener_digests() == 0
