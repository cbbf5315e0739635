"""The leader reads the dashboard on a 390 px phone in real Chromium: through the collapsed menu to the
figures, every chart drawn, no sideways scroll, down to a 市州 and back, and from a number to its list."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Browser, Page, expect

from tests.conftest import Cast
from tests.e2e.helpers import phone, sideways_scroll, sign_in
from tests.stats.conftest import World, at

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 6, 15, 8, 30, tzinfo=SH)
CHARTS = ("chart-trend", "chart-task", "chart-region", "chart-unit")
EMPTY_KEYS = {"chart-trend": "trend", "chart-task": "by_task", "chart-region": "by_region", "chart-unit": "by_unit"}


def the_year_so_far(cast: Cast) -> World:
    """Two recommendations (one replied) and three mediation delegations (two resolved), in two 市州."""
    world = World(cast)
    world.rec(date(2026, 2, 2), status="replied", replied_at=at(2026, 3, 2, 10), tasks=[world.task1])
    world.rec(date(2026, 4, 1), court=cast.other_court, region=world.other_region)
    world.ref("mediation", at(2026, 3, 3, 9), status="concluded", outcome="resolved", tasks=[world.task8])
    world.ref("mediation", at(2026, 4, 7, 9), status="concluded", outcome="resolved")
    world.ref("mediation", at(2026, 5, 11, 9), tasks=[world.task8])
    return world


def assert_charts_drawn(page: Page, *, empty: tuple[str, ...] = ()) -> None:
    """Every chart drawn within the phone's width; those in ``empty`` say there is nothing to show instead."""
    for chart in CHARTS:
        if chart in empty:
            expect(page.get_by_test_id(f"chart-empty-{EMPTY_KEYS[chart]}")).to_contain_text("暂无数据")
            expect(page.locator(f"#{chart} canvas")).to_have_count(0)
            continue
        canvas = page.locator(f"#{chart} canvas")
        expect(canvas).to_have_count(1)
        box = canvas.bounding_box()
        assert box is not None and box["width"] > 200 and box["x"] >= 0 and box["x"] + box["width"] <= 390, chart


def assert_fits(page: Page) -> None:
    wide = sideways_scroll(page)
    assert wide <= 0, f"{page.url} scrolls {wide} px sideways at 390 px"


@pytest.mark.django_db(transaction=True)
def test_leader_reads_the_dashboard_on_a_phone(live_server: Any, browser: Browser, cast: Cast) -> None:
    with time_machine.travel(MONDAY, tick=True), phone(browser) as page:
        world = the_year_so_far(cast)
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        sign_in(page, live_server.url, "leader")
        assert_fits(page)

        page.get_by_role("button", name="菜单").click()  # the header's menu is collapsed on a phone
        stats_link = page.get_by_role("link", name="统计").first
        expect(stats_link).to_be_visible()  # the menu has opened (a click during its animation can miss)
        stats_link.click()
        # The first figures read takes every change the seeding noted into the rollups: more than the usual 5 s.
        expect(page.get_by_role("heading", level=1)).to_contain_text("府院联动工作统计", timeout=15_000)
        expect(page.get_by_role("heading", level=1)).to_contain_text("2026")
        issued = page.get_by_test_id("figure-recommendations_issued")
        expect(issued.get_by_test_id("value")).to_have_text("2")
        expect(issued).to_be_in_viewport()  # the first figures are read without scrolling
        reply_rate = page.get_by_test_id("figure-recommendation_reply_rate")
        expect(reply_rate.get_by_test_id("rate")).to_have_text("50.00%")
        mediation = page.get_by_test_id("figure-mediation_success_rate")
        expect(mediation.get_by_test_id("rate")).to_have_text("66.67%")
        expect(mediation.get_by_test_id("numerator")).to_have_text("2")
        expect(mediation.get_by_test_id("denominator")).to_have_text("3")
        assert_charts_drawn(page)
        assert_fits(page)

        # Down to 兰州市 from the table by region, and back up by the breadcrumbs.
        drill = page.get_by_test_id(f"drill-{world.region.pk}")
        drill.scroll_into_view_if_needed()
        expect(drill).to_be_in_viewport()
        drill.click()
        expect(page.get_by_test_id("drill-breadcrumbs")).to_contain_text("兰州市")
        expect(page.get_by_test_id("figure-recommendations_issued").get_by_test_id("value")).to_have_text("1")
        expect(page.get_by_test_id("figure-mediation_success_rate").get_by_test_id("rate")).to_have_text("66.67%")
        expect(page.get_by_test_id("drill-table")).to_contain_text("城关区")
        # 兰州市's records live at the 市州 itself (a 市中院 and 市局), none in a 县市区: the chart by 县市区 says so.
        assert_charts_drawn(page, empty=("chart-region",))
        assert_fits(page)
        page.get_by_test_id("drill-breadcrumbs").get_by_role("link", name="甘肃省").click()
        expect(page.get_by_test_id("drill-breadcrumbs")).not_to_contain_text("兰州市")
        expect(page.get_by_test_id("figure-recommendations_issued").get_by_test_id("value")).to_have_text("2")

        # A number opens the records it counts.
        page.get_by_test_id("figure-mediation_success_rate").get_by_test_id("denominator").click()
        expect(page).to_have_url(re.compile(r"/referrals/\?.*kind=mediation"))
        assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
