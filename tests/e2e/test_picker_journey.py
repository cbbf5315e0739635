"""A unit picker on the referral form: typed into, picked from with the keyboard only, submitted; and the
same on a 390 px wide phone, where the page does not scroll sideways."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cases.models import Referral
from members.models import MemberUnit
from tests.conftest import Cast
from tests.e2e.helpers import sideways_scroll, sign_in
from tests.e2e.pickers import pick_unit


def draft_referral(page: Page, base: str, subject: str, case_number: str) -> None:
    page.goto(f"{base}/referrals/new/")
    # The form carries no list of thousands of units: the picker starts with the blank option only.
    assert page.locator("select[name=receiver] option").count() == 1
    page.locator("select[name=kind]").select_option(index=1)
    pick_unit(page, "receiver", "榆中 法院", "榆中县人民法院")
    page.fill("input[name=case_number]", case_number)
    page.fill("input[name=subject]", subject)
    page.locator("input[name=subject]").press("Enter")  # the keyboard submits too
    expect(page.get_by_test_id("status")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_pick_a_receiver_with_the_keyboard_and_submit_also_at_390_px(
    live_server: Any, page: Page, browser: Browser, cast: Cast
) -> None:
    sign_in(page, live_server.url, "liaison")
    draft_referral(page, live_server.url, "选择接收单位", "(2025)测移字第1号")
    referral = Referral.objects.get(subject="选择接收单位")
    assert referral.receiver == MemberUnit.objects.get(name="榆中县人民法院")

    # The same on a 390 px wide phone.
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server.url, "liaison")
        page.goto(f"{live_server.url}/referrals/new/")
        control = page.locator("select[name=receiver] + .ts-wrapper input")
        control.focus()
        control.press_sequentially("兰州", delay=20)
        expect(page.locator(".ts-dropdown .option").first).to_be_visible()
        expect(page.locator(".ts-dropdown .optgroup-header").first).to_be_visible()
        wide = sideways_scroll(page)
        assert wide <= 0, f"the page scrolls {wide} px sideways"
        box = page.locator("select[name=receiver] + .ts-wrapper .ts-dropdown").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        control.press("Escape")
        # And the journey itself, at that width.
        draft_referral(page, live_server.url, "手机上选择接收单位", "(2025)测移字第2号")
        assert Referral.objects.get(subject="手机上选择接收单位").receiver.name == "榆中县人民法院"
        wide = sideways_scroll(page)
        assert wide <= 0
    finally:
        context.close()
