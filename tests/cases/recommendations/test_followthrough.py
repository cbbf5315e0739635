"""Issue 17 as services: 核稿签发, 送达回证, 整改, 回访 and 问题复发 — each rule, and each way to break it.

Dates: issued Monday 3 March 2025, acknowledged Monday 10 March, replied Monday 17 March with a
rectification deadline of Wednesday 30 April 2025.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import translation

from cases.models import JudicialRecommendation, RecommendationPolicy
from cases.recommendations import approval, followup, recurrence, services
from cases.recommendations.selectors import visible_to
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from members.models import Notification, User
from members.roles import Role
from tests.cases.recommendations.support import make_acknowledged, make_draft, make_issued
from tests.factories import UnitFactory, make_user

Status = JudicialRecommendation.Status
TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():  # type: ignore[no-untyped-def]
    """The refusals are matched in Chinese, whatever language an earlier test on this worker left active."""
    with translation.override("zh-hans"):
        yield


ISSUED = datetime(2025, 3, 3, 10, 0, tzinfo=TZ)
ACKNOWLEDGED = datetime(2025, 3, 10, 10, 0, tzinfo=TZ)
REPLIED = datetime(2025, 3, 17, 10, 0, tzinfo=TZ)
RECTIFY_BY = date(2025, 4, 30)


def at(day: str, hour: int = 9, minute: int = 0) -> datetime:
    y, m, d = (int(p) for p in day.split("-"))
    return datetime(y, m, d, hour, minute, tzinfo=TZ)


def told(event: str) -> set[str]:
    return set(Notification.objects.filter(event=event).values_list("recipient__username", flat=True))


def signer_of(court, username: str = "signer") -> User:  # type: ignore[no-untyped-def]
    user = make_user(Role.COURT_CLERK, court, username=username)
    user.groups.add(Group.objects.get(name="recommendation_signer"))
    return User.objects.get(pk=user.pk)  # a fresh object: no stale permission cache


@pytest.fixture
def world(cast):  # type: ignore[no-untyped-def]
    """The cast with approval switched on for its court, a signer, and a supervising authority."""
    RecommendationPolicy.objects.filter(court=cast.court).update(approval_required=True)
    cast.signer = signer_of(cast.court)
    supervisor = UnitFactory(name="测试主管厅")
    cast.unit.supervisor = supervisor
    cast.unit.save()
    cast.supervisor_liaison = make_user(Role.LIAISON, supervisor, username="supervisor_liaison")
    return cast


def adopted(  # type: ignore[no-untyped-def]
    cast, *, due: date = RECTIFY_BY, liaison: User | None = None, **overrides
) -> JudicialRecommendation:
    """Issued, acknowledged and replied 采纳 with a rectification deadline (approval off for brevity)."""
    liaison = liaison or cast.liaison
    RecommendationPolicy.objects.filter(court=cast.court).update(approval_required=False)
    with time_machine.travel(ISSUED, tick=False):
        rec = make_issued(cast, **overrides)
    with time_machine.travel(ACKNOWLEDGED, tick=False):
        services.recommendation_acknowledge(recommendation=rec, by=liaison)
    with time_machine.travel(REPLIED, tick=False):
        services.recommendation_reply(
            recommendation=rec,
            by=liaison,
            outcome="adopted",
            content="采纳",
            measures="修订制度",
            rectification_due=due,
        )
    rec.refresh_from_db()
    return rec


# --- 核稿签发 ----------------------------------------------------------------------------------------


def test_issuing_an_unapproved_draft_is_refused_where_approval_is_on(world):
    rec = make_draft(world)
    assert services.allowed_actions(rec, world.clerk) >= {"edit", "submit"}
    assert "issue" not in services.allowed_actions(rec, world.clerk)
    with pytest.raises(TransitionNotAllowed, match="核稿签发"):
        services.recommendation_issue(recommendation=rec, by=world.clerk)
    rec.refresh_from_db()
    assert rec.status == Status.DRAFT and rec.issued_at is None
    assert not Notification.objects.filter(event="recommendation.issued").exists()


def test_submit_approve_issue(world):
    rec = make_draft(world)
    approval.recommendation_submit(recommendation=rec, by=world.clerk)
    rec.refresh_from_db()
    assert rec.status == Status.SUBMITTED and rec.submitted_by == world.clerk
    assert told("recommendation.submitted") == {"signer"}  # the signers, not the other clerks
    assert services.allowed_actions(rec, world.signer) >= {"approve", "send_back"}
    assert not services.allowed_actions(rec, world.clerk) & {"approve", "send_back", "issue", "edit"}

    approval.recommendation_approve(recommendation=rec, by=world.signer, comment="同意发出。")
    rec.refresh_from_db()
    assert rec.status == Status.APPROVED and rec.approved_by == world.signer and rec.approved_at
    assert told("recommendation.approved") == {"clerk"}
    assert "issue" in services.allowed_actions(rec, world.clerk)
    services.recommendation_issue(recommendation=rec, by=world.clerk)
    rec.refresh_from_db()
    assert rec.status == Status.ISSUED


def test_send_back_needs_a_comment_and_returns_the_draft(world):
    rec = make_draft(world)
    approval.recommendation_submit(recommendation=rec, by=world.clerk)
    with pytest.raises(ValidationError) as caught:
        approval.recommendation_send_back(recommendation=rec, by=world.signer, comment="  ")
    assert "comment" in caught.value.message_dict
    rec.refresh_from_db()
    assert rec.status == Status.SUBMITTED and rec.review_comment == ""
    approval.recommendation_send_back(recommendation=rec, by=world.signer, comment="请补充法律依据。")
    rec.refresh_from_db()
    assert rec.status == Status.DRAFT and rec.review_comment == "请补充法律依据。"
    assert told("recommendation.sent_back") == {"clerk"}
    # Edited and submitted again: a second notice to the signer, not swallowed by the first.
    services.recommendation_update(recommendation=rec, by=world.clerk, changes={"problem": "补充后的问题"})
    with time_machine.travel("2030-01-02 10:00 +0800", tick=False):
        approval.recommendation_submit(recommendation=rec, by=world.clerk)
    assert Notification.objects.filter(event="recommendation.submitted", recipient=world.signer).count() == 2


@pytest.mark.parametrize("who", ["clerk", "other_clerk", "other_signer", "liaison", "submitter"])
def test_only_another_signer_of_the_court_approves(world, who):
    rec = make_draft(world)
    if who == "submitter":
        # A signer who submitted their own draft may not approve it (four eyes).
        make_user(Role.COURT_CLERK, world.court, username="second_signer").groups.add(
            Group.objects.get(name="recommendation_signer")
        )
        approval.recommendation_submit(recommendation=rec, by=world.signer)
        user = world.signer
    else:
        approval.recommendation_submit(recommendation=rec, by=world.clerk)
        user = {
            "clerk": world.clerk,  # a clerk of the court without the signing permission
            "other_clerk": world.other_clerk,
            "other_signer": signer_of(world.other_court, "other_signer"),
            "liaison": world.liaison,
        }[who]
    for act in (
        lambda: approval.recommendation_approve(recommendation=rec, by=user),
        lambda: approval.recommendation_send_back(recommendation=rec, by=user, comment="退回"),
    ):
        with pytest.raises(NotPermitted):
            act()
    rec.refresh_from_db()
    assert rec.status == Status.SUBMITTED and rec.approved_by is None and rec.review_comment == ""
    assert not services.allowed_actions(rec, user) & {"approve", "send_back"}


def test_submit_is_refused_when_incomplete_without_a_signer_or_where_approval_is_off(world):
    incomplete = make_draft(world, number="", case_number="")
    with pytest.raises(ValidationError) as caught:
        approval.recommendation_submit(recommendation=incomplete, by=world.clerk)
    assert set(caught.value.message_dict) == {"number", "case_number"}
    incomplete.refresh_from_db()
    assert incomplete.status == Status.DRAFT

    world.signer.groups.clear()
    rec = make_draft(world)
    with pytest.raises(TransitionNotAllowed, match="签发权限"):
        approval.recommendation_submit(recommendation=rec, by=world.clerk)
    rec.refresh_from_db()
    assert rec.status == Status.DRAFT

    RecommendationPolicy.objects.filter(court=world.court).update(approval_required=False)
    with pytest.raises(TransitionNotAllowed, match="无须核稿"):
        approval.recommendation_submit(recommendation=rec, by=world.clerk)
    assert "submit" not in services.allowed_actions(rec, world.clerk)
    services.recommendation_issue(recommendation=rec, by=world.clerk)  # issued directly


def test_a_court_without_a_policy_follows_the_setting(world, settings):
    RecommendationPolicy.objects.filter(court=world.court).delete()
    assert services.approval_required(world.court.pk) is True  # the default: approval on
    settings.FUYUAN_RECOMMENDATION_APPROVAL_REQUIRED = False
    assert services.approval_required(world.court.pk) is False


def test_an_approved_draft_may_still_be_withdrawn_but_not_edited(world):
    rec = make_draft(world)
    approval.recommendation_submit(recommendation=rec, by=world.clerk)
    approval.recommendation_approve(recommendation=rec, by=world.signer)
    with pytest.raises(TransitionNotAllowed):
        services.recommendation_update(recommendation=rec, by=world.clerk, changes={"title": "改"})
    services.recommendation_withdraw(recommendation=rec, by=world.clerk, reason="情况变化")
    rec.refresh_from_db()
    assert rec.status == Status.WITHDRAWN
    assert not Notification.objects.filter(event="recommendation.withdrawn").exists()  # never left the court


# --- 送达回证 ----------------------------------------------------------------------------------------


@time_machine.travel(ACKNOWLEDGED, tick=False)
def test_acknowledging_records_a_platform_delivery(cast):
    rec = make_acknowledged(cast)
    assert rec.delivery == "platform" and rec.delivered_on == date(2025, 3, 10)
    assert rec.acknowledged_by == cast.liaison


@time_machine.travel(ACKNOWLEDGED, tick=False)
def test_a_paper_delivery_starts_the_clock_from_the_receipts_date(cast):
    with time_machine.travel(ISSUED, tick=False):
        rec = make_issued(cast)
    followup.recommendation_mark_delivered(
        recommendation=rec, by=cast.clerk, delivered_on=date(2025, 3, 5), signer="王收文"
    )
    rec.refresh_from_db()
    assert rec.status == Status.ACKNOWLEDGED and rec.delivery == "paper"
    assert rec.delivered_on == date(2025, 3, 5) and rec.receipt_signer == "王收文"
    assert rec.delivery_recorded_by == cast.clerk and rec.acknowledged_by is None
    assert rec.reply_due == date(2025, 5, 5)  # two months from the date on the receipt, not from today
    assert told("recommendation.delivered") == {"liaison"}


@time_machine.travel(ACKNOWLEDGED, tick=False)
@pytest.mark.parametrize(
    ("delivered_on", "field"),
    [(date(2025, 3, 11), "delivered_on"), (date(2025, 3, 2), "delivered_on"), (None, "delivered_on")],
    ids=["future", "before-issue", "missing"],
)
def test_marking_delivered_refuses_a_bad_date(cast, delivered_on, field):
    with time_machine.travel(ISSUED, tick=False):
        rec = make_issued(cast)
    with pytest.raises(ValidationError) as caught:
        followup.recommendation_mark_delivered(recommendation=rec, by=cast.clerk, delivered_on=delivered_on)
    assert field in caught.value.message_dict
    rec.refresh_from_db()
    assert rec.status == Status.ISSUED and rec.delivered_on is None and rec.reply_due is None


@time_machine.travel(ACKNOWLEDGED, tick=False)
def test_only_the_issuing_courts_clerk_marks_delivered_and_only_once(cast):
    with time_machine.travel(ISSUED, tick=False):
        rec = make_issued(cast)
    for user in (cast.liaison, cast.other_clerk):
        with pytest.raises(NotPermitted):
            followup.recommendation_mark_delivered(recommendation=rec, by=user, delivered_on=date(2025, 3, 5))
    rec.refresh_from_db()
    assert rec.status == Status.ISSUED
    services.recommendation_acknowledge(recommendation=rec, by=cast.liaison)
    with pytest.raises(TransitionNotAllowed):
        followup.recommendation_mark_delivered(recommendation=rec, by=cast.clerk, delivered_on=date(2025, 3, 5))
    rec.refresh_from_db()
    assert rec.delivery == "platform"


# --- 整改 ---------------------------------------------------------------------------------------------


@time_machine.travel(REPLIED, tick=False)
@pytest.mark.parametrize(
    ("extra", "fields"),
    [
        ({}, {"measures", "rectification_due"}),
        ({"measures": "修订制度"}, {"rectification_due"}),
        ({"measures": "修订制度", "rectification_due": date(2025, 3, 16)}, {"rectification_due"}),
    ],
    ids=["nothing", "no-deadline", "deadline-before-the-reply"],
)
def test_an_adopting_reply_needs_measures_and_a_deadline_not_before_the_reply(cast, extra, fields):
    with time_machine.travel(ISSUED, tick=False):
        rec = make_acknowledged(cast)
    with pytest.raises(ValidationError) as caught:
        services.recommendation_reply(
            recommendation=rec, by=cast.liaison, outcome="partly_adopted", content="部分采纳", **extra
        )
    assert set(caught.value.message_dict) == fields
    rec.refresh_from_db()
    assert rec.status == Status.ACKNOWLEDGED and rec.reply_outcome == "" and rec.rectification_due is None


@time_machine.travel(REPLIED, tick=False)
def test_a_reply_that_does_not_adopt_has_no_rectification(cast):
    with time_machine.travel(ISSUED, tick=False):
        rec = make_acknowledged(cast)
    services.recommendation_reply(
        recommendation=rec, by=cast.liaison, outcome="not_adopted", content="不采纳", reason="已有规定",
        rectification_due=RECTIFY_BY,
    )  # fmt: skip
    rec.refresh_from_db()
    assert rec.status == Status.REPLIED and rec.rectification_due is None and rec.next_alert_at is None
    assert services.allowed_actions(rec, cast.clerk) >= {"close"}
    assert not services.allowed_actions(rec, cast.liaison) & {"rectified"}


def test_rectified_only_by_the_addressee_with_a_note(cast):
    rec = adopted(cast)
    with time_machine.travel(at("2025-04-20"), tick=False):
        for user in (cast.other_liaison, cast.clerk):
            with pytest.raises(NotPermitted):
                followup.recommendation_rectified(recommendation=rec, by=user, note="冒名")
        with pytest.raises(ValidationError):
            followup.recommendation_rectified(recommendation=rec, by=cast.liaison, note=" ")
        rec.refresh_from_db()
        assert rec.status == Status.RECTIFYING and rec.rectified_at is None
        followup.recommendation_rectified(recommendation=rec, by=cast.liaison, note="已修订制度并培训。")
        rec.refresh_from_db()
        assert rec.status == Status.RECTIFIED and rec.rectification_note == "已修订制度并培训。"
        assert told("recommendation.rectified") == {"clerk"}
        with pytest.raises(TransitionNotAllowed):
            followup.recommendation_rectified(recommendation=rec, by=cast.liaison, note="再报")


def test_an_adopted_recommendation_is_not_closed_before_the_visit(cast):
    rec = adopted(cast)
    for status in (Status.RECTIFYING, Status.RECTIFIED):
        JudicialRecommendation.objects.filter(pk=rec.pk).update(status=status)
        rec.refresh_from_db()
        assert "close" not in services.allowed_actions(rec, cast.clerk)
        with pytest.raises(TransitionNotAllowed, match="回访"):
            services.recommendation_close(recommendation=rec, by=cast.clerk)
        rec.refresh_from_db()
        assert rec.status == status


# --- 回访 ---------------------------------------------------------------------------------------------


def test_a_visit_before_the_deadline_needs_the_override(cast):
    rec = adopted(cast)
    with time_machine.travel(at("2025-04-30"), tick=False):  # the deadline day itself is not past
        with pytest.raises(ValidationError) as caught:
            followup.recommendation_visit(recommendation=rec, by=cast.clerk, result="rectified")
        assert "early" in caught.value.message_dict
        rec.refresh_from_db()
        assert rec.status == Status.RECTIFYING and rec.visit_result == ""
        followup.recommendation_visit(recommendation=rec, by=cast.clerk, result="rectified", early=True)
    rec.refresh_from_db()
    assert rec.status == Status.VISITED and rec.visit_early and rec.visited_on == date(2025, 4, 30)


@time_machine.travel(at("2025-05-06"), tick=False)
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"result": "maybe"}, "result"),
        ({"result": "partly"}, "note"),
        ({"result": "not_rectified", "note": " "}, "note"),
        ({"result": "rectified", "visited_on": date(2025, 5, 7)}, "visited_on"),
    ],
    ids=["bad-result", "partly-without-note", "not-rectified-without-note", "future-date"],
)
def test_a_visit_refuses_bad_input(cast, kwargs, field):
    with time_machine.travel(ISSUED, tick=False):
        rec = adopted(cast)
    with pytest.raises(ValidationError) as caught:
        followup.recommendation_visit(recommendation=rec, by=cast.clerk, **kwargs)
    assert field in caught.value.message_dict
    rec.refresh_from_db()
    assert rec.status == Status.RECTIFYING and rec.visited_on is None


def test_not_rectified_is_reported_to_the_supervisor_and_the_office(world):
    rec = adopted(world)
    assert not visible_to(world.supervisor_liaison).filter(pk=rec.pk).exists()
    with time_machine.travel(at("2025-05-08"), tick=False):
        for user in (world.liaison, world.other_clerk):
            with pytest.raises(NotPermitted):
                followup.recommendation_visit(recommendation=rec, by=user, result="not_rectified", note="未落实")
        followup.recommendation_visit(recommendation=rec, by=world.clerk, result="not_rectified", note="制度未修订。")
    rec.refresh_from_db()
    assert rec.status == Status.VISITED and rec.visit_reported_at is not None
    assert told("recommendation.not_rectified") == {"supervisor_liaison", "office"}
    assert visible_to(world.supervisor_liaison).filter(pk=rec.pk).exists()  # the notice's link opens
    assert services.allowed_actions(rec, world.clerk) >= {"close"}


def test_a_rectified_visit_tells_no_one(world):
    rec = adopted(world)
    with time_machine.travel(at("2025-05-08"), tick=False):
        followup.recommendation_visit(recommendation=rec, by=world.clerk, result="rectified")
    rec.refresh_from_db()
    assert rec.visit_reported_at is None and rec.supervisor_informed_at is None
    assert not Notification.objects.filter(event="recommendation.not_rectified").exists()


def test_scheduling_a_visit(cast):
    rec = adopted(cast)
    with time_machine.travel(at("2025-04-20"), tick=False):
        with pytest.raises(ValidationError):
            followup.recommendation_schedule_visit(recommendation=rec, by=cast.clerk, planned_on=date(2025, 4, 19))
        with pytest.raises(NotPermitted):
            followup.recommendation_schedule_visit(recommendation=rec, by=cast.liaison, planned_on=date(2025, 5, 6))
        rec.refresh_from_db()
        assert rec.visit_planned_on is None
        followup.recommendation_schedule_visit(recommendation=rec, by=cast.clerk, planned_on=date(2025, 5, 6))
    rec.refresh_from_db()
    assert rec.visit_planned_on == date(2025, 5, 6)


# --- 问题复发 -----------------------------------------------------------------------------------------


def test_a_draft_to_an_agency_that_adopted_the_same_category_within_12_months_is_flagged(world):
    earlier = adopted(world, category="regulation")
    other_category = adopted(world, category="finance")
    not_adopted = make_acknowledged(world, category="regulation")
    with time_machine.travel(REPLIED, tick=False):
        services.recommendation_reply(
            recommendation=not_adopted, by=world.liaison, outcome="not_adopted", content="否", reason="理由"
        )
    other_addressee = adopted(world, category="regulation", addressee=world.other_unit, liaison=world.other_liaison)
    with time_machine.travel(at("2026-03-16"), tick=False):  # within 12 months of 17 March 2025
        RecommendationPolicy.objects.filter(court=world.court).update(approval_required=False)
        draft = make_draft(world, category="regulation")
        assert list(draft.recurrence_of.all()) == [earlier]
        assert other_category not in draft.recurrence_of.all() and other_addressee not in draft.recurrence_of.all()
        services.recommendation_issue(recommendation=draft, by=world.clerk)
    draft.refresh_from_db()
    assert list(draft.recurrence_of.all()) == [earlier]
    assert told("recommendation.recurrence") == {"supervisor_liaison", "office"}
    assert draft.supervisor_informed_at is not None
    assert visible_to(world.supervisor_liaison).filter(pk=draft.pk).exists()
    assert list(earlier.recurrences.all()) == [draft]


def test_outside_the_window_is_no_recurrence_and_the_window_is_a_setting(world, settings):
    adopted(world, category="regulation")
    RecommendationPolicy.objects.filter(court=world.court).update(approval_required=False)
    with time_machine.travel(at("2026-03-18"), tick=False):  # 12 months and a day
        draft = make_draft(world, category="regulation")
        assert not draft.recurrence_of.exists()
        settings.FUYUAN_RECOMMENDATION_RECURRENCE_MONTHS = 24
        assert recurrence.earlier(draft).count() == 1
        settings.FUYUAN_RECOMMENDATION_RECURRENCE_MONTHS = 12
        services.recommendation_issue(recommendation=draft, by=world.clerk)
    assert not Notification.objects.filter(event="recommendation.recurrence").exists()
    draft.refresh_from_db()
    assert draft.supervisor_informed_at is None


def test_changing_the_drafts_addressee_or_category_rechecks(world):
    earlier = adopted(world, category="regulation")
    with time_machine.travel(at("2025-06-01"), tick=False):
        draft = make_draft(world, category="finance")
        assert not draft.recurrence_of.exists()
        services.recommendation_update(recommendation=draft, by=world.clerk, changes={"category": "regulation"})
        assert list(draft.recurrence_of.all()) == [earlier]
        services.recommendation_update(recommendation=draft, by=world.clerk, changes={"addressee": world.other_unit})
        assert not draft.recurrence_of.exists()
