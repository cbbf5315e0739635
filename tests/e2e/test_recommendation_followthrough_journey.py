"""A judicial recommendation followed through in real Chromium (issue 17): the clerk drafts and submits it for
approval (核稿), the court's signer approves it (签发), the clerk issues it; the agency's liaison acknowledges it
(and the court's 送达回证 shows who signed for it), replies 采纳 with a rectification deadline and reports the
rectification done with evidence; after the deadline the clerk records the follow-up visit (回访): 已整改.

Time: the first part runs on a Tuesday in March (``time_machine``, ticking, so the live server's clock moves
with it); the visit runs five weeks later, past the rectification deadline, as a clerk's later day would.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from cases.models import JudicialRecommendation
from cases.recommendations.models import RecommendationPolicy
from members.roles import Role
from tests.conftest import Cast
from tests.e2e.helpers import click_and_confirm, sign_in
from tests.e2e.pickers import pick_unit
from tests.factories import make_user

SH = ZoneInfo("Asia/Shanghai")
TUESDAY = datetime(2026, 3, 10, 9, 30, tzinfo=SH)
FIVE_WEEKS_LATER = datetime(2026, 4, 14, 10, 0, tzinfo=SH)
NUMBER = "(2026)测中法建字第17号"


def open_record(page: Page, base: str) -> None:
    page.goto(f"{base}/recommendations/?q={NUMBER}")
    page.get_by_role("link", name=NUMBER).click()


@pytest.mark.django_db(transaction=True)
def test_recommendation_from_draft_through_approval_rectification_and_visit(
    live_server: Any, page: Page, cast: Cast, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    evidence = tmp_path / "整改报告.pdf"
    evidence.write_bytes(b"%PDF-1.7\n% the rectification report\n%%EOF\n")
    RecommendationPolicy.objects.filter(court=cast.court).update(approval_required=True)
    signer = make_user(Role.COURT_CLERK, cast.court, username="signer")
    signer.groups.add(Group.objects.get(name="recommendation_signer"))
    base = live_server.url

    with time_machine.travel(TUESDAY, tick=True):
        sign_in(page, base, "clerk")
        page.get_by_role("link", name="司法建议").first.click()
        page.get_by_role("link", name="起草司法建议").click()
        page.fill("input[name=number]", NUMBER)
        page.fill("input[name=case_number]", "(2026)测01行初17号")
        pick_unit(page, "addressee", cast.unit.short_name, cast.unit.name)
        page.fill("input[name=title]", "关于规范行政许可听证程序的司法建议")
        page.fill("textarea[name=problem]", "许可决定作出前未告知听证权利。")
        page.fill("textarea[name=recommendation]", "建议完善听证告知程序。")
        page.get_by_role("button", name="保存草稿").click()
        expect(page.get_by_test_id("status")).to_have_text("草稿")
        expect(page.get_by_test_id("action-issue")).to_have_count(0)  # this court's drafts need approval first
        page.get_by_test_id("action-submit").get_by_role("button", name="提交核稿").click()
        expect(page.get_by_test_id("status")).to_have_text("待签发")

        # The signer finds it on the home page and approves it (an irreversible step: the dialog asks first).
        sign_in(page, base, "signer")
        page.get_by_test_id("to-sign").get_by_role("link", name=NUMBER).click()
        approve = page.get_by_test_id("action-approve")
        approve.locator("textarea[name=approve-comment]").fill("同意发出。")
        click_and_confirm(page, approve.get_by_role("button", name="签发"))
        expect(page.get_by_test_id("status")).to_have_text("已签发")
        expect(page.get_by_test_id("approved")).to_contain_text(signer.display_name)

        sign_in(page, base, "clerk")
        open_record(page, base)
        click_and_confirm(page, page.get_by_test_id("action-issue").get_by_role("button", name="发出"))
        expect(page.get_by_test_id("status")).to_have_text("已发出")

        # The liaison acknowledges; the 送达回证 names them.
        sign_in(page, base, "liaison")
        page.get_by_test_id("awaiting-reply").get_by_role("link", name=NUMBER).click()
        page.get_by_test_id("action-acknowledge").get_by_role("button", name="签收").click()
        expect(page.get_by_test_id("status")).to_have_text("已签收")
        page.get_by_test_id("receipt-link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("送达回证")
        expect(page.get_by_test_id("receipt-signer")).to_have_text(cast.liaison.display_name)
        expect(page.get_by_test_id("receipt-date")).to_contain_text("2026年3月10日")
        page.get_by_role("link", name="返回司法建议").click()

        # The reply: the rectification fields belong to an adopting reply, the reason to one that does not.
        reply = page.get_by_test_id("action-reply")
        outcome = reply.locator("select[name=reply-outcome]")
        outcome.select_option("not_adopted")
        expect(reply.locator("input[name=reply-rectification_due]")).to_be_hidden()
        expect(reply.locator("textarea[name=reply-reason]")).to_be_visible()
        outcome.select_option("adopted")
        expect(reply.locator("textarea[name=reply-reason]")).to_be_hidden()
        reply.locator("textarea[name=reply-content]").fill("经研究,全部采纳。")
        reply.get_by_role("button", name="提交回复").click()
        expect(page.get_by_text("采纳或部分采纳的,请填写整改期限。")).to_be_visible()  # nothing saved
        reply = page.get_by_test_id("action-reply")
        reply.locator("select[name=reply-outcome]").select_option("adopted")
        reply.locator("textarea[name=reply-content]").fill("经研究,全部采纳。")
        reply.locator("textarea[name=reply-measures]").fill("修订听证告知文书,开展专项培训。")
        reply.locator("input[name=reply-rectification_due]").fill("2026-04-09")
        reply.get_by_role("button", name="提交回复").click()
        expect(page.get_by_test_id("status")).to_have_text("整改中")
        expect(page.get_by_test_id("rectification-due")).to_contain_text("2026-04-09")

        # Rectification done, with evidence: found again from the home page's 整改 list.
        page.goto(f"{base}/")
        page.get_by_test_id("rectifying").get_by_role("link", name=NUMBER).click()
        rectified = page.get_by_test_id("action-rectified")
        rectified.locator("textarea[name=rectified-note]").fill("已修订告知文书,培训执法人员 120 人次。")
        rectified.locator("input[name=rectified-attachments]").set_input_files(str(evidence))
        rectified.get_by_role("button", name="报告整改完成").click()
        expect(page.get_by_test_id("status")).to_have_text("已整改")
        expect(page.get_by_test_id("rectification-report")).to_contain_text("培训执法人员 120 人次")
        expect(page.get_by_role("link", name="整改报告.pdf")).to_be_visible()

    # Past the rectification deadline: the clerk's home page lists it for a visit.
    with time_machine.travel(FIVE_WEEKS_LATER, tick=True):
        sign_in(page, base, "clerk")
        page.get_by_test_id("to-visit").get_by_role("link", name=NUMBER).click()
        visit = page.get_by_test_id("action-visit")
        visit.locator("select[name=visit-result]").select_option("rectified")
        visit.locator("textarea[name=visit-note]").fill("实地回访,听证告知程序已规范。")
        click_and_confirm(page, visit.get_by_role("button", name="登记回访"))
        expect(page.get_by_test_id("status")).to_have_text("已回访")
        expect(page.get_by_test_id("visit-result")).to_have_text("已整改")

    rec = JudicialRecommendation.objects.get(number=NUMBER)
    assert (rec.status, rec.approved_by, rec.issued_by) == ("visited", signer, cast.clerk)
    assert (rec.delivery, rec.acknowledged_by, str(rec.rectification_due)) == ("platform", cast.liaison, "2026-04-09")
    assert (rec.visit_result, rec.visit_early, str(rec.visited_on)) == ("rectified", False, "2026-04-14")
    assert rec.attachments.filter(part="rectification").count() == 1
