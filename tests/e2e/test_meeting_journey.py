"""The office orders a meeting's agenda in real Chromium: arrow buttons (htmx swap) and drag and drop;
an invited liaison answers the invitation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.meetings import agenda
from meetings.meetings import services as meeting_services
from meetings.models import AgendaItem
from tests.conftest import Cast
from tests.e2e.helpers import sign_in


def _titles(meeting_id: int) -> list[str]:
    return list(AgendaItem.objects.filter(meeting_id=meeting_id).order_by("order").values_list("title", flat=True))


@pytest.mark.django_db(transaction=True)
def test_office_orders_the_agenda_and_a_liaison_replies(live_server, page: Page, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    start = timezone.now() + timedelta(days=5)
    meeting = meeting_services.meeting_create(
        by=cast.office,
        kind="joint_meeting",
        title="执行联动联席会议",
        convener=cast.office.unit,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        invited_units=[cast.unit],
        location="省司法厅会议室",
    )
    for title in ("甲议题", "乙议题", "丙议题"):
        agenda.agenda_add(meeting=meeting, by=cast.office, title=title, minutes=15)

    sign_in(page, live_server.url, "office")
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    rows = page.locator("#agenda tbody tr")
    expect(rows).to_have_count(3)
    rows.nth(2).get_by_role("button", name="上移").click()  # htmx swaps the agenda block
    expect(rows.nth(1)).to_contain_text("丙议题")
    assert _titles(meeting.pk) == ["甲议题", "丙议题", "乙议题"]

    rows.nth(2).drag_to(rows.nth(0), target_position={"x": 20, "y": 2})
    expect(rows.nth(0)).to_contain_text("乙议题")
    page.wait_for_timeout(500)
    assert _titles(meeting.pk) == ["乙议题", "甲议题", "丙议题"]
    expect(page.get_by_test_id("agenda-total")).to_contain_text("45")

    sign_in(page, live_server.url, "liaison")
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    page.get_by_role("radio", name="不参加", exact=True).check()
    page.fill("textarea[name=reason]", "同期召开全省执法培训")
    page.get_by_role("button", name="提交答复").click()
    expect(page.get_by_test_id("replies")).to_contain_text("同期召开全省执法培训")
