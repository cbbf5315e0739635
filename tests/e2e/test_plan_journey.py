"""The work plan in real Chromium (issue 15): the office drafts a plan and an item (task, text, the unit picker,
due date, a milestone), publishes it behind the confirmation dialog; the lead unit's liaison finds the item
among "my unit's items" and reports progress; the office issues a 督办; the liaison answers it and reports the
item done; the office accepts it. Each step checks what the next person sees; a leader reads the result and
may do nothing; at 390 px nothing scrolls sideways."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from members.models import Notification
from plans.models import Plan, PlanItem, Supervision
from tests.conftest import Cast
from tests.e2e.helpers import click_and_confirm, phone, sideways_scroll, sign_in
from tests.e2e.pickers import pick_unit


@pytest.mark.django_db(transaction=True)
def test_an_item_from_publication_to_acceptance_with_one_supervision(  # type: ignore[no-untyped-def]
    live_server, page: Page, browser: Browser, cast: Cast
) -> None:
    base = live_server.url
    year = timezone.localdate().year
    sign_in(page, base, "office")
    page.goto(f"{base}/plans/")
    page.get_by_test_id("plan-create").click()
    page.get_by_label("标题").fill("府院联动工作要点(测试)")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("草稿")
    plan = Plan.objects.get(title="府院联动工作要点(测试)")
    assert plan.year == year

    page.get_by_test_id("item-add").click()
    form = page.get_by_test_id("item-form")
    form.get_by_label("工作任务").select_option(label="3. 联动优化法治化营商环境")
    form.get_by_label("工作内容").fill("建立企业信用修复协同机制")
    pick_unit(page, "lead_unit", "测试局甲", cast.unit.name)
    form.get_by_label("完成时限").fill(f"{year}-12-31")
    page.fill("input[name=ms-0-title]", "出台协同方案")
    form.get_by_role("button", name="保存").click()
    row = page.get_by_test_id("item-row")
    expect(row).to_contain_text("3.1")
    expect(row).to_contain_text("建立企业信用修复协同机制")

    click_and_confirm(page, page.get_by_test_id("plan-publish"))
    expect(page.get_by_test_id("plan-status")).to_have_text("已印发")
    item = PlanItem.objects.get(plan=plan)
    assert Notification.objects.filter(event="plan_published", recipient=cast.liaison).exists()

    # The lead unit's liaison: the item is among "my unit's items"; progress with the milestone reached.
    sign_in(page, base, "liaison")
    page.goto(f"{base}/plans/items/")
    page.get_by_role("link", name="建立企业信用修复协同机制").click()
    progress = page.get_by_test_id("form-progress")
    progress.get_by_label("进展情况").fill("已起草协同方案,征求意见中。")
    progress.get_by_label("完成进度(%)").fill("50")
    progress.get_by_label("完成节点").select_option(label="出台协同方案")
    progress.get_by_role("button", name="填报进展").click()
    expect(page.get_by_test_id("item-percent")).to_have_text("50%")
    expect(page.get_by_test_id("timeline")).to_contain_text("已起草协同方案")
    expect(page.get_by_test_id("form-supervise")).to_have_count(0)  # not the liaison's to do

    # The office presses with a 督办.
    sign_in(page, base, "office")
    page.goto(f"{base}/plans/items/{item.pk}/")
    supervise = page.get_by_test_id("form-supervise")
    supervise.get_by_label("督办内容").fill("请于本周内报送方案定稿。")
    supervise.get_by_label("答复时限").fill((timezone.localdate() + timedelta(days=3)).isoformat())
    click_and_confirm(page, supervise.get_by_role("button", name="发出督办通知"))
    expect(page.get_by_test_id("supervision-entry")).to_contain_text("请于本周内报送方案定稿。")
    sup = Supervision.objects.get(item=item)

    # The liaison answers it, then reports the item done.
    sign_in(page, base, "liaison")
    page.goto(f"{base}/plans/items/{item.pk}/#supervision-{sup.pk}")
    answer = page.get_by_test_id("form-answer")
    answer.get_by_label("答复内容").fill("方案已定稿,本周五报送。")
    answer.get_by_role("button", name="答复督办").click()
    expect(page.get_by_test_id("supervision-answer")).to_have_text("方案已定稿,本周五报送。")
    complete = page.get_by_test_id("form-complete")
    complete.get_by_label("完成情况").fill("协同方案已印发实施。")
    click_and_confirm(page, complete.get_by_role("button", name="报完成"))
    expect(page.get_by_test_id("item-status")).to_have_text("已报完成")
    expect(page.get_by_test_id("form-complete")).to_have_count(0)

    # The office accepts it.
    sign_in(page, base, "office")
    page.goto(f"{base}/plans/items/{item.pk}/")
    click_and_confirm(page, page.get_by_test_id("form-accept").get_by_role("button", name="验收"))
    expect(page.get_by_test_id("item-status")).to_have_text("已验收")
    item.refresh_from_db()
    sup.refresh_from_db()
    assert (item.status, item.percent, sup.status) == (PlanItem.Status.ACCEPTED, 100, Supervision.Status.ANSWERED)

    # A leader reads it, with nothing to do.
    sign_in(page, base, "leader")
    page.goto(f"{base}/plans/{plan.pk}/")
    expect(page.get_by_test_id("item-row")).to_contain_text("已验收")
    expect(page.get_by_test_id("plan-publish")).to_have_count(0)
    expect(page.get_by_test_id("item-add")).to_have_count(0)

    # On a phone, the lists and the item fit the width.
    with phone(browser) as small:
        sign_in(small, base, "liaison")
        for path in (
            "/plans/",
            f"/plans/{plan.pk}/",
            "/plans/items/",
            f"/plans/items/{item.pk}/",
            "/plans/supervisions/",
        ):
            small.goto(f"{base}{path}")
            assert sideways_scroll(small) == 0, path
