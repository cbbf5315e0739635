"""Every reminder of the meetings app, with frozen time, through the one alert engine."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fuyuan.lib.errors import TransitionNotAllowed
from meetings.decisions import services as decision_services
from meetings.meetings import agenda, reminders
from meetings.meetings import minutes as meeting_minutes
from meetings.meetings import services as meeting_services
from meetings.models import Decision, Meeting, MeetingKindSetting
from members.models import Notification
from tests.factories import make_user
from tests.meetings.conftest import local

pytestmark = pytest.mark.django_db

T0 = local(2026, 12, 1, 9, 0)
START = local(2026, 12, 10, 10, 0)


def notices(event: str, user=None):  # type: ignore[no-untyped-def]
    qs = Notification.objects.filter(event=event)
    if user is not None:
        qs = qs.filter(recipient=user)
    return qs


def scan_at(time_machine, when):  # type: ignore[no-untyped-def]
    time_machine.move_to(when, tick=False)
    return reminders.scan_reminders()


@pytest.fixture
def meeting(cast, make_meeting, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(T0, tick=False)
    m = make_meeting(starts_at=START, invited=[cast.unit, cast.court, cast.other_unit])
    meeting_services.invitation_reply(
        meeting=m, unit=cast.other_unit, by=cast.other_liaison, reply="declined", reason="另有公务"
    )
    return m


def test_invited_units_hear_of_the_invitation(cast, meeting):
    assert notices("meeting_invited", cast.liaison).count() == 1
    assert notices("meeting_invited", cast.clerk).count() == 1  # a court's clerk hears for the court
    assert notices("meeting_invited", cast.other_liaison).count() == 1
    assert notices("meeting_invited", cast.office).count() == 0


def test_default_reminders_three_days_and_two_hours_before(cast, meeting, time_machine):
    assert meeting.next_alert_at == START - timedelta(days=3)
    scan_at(time_machine, START - timedelta(days=3, minutes=1))
    assert notices("meeting_reminder").count() == 0

    scan_at(time_machine, START - timedelta(days=3))
    assert notices("meeting_reminder", cast.liaison).count() == 1
    assert notices("meeting_reminder", cast.clerk).count() == 1
    assert notices("meeting_reminder", cast.other_liaison).count() == 0  # declined: no reminder
    meeting.refresh_from_db()
    assert meeting.next_alert_at == START - timedelta(hours=2)

    scan_at(time_machine, START - timedelta(days=2))  # nothing due in between, nothing sent twice
    assert notices("meeting_reminder").count() == 2

    scan_at(time_machine, START - timedelta(hours=2))
    assert notices("meeting_reminder", cast.liaison).count() == 2
    stages = set(notices("meeting_reminder", cast.liaison).values_list("stage", flat=True))
    assert stages == {"before-4320m@20261210T1000", "before-120m@20261210T1000"}
    meeting.refresh_from_db()
    assert meeting.next_alert_at is None


def test_a_missed_scan_sends_only_the_latest_rung(cast, meeting, time_machine):
    scan_at(time_machine, START - timedelta(hours=1))
    assert list(notices("meeting_reminder", cast.liaison).values_list("stage", flat=True)) == [
        "before-120m@20261210T1000"
    ]


def test_no_reminder_for_a_past_meeting(cast, meeting, time_machine):
    scan_at(time_machine, START + timedelta(minutes=30))
    assert notices("meeting_reminder").count() == 0
    meeting.refresh_from_db()
    assert meeting.next_alert_at is None


def test_reminder_offsets_per_kind(cast, make_meeting, time_machine):
    time_machine.move_to(T0, tick=False)
    MeetingKindSetting.objects.create(kind=Meeting.Kind.LEADING_GROUP, reminder_offsets=[24 * 60])
    m = make_meeting(starts_at=START, kind=Meeting.Kind.LEADING_GROUP, invited=[cast.unit])
    assert m.next_alert_at == START - timedelta(days=1)
    scan_at(time_machine, START - timedelta(days=1))
    assert list(notices("meeting_reminder", cast.liaison).values_list("stage", flat=True)) == [
        "before-1440m@20261210T1000"
    ]
    scan_at(time_machine, START - timedelta(minutes=5))
    assert notices("meeting_reminder", cast.liaison).count() == 1


def test_reminder_offsets_per_meeting_override_the_kind(cast, make_meeting, time_machine):
    time_machine.move_to(T0, tick=False)
    MeetingKindSetting.objects.create(kind=Meeting.Kind.JOINT_MEETING, reminder_offsets=[24 * 60])
    m = make_meeting(starts_at=START, invited=[cast.unit], reminder_offsets=[60])
    assert m.next_alert_at == START - timedelta(hours=1)
    scan_at(time_machine, START - timedelta(days=1))
    assert notices("meeting_reminder").count() == 0
    scan_at(time_machine, START - timedelta(hours=1))
    assert notices("meeting_reminder", cast.liaison).count() == 1


def test_rescheduling_rearms_and_tells_the_invitees(cast, meeting, time_machine):
    scan_at(time_machine, START - timedelta(days=3))
    assert notices("meeting_reminder", cast.liaison).count() == 1
    new_start = START + timedelta(days=7)
    meeting_services.meeting_update(
        meeting=meeting, by=cast.office, starts_at=new_start, ends_at=new_start + timedelta(hours=2)
    )
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert meeting.next_alert_at == new_start - timedelta(days=3)
    changed = notices("meeting_changed")
    assert set(changed.values_list("recipient", flat=True)) == {cast.liaison.pk, cast.clerk.pk, cast.other_liaison.pk}
    assert set(changed.values_list("stage", flat=True)) == {"changed-s1"}
    body = changed.get(recipient=cast.liaison).body
    assert "2026-12-10 10:00" in body and "2026-12-17 10:00" in body

    scan_at(time_machine, START - timedelta(hours=2))  # the old time's 2-hour reminder is not sent
    assert notices("meeting_reminder", cast.liaison).count() == 1
    scan_at(time_machine, new_start - timedelta(days=3))  # the new time's reminders are sent again
    assert notices("meeting_reminder", cast.liaison).count() == 2
    scan_at(time_machine, new_start - timedelta(hours=2))
    assert set(notices("meeting_reminder", cast.liaison).values_list("stage", flat=True)) == {
        "before-4320m@20261210T1000",
        "before-4320m@20261217T1000",
        "before-120m@20261217T1000",
    }


def test_moving_it_twice_tells_the_invitees_twice(cast, meeting, time_machine):
    for days in (1, 2):
        start = START + timedelta(days=days)
        meeting_services.meeting_update(
            meeting=meeting, by=cast.office, starts_at=start, ends_at=start + timedelta(hours=1)
        )
    assert notices("meeting_changed", cast.liaison).count() == 2


def test_a_title_change_bumps_the_sequence_without_a_change_notice(cast, meeting):
    meeting_services.meeting_update(meeting=meeting, by=cast.office, title="新名称")
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert notices("meeting_changed").count() == 0


def test_moving_into_the_reminder_window_sends_it_at_the_next_scan(cast, meeting, time_machine):
    time_machine.move_to(local(2026, 12, 5, 9, 0), tick=False)
    new_start = local(2026, 12, 5, 10, 0)
    meeting_services.meeting_update(
        meeting=meeting, by=cast.office, starts_at=new_start, ends_at=new_start + timedelta(hours=1)
    )
    reminders.scan_reminders()
    assert list(notices("meeting_reminder", cast.liaison).values_list("stage", flat=True)) == [
        "before-120m@20261205T1000"
    ]


def test_cancelling_tells_everyone_and_no_reminder_follows(cast, meeting, time_machine):
    time_machine.move_to(local(2026, 12, 5, 9, 0), tick=False)
    meeting_services.meeting_cancel(meeting=meeting, by=cast.office, reason="时间冲突")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.next_alert_at is None
    assert meeting.sequence == 1
    cancelled = notices("meeting_cancelled")
    assert set(cancelled.values_list("recipient", flat=True)) == {cast.liaison.pk, cast.clerk.pk, cast.other_liaison.pk}
    assert "时间冲突" in cancelled.first().body
    # Even if something re-armed it by mistake, a cancelled meeting has no stage to send.
    Meeting.objects.filter(pk=meeting.pk).update(next_alert_at=START - timedelta(days=3))
    scan_at(time_machine, START - timedelta(days=3))
    scan_at(time_machine, START - timedelta(hours=2))
    assert notices("meeting_reminder").count() == 0
    with pytest.raises(TransitionNotAllowed):
        meeting_services.meeting_cancel(meeting=meeting, by=cast.office)


def test_agenda_cutoff_is_reminded_and_enforced(cast, make_meeting, time_machine):
    time_machine.move_to(T0, tick=False)
    cutoff = local(2026, 12, 8, 18, 0)
    m = make_meeting(starts_at=START, invited=[cast.unit], agenda_cutoff=cutoff)
    assert m.next_alert_at == START - timedelta(days=3)  # the 3-day reminder comes first (12-07 10:00)
    scan_at(time_machine, START - timedelta(days=3))
    m.refresh_from_db()
    assert m.next_alert_at == cutoff - timedelta(days=1)
    assert notices("agenda_cutoff").count() == 0
    scan_at(time_machine, cutoff - timedelta(days=1))
    assert list(notices("agenda_cutoff", cast.liaison).values_list("stage", flat=True)) == [
        "agenda-cutoff@20261208T1800"
    ]
    agenda.proposal_submit(meeting=m, by=cast.liaison, title="生态修复资金", minutes=15)
    time_machine.move_to(cutoff, tick=False)
    with pytest.raises(TransitionNotAllowed):
        agenda.proposal_submit(meeting=m, by=cast.liaison, title="迟到的议题", minutes=15)


def test_minutes_confirmation_deadline_reminds_units_that_have_not_confirmed(cast, meeting, time_machine):
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.unit, by=cast.liaison, reply="attending", attendees="王局长"
    )
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.court, by=cast.clerk, reply="delegate", attendees="赵庭长"
    )
    time_machine.move_to(START + timedelta(minutes=10), tick=False)
    meeting_services.meeting_hold(meeting=meeting, by=cast.office)
    meeting_minutes.minutes_save(meeting=meeting, by=cast.office, body="纪要正文")
    meeting_minutes.minutes_circulate(meeting=meeting, by=cast.office, confirm_by=date(2026, 12, 15))
    assert notices("minutes_circulated", cast.liaison).count() == 1
    assert notices("minutes_circulated", cast.clerk).count() == 1
    assert notices("minutes_circulated", cast.other_liaison).count() == 0  # declined, did not attend
    meeting_minutes.minutes_confirm(meeting=meeting, by=cast.liaison)
    meeting.refresh_from_db()
    assert meeting.next_alert_at == local(2026, 12, 14, 9, 0)
    scan_at(time_machine, local(2026, 12, 14, 9, 0))
    assert notices("minutes_confirm", cast.clerk).count() == 1
    assert notices("minutes_confirm", cast.liaison).count() == 0
    scan_at(time_machine, local(2026, 12, 16, 9, 0))
    assert notices("minutes_confirm").count() == 1


@pytest.fixture
def decision(cast, meeting, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(START + timedelta(minutes=10), tick=False)
    meeting_services.meeting_hold(meeting=meeting, by=cast.office)
    return decision_services.decision_add(
        meeting=meeting,
        by=cast.office,
        text="建立生态环境损害赔偿磋商机制",
        owner_unit=cast.unit,
        due=date(2026, 12, 20),
    )


def test_decision_due_soon_and_overdue_go_to_the_owner_unit_and_the_office(cast, decision, time_machine):
    assert notices("decision_assigned", cast.liaison).count() == 1
    backup = make_user("liaison", cast.unit, username="backup_liaison")
    assert decision.next_alert_at == local(2026, 12, 17, 9, 0)
    scan_at(time_machine, local(2026, 12, 17, 8, 59))
    assert notices("decision_due").count() == 0
    scan_at(time_machine, local(2026, 12, 17, 9, 0))
    assert set(notices("decision_due").values_list("recipient", flat=True)) == {
        cast.liaison.pk,
        backup.pk,
        cast.office.pk,
    }
    decision.refresh_from_db()
    assert decision.next_alert_at == local(2026, 12, 21, 9, 0)
    scan_at(time_machine, local(2026, 12, 20, 23, 0))
    assert notices("decision_overdue").count() == 0
    scan_at(time_machine, local(2026, 12, 21, 9, 0))
    assert set(notices("decision_overdue").values_list("recipient", flat=True)) == {
        cast.liaison.pk,
        backup.pk,
        cast.office.pk,
    }
    assert notices("decision_overdue", cast.other_liaison).count() == 0
    decision.refresh_from_db()
    assert decision.next_alert_at == local(2027, 1, 19, 9, 0)  # 30 days overdue: 升级督办
    scan_at(time_machine, local(2026, 12, 28, 9, 0))
    assert notices("decision_overdue").count() == 3


def test_a_completed_decision_is_not_chased(cast, decision, time_machine):
    decision_services.decision_complete(decision=decision, by=cast.liaison, note="已出台磋商办法")
    decision.refresh_from_db()
    assert decision.status == Decision.Status.DONE and decision.next_alert_at is None
    scan_at(time_machine, local(2026, 12, 21, 9, 0))
    assert notices("decision_due").count() == 0 and notices("decision_overdue").count() == 0


def test_moving_a_decision_due_date_rearms_it(cast, decision, time_machine):
    scan_at(time_machine, local(2026, 12, 17, 9, 0))
    assert notices("decision_due", cast.liaison).count() == 1
    decision_services.decision_update(decision=decision, by=cast.office, due=date(2027, 1, 10))
    decision.refresh_from_db()
    assert decision.next_alert_at == local(2027, 1, 7, 9, 0)
    scan_at(time_machine, local(2026, 12, 21, 9, 0))
    assert notices("decision_overdue").count() == 0
    scan_at(time_machine, local(2027, 1, 7, 9, 0))
    assert notices("decision_due", cast.liaison).count() == 2


def test_a_scan_with_nothing_due_is_one_query(cast, meeting, decision, time_machine):
    time_machine.move_to(local(2026, 12, 11, 9, 0), tick=False)
    with CaptureQueriesContext(connection) as ctx:
        result = reminders.scan_reminders()
    assert result == {"meetings": 0, "decisions": 0}
    # One query: both partial indexes probed (… WHERE next_alert_at <= now UNION ALL …); nothing claimed, no join.
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert len(sqls) == 1
    assert "UNION ALL" in sqls[0] and sqls[0].count('"next_alert_at" <=') == 2 and "JOIN" not in sqls[0]
    assert "meetings_meeting" in sqls[0] and "meetings_decision" in sqls[0]
