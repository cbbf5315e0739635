"""``allowed_actions``: the one answer to "what may this user do now", per meeting, decision and consultation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.consultations import services as consultation_services
from meetings.decisions import services as decision_services
from meetings.meetings import minutes as meeting_minutes
from meetings.meetings import services as meeting_services

pytestmark = pytest.mark.django_db


def test_meeting_actions_follow_the_meeting_through_its_life(cast, make_meeting, time_machine):  # type: ignore[no-untyped-def]
    meeting = make_meeting(invited=[cast.unit, cast.court])
    actions = meeting_services.allowed_actions
    planned = {"edit", "cancel", "edit_agenda", "decide_proposal", "add_decision"}
    assert actions(meeting, cast.office) == planned
    assert actions(meeting, cast.liaison) == {"reply", "propose"}
    assert actions(meeting, cast.other_liaison) == set()
    assert actions(meeting, cast.leader) == set()

    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.unit, by=cast.liaison, reply="attending", attendees="王局长"
    )
    time_machine.move_to(meeting.starts_at + timedelta(minutes=1))
    assert actions(meeting, cast.office) == planned | {"hold"}
    assert actions(meeting, cast.liaison) == set()  # too late to reply or to propose a topic

    meeting = meeting_services.meeting_hold(meeting=meeting, by=cast.office)
    held = {"edit_agenda", "decide_proposal", "add_decision", "record_attendance", "close", "save_minutes"}
    assert actions(meeting, cast.office) == held
    meeting_minutes.minutes_save(meeting=meeting, by=cast.office, body="一、会议听取了……")
    meeting.refresh_from_db()
    assert {"issue_minutes", "circulate_minutes"} <= actions(meeting, cast.office)
    assert "close" not in actions(meeting, cast.office)  # the minutes are not issued yet
    meeting_minutes.minutes_circulate(meeting=meeting, by=cast.office, confirm_by=timezone.localdate())
    meeting.refresh_from_db()
    assert "circulate_minutes" not in actions(meeting, cast.office)
    assert actions(meeting, cast.liaison) == {"confirm_minutes"}
    # The court never answered the invitation: it is asked all the same (only a unit that declined is not).
    assert actions(meeting, cast.clerk) == {"confirm_minutes"}
    assert "issue_minutes_override" in actions(meeting, cast.office)  # nobody has answered yet
    meeting_minutes.minutes_confirm(meeting=meeting, by=cast.liaison)
    meeting_minutes.minutes_confirm(meeting=meeting, by=cast.clerk, verdict="amend", comment="第二段请改")
    meeting.refresh_from_db()
    assert actions(meeting, cast.liaison) == {"confirm_minutes"}  # may change its answer until issued
    assert "issue_minutes_override" not in actions(meeting, cast.office)  # every asked unit answered


def test_decision_and_consultation_actions(cast, make_meeting):  # type: ignore[no-untyped-def]
    meeting = make_meeting(invited=[cast.unit, cast.court])
    decision = decision_services.decision_add(
        meeting=meeting,
        by=cast.office,
        text="落实事项",
        owner_unit=cast.unit,
        supporting_units=[cast.court],
        due=timezone.localdate(meeting.starts_at) + timedelta(days=30),
    )
    actions = decision_services.allowed_actions
    assert actions(decision, cast.office) == {"edit", "add_progress", "complete"}
    assert actions(decision, cast.liaison) == {"add_progress", "complete"}
    assert actions(decision, cast.clerk) == {"add_progress"}
    assert actions(decision, cast.other_liaison) == set()
    decision = decision_services.decision_complete(decision=decision, by=cast.liaison, note="已办结")
    assert actions(decision, cast.office) == set()

    consultation = consultation_services.consultation_log(
        by=cast.liaison,
        topic_kind="major_case",
        held_on=timezone.localdate(),
        units=[cast.unit, cast.court],
        topic="某企业破产重整职工安置",
    )
    assert consultation_services.allowed_actions(consultation, cast.liaison) == {"edit"}
    assert consultation_services.allowed_actions(consultation, cast.office) == {"edit"}
    assert consultation_services.allowed_actions(consultation, cast.clerk) == set()
