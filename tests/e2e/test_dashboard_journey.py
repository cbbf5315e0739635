"""The office opens the statistics in real Chromium: the charts draw (no CSP error) and a number opens its list."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Cast
from tests.e2e.helpers import sign_in
from tests.stats.conftest import World, at


@pytest.mark.django_db(transaction=True)
def test_office_reads_the_dashboard_and_opens_a_list(live_server, page: Page, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    world = World(cast)
    world.rec(date(2025, 3, 1), tasks=[world.task1])
    world.ref("mediation", at(2025, 4, 1, 9), status="concluded", outcome="resolved")
    world.ref("mediation", at(2025, 5, 1, 9))
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    sign_in(page, live_server.url, "office")
    page.get_by_role("link", name="统计").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("府院联动工作统计")

    page.select_option("#f-year", "2025")
    page.get_by_role("button", name="查询").click()
    card = page.get_by_test_id("figure-mediation_success_rate")
    expect(card.get_by_test_id("rate")).to_have_text("50.00%")
    expect(page.locator("#chart-trend canvas")).to_have_count(1)
    expect(page.locator("#chart-task canvas")).to_have_count(1)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors

    # A click on the task chart's bar opens that task's list (the script joins the base URL and the task).
    page.locator("#chart-task").scroll_into_view_if_needed()
    # The bars grow for a second after the page loads: click once the chart has finished drawing
    # (ECharts' "finished" event; if it already fired, nothing is moving and 1.5 s changes nothing).
    page.evaluate(
        """() => new Promise((resolve) => {
          const chart = echarts.getInstanceByDom(document.getElementById('chart-task'));
          let timer = setTimeout(resolve, 1500);
          chart.on('finished', () => { clearTimeout(timer); timer = setTimeout(resolve, 50); });
        })"""
    )
    box = page.locator("#chart-task").bounding_box()
    point = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById('chart-task'));
          const option = chart.getOption();
          const s = option.series.findIndex((x) => x.name === '司法建议');
          return chart.convertToPixel({seriesIndex: s}, [0, option.series[s].data[0] / 2]);
        }"""
    )
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    expect(page).to_have_url(re.compile(rf"/recommendations/\?.*task={world.task1.pk}"))
    page.go_back()

    # The drill-down: 兰州市's row opens 兰州市 (its 县市区 below, the same figures), the breadcrumbs go back up.
    page.get_by_test_id(f"drill-{world.region.pk}").click()
    expect(page.get_by_test_id("drill-breadcrumbs")).to_contain_text("兰州市")
    expect(page.locator("#f-region")).to_have_value(str(world.region.pk))
    expect(page.get_by_test_id("drill-table")).to_contain_text("城关区")
    expect(page.get_by_test_id("figure-mediation_success_rate").get_by_test_id("rate")).to_have_text("50.00%")
    page.get_by_test_id("drill-breadcrumbs").get_by_role("link", name="甘肃省").click()
    expect(page.get_by_test_id("drill-breadcrumbs")).not_to_contain_text("兰州市")
    expect(page.get_by_test_id("drill-table")).to_contain_text("天水市")

    page.get_by_test_id("figure-mediation_success_rate").get_by_test_id("denominator").click()
    expect(page).to_have_url(re.compile(r"/referrals/\?.*kind=mediation"))
