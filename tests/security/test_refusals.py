"""Refusals answer the same way everywhere (issue 14): a page typed by hand for an action the user may
not do is the 403 page with the reason in Chinese; a record outside the user's scope is the 404 page.
With DEBUG off, as in production: never Django's English debug page, never a redirect with a message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.referrals import services as referral_services
from meetings.consultations import services as consultation_services
from meetings.decisions import services as decision_services
from meetings.meetings import services as meeting_services
from meetings.meetings.models import Meeting
from tests.cases.recommendations.support import make_draft, make_issued
from tests.cases.referrals.support import draft
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def assert_refused(response, reason: str) -> None:
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权进行此操作" in page
    assert reason in page
    assert "Forbidden" not in page and "Traceback" not in page


def assert_not_found(response) -> None:
    assert response.status_code == 404
    page = response.content.decode()
    assert "未找到该页面或记录" in page
    assert "Not Found" not in page


def _meeting(cast) -> Meeting:
    start = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    return meeting_services.meeting_create(
        by=cast.office,
        kind=Meeting.Kind.JOINT_MEETING,
        title="环境资源审判联席会议",
        convener=cast.office.unit,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        invited_units=[cast.unit, cast.court],
        location="省司法厅三楼会议室",
    )


def test_drafting_a_recommendation_without_being_a_clerk_is_403_with_the_reason(cast):
    response = client_for(cast.liaison).get(reverse("recommendation-create"))
    assert_refused(response, "只有人民法院的工作人员可以起草司法建议。")


def test_editing_an_issued_recommendation_by_hand_is_403_with_its_status(cast):
    rec = make_issued(cast)
    response = client_for(cast.clerk).get(reverse("recommendation-edit", args=[rec.pk]))
    assert_refused(response, "只有草稿可以修改(当前状态:已发出)。")
    rec.refresh_from_db()
    assert rec.status == rec.Status.ISSUED


def test_the_addressee_opening_the_edit_page_is_403_not_a_redirect(cast):
    rec = make_issued(cast)
    response = client_for(cast.liaison).get(reverse("recommendation-edit", args=[rec.pk]))
    assert_refused(response, "只有发出法院的工作人员可以办理此操作。")


def test_a_recommendation_outside_scope_is_404(cast):
    rec = make_draft(cast)
    assert_not_found(client_for(cast.other_clerk).get(reverse("recommendation-edit", args=[rec.pk])))
    assert_not_found(client_for(cast.other_liaison).get(reverse("recommendation-detail", args=[rec.pk])))


def test_editing_a_referral_sent_already_is_403_with_the_reason(cast):
    r = draft(cast.clerk, cast.unit)
    referral_services.referral_send(referral=r, by=cast.clerk)
    response = client_for(cast.clerk).get(reverse("referral-edit", args=[r.pk]))
    assert_refused(response, "不能修改")
    response = client_for(cast.liaison).get(reverse("referral-edit", args=[r.pk]))
    assert_refused(response, "只有移送单位可以进行此操作。")
    assert_not_found(client_for(cast.other_liaison).get(reverse("referral-edit", args=[r.pk])))


def test_a_leader_opening_the_new_referral_page_is_403(cast):
    assert_refused(client_for(cast.leader).get(reverse("referral-create")), "领导账号只能查看,不能办理。")


def test_meeting_pages_of_the_convener_side_are_403_for_an_invitee(cast):
    meeting = _meeting(cast)
    liaison = client_for(cast.liaison)
    assert_refused(liaison.get(reverse("meeting-edit", args=[meeting.pk])), str(meeting_services.MANAGE_REFUSAL))
    assert_refused(liaison.get(reverse("decision-create", args=[meeting.pk])), "只有领导小组办公室或召集单位")
    assert_not_found(client_for(cast.other_liaison).get(reverse("meeting-edit", args=[meeting.pk])))


def test_a_leader_cannot_schedule_and_is_told_why(cast):
    leader = client_for(cast.leader)
    assert_refused(leader.get(reverse("meeting-create")), "领导账号只能查看")
    assert_refused(leader.get(reverse("consultation-create")), "领导账号只能查看")


def test_a_done_decision_cannot_be_edited_and_says_so(cast):
    meeting = _meeting(cast)
    decision = decision_services.decision_add(
        meeting=meeting,
        by=cast.office,
        text="建立联络机制",
        owner_unit=cast.unit,
        due=timezone.localdate(meeting.starts_at) + timedelta(days=30),
    )
    decision_services.decision_complete(decision=decision, by=cast.office, note="已完成")
    response = client_for(cast.office).get(reverse("decision-edit", args=[decision.pk]))
    assert_refused(response, "议定事项已办结,不能修改。")


def test_a_consultation_of_another_unit_is_403_for_a_party_and_404_outside(cast):
    consultation = consultation_services.consultation_log(
        by=cast.liaison,
        held_on=timezone.localdate(),
        topic="环境案件会商",
        topic_kind="major_case",
        units=[cast.unit, cast.court],
    )
    assert_refused(
        client_for(cast.clerk).get(reverse("consultation-edit", args=[consultation.pk])),
        "只有登记单位或办公室可以修改会商记录。",
    )
    assert_not_found(client_for(cast.other_liaison).get(reverse("consultation-edit", args=[consultation.pk])))


def test_the_page_expired_csrf_answer_is_in_chinese(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.office)
    response = client.post(reverse("set_language"), {"language": "en"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
    assert "CSRF verification failed" not in response.content.decode()
