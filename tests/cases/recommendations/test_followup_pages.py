"""Pages of the recommendation's follow-through (issue 17): 核稿签发, 送达回证, 整改, 回访, 问题复发.

Each action through its form on the detail page: the happy path, then the ways to break it — the wrong
person (403 with the service's reason, 404 outside the scope), the wrong moment (a message), bad input
(400 with the message on the form) — each time checking that nothing was saved. Then the receipt page's
scope, the list's new filters and export columns, the list's query count, and the home page's to-dos.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import JudicialRecommendation
from cases.recommendations import approval, followup, services
from cases.recommendations.models import RecommendationPolicy
from members.models import User, WorkTask
from members.roles import Role
from tests.cases.recommendations.support import PDF, make_acknowledged, make_draft, make_issued, upload
from tests.conftest import Cast, client_for
from tests.factories import make_user

Status = JudicialRecommendation.Status
pytestmark = pytest.mark.django_db
LIST = "/recommendations/"
NOW = "2025-06-20 10:00 +0800"
TODAY = date(2025, 6, 20)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def signer_of(cast: Cast, username: str = "signer", court: Any = None) -> User:
    user = make_user(Role.COURT_CLERK, court or cast.court, username=username)
    user.groups.add(Group.objects.get(name="recommendation_signer"))
    return user


def approval_on(cast: Cast) -> User:
    """The cast's court asks for approval before issue; returns its signer."""
    RecommendationPolicy.objects.filter(court=cast.court).update(approval_required=True)
    return signer_of(cast)


def act(client: Any, rec: JudicialRecommendation, action: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    fields = {f"{action}-{k}": v for k, v in (data or {}).items()}
    return client.post(reverse("recommendation-action", args=[rec.pk, action]), fields, **kw)


def state(rec: JudicialRecommendation) -> dict[str, Any]:
    """What a refused action must leave as it was."""
    return JudicialRecommendation.objects.filter(pk=rec.pk).values().get()


def detail(client: Any, rec: JudicialRecommendation) -> str:
    response = client.get(reverse("recommendation-detail", args=[rec.pk]))
    assert response.status_code == 200
    return response.content.decode()


def submitted(cast: Cast, **overrides: Any) -> JudicialRecommendation:
    rec = make_draft(cast, **overrides)
    return approval.recommendation_submit(recommendation=rec, by=cast.clerk)


def rectifying(cast: Cast, *, due: date = TODAY + timedelta(days=30), **overrides: Any) -> JudicialRecommendation:
    rec = make_acknowledged(cast, **overrides)
    return services.recommendation_reply(
        recommendation=rec,
        by=cast.liaison,
        outcome="adopted",
        content="已采纳。",
        measures="修订执法程序规定。",
        rectification_due=due,
    )


def assert_refused(response: Any, reason: str) -> None:
    assert response.status_code == 403
    assert reason in response.content.decode()


def assert_message(client: Any, response: Any, text: str) -> None:
    assert response.status_code == 302
    assert text in client.get(response["Location"]).content.decode()


# --- 核稿签发: submit, approve, send back ------------------------------------------------------------


def test_the_clerk_submits_a_draft_and_the_signer_approves_it(cast):
    signer = approval_on(cast)
    rec = make_draft(cast)
    clerk = client_for(cast.clerk)
    page = detail(clerk, rec)
    assert 'data-testid="action-submit"' in page and 'data-testid="action-issue"' not in page
    response = act(clerk, rec, "submit")
    assert_message(clerk, response, "已提交核稿")
    rec.refresh_from_db()
    assert (rec.status, rec.submitted_by) == (Status.SUBMITTED, cast.clerk)
    assert 'data-testid="action-approve"' not in detail(clerk, rec)  # the clerk is no signer
    signing = client_for(signer)
    page = detail(signing, rec)
    assert 'data-testid="action-approve"' in page and 'data-testid="action-send_back"' in page
    assert 'data-confirm="确定签发' in page  # irreversible: asks first
    response = act(signing, rec, "approve", {"comment": "同意发出。"})
    assert_message(signing, response, "已签发")
    rec.refresh_from_db()
    assert (rec.status, rec.approved_by, rec.review_comment) == (Status.APPROVED, signer, "同意发出。")
    page = detail(clerk, rec)
    assert 'data-testid="approval"' in page and signer.display_name in page and "同意发出。" in page
    assert 'data-testid="action-issue"' in page
    response = act(clerk, rec, "issue")
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.status == Status.ISSUED
    liaison_page = detail(client_for(cast.liaison), rec)
    assert 'data-testid="approval"' in liaison_page and "同意发出。" not in liaison_page  # the comment stays in court


def test_submitting_is_refused_for_an_incomplete_draft_the_wrong_moment_and_others(cast):
    issued = make_issued(cast)  # issued before the court asked for approval
    approval_on(cast)
    rec = make_draft(cast, case_number="")
    before = state(rec)
    clerk = client_for(cast.clerk)
    response = act(clerk, rec, "submit")
    assert response.status_code == 400
    assert "提交核稿前请填写案号" in response.content.decode()
    assert state(rec) == before
    assert act(client_for(cast.liaison), rec, "submit").status_code == 404  # a draft is the court's own
    assert act(client_for(cast.other_clerk), rec, "submit").status_code == 404
    assert_refused(act(client_for(cast.office), rec, "submit"), "只有发出法院的工作人员可以办理此操作。")
    assert state(rec) == before
    before = state(issued)
    assert_message(clerk, act(clerk, issued, "submit"), "只有草稿可以提交核稿(当前状态:已发出)。")
    assert state(issued) == before


def test_issuing_an_unapproved_draft_is_refused_where_approval_is_on(cast):
    approval_on(cast)
    rec = make_draft(cast)
    before = state(rec)
    clerk = client_for(cast.clerk)
    assert 'data-testid="action-issue"' not in detail(clerk, rec)
    assert_message(clerk, act(clerk, rec, "issue"), "须经核稿签发后才能发出")
    assert state(rec) == before


def test_approving_is_refused_to_the_submitter_a_plain_clerk_another_court_and_a_draft(cast):
    signer = approval_on(cast)
    signer_of(cast, "signer2")  # a second signer, so that the first may submit a draft of their own
    other_signer = signer_of(cast, "other_signer", cast.other_court)
    rec = make_draft(cast)
    own = approval.recommendation_submit(recommendation=make_draft(cast), by=signer)  # the signer submitted it
    before, own_before = state(rec), state(own)
    # A draft (not submitted): the wrong moment.
    signing = client_for(signer)
    assert_message(signing, act(signing, rec, "approve"), "只有待签发的司法建议可以签发")
    assert state(rec) == before
    rec = approval.recommendation_submit(recommendation=rec, by=cast.clerk)
    before = state(rec)
    assert_refused(act(client_for(cast.clerk), rec, "approve"), "只有本院有签发权限的人员可以核稿签发。")
    assert_refused(act(client_for(signer), own, "approve"), "不能签发本人提交核稿的司法建议")
    assert act(client_for(other_signer), rec, "approve").status_code == 404  # another court's draft
    assert act(client_for(cast.liaison), rec, "approve").status_code == 404
    assert_refused(act(client_for(cast.office), rec, "approve"), "只有本院有签发权限的人员可以核稿签发。")
    assert (state(rec), state(own)) == (before, own_before)


def test_sending_back_needs_a_comment_and_shows_it_to_the_clerk(cast):
    signer = approval_on(cast)
    rec = submitted(cast)
    before = state(rec)
    signing = client_for(signer)
    response = act(signing, rec, "send_back", {"comment": "  "})
    assert response.status_code == 400
    assert "退回时请填写核稿意见。" in response.content.decode()
    assert state(rec) == before
    # The wrong person is refused before the missing comment is looked at.
    assert_refused(act(client_for(cast.clerk), rec, "send_back"), "只有本院有签发权限的人员可以核稿签发。")
    assert state(rec) == before
    response = act(signing, rec, "send_back", {"comment": "建议内容过于笼统,请细化。"})
    assert_message(signing, response, "已退回起草人修改")
    rec.refresh_from_db()
    assert (rec.status, rec.review_comment) == (Status.DRAFT, "建议内容过于笼统,请细化。")
    page = detail(client_for(cast.clerk), rec)
    assert 'data-testid="sent-back"' in page and "建议内容过于笼统,请细化。" in page
    assert 'data-testid="action-submit"' in page  # resubmit after editing
    assert_message(signing, act(signing, rec, "send_back", {"comment": "再退"}), "只有待签发的司法建议可以退回")


# --- 送达: the paper receipt marked by the clerk ----------------------------------------------------------


def test_the_clerk_marks_a_paper_delivery(cast):
    rec = make_issued(cast, issued_on=TODAY - timedelta(days=5))
    clerk = client_for(cast.clerk)
    assert 'data-testid="action-mark_delivered"' in detail(clerk, rec)
    assert 'data-testid="action-mark_delivered"' not in detail(client_for(cast.liaison), rec)
    response = act(clerk, rec, "mark_delivered", {"delivered_on": "2025-06-18", "signer": "王五"})
    assert_message(clerk, response, "已登记纸质送达")
    rec.refresh_from_db()
    assert (rec.status, rec.delivery, rec.delivered_on) == (Status.ACKNOWLEDGED, "paper", date(2025, 6, 18))
    assert (rec.receipt_signer, rec.delivery_recorded_by) == ("王五", cast.clerk)
    assert rec.reply_due == date(2025, 8, 18)  # two months from the paper's date
    page = detail(client_for(cast.liaison), rec)
    assert 'data-testid="delivery"' in page and "纸质送达" in page and "王五" in page
    assert 'data-testid="receipt-link"' in page


def test_marking_delivered_refuses_a_future_date_missing_fields_and_the_wrong_people(cast):
    rec = make_issued(cast, issued_on=TODAY - timedelta(days=5))
    before = state(rec)
    clerk = client_for(cast.clerk)
    response = act(clerk, rec, "mark_delivered", {"delivered_on": "2025-06-21", "signer": "王五"})
    assert response.status_code == 400 and "送达日期不能晚于今天。" in response.content.decode()
    response = act(clerk, rec, "mark_delivered", {"delivered_on": "2025-06-10", "signer": "王五"})
    assert response.status_code == 400 and "送达日期不能早于发出日期" in response.content.decode()
    response = act(clerk, rec, "mark_delivered", {"delivered_on": "", "signer": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "请填写送达回证上的签收日期。" in page and "请填写送达回证上的签收人。" in page
    assert state(rec) == before
    assert_refused(act(client_for(cast.liaison), rec, "mark_delivered"), "只有发出法院的工作人员可以办理此操作。")
    assert act(client_for(cast.other_clerk), rec, "mark_delivered").status_code == 404
    assert state(rec) == before
    services.recommendation_acknowledge(recommendation=rec, by=cast.liaison)
    before = state(rec)
    response = act(clerk, rec, "mark_delivered", {"delivered_on": "2025-06-18", "signer": "王五"})
    assert_message(clerk, response, "只有已发出、未签收的司法建议可以登记送达")
    assert state(rec) == before


# --- The reply's rectification deadline, and the report of rectification -------------------------------


def test_an_adopting_reply_needs_measures_and_a_rectification_deadline(cast):
    rec = make_acknowledged(cast)
    before = state(rec)
    liaison = client_for(cast.liaison)
    page = detail(liaison, rec)
    assert 'name="reply-rectification_due"' in page and 'data-when="adopting"' in page
    response = act(liaison, rec, "reply", {"outcome": "adopted", "content": "采纳。"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "采纳或部分采纳的,请填写整改措施。" in page and "采纳或部分采纳的,请填写整改期限。" in page
    data = {"outcome": "partly_adopted", "content": "部分采纳。", "measures": "整改", "rectification_due": "2025-06-19"}
    response = act(liaison, rec, "reply", data)
    assert response.status_code == 400 and "整改期限不能早于回复之日(2025-06-20)。" in response.content.decode()
    assert state(rec) == before
    response = act(liaison, rec, "reply", {**data, "rectification_due": "2025-09-30"})
    assert response.status_code == 302
    rec.refresh_from_db()
    assert (rec.status, rec.rectification_due) == (Status.RECTIFYING, date(2025, 9, 30))
    page = detail(liaison, rec)
    assert 'data-testid="rectification"' in page and "2025-09-30" in page and 'data-light="green"' in page
    assert 'data-testid="action-rectified"' in page


def test_the_liaison_reports_rectification_with_evidence(cast):
    rec = rectifying(cast)
    liaison = client_for(cast.liaison)
    response = act(
        liaison, rec, "rectified", {"note": "已修订执法程序规定并培训。", "attachments": [upload("整改报告.pdf", PDF)]}
    )
    assert_message(liaison, response, "已报告整改完成")
    rec.refresh_from_db()
    assert (rec.status, rec.rectified_by, rec.rectification_note) == (
        Status.RECTIFIED,
        cast.liaison,
        "已修订执法程序规定并培训。",
    )
    evidence = rec.attachments.get(part="rectification")
    page = detail(client_for(cast.clerk), rec)
    assert "已修订执法程序规定并培训。" in page and evidence.name in page
    assert reverse("attachment-download", args=[evidence.pk]) in page


def test_reporting_rectification_is_refused_without_a_note_to_others_and_at_the_wrong_moment(cast):
    rec = rectifying(cast)
    before = state(rec)
    liaison = client_for(cast.liaison)
    response = act(liaison, rec, "rectified", {"note": "", "attachments": [upload("x.pdf", b"MZ not a pdf")]})
    assert response.status_code == 400 and "请填写整改情况。" in response.content.decode()
    response = act(liaison, rec, "rectified", {"note": "已整改", "attachments": [upload("x.pdf", b"MZ not a pdf")]})
    assert response.status_code == 400 and "类型不允许" in response.content.decode()
    assert_refused(act(client_for(cast.clerk), rec, "rectified", {"note": "x"}), "只有收文单位的联络员可以办理此操作。")
    assert act(client_for(cast.other_liaison), rec, "rectified", {"note": "x"}).status_code == 404
    assert state(rec) == before and rec.attachments.count() == 0
    replied = make_acknowledged(cast)
    services.recommendation_reply(
        recommendation=replied, by=cast.liaison, outcome="not_adopted", content="不采纳", reason="已有规定"
    )
    before = state(replied)
    assert_message(liaison, act(liaison, replied, "rectified", {"note": "x"}), "当前状态(已回复)下不能报告整改完成。")
    assert state(replied) == before


# --- 回访: scheduled, then recorded --------------------------------------------------------------------


def test_the_clerk_schedules_a_visit(cast):
    rec = rectifying(cast)
    clerk = client_for(cast.clerk)
    response = act(clerk, rec, "schedule_visit", {"planned_on": "2025-06-19"})
    assert response.status_code == 400 and "计划回访日期不能早于今天。" in response.content.decode()
    assert_refused(
        act(client_for(cast.liaison), rec, "schedule_visit", {"planned_on": "2025-08-01"}),
        "只有发出法院的工作人员可以办理此操作。",
    )
    assert JudicialRecommendation.objects.get(pk=rec.pk).visit_planned_on is None
    assert_message(clerk, act(clerk, rec, "schedule_visit", {"planned_on": "2025-08-01"}), "已安排回访")
    rec.refresh_from_db()
    assert rec.visit_planned_on == date(2025, 8, 1)
    assert 'data-testid="visit"' in detail(clerk, rec)


def test_a_visit_before_the_deadline_needs_the_early_box(cast):
    rec = rectifying(cast, due=TODAY + timedelta(days=10))
    before = state(rec)
    clerk = client_for(cast.clerk)
    page = detail(clerk, rec)
    assert 'data-testid="action-visit"' in page and 'data-confirm="确定登记回访结果' in page
    response = act(clerk, rec, "visit", {"result": "rectified", "note": ""})
    assert response.status_code == 400
    assert "整改期限(2025-06-30)尚未届满;确需提前回访的,请勾选“整改期限届满前回访”。" in response.content.decode()
    assert state(rec) == before
    response = act(clerk, rec, "visit", {"result": "rectified", "early": "on"})
    assert_message(clerk, response, "已登记回访结果")
    rec.refresh_from_db()
    assert (rec.status, rec.visit_result, rec.visit_early, rec.visited_on) == (Status.VISITED, "rectified", True, TODAY)
    assert "整改期限届满前回访" in detail(clerk, rec)


def test_a_visit_after_the_deadline_and_its_refusals(cast):
    rec = rectifying(cast, due=TODAY + timedelta(days=10))
    with time_machine.travel("2025-07-05 10:00 +0800", tick=False):
        before = state(rec)
        clerk = client_for(cast.clerk)
        response = act(clerk, rec, "visit", {"result": "not_rectified", "note": ""})
        assert response.status_code == 400 and "部分整改或未整改的,请写明回访发现的情况。" in response.content.decode()
        response = act(clerk, rec, "visit", {"result": "rectified", "visited_on": "2025-07-06"})
        assert response.status_code == 400 and "回访日期不能晚于今天。" in response.content.decode()
        response = act(clerk, rec, "visit", {"result": "maybe"})
        assert response.status_code == 400
        assert_refused(act(client_for(cast.liaison), rec, "visit", {"result": "rectified"}), "只有发出法院的工作人员")
        assert act(client_for(cast.other_clerk), rec, "visit", {"result": "rectified"}).status_code == 404
        assert state(rec) == before
        response = act(
            clerk, rec, "visit", {"result": "not_rectified", "note": "仍未修订规定。", "visited_on": "2025-07-03"}
        )
        assert response.status_code == 302
        rec.refresh_from_db()
        assert (rec.status, rec.visit_result, rec.visit_early) == (Status.VISITED, "not_rectified", False)
        assert rec.visit_reported_at is not None
        page = detail(clerk, rec)
        assert 'data-testid="visit-result"' in page and "仍未修订规定。" in page and "通报主管部门" in page
        before = state(rec)
        assert_message(clerk, act(clerk, rec, "visit", {"result": "rectified"}), "当前状态(已回访)下不能登记回访。")
        assert state(rec) == before
        assert 'data-testid="action-close"' in page
        assert act(clerk, rec, "close", {"assessment": "已通报。"}).status_code == 302
        rec.refresh_from_db()
        assert rec.status == Status.CLOSED


def test_an_adopted_recommendation_is_not_closed_before_the_visit(cast):
    rec = rectifying(cast)
    before = state(rec)
    clerk = client_for(cast.clerk)
    assert 'data-testid="action-close"' not in detail(clerk, rec)
    assert_message(clerk, act(clerk, rec, "close"), "采纳的司法建议须回访核实整改情况后才能办结。")
    assert state(rec) == before


def test_the_rectification_light_turns_red_with_an_overdue_badge(cast):
    rec = rectifying(cast, due=TODAY + timedelta(days=10))
    assert 'data-testid="rectification-overdue"' not in detail(client_for(cast.clerk), rec)
    with time_machine.travel("2025-07-03 10:00 +0800", tick=False):
        page = detail(client_for(cast.clerk), rec)
        assert 'data-testid="rectification-overdue"' in page and "整改逾期 3 天" in page
        assert 'data-light="red"' in page.split('data-testid="rectification-due"', 1)[1][:200]


# --- 问题复发 --------------------------------------------------------------------------------------------


def test_the_recurrence_panel_links_only_the_earlier_ones_the_user_may_see(cast):
    own = rectifying(cast, category="law_enforcement")
    theirs = make_acknowledged(cast, by=cast.other_clerk, category="law_enforcement")
    services.recommendation_reply(
        recommendation=theirs,
        by=cast.liaison,
        outcome="partly_adopted",
        content="部分采纳",
        measures="整改",
        rectification_due=TODAY + timedelta(days=20),
    )
    draft = make_draft(cast, category="law_enforcement")
    assert set(draft.recurrence_of.all()) == {own, theirs}
    page = detail(client_for(cast.clerk), draft)
    panel = page.split('data-testid="recurrence"', 1)[1].split("</section>", 1)[0]
    assert own.number in panel and theirs.number not in panel  # another court's record: outside the clerk's scope
    assert "另有 1 件不在您的查看范围内。" in panel and "发出时将通报主管部门" in panel
    services.recommendation_issue(recommendation=draft, by=cast.clerk)
    panel = detail(client_for(cast.liaison), draft).split('data-testid="recurrence"', 1)[1].split("</section>", 1)[0]
    assert own.number in panel and theirs.number in panel and "发出时已通报主管部门" in panel
    assert 'data-testid="recurrence"' not in detail(client_for(cast.clerk), own)


# --- 送达回证 -----------------------------------------------------------------------------------------------


def test_the_receipt_of_a_platform_acknowledgement(cast):
    rec = make_issued(cast)
    url = reverse("recommendation-receipt", args=[rec.pk])
    assert client_for(cast.clerk).get(url).status_code == 404  # not delivered yet
    assert 'data-testid="receipt-link"' not in detail(client_for(cast.clerk), rec)
    services.recommendation_acknowledge(recommendation=rec, by=cast.liaison)
    response = client_for(cast.clerk).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "送达回证" in page and rec.number in page and rec.case_number in page and cast.unit.name in page
    assert "司法建议书" in page and "平台签收" in page and "2025年6月20日" in page
    assert page.split('data-testid="receipt-signer"', 1)[1].startswith(f">{cast.liaison.display_name}<")
    assert "@media print" in page and "size: A4" in page and "fy-noprint" in page
    assert 'data-testid="receipt-link"' in detail(client_for(cast.clerk), rec)
    for user in (cast.liaison, cast.office, cast.leader, cast.admin):
        assert client_for(user).get(url).status_code == 200
    for user in (cast.other_clerk, cast.other_liaison):
        assert client_for(user).get(url).status_code == 404
    assert client_for(cast.clerk).post(url).status_code == 405


def test_the_receipt_of_a_paper_delivery_and_before_delivery(cast):
    rec = make_issued(cast, issued_on=TODAY - timedelta(days=3))
    url = reverse("recommendation-receipt", args=[rec.pk])
    for user in (cast.clerk, cast.liaison, cast.office):
        assert client_for(user).get(url).status_code == 404
    followup.recommendation_mark_delivered(
        recommendation=rec, by=cast.clerk, delivered_on=TODAY - timedelta(days=1), signer="王五"
    )
    page = client_for(cast.clerk).get(url).content.decode()
    assert "纸质送达" in page and "2025年6月19日" in page
    assert page.split('data-testid="receipt-signer"', 1)[1].startswith(">王五<")
    assert client_for(cast.other_clerk).get(url).status_code == 404
    draft = make_draft(cast)
    assert client_for(cast.clerk).get(reverse("recommendation-receipt", args=[draft.pk])).status_code == 404


# --- The list: filters, export, query count -----------------------------------------------------------------


def numbers(response: Any) -> list[str]:
    return [r.number for r in response.context["listing"].object_list]


def test_the_new_statuses_and_filters(cast):
    late = rectifying(cast, due=TODAY + timedelta(days=5))
    on_time = rectifying(cast, due=TODAY + timedelta(days=60))
    signer = approval_on(cast)
    signer_of(cast, "signer2")
    waiting = submitted(cast)
    mine = approval.recommendation_submit(recommendation=make_draft(cast), by=signer)
    with time_machine.travel("2025-07-01 10:00 +0800", tick=False):
        repeat = make_draft(cast)
        assert repeat.recurrence_of.exists()
        office = client_for(cast.office)
        assert set(numbers(office.get(LIST, {"status": "submitted"}))) == {waiting.number, mine.number}
        assert set(numbers(office.get(LIST, {"status": "rectifying"}))) == {late.number, on_time.number}
        assert numbers(office.get(LIST, {"rectification_overdue": "true"})) == [late.number]
        assert late.number not in numbers(office.get(LIST, {"rectification_overdue": "false"}))
        clerk = client_for(cast.clerk)
        # Every record drafted after ``late`` was adopted repeats it (same addressee, same category).
        recurring = {on_time.number, waiting.number, mine.number, repeat.number}
        assert set(numbers(clerk.get(LIST, {"recurrence": "true"}))) == recurring
        assert set(numbers(clerk.get(LIST, {"recurrence": "false"}))) == {late.number}
        html = clerk.get(LIST, {"recurrence": "true"}).content.decode()
        assert 'data-testid="row-recurrence"' in html
        assert 'data-testid="row-rectification-overdue"' in clerk.get(LIST, {"status": "rectifying"}).content.decode()
        signing = client_for(signer)
        assert numbers(signing.get(LIST, {"to_sign": "true"})) == [waiting.number]  # not the one they submitted
        assert 'name="to_sign"' in signing.get(LIST).content.decode()
        assert 'name="to_sign"' not in clerk.get(LIST).content.decode()
        assert numbers(clerk.get(LIST, {"to_sign": "true"})) == []  # no signer: nothing to sign
        status_select = office.get(LIST).content.decode().split('name="status"', 1)[1].split("</select>", 1)[0]
        for label in ("待签发", "已签发", "整改中", "已整改", "已回访"):
            assert label in status_select


def test_the_export_has_the_follow_through_columns(cast):
    rec = rectifying(cast, due=TODAY + timedelta(days=5))
    with time_machine.travel("2025-07-01 10:00 +0800", tick=False):
        followup.recommendation_visit(recommendation=rec, by=cast.clerk, result="partly", note="部分整改")
        make_draft(cast)  # recurs
        sheet = load_workbook(io.BytesIO(client_for(cast.clerk).get(reverse("recommendation-export")).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    for title in (
        "送达方式",
        "送达日期",
        "整改期限",
        "是否整改逾期",
        "整改完成报告时间",
        "回访日期",
        "回访结果",
        "问题复发",
    ):
        assert title in header
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    visited = by_number[rec.number]
    assert visited["整改期限"].date() == date(2025, 6, 25)
    assert (visited["回访结果"], visited["送达方式"], visited["问题复发"]) == ("部分整改", "平台签收", "否")
    assert [r["问题复发"] for n, r in by_number.items() if n != rec.number] == ["是"]


def test_list_queries_do_not_grow_with_the_new_columns(cast, django_assert_max_num_queries):
    client = client_for(cast.office)
    rectifying(cast, tasks=list(WorkTask.objects.all()[:2]))
    client.get(LIST)  # warm the session and the content types
    with django_assert_max_num_queries(11) as few:  # the list's budget before issue 17
        assert client.get(LIST, {"q": "司法建议"}).status_code == 200
    for _ in range(8):
        rectifying(cast, due=TODAY + timedelta(days=1), copy_to=[cast.other_unit])
        make_draft(cast)  # each recurs
    with time_machine.travel("2025-07-01 10:00 +0800", tick=False):
        client = client_for(cast.office)  # a new session: the first one has expired by then
        client.get(LIST)
        with django_assert_max_num_queries(11) as many:
            response = client.get(LIST, {"q": "司法建议"})
    assert response.status_code == 200
    html = response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert 'data-testid="row-recurrence"' in html and 'data-testid="row-rectification-overdue"' in html


# --- The home page's to-dos ---------------------------------------------------------------------------------


def test_the_home_pages_to_dos(cast):
    rec = rectifying(cast, due=TODAY + timedelta(days=5))
    other = rectifying(cast, due=TODAY + timedelta(days=60))
    signer = approval_on(cast)
    signer_of(cast, "signer2")
    waiting = submitted(cast)
    own = approval.recommendation_submit(recommendation=make_draft(cast), by=signer)
    liaison_home = client_for(cast.liaison).get("/").content.decode()
    panel = liaison_home.split('data-testid="rectifying"', 1)[1].split("</section>", 1)[0]
    assert rec.number in panel and other.number in panel
    assert 'data-testid="rectifying"' not in client_for(cast.other_liaison).get("/").content.decode()
    signer_home = client_for(signer).get("/").content.decode()
    to_sign = signer_home.split('data-testid="to-sign"', 1)[1].split("</ul>", 1)[0]
    assert waiting.number in to_sign and own.number not in to_sign
    clerk_home = client_for(cast.clerk).get("/").content.decode()
    assert 'data-testid="court-recommendations"' in clerk_home and 'data-testid="to-sign"' not in clerk_home
    assert rec.number not in clerk_home.split('data-testid="to-visit"', 1)[1].split("</ul>", 1)[0]
    with time_machine.travel("2025-06-30 10:00 +0800", tick=False):
        followup.recommendation_rectified(recommendation=other, by=cast.liaison, note="已整改")
        to_visit = client_for(cast.clerk).get("/").content.decode().split('data-testid="to-visit"', 1)[1]
        to_visit = to_visit.split("</ul>", 1)[0]
        assert rec.number in to_visit and other.number not in to_visit  # other's deadline has not passed
        followup.recommendation_visit(recommendation=rec, by=cast.clerk, result="rectified")
        to_visit = client_for(cast.clerk).get("/").content.decode().split('data-testid="to-visit"', 1)[1]
        assert rec.number not in to_visit.split("</ul>", 1)[0]
    assert 'data-testid="court-recommendations"' not in client_for(cast.office).get("/").content.decode()


def test_the_detail_page_queries_do_not_grow_with_the_follow_through(cast, django_assert_max_num_queries):
    rec = rectifying(cast, due=TODAY + timedelta(days=5), attachments=[upload("建议书.pdf", PDF)])
    client = client_for(cast.clerk)
    url = reverse("recommendation-detail", args=[rec.pk])
    client.get(url)
    with django_assert_max_num_queries(22) as few:
        client.get(url)
    for _ in range(3):
        make_draft(cast)
    followup.recommendation_rectified(
        recommendation=rec, by=cast.liaison, note="已整改", attachments=[upload("a.pdf", PDF), upload("b.pdf", PDF)]
    )
    followup.recommendation_schedule_visit(recommendation=rec, by=cast.clerk, planned_on=TODAY + timedelta(days=9))
    with django_assert_max_num_queries(22) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
