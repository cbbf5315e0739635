"""The REST API of issue 17: a recommendation followed through (核稿签发, 送达回证, 整改, 回访, 问题复发).

The whole path through the API, then each refusal: its status code, its reason (in Chinese, by field
for bad input) and the record left as it was.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from cases.models import JudicialRecommendation
from cases.recommendations import approval, services
from cases.recommendations.models import RecommendationPolicy
from members.models import User
from members.roles import Role
from tests.cases.recommendations.support import make_acknowledged, make_draft, make_issued
from tests.factories import make_user

pytestmark = pytest.mark.django_db
BASE = "/api/v1/recommendations/"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
FOLLOW_THROUGH_FIELDS = (
    "submitted_by_name", "submitted_at", "approved_by_name", "approved_at", "review_comment", "delivery",
    "delivered_on", "receipt_signer", "rectification_due", "rectified_at", "rectification_note",
    "rectification_overdue", "visit", "recurrence_of",
)  # fmt: skip


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def signer_of(court: Any, username: str) -> User:
    """A clerk of ``court`` whom the administrator made a signer (the group ``recommendation_signer``)."""
    user = make_user(Role.COURT_CLERK, court, username=username)
    user.groups.add(Group.objects.get(name="recommendation_signer"))
    return User.objects.get(pk=user.pk)  # no cached permissions


def approval_on(court: Any) -> None:
    RecommendationPolicy.objects.filter(court=court).update(approval_required=True)


def in_chinese(response: Any, field: str) -> str:
    messages = response.json()[field]
    assert messages and all(CHINESE.search(m) for m in messages), messages
    return " ".join(messages)


def make_submitted(cast: Any, *, by: User | None = None) -> JudicialRecommendation:
    rec = make_draft(cast, by=by or cast.clerk)
    return approval.recommendation_submit(recommendation=rec, by=by or cast.clerk)


def make_rectifying(cast: Any, *, due: date, **overrides: Any) -> JudicialRecommendation:
    rec = make_acknowledged(cast, **overrides)
    return services.recommendation_reply(
        recommendation=rec,
        by=cast.liaison,
        outcome="adopted",
        content="已采纳",
        measures="开展执法培训",
        rectification_due=due,
    )


def test_the_whole_path_through_the_api(cast):
    approval_on(cast.court)
    signer = signer_of(cast.court, "signer")
    clerk, liaison, chief = api(cast.clerk), api(cast.liaison), api(signer)
    with time_machine.travel("2025-03-10 10:00 +0800", tick=False) as traveller:
        pk = make_draft(cast).pk
        body = clerk.get(f"{BASE}{pk}/").json()
        for field in FOLLOW_THROUGH_FIELDS:
            assert field in body, field
        assert body["visit"] is None and body["recurrence_of"] == [] and body["rectification_overdue"] is False
        assert body["delivery"] is None and body["delivered_on"] is None and body["approved_by_name"] is None
        # 提交核稿 → 退回修改 → 提交 → 签发.
        submitted = clerk.post(f"{BASE}{pk}/submit/").json()
        assert submitted["status"] == "submitted" and submitted["submitted_by_name"] == cast.clerk.display_name
        assert submitted["submitted_at"] == "2025-03-10T10:00:00+08:00"
        sent_back = chief.post(f"{BASE}{pk}/send-back/", {"comment": "请补充案号"}, format="json").json()
        assert sent_back["status"] == "draft" and sent_back["review_comment"] == "请补充案号"
        assert clerk.post(f"{BASE}{pk}/submit/").json()["status"] == "submitted"
        approved = chief.post(f"{BASE}{pk}/approve/", {"comment": "同意发出"}, format="json").json()
        assert approved["status"] == "approved" and approved["approved_by_name"] == signer.display_name
        assert approved["approved_at"] == "2025-03-10T10:00:00+08:00" and approved["review_comment"] == "同意发出"
        # 发出, 签收 (the platform's receipt), 回复 adopting with a rectification deadline.
        assert clerk.post(f"{BASE}{pk}/issue/", {}, format="json").json()["status"] == "issued"
        acknowledged = liaison.post(f"{BASE}{pk}/acknowledge/").json()
        assert acknowledged["status"] == "acknowledged"
        assert acknowledged["delivery"] == "platform" and acknowledged["delivered_on"] == "2025-03-10"
        replied = liaison.post(
            f"{BASE}{pk}/reply/",
            {"outcome": "adopted", "content": "已采纳", "measures": "开展执法培训", "rectification_due": "2025-04-10"},
            format="json",
        ).json()
        assert replied["status"] == "rectifying" and replied["rectification_due"] == "2025-04-10"
        assert replied["reply"]["outcome"] == "adopted" and "rectification_due" not in replied["reply"]
        assert replied["rectification_overdue"] is False
        # 安排回访.
        planned = clerk.post(f"{BASE}{pk}/schedule-visit/", {"planned_on": "2025-04-15"}, format="json").json()
        assert planned["visit"] == {"planned_on": "2025-04-15", "at": None, "result": None, "note": "", "early": False}
        # The deadline passes unreported: overdue.
        traveller.move_to("2025-04-12 09:00 +0800")
        assert clerk.get(f"{BASE}{pk}/").json()["rectification_overdue"] is True
        rectified = liaison.post(f"{BASE}{pk}/rectified/", {"note": "已完成培训 3 场"}, format="json").json()
        assert rectified["status"] == "rectified" and rectified["rectification_note"] == "已完成培训 3 场"
        assert rectified["rectified_at"] == "2025-04-12T09:00:00+08:00"
        assert rectified["rectification_overdue"] is False
        # 回访 after the deadline: no override needed.
        traveller.move_to("2025-04-15 15:00 +0800")
        visited = clerk.post(f"{BASE}{pk}/visit/", {"result": "rectified", "note": "整改到位"}, format="json").json()
        assert visited["status"] == "visited"
        assert visited["visit"] == {
            "planned_on": "2025-04-15",
            "at": "2025-04-15",
            "result": "rectified",
            "note": "整改到位",
            "early": False,
        }
        assert clerk.post(f"{BASE}{pk}/close/", {"assessment": "整改到位"}, format="json").json()["status"] == "closed"


@time_machine.travel("2025-03-10 10:00 +0800", tick=False)
def test_mark_delivered_on_paper_starts_the_clock_from_the_receipt(cast):
    rec = make_issued(cast, issued_on=date(2025, 3, 1))
    response = api(cast.clerk).post(
        f"{BASE}{rec.pk}/mark-delivered/", {"delivered_on": "2025-03-05", "signer": "张三"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "acknowledged" and body["delivery"] == "paper"
    assert body["delivered_on"] == "2025-03-05" and body["receipt_signer"] == "张三"
    assert body["reply_due"] == "2025-05-05"  # the cast's court: two months from the receipt's date


# --- Refusals: each with the record left as it was ------------------------------------------------------


@time_machine.travel("2025-03-10 10:00 +0800", tick=False)
def test_issuing_an_unapproved_draft_where_approval_is_on_is_409(cast):
    approval_on(cast.court)
    signer_of(cast.court, "signer")
    clerk = api(cast.clerk)
    draft = make_draft(cast)
    response = clerk.post(f"{BASE}{draft.pk}/issue/", {}, format="json")
    assert response.status_code == 409 and "核稿" in response.json()["detail"]
    submitted = make_submitted(cast)
    assert clerk.post(f"{BASE}{submitted.pk}/issue/", {}, format="json").status_code == 409
    for rec, status in ((draft, "draft"), (submitted, "submitted")):
        rec.refresh_from_db()
        assert rec.status == status and rec.issued_at is None and rec.issued_on is None


@time_machine.travel("2025-03-10 10:00 +0800", tick=False)
def test_an_approver_of_another_court_gets_404(cast):
    approval_on(cast.court)
    signer_of(cast.court, "signer")
    stranger = signer_of(cast.other_court, "other_signer")
    rec = make_submitted(cast)
    assert api(stranger).post(f"{BASE}{rec.pk}/approve/", {}, format="json").status_code == 404
    assert api(stranger).post(f"{BASE}{rec.pk}/send-back/", {"comment": "不同意"}, format="json").status_code == 404
    rec.refresh_from_db()
    assert rec.status == "submitted" and rec.approved_by_id is None and rec.review_comment == ""


@time_machine.travel("2025-03-10 10:00 +0800", tick=False)
def test_the_submitter_may_not_approve_their_own_draft_403(cast):
    approval_on(cast.court)
    drafter = signer_of(cast.court, "signer")
    signer_of(cast.court, "second_signer")  # someone else to submit to
    rec = make_submitted(cast, by=drafter)
    response = api(drafter).post(f"{BASE}{rec.pk}/approve/", {}, format="json")
    assert response.status_code == 403 and "本人" in response.json()["detail"]
    # A clerk of the court without the signing permission: 403 too.
    assert api(cast.clerk).post(f"{BASE}{rec.pk}/approve/", {}, format="json").status_code == 403
    rec.refresh_from_db()
    assert rec.status == "submitted" and rec.approved_by_id is None and rec.approved_at is None


@time_machine.travel("2025-03-10 10:00 +0800", tick=False)
def test_send_back_without_a_comment_is_400(cast):
    approval_on(cast.court)
    chief = api(signer_of(cast.court, "signer"))
    rec = make_submitted(cast)
    for body in ({}, {"comment": "   "}):
        response = chief.post(f"{BASE}{rec.pk}/send-back/", body, format="json")
        assert response.status_code == 400
        in_chinese(response, "comment")
    rec.refresh_from_db()
    assert rec.status == "submitted" and rec.review_comment == ""


@time_machine.travel("2025-03-10 10:00 +0800", tick=False)
def test_an_adopting_reply_needs_a_rectification_deadline_not_before_the_reply_400(cast):
    rec = make_acknowledged(cast)
    liaison = api(cast.liaison)
    reply = {"outcome": "partly_adopted", "content": "部分采纳", "measures": "整改"}
    response = liaison.post(f"{BASE}{rec.pk}/reply/", reply, format="json")
    assert response.status_code == 400
    in_chinese(response, "rectification_due")
    response = liaison.post(f"{BASE}{rec.pk}/reply/", {**reply, "rectification_due": "2025-03-09"}, format="json")
    assert response.status_code == 400
    assert "2025-03-10" in in_chinese(response, "rectification_due")
    rec.refresh_from_db()
    assert rec.status == "acknowledged" and rec.replied_at is None and rec.rectification_due is None


@time_machine.travel("2025-03-10 10:00 +0800", tick=False)
def test_a_visit_before_the_rectification_deadline_needs_early(cast):
    rec = make_rectifying(cast, due=date(2025, 4, 10))
    clerk = api(cast.clerk)
    visit = {"result": "partly", "note": "培训尚未完成"}
    response = clerk.post(f"{BASE}{rec.pk}/visit/", visit, format="json")
    assert response.status_code == 400
    assert "2025-04-10" in in_chinese(response, "early")
    rec.refresh_from_db()
    assert rec.status == "rectifying" and rec.visited_on is None and rec.visit_result == ""
    response = clerk.post(f"{BASE}{rec.pk}/visit/", {**visit, "early": True}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "visited"
    assert body["visit"]["early"] is True and body["visit"]["at"] == "2025-03-10"
    assert body["visit"]["result"] == "partly"


@time_machine.travel("2025-03-10 10:00 +0800", tick=False)
def test_mark_delivered_with_a_future_date_is_400(cast):
    rec = make_issued(cast)
    clerk = api(cast.clerk)
    response = clerk.post(f"{BASE}{rec.pk}/mark-delivered/", {"delivered_on": "2025-03-11"}, format="json")
    assert response.status_code == 400
    in_chinese(response, "delivered_on")
    assert clerk.post(f"{BASE}{rec.pk}/mark-delivered/", {}, format="json").status_code == 400
    # The addressee acknowledges on the platform; the court may not mark it delivered: 403.
    assert api(cast.liaison).post(f"{BASE}{rec.pk}/mark-delivered/", {"delivered_on": "2025-03-10"}).status_code == 403
    rec.refresh_from_db()
    assert rec.status == "issued" and rec.delivered_on is None and rec.delivery == "" and rec.reply_due is None


@time_machine.travel("2025-03-10 10:00 +0800", tick=False)
def test_a_liaison_of_another_unit_reporting_rectified_gets_404(cast):
    rec = make_rectifying(cast, due=date(2025, 4, 10))
    response = api(cast.other_liaison).post(f"{BASE}{rec.pk}/rectified/", {"note": "已整改"}, format="json")
    assert response.status_code == 404
    # The issuing court may not report it either (403), and the addressee must say what it did (400).
    assert api(cast.clerk).post(f"{BASE}{rec.pk}/rectified/", {"note": "已整改"}, format="json").status_code == 403
    response = api(cast.liaison).post(f"{BASE}{rec.pk}/rectified/", {"note": ""}, format="json")
    assert response.status_code == 400
    in_chinese(response, "note")
    rec.refresh_from_db()
    assert rec.status == "rectifying" and rec.rectified_at is None and rec.rectification_note == ""


@time_machine.travel("2025-03-10 10:00 +0800", tick=False)
def test_follow_up_actions_out_of_turn_are_409(cast):
    rec = make_issued(cast)
    clerk = api(cast.clerk)
    assert clerk.post(f"{BASE}{rec.pk}/submit/").status_code == 409  # issued, not a draft
    assert clerk.post(f"{BASE}{rec.pk}/schedule-visit/", {"planned_on": "2025-04-01"}, format="json").status_code == 409
    assert clerk.post(f"{BASE}{rec.pk}/visit/", {"result": "rectified"}, format="json").status_code == 409
    response = api(cast.liaison).post(f"{BASE}{rec.pk}/rectified/", {"note": "已整改"}, format="json")
    assert response.status_code == 409 and CHINESE.search(response.json()["detail"])
    rec.refresh_from_db()
    assert rec.status == "issued" and rec.visit_planned_on is None and rec.rectified_at is None


# --- The list: the new fields cost no query per row -------------------------------------------------------


@time_machine.travel("2025-03-10 10:00 +0800", tick=False)
def test_list_with_the_follow_through_fields_is_not_n_plus_1(cast, django_assert_max_num_queries):
    earlier = make_rectifying(cast, due=date(2025, 4, 10), category="law_enforcement")
    signer = signer_of(cast.court, "signer")
    client = api(cast.office)

    def add_recurrences(n: int) -> None:
        for _ in range(n):
            rec = make_issued(cast, category="law_enforcement", copy_to=[cast.other_unit])
            JudicialRecommendation.objects.filter(pk=rec.pk).update(
                submitted_by=cast.clerk, approved_by=signer, visit_planned_on=date(2025, 4, 20)
            )

    add_recurrences(1)
    client.get(BASE)  # the user's roles are read once and kept on the user
    with django_assert_max_num_queries(7) as few:
        response = client.get(BASE)
    assert response.status_code == 200 and response.json()["count"] == 2
    add_recurrences(19)
    with django_assert_max_num_queries(7) as many:
        response = client.get(BASE, {"page_size": 50})
    assert len(many.captured_queries) == len(few.captured_queries)
    rows = response.json()["results"]
    assert len(rows) == 21
    recurring = [row for row in rows if row["id"] != earlier.pk]
    assert all(row["recurrence_of"] == [earlier.pk] for row in recurring)
    assert all(row["approved_by_name"] == signer.display_name for row in recurring)
    assert all(row["visit"]["planned_on"] == "2025-04-20" for row in recurring)
