"""A court clerk records a hearing and sends the 出庭通知; the agency's liaison finds it on the home page and
answers who will appear; after the hearing the clerk records who did; the office sees the appearance rate on the
statistics page. Real Chromium, real forms.

Time: the hearing is set for tomorrow (a notice for a past hearing is refused), and the live server's clock is the
real one, so before the record step the test moves ``hearing_at`` an hour into the past through the ORM — the one
thing a browser cannot do — as if the day of the hearing had come.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.hearings.models import Hearing
from tests.conftest import Cast
from tests.e2e.helpers import sign_in
from tests.e2e.pickers import pick_unit


@pytest.mark.django_db(transaction=True)
def test_hearing_from_notice_to_recorded_appearance(live_server, page: Page, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    tomorrow = timezone.localtime() + timedelta(days=1)
    sign_in(page, live_server.url, "clerk")
    page.get_by_role("link", name="出庭应诉").first.click()
    page.get_by_role("link", name="登记开庭").click()
    page.fill("input[name=case_number]", "(2026)测01行初8号")
    pick_unit(page, "defendant", cast.unit.short_name, cast.unit.name)
    page.fill("input[name=hearing_at]", tomorrow.strftime("%Y-%m-%dT09:30"))
    page.fill("input[name=place]", "第三法庭")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_test_id("status")).to_have_text("草稿")
    page.get_by_test_id("action-notify").get_by_role("button", name="发出出庭通知").click()
    page.locator("[data-confirm-accept]").click()  # the confirmation dialog
    expect(page.get_by_test_id("status")).to_have_text("已通知")

    sign_in(page, live_server.url, "liaison")
    page.get_by_test_id("hearings-panel").get_by_role("link", name="(2026)测01行初8号").click()
    answer = page.get_by_test_id("action-answer")
    answer.locator("input[name=answer-name]").fill("张三")
    answer.locator("input[name=answer-post]").fill("局长")
    answer.locator("input[name=answer-responsible_person][value='0']").check()
    answer.get_by_role("button", name="提交回复").click()
    expect(page.get_by_text("负责人不出庭的,必须说明理由。")).to_be_visible()  # nothing saved
    answer = page.get_by_test_id("action-answer")
    answer.locator("input[name=answer-name]").fill("张三")
    answer.locator("input[name=answer-post]").fill("局长")
    answer.locator("input[name=answer-responsible_person][value='1']").check()
    answer.get_by_role("button", name="提交回复").click()
    expect(page.get_by_test_id("status")).to_have_text("已回复")
    expect(page.get_by_test_id("answer")).to_contain_text("张三")

    # The day of the hearing comes (see the module's docstring).
    Hearing.objects.filter(case_number="(2026)测01行初8号").update(hearing_at=timezone.now() - timedelta(hours=1))

    sign_in(page, live_server.url, "clerk")
    page.get_by_test_id("hearings-panel").get_by_role("link", name="(2026)测01行初8号").click()
    record = page.get_by_test_id("action-record")
    record.locator("select[name=record-appeared]").select_option("head")
    record.locator("input[name=record-name]").fill("张三")
    record.locator("input[name=record-post]").fill("局长")
    record.get_by_role("button", name="登记出庭情况").click()
    page.locator("[data-confirm-accept]").click()
    expect(page.get_by_test_id("status")).to_have_text("已开庭")
    expect(page.get_by_test_id("timeline")).to_contain_text("登记出庭情况")

    sign_in(page, live_server.url, "office")
    page.get_by_role("link", name="统计").first.click()
    card = page.get_by_test_id("figure-agency_head_appearance_rate")
    expect(card.get_by_test_id("rate")).to_have_text("100.00%")
    hearing = Hearing.objects.get(case_number="(2026)测01行初8号")
    assert (hearing.status, hearing.appeared, hearing.reported_at) == ("held", "head", None)
