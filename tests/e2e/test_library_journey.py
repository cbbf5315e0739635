"""The library in real Chromium: the provincial office drafts a typical case, publishes it to 兰州市 only; a
liaison there finds it under "新共享 / 未读" and opens it (the office then sees the receipt); a liaison in
嘉峪关市 does not see it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import click_and_confirm, sign_in
from tests.levels import LANZHOU, region
from tests.library.helpers import make_world


@pytest.mark.django_db(transaction=True)
def test_office_publishes_a_typical_case_to_one_city(live_server: Any, page: Page) -> None:
    w = make_world()
    lanzhou = region(LANZHOU)
    sign_in(page, live_server.url, w.province_office.username)
    page.get_by_role("link", name="信息共享").first.click()
    page.get_by_test_id("library-create").click()
    page.select_option("select[name=type]", "typical_case")
    expect(page.locator("input[name=case_number]")).to_be_visible()
    page.fill("input[name=title]", "某公司诉某区市场监管局行政处罚案")
    page.fill("input[name=case_number]", "(2025)甘01行终88号")
    page.fill("input[name=court]", "兰州市中级人民法院")
    page.fill("input[name=tags]", "典型案例 营商环境")
    page.fill("textarea[name=text]", "基本案情:行政机关负责人出庭应诉,当庭化解争议。")
    page.get_by_label("指定地区").first.check()
    page.select_option("select[name=audience_regions]", str(lanzhou.pk))
    page.get_by_test_id("library-save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("某公司诉某区市场监管局行政处罚案")
    click_and_confirm(page, page.get_by_test_id("library-publish"))
    expect(page.get_by_test_id("status")).to_have_text("已发布")
    expect(page.get_by_test_id("receipt-counts")).to_contain_text("已读 0 个")
    detail_url = page.url

    sign_in(page, live_server.url, w.city_liaison.username)
    expect(page.get_by_test_id("library-new")).to_contain_text("某公司诉某区市场监管局行政处罚案")
    page.goto(f"{live_server.url}/library/")
    page.get_by_test_id("tab-new").click()
    row = page.get_by_test_id("library-row").filter(has_text="某公司诉某区市场监管局行政处罚案")
    expect(row.get_by_test_id("unread")).to_be_visible()
    row.get_by_role("link", name="某公司诉某区市场监管局行政处罚案").click()
    expect(page.get_by_test_id("case-number")).to_have_text("(2025)甘01行终88号")
    page.goto(f"{live_server.url}/library/?tab=new")
    expect(page.get_by_test_id("library-row")).to_have_count(0)

    sign_in(page, live_server.url, w.jyg_liaison.username)
    page.goto(f"{live_server.url}/library/")
    expect(page.get_by_text("某公司诉某区市场监管局行政处罚案")).to_have_count(0)
    response = page.goto(detail_url)
    assert response is not None and response.status == 404

    sign_in(page, live_server.url, w.province_office.username)
    page.goto(detail_url)
    expect(page.get_by_test_id("receipts-read")).to_contain_text(w.city_unit.name)
    expect(page.get_by_test_id("receipt-counts")).to_contain_text(re.compile(r"已读 1 个"))
