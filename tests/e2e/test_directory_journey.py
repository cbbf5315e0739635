"""A liaison signs in, opens the directory, searches a unit and opens its page, in real Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from members.models import MemberUnit
from members.roles import Role
from tests.conftest import Cast
from tests.e2e.helpers import sign_in
from tests.factories import make_user


@pytest.mark.django_db(transaction=True)
def test_liaison_finds_a_unit_in_the_directory(live_server, page: Page, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    eco = MemberUnit.objects.get(short_name="省生态环境厅")
    make_user(Role.LIAISON, eco, username="eco_liaison", name="马联络", phone="0931-8888888")

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    sign_in(page, live_server.url, "liaison")

    page.get_by_role("link", name="成员单位").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("成员单位与法院")
    page.fill("#main input[name=q]", "生态")  # the list's own box, not the header's search
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"q=%E7%94%9F%E6%80%81"))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name="甘肃省生态环境厅").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("甘肃省生态环境厅")
    expect(page.get_by_text("马联络")).to_be_visible()
    expect(page.get_by_text("0931-8888888")).to_be_visible()
    expect(page.get_by_text("联动保护生态环境")).to_be_visible()
