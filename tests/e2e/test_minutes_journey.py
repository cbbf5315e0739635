"""Minutes confirmation in real Chromium (issue 14, item 1): the office circulates the minutes; a liaison of an
invited unit (which never answered the invitation) finds the notice in the inbox and the to-do on the home
page, and answers with a comment; the office sees the comment and issues early, giving a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.meetings import minutes as meeting_minutes
from meetings.meetings import services as meeting_services
from meetings.models import Minutes
from tests.conftest import Cast
from tests.e2e.helpers import click_and_confirm, sign_in


@pytest.mark.django_db(transaction=True)
def test_office_circulates_liaison_comments_office_issues_early(live_server, page: Page, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    start = now - timedelta(hours=3)
    meeting = meeting_services.meeting_create(
        by=cast.office,
        kind="joint_meeting",
        title="生态环境保护联席会议",
        convener=cast.office.unit,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        invited_units=[cast.unit, cast.court],
        location="省司法厅会议室",
        now=start - timedelta(days=7),  # scheduled a week before it was held
    )
    meeting_services.meeting_hold(meeting=meeting, by=cast.office, now=now)
    meeting_minutes.minutes_save(meeting=meeting, by=cast.office, body="一、会议通报了生态环境执法与司法衔接情况。")

    sign_in(page, live_server.url, "office")
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    page.fill("input[name=confirm_by]", (timezone.localdate(now) + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="送参会单位确认").click()
    expect(page.get_by_test_id("minutes-answers")).to_contain_text("未确认")

    # 甲局 never answered the invitation; it is asked all the same, in its inbox and on its home page.
    sign_in(page, live_server.url, "liaison")
    expect(page.get_by_test_id("minutes-to-confirm")).to_contain_text("生态环境保护联席会议")
    page.goto(f"{live_server.url}/inbox/")
    page.get_by_role("link", name="请确认会议纪要:生态环境保护联席会议").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("生态环境保护联席会议")
    form = page.get_by_test_id("minutes-confirm")
    form.get_by_role("radio", name="提出修改意见").check()
    form.get_by_role("textbox", name="修改意见").fill("第一条请写明联合执法的牵头单位。")
    form.get_by_role("button", name="提交意见").click()
    expect(page.get_by_test_id("minutes-answers")).to_contain_text("有意见")

    sign_in(page, live_server.url, "office")
    page.goto(f"{live_server.url}/inbox/")
    expect(
        page.get_by_role("link", name=f"{cast.unit.name}对会议纪要提出修改意见:生态环境保护联席会议")
    ).to_be_visible()
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    answers = page.get_by_test_id("minutes-answers")
    expect(answers).to_contain_text("第一条请写明联合执法的牵头单位。")
    expect(answers).to_contain_text("未确认")  # the court has not answered; the deadline is days away
    issue = page.get_by_test_id("minutes-issue")
    issue.get_by_label("文号").fill("甘府院纪〔2026〕21号")
    click_and_confirm(page, issue.get_by_role("button", name="提前印发"))  # no reason: refused, nothing issued
    expect(page.locator(".fy-messages .alert-danger")).to_contain_text("提前印发须填写理由")
    assert Minutes.objects.get(meeting=meeting).status == Minutes.Status.CIRCULATED

    issue = page.get_by_test_id("minutes-issue")
    issue.get_by_label("文号").fill("甘府院纪〔2026〕21号")
    issue.get_by_label("提前印发理由").fill("已采纳甲局意见;省政府常务会议急需引用。")
    click_and_confirm(page, issue.get_by_role("button", name="提前印发"))
    expect(page.get_by_test_id("minutes-number")).to_have_text("甘府院纪〔2026〕21号")
    expect(page.get_by_test_id("minutes-override")).to_contain_text("省政府常务会议急需引用")
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.override_by_id == cast.office.pk
