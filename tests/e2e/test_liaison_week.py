"""A member unit's liaison's week in real Chromium, from the home page: acknowledge a judicial
recommendation and reply to it with the reply's document; answer a meeting invitation; log a
consultation (会商) the unit held. The court's and the office's steps are set up with the services
(their own journeys drive them through the browser)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from cases.models import JudicialRecommendation
from cases.recommendations import services as recommendation_services
from meetings.meetings import services as meeting_services
from meetings.models import Consultation, Invitation, Meeting
from tests.conftest import Cast
from tests.e2e.helpers import sign_in
from tests.e2e.pickers import pick_unit

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 9, 9, 0, tzinfo=SH)
NUMBER = "(2026)测中法建字第21号"
MEETING = "全省执行联动专项联席会议"


def setup_week(cast: Cast) -> tuple[JudicialRecommendation, Meeting]:
    """What reaches the unit this week: a recommendation the court issued, a meeting the office called."""
    rec = recommendation_services.recommendation_create(
        by=cast.clerk,
        number=NUMBER,
        case_number="(2026)测01执恢3号",
        title="关于加强执行联动查控的司法建议",
        addressee=cast.unit,
        problem="协助查询回复迟缓。",
        recommendation="建议建立查控专人对接机制。",
    )
    recommendation_services.recommendation_issue(recommendation=rec, by=cast.clerk)
    office_unit = cast.office.unit
    assert office_unit is not None
    starts = MONDAY + timedelta(days=3, hours=6)  # Thursday 15:00
    meeting = meeting_services.meeting_create(
        by=cast.office,
        kind="joint_meeting",
        title=MEETING,
        convener=office_unit,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        invited_units=[cast.unit, cast.court],
        location="省司法厅三楼会议室",
    )
    return rec, meeting


def acknowledge_and_reply(page: Page, reply_file: Path) -> None:
    panel = page.get_by_test_id("awaiting-reply")
    panel.get_by_role("link", name=NUMBER).click()
    page.get_by_test_id("action-acknowledge").get_by_role("button", name="签收").click()
    expect(page.get_by_test_id("status")).to_have_text("已签收")
    expect(page.get_by_test_id("reply-due")).to_contain_text("2026-05-")
    reply = page.get_by_test_id("action-reply")
    reply.locator("select[name=reply-outcome]").select_option(label="部分采纳")
    reply.locator("textarea[name=reply-content]").fill("已建立查控专人对接机制,线上查询另行研究。")
    reply.locator("textarea[name=reply-measures]").fill("指定执行联络专员一名,三个工作日内回复查询。")
    reply.locator("input[name=reply-rectification_due]").fill("2026-04-30")  # partly adopted: a deadline
    reply.locator("input[name=reply-attachments]").set_input_files(str(reply_file))
    reply.get_by_role("button", name="提交回复").click()
    expect(page.get_by_test_id("status")).to_have_text("整改中")
    expect(page.get_by_role("link", name=reply_file.name)).to_be_visible()


def answer_the_invitation(page: Page) -> None:
    page.get_by_test_id("unit-home-meetings").get_by_role("link", name=MEETING).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(MEETING)
    page.get_by_role("radio", name="参加", exact=True).check()
    page.get_by_role("button", name="提交答复").click()
    expect(page.get_by_text("请填写参会人员。")).to_be_visible()  # nothing saved without who attends
    page.get_by_role("radio", name="参加", exact=True).check()
    page.locator("input[name=attendees]").fill("王明(副局长)、李华(法规科科长)")
    page.get_by_role("button", name="提交答复").click()
    expect(page.get_by_test_id("replies")).to_contain_text("王明(副局长)、李华(法规科科长)")


# Minutes confirmation belongs in this week too: the liaison's part (the notice in the inbox, the to-do on the
# home page, 提出修改意见 on the meeting page) is the journey in tests/e2e/test_minutes_journey.py.


def log_a_consultation(page: Page, cast: Cast) -> None:
    page.get_by_role("link", name="会商").first.click()
    page.get_by_role("link", name="登记会商").click()
    page.fill("input[name=held_on]", "2026-03-10")  # tomorrow: refused
    page.select_option("select[name=topic_kind]", label="重大案件")
    page.fill("input[name=topic]", "某公司系列执行案件财产查控会商")
    pick_unit(page, "units", cast.court.short_name, cast.court.name)
    page.fill("input[name=case_number]", "(2026)测01执15号")
    page.get_by_label("7. 联动解决执行难问题").check()
    page.fill("textarea[name=outcome]", "法院提供被执行人名单,我局三日内反馈登记信息。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("会商日期不能晚于今天。")).to_be_visible()
    assert not Consultation.objects.exists()
    page.fill("input[name=held_on]", "2026-03-09")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("某公司系列执行案件财产查控会商")


@pytest.mark.django_db(transaction=True)
def test_liaison_acknowledges_replies_answers_and_logs(
    live_server: Any, page: Page, cast: Cast, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    reply_file = tmp_path / "回复函.pdf"
    reply_file.write_bytes(b"%PDF-1.7\n% the unit's signed reply\n%%EOF\n")
    with time_machine.travel(MONDAY, tick=True):
        rec, meeting = setup_week(cast)
        sign_in(page, live_server.url, "liaison")
        acknowledge_and_reply(page, reply_file)
        page.get_by_role("link", name="工作台").first.click()
        answer_the_invitation(page)
        log_a_consultation(page, cast)

    rec.refresh_from_db()
    assert rec.status == "rectifying" and rec.reply_outcome == "partly_adopted" and rec.replied_by == cast.liaison
    assert str(rec.rectification_due) == "2026-04-30"
    assert rec.reply_measures.startswith("指定执行联络专员")
    assert list(rec.attachments.values_list("name", "part")) == [("回复函.pdf", "reply")]
    invitation = Invitation.objects.get(meeting=meeting, unit=cast.unit)
    assert invitation.reply == "attending" and invitation.attendees == "王明(副局长)、李华(法规科科长)"
    assert Invitation.objects.get(meeting=meeting, unit=cast.court).reply == "pending"
    consultation = Consultation.objects.get()
    assert consultation.held_on.isoformat() == "2026-03-09" and consultation.topic_kind == "major_case"
    assert set(consultation.units.all()) == {cast.unit, cast.court}  # the liaison's unit is always among them
    assert consultation.logging_unit == cast.unit and consultation.logged_by == cast.liaison
    assert list(consultation.tasks.values_list("number", flat=True)) == [7]
