"""The office finds a record with the header search, at desktop and phone width, in real Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.cases.recommendations.support import make_issued
from tests.conftest import Cast
from tests.e2e.helpers import sign_in


@pytest.mark.django_db(transaction=True)
def test_office_finds_a_recommendation_with_the_header_search(live_server, page: Page, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    rec = make_issued(cast, number="(2026)甘测法建字第88号", title="关于规范停车收费的司法建议")
    sign_in(page, live_server.url, "office")

    box = page.get_by_test_id("header-search")
    box.fill("法建字第88号")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    group = page.get_by_test_id("search-group-recommendation")
    expect(group).to_contain_text("司法建议 1")
    group.get_by_role("link", name="查看全部").click()
    expect(page).to_have_url(re.compile(r"/recommendations/\?q="))
    expect(page.get_by_text(rec.title)).to_be_visible()
    page.go_back()
    page.get_by_test_id("search-group-recommendation").get_by_role("link", name=rec.title).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(rec.title)


@pytest.mark.django_db(transaction=True)
def test_header_search_fits_a_phone_in_the_menu(live_server, page: Page, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    make_issued(cast, title="关于规范停车收费的司法建议")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "office")
    box = page.get_by_test_id("header-search")
    expect(box).to_be_hidden()  # folded into the menu
    page.get_by_role("button", name="菜单").click()
    expect(box).to_be_visible()
    box.fill("停车收费")
    box.press("Enter")
    expect(page.get_by_test_id("search-group-recommendation")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
