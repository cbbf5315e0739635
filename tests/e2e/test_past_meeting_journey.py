"""The office records a meeting held offline last week (补录) in real Chromium: the meeting, its sign-in list
(签到表), its minutes and a decision; at 390 px the sign-in form does not scroll sideways."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from meetings.models import Decision, Invitation, Meeting
from members.models import Notification
from tests.conftest import Cast
from tests.e2e.helpers import sideways_scroll, sign_in
from tests.e2e.pickers import pick_unit


@pytest.mark.django_db(transaction=True)
def test_office_records_a_past_meeting_with_attendance_minutes_and_decisions(
    live_server: Any, page: Page, browser: Browser, cast: Cast
) -> None:
    base = live_server.url
    start = timezone.localtime(timezone.now() - timedelta(days=6)).replace(hour=9, minute=30, second=0, microsecond=0)
    sign_in(page, base, "office")
    page.goto(f"{base}/meetings/")
    page.get_by_role("link", name="补录已召开会议").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("补录已召开会议")
    page.select_option("select[name=kind]", "joint_meeting")
    page.fill("input[name=title]", "生态环境保护府院联席会议")
    pick_unit(page, "convener", "司法厅", "甘肃省司法厅")
    page.fill("input[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=location]", "省司法厅三楼会议室")
    pick_unit(page, "invited_units", "测试局", "测试局甲")
    page.locator("select[name=invited_units] + .ts-wrapper input").fill("")  # a multiple picker keeps the typing
    pick_unit(page, "invited_units", "测试中级", "测试中级人民法院甲")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_test_id("meeting-status")).to_have_text("已召开")
    expect(page.get_by_text("会后补录")).to_be_visible()
    expect(page.get_by_role("button", name="确认已召开")).to_have_count(0)
    meeting = Meeting.objects.get(title="生态环境保护府院联席会议")
    assert meeting.status == Meeting.Status.HELD and meeting.recorded_after
    assert not Notification.objects.filter(event="meeting_invited").exists()

    # 签到: one form for every invited unit.
    page.get_by_role("link", name="登记签到").click()
    rows = page.get_by_test_id("sign-in-row")
    expect(rows).to_have_count(2)
    unit_row = rows.filter(has_text="甲局")
    unit_row.locator("select").select_option("present")
    unit_row.locator("input[type=text]").fill("王局长、李处长")
    court_row = rows.filter(has_text="甲中院")
    court_row.locator("select").select_option("absent")
    page.get_by_role("button", name="保存签到表").click()
    attendance = page.get_by_test_id("attendance")
    expect(attendance).to_contain_text("出席 1 / 2")
    expect(attendance).to_contain_text("王局长、李处长")
    expect(attendance).to_contain_text("缺席")
    assert Invitation.objects.get(meeting=meeting, unit=cast.unit).attendance == "present"

    # The minutes, on the meeting's own page.
    minutes = "一、会议通报了全省环境资源案件审理情况。\n二、会议议定建立联合执法机制。"
    page.locator("#minutes textarea[name=body]").fill(minutes)
    page.locator("#minutes").get_by_role("button", name="保存草稿").click()
    expect(page.locator("#minutes textarea[name=body]")).to_have_value(minutes)

    # A decision with its owner unit and due date.
    page.get_by_role("link", name="添加议定事项").click()
    page.fill("textarea[name=text]", "建立生态环境联合执法机制")
    pick_unit(page, "owner_unit", "测试局", "测试局甲")
    page.fill("input[name=due]", (timezone.localdate() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#decisions")).to_contain_text("建立生态环境联合执法机制")
    assert Decision.objects.get(meeting=meeting).owner_unit == cast.unit

    # The sign-in form at 390 px: one column per unit, nothing sideways.
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    try:
        sign_in(phone, base, "office")
        phone.goto(f"{base}/meetings/{meeting.pk}/attendance/")
        expect(phone.get_by_test_id("sign-in-row")).to_have_count(2)
        assert sideways_scroll(phone) <= 0
        phone.goto(f"{base}/meetings/{meeting.pk}/")
        expect(phone.get_by_test_id("attendance")).to_be_visible()
        assert sideways_scroll(phone) <= 0
    finally:
        context.close()
