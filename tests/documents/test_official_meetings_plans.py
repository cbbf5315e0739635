"""会议通知, 会议纪要 (纪要格式), 督办通知 and the periodic report: layout, content from the record, scope."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from meetings.meetings import minutes as meeting_minutes
from meetings.meetings import services as meeting_services
from plans import services as plan_services
from tests import levels
from tests.conftest import client_for
from tests.documents.support import body_text, check_layout, open_docx
from tests.meetings.conftest import make_meeting  # noqa: F401  # the meeting factory fixture
from tests.plans.fixtures import place, publish

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def day_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_meeting_notice_from_the_meeting(cast, make_meeting) -> None:  # noqa: F811
    meeting = make_meeting(title="环境资源审判联席会议", location="省司法厅三楼会议室")
    url = reverse("meeting-notice-docx", args=[meeting.pk])
    response = client_for(cast.liaison).get(url)
    doc = check_layout(
        response.content,
        number="〔",
        date_text=day_text(timezone.localdate(meeting.created_at)),
        title="关于召开环境资源审判联席会议的通知",
    )
    text = body_text(doc)
    assert "省司法厅三楼会议室" in text and cast.unit.name in text and cast.court.name in text
    assert "府院联动工作领导小组办公室" in text  # the office's default letterhead
    meeting_services.meeting_update(meeting=meeting, by=cast.office, location="省高院第一会议室")
    assert "省高院第一会议室" in body_text(open_docx(client_for(cast.liaison).get(url).content))
    assert api(cast.liaison).get(f"/api/v1/meetings/{meeting.pk}/docx/").content[:2] == b"PK"
    assert client_for(cast.liaison).get(reverse("meeting-notice", args=[meeting.pk])).status_code == 200
    for client in (client_for(cast.other_liaison),):
        assert client.get(url).status_code == 404
        assert client.get(reverse("meeting-notice", args=[meeting.pk])).status_code == 404
    assert api(cast.other_liaison).get(f"/api/v1/meetings/{meeting.pk}/docx/").status_code == 404


def test_minutes_in_the_minutes_layout(cast, make_meeting, time_machine) -> None:  # noqa: F811
    meeting = make_meeting(invited=[cast.unit, cast.court])
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.unit, by=cast.liaison, reply="attending", attendees="王局长"
    )
    url = reverse("meeting-minutes-docx", args=[meeting.pk])
    assert client_for(cast.liaison).get(url).status_code == 404  # no minutes yet
    assert api(cast.liaison).get(f"/api/v1/meetings/{meeting.pk}/minutes-docx/").status_code == 404
    time_machine.move_to(meeting.starts_at + timedelta(hours=3))
    meeting_services.meeting_hold(meeting=meeting, by=cast.office)
    meeting_minutes.minutes_save(meeting=meeting, by=cast.office, body="会议听取了环境资源审判工作情况通报。")
    response = client_for(cast.liaison).get(url)
    doc = check_layout(response.content, number="期", date_text=day_text(timezone.localdate(meeting.starts_at)))
    text = body_text(doc)
    assert "环境资源审判联席会议纪要" in text and "会议听取了环境资源审判工作情况通报。" in text
    assert f"出席：{cast.unit.name}（王局长）" in text and "分送：" in text
    assert api(cast.liaison).get(f"/api/v1/meetings/{meeting.pk}/minutes-docx/").content[:2] == b"PK"
    assert api(cast.other_liaison).get(f"/api/v1/meetings/{meeting.pk}/minutes-docx/").status_code == 404
    assert client_for(cast.other_liaison).get(reverse("meeting-minutes", args=[meeting.pk])).status_code == 404
    page = client_for(cast.liaison).get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    assert (
        reverse("meeting-minutes-docx", args=[meeting.pk]) in page
        and reverse("meeting-notice", args=[meeting.pk]) in page
    )


def test_meeting_notice_queries_do_not_grow_with_the_invited(cast, make_meeting) -> None:  # noqa: F811
    few, many = make_meeting(invited=[cast.unit]), make_meeting(invited=[cast.unit, cast.court, cast.other_unit])
    client = client_for(cast.office)
    counts = []
    for meeting in (few, many):
        client.get(reverse("meeting-notice-docx", args=[meeting.pk]))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("meeting-notice-docx", args=[meeting.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_supervision_notice_from_the_supervision(time_machine) -> None:
    time_machine.move_to(date(2026, 3, 2))
    p = publish(place(levels.PROVINCE))
    sup = plan_services.supervision_issue(
        item=p.item, by=p.office, text="请加快推进出庭应诉工作。", due=date(2026, 3, 16)
    )
    url = reverse("supervision-notice-docx", args=[sup.pk])
    response = client_for(p.lead_liaison).get(url)
    doc = check_layout(response.content, number="督〔2026〕", date_text="2026年3月2日")
    text = body_text(doc)
    assert "请加快推进出庭应诉工作。" in text and "推动行政机关负责人出庭应诉常态化" in text
    assert f"{p.lead.name}：" in text and "2026年3月16日" in text
    assert api(p.lead_liaison).get(f"/api/v1/supervisions/{sup.pk}/docx/").content[:2] == b"PK"
    assert client_for(p.lead_liaison).get(reverse("supervision-notice", args=[sup.pk])).status_code == 200
    other = levels.liaison_at(levels.unit_at(levels.PROVINCE, "无关单位"), username="stranger")
    assert client_for(other).get(url).status_code == 404
    assert client_for(other).get(reverse("supervision-notice", args=[sup.pk])).status_code == 404
    assert api(other).get(f"/api/v1/supervisions/{sup.pk}/docx/").status_code == 404
    page = client_for(p.lead_liaison).get(reverse("plan-item-detail", args=[p.item.pk])).content.decode()
    assert url in page


def test_the_report_is_an_official_document(cast) -> None:
    response = client_for(cast.office).get(reverse("stats-report-download", args=["docx"]))
    assert response.status_code == 200
    today = timezone.localdate()
    doc = check_layout(response.content, number="〔", date_text=day_text(today))
    text = body_text(doc)
    assert "一、主要数据" in text and "二、十项工作任务推进情况" in text
    width = sum(cell.width for cell in doc.tables[0].rows[0].cells)
    assert width <= doc.sections[0].page_width - doc.sections[0].left_margin - doc.sections[0].right_margin + 1000
