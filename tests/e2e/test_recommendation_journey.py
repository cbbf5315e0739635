"""A court clerk drafts and issues a judicial recommendation; the addressee's liaison finds it on
the home page, acknowledges it and replies; the clerk closes it. Real Chromium, real forms."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cases.models import JudicialRecommendation
from tests.conftest import Cast
from tests.e2e.helpers import sign_in
from tests.e2e.pickers import pick_unit


@pytest.mark.django_db(transaction=True)
def test_recommendation_from_draft_to_closed(live_server, page: Page, cast: Cast, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    sign_in(page, live_server.url, "clerk")
    page.get_by_role("link", name="司法建议").first.click()
    page.get_by_role("link", name="起草司法建议").click()
    page.fill("input[name=number]", "(2025)测中法建字第8号")
    page.fill("input[name=case_number]", "(2025)测01行初8号")
    pick_unit(page, "addressee", cast.unit.short_name, cast.unit.name)
    page.fill("input[name=title]", "关于规范行政处罚程序的司法建议")
    page.fill("textarea[name=problem]", "处罚决定未告知陈述申辩权利。")
    page.fill("textarea[name=recommendation]", "建议规范处罚程序。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_test_id("status")).to_have_text("草稿")
    page.get_by_test_id("action-issue").get_by_role("button", name="发出").click()
    page.locator("[data-confirm-accept]").click()  # the confirmation dialog
    expect(page.get_by_test_id("status")).to_have_text("已发出")

    sign_in(page, live_server.url, "liaison")
    panel = page.get_by_test_id("awaiting-reply")
    panel.get_by_role("link", name="(2025)测中法建字第8号").click()
    page.get_by_test_id("action-acknowledge").get_by_role("button", name="签收").click()
    expect(page.get_by_test_id("status")).to_have_text("已签收")
    expect(page.get_by_test_id("reply-due")).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    reply = page.get_by_test_id("action-reply")
    reply.locator("select[name=reply-outcome]").select_option("not_adopted")
    reply.locator("textarea[name=reply-content]").fill("经研究,暂不采纳。")
    reply.get_by_role("button", name="提交回复").click()
    expect(page.get_by_text("未采纳的,必须说明理由。")).to_be_visible()  # nothing saved
    reply = page.get_by_test_id("action-reply")
    reply.locator("textarea[name=reply-content]").fill("经研究,暂不采纳。")
    reply.locator("textarea[name=reply-reason]").fill("上位法已有明确规定。")
    reply.get_by_role("button", name="提交回复").click()
    expect(page.get_by_test_id("status")).to_have_text("已回复")

    sign_in(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/recommendations/?status=replied")
    page.get_by_role("link", name="(2025)测中法建字第8号").click()
    page.get_by_test_id("action-close").locator("textarea").fill("理由成立。")
    page.get_by_test_id("action-close").get_by_role("button", name="办结").click()
    page.locator("[data-confirm-accept]").click()  # the confirmation dialog
    expect(page.get_by_test_id("status")).to_have_text("已办结")
    expect(page.get_by_test_id("timeline")).to_contain_text("回复")
    rec = JudicialRecommendation.objects.get(number="(2025)测中法建字第8号")
    assert rec.status == "closed" and rec.reply_outcome == "not_adopted"
