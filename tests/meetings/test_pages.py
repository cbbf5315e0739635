"""The pages: lists (query counts that do not grow), the meeting page, agenda reordering with and without htmx,
the consultation quick form and its XLSX export, the unit-home snippet."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from meetings.consultations import services as consultation_services
from meetings.decisions import services as decision_services
from meetings.home import unit_home
from meetings.meetings import agenda
from meetings.meetings import services as meeting_services
from meetings.models import AgendaItem, Consultation, Decision, Meeting
from tests.conftest import client_for
from tests.meetings.conftest import page_queries

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def queries_for(client, url):  # type: ignore[no-untyped-def]
    return page_queries(client, url)


def _decision(cast, meeting, **kw):  # type: ignore[no-untyped-def]
    return decision_services.decision_add(
        meeting=meeting,
        by=cast.office,
        text=kw.get("text", "落实事项"),
        owner_unit=kw.get("owner", cast.unit),
        supporting_units=kw.get("supporting", [cast.court]),
        due=kw.get("due", timezone.localdate(meeting.starts_at) + timedelta(days=30)),
    )


def _consultation(cast, by=None, **kw):  # type: ignore[no-untyped-def]
    return consultation_services.consultation_log(
        by=by or cast.liaison,
        topic_kind=kw.get("topic_kind", "major_case"),
        held_on=kw.get("held_on", timezone.localdate()),
        units=kw.get("units", [cast.unit, cast.court]),
        topic=kw.get("topic", "某企业破产重整职工安置"),
        case_number=kw.get("case_number", "(2026)甘01破3号"),
    )


@pytest.mark.parametrize("name", ["meeting-list", "meeting-mine", "meeting-calendar"])
def test_meeting_lists_do_not_grow_with_rows(cast, make_meeting, name):
    client = client_for(cast.liaison)
    make_meeting(invited=[cast.unit, cast.court])
    few, _ = queries_for(client, reverse(name))
    for i in range(6):
        make_meeting(
            invited=[cast.unit, cast.court, cast.other_unit],
            title=f"会议{i}",
            starts_at=timezone.now() + timedelta(days=1, hours=i),
        )
    many, _response = queries_for(client, reverse(name))
    assert many == few
    assert many <= 10


def test_meeting_list_scope_and_filters(cast, make_meeting):
    make_meeting(invited=[cast.unit], title="受邀的会", kind="training")
    make_meeting(invited=[cast.other_unit], title="无关的会")
    body = client_for(cast.liaison).get(reverse("meeting-list")).content.decode()
    assert "受邀的会" in body and "无关的会" not in body
    body = client_for(cast.leader).get(reverse("meeting-list")).content.decode()
    assert "受邀的会" in body and "无关的会" in body
    body = client_for(cast.office).get(reverse("meeting-list"), {"kind": "training"}).content.decode()
    assert "受邀的会" in body and "无关的会" not in body
    body = client_for(cast.office).get(reverse("meeting-list"), {"q": "无关"}).content.decode()
    assert "受邀的会" not in body and "无关的会" in body


def test_meeting_list_pages(cast, make_meeting):
    for i in range(25):
        make_meeting(
            invited=[cast.unit], title=f"第{i:02d}次会议", starts_at=timezone.now() + timedelta(days=1, minutes=i)
        )
    client = client_for(cast.office)
    first = client.get(reverse("meeting-list")).content.decode()
    second = client.get(reverse("meeting-list"), {"page": 2}).content.decode()
    assert first.count('data-testid="meeting-row"') == 20
    assert second.count('data-testid="meeting-row"') == 5


def test_calendar_shows_the_month(cast, make_meeting):
    meeting = make_meeting(invited=[cast.unit], title="月历上的会")
    month = timezone.localtime(meeting.starts_at).strftime("%Y-%m")
    body = client_for(cast.liaison).get(reverse("meeting-calendar"), {"month": month}).content.decode()
    assert "月历上的会" in body
    assert client_for(cast.liaison).get(reverse("meeting-calendar"), {"month": "bad"}).status_code == 200


def test_meeting_page_shows_agenda_replies_minutes_and_decisions(cast, make_meeting, time_machine):
    meeting = make_meeting(invited=[cast.unit, cast.court, cast.other_unit])
    agenda.agenda_add(meeting=meeting, by=cast.office, title="通报执行联动情况", minutes=30, presenter_unit=cast.court)
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.unit, by=cast.liaison, reply="attending", attendees="王局长"
    )
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.other_unit, by=cast.other_liaison, reply="declined", reason="出差"
    )
    _decision(cast, meeting, text="建立查控协作机制")
    body = client_for(cast.office).get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    for text in ("通报执行联动情况", "王局长", "出差", "建立查控协作机制", "未答复"):
        assert text in body


def test_meeting_page_query_count_does_not_grow(cast, make_meeting):
    meeting = make_meeting(invited=[cast.unit])
    client = client_for(cast.office)
    url = reverse("meeting-detail", args=[meeting.pk])
    agenda.agenda_add(meeting=meeting, by=cast.office, title="议题", minutes=10, presenter_unit=cast.court)
    _decision(cast, meeting, text="事项")
    few, _ = queries_for(client, url)
    meeting_services.meeting_update(
        meeting=meeting, by=cast.office, invited_units=[cast.unit, cast.court, cast.other_unit, cast.other_court]
    )
    for i in range(5):
        agenda.agenda_add(meeting=meeting, by=cast.office, title=f"议题{i}", minutes=10, presenter_unit=cast.court)
        _decision(cast, meeting, text=f"事项{i}")
    many, _ = queries_for(client, url)
    assert many == few


def test_agenda_total_is_flagged_when_over_the_meeting_length(cast, make_meeting):
    meeting = make_meeting(hours=1)
    agenda.agenda_add(meeting=meeting, by=cast.office, title="甲", minutes=40)
    body = client_for(cast.office).get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    assert 'data-testid="agenda-over"' not in body
    agenda.agenda_add(meeting=meeting, by=cast.office, title="乙", minutes=30)
    body = client_for(cast.office).get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    assert 'data-testid="agenda-over"' in body
    assert "合计 70 分钟" in body


def _titles(meeting):  # type: ignore[no-untyped-def]
    return list(AgendaItem.objects.filter(meeting=meeting).order_by("order").values_list("title", flat=True))


def test_agenda_reorder_without_javascript_is_a_plain_post_and_redirect(cast, make_meeting):
    meeting = make_meeting()
    items = [agenda.agenda_add(meeting=meeting, by=cast.office, title=t, minutes=10) for t in ("一", "二", "三")]
    client = client_for(cast.office)
    response = client.post(reverse("agenda-move", args=[items[2].pk]), {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("meeting-detail", args=[meeting.pk]) + "#agenda")
    assert _titles(meeting) == ["一", "三", "二"]
    client.post(reverse("agenda-move", args=[items[0].pk]), {"direction": "up"})  # already first: unchanged
    assert _titles(meeting) == ["一", "三", "二"]
    client.post(reverse("agenda-move", args=[items[0].pk]), {"direction": "down"})
    assert _titles(meeting) == ["三", "一", "二"]
    assert list(AgendaItem.objects.filter(meeting=meeting).order_by("order").values_list("order", flat=True)) == [
        1,
        2,
        3,
    ]


def test_agenda_reorder_with_htmx_returns_the_agenda_block(cast, make_meeting):
    meeting = make_meeting()
    items = [agenda.agenda_add(meeting=meeting, by=cast.office, title=t, minutes=10) for t in ("一", "二")]
    response = client_for(cast.office).post(
        reverse("agenda-move", args=[items[1].pk]), {"direction": "up"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="agenda"')
    assert body.index("二") < body.index("一")
    assert "<html" not in body


def test_an_invited_liaison_cannot_reorder_the_agenda(cast, make_meeting):
    meeting = make_meeting(invited=[cast.unit])
    items = [agenda.agenda_add(meeting=meeting, by=cast.office, title=t, minutes=10) for t in ("一", "二")]
    client_for(cast.liaison).post(reverse("agenda-move", args=[items[1].pk]), {"direction": "up"})
    assert _titles(meeting) == ["一", "二"]


def test_reply_from_the_page(cast, make_meeting):
    meeting = make_meeting(invited=[cast.unit])
    client = client_for(cast.liaison)
    body = client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    assert "本单位答复" in body
    client.post(reverse("meeting-reply", args=[meeting.pk]), {"reply": "delegate", "attendees": "刘处长"})
    invitation = meeting.invitations.get(unit=cast.unit)
    assert invitation.reply == "delegate" and invitation.attendees == "刘处长"


def test_create_meeting_from_the_page(cast):
    start = timezone.localtime(timezone.now() + timedelta(days=4)).replace(second=0, microsecond=0)
    response = client_for(cast.office).post(
        reverse("meeting-create"),
        {
            "kind": "leading_group",
            "title": "领导小组全体会议",
            "convener": cast.office.unit_id,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "location": "省政府第一会议室",
            "level": "province",
            "invited_units": [cast.unit.pk, cast.court.pk],
            "reminder_offsets": "1440, 60",
        },
    )
    meeting = Meeting.objects.get(title="领导小组全体会议")
    assert response.status_code == 302
    assert meeting.starts_at == start
    assert meeting.reminder_offsets == [1440, 60]
    assert set(meeting.invitations.values_list("unit_id", flat=True)) == {cast.unit.pk, cast.court.pk}


def test_a_leader_cannot_create_meetings_or_consultations(cast):
    client = client_for(cast.leader)
    assert client.get(reverse("meeting-create")).status_code == 403
    assert client.get(reverse("consultation-create")).status_code == 403


def test_hold_and_close_from_the_page(cast, make_meeting, time_machine):
    meeting = make_meeting()
    response = client_for(cast.office).post(reverse("meeting-hold", args=[meeting.pk]), follow=True)
    assert "会议尚未开始" in response.content.decode()
    time_machine.move_to(meeting.starts_at + timedelta(minutes=1))
    client = client_for(cast.office)  # a fresh session: the first one has idled out ten days later
    client.post(reverse("meeting-hold", args=[meeting.pk]))
    client.post(reverse("meeting-close", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CLOSED


# --- decisions ----------------------------------------------------------------------------------------------


def test_decision_list_traffic_lights_and_scope(cast, make_meeting, time_machine):
    meeting = make_meeting(invited=[cast.unit, cast.other_unit])
    time_machine.move_to(meeting.starts_at + timedelta(minutes=1))
    meeting_services.meeting_hold(meeting=meeting, by=cast.office)
    today = timezone.localdate()
    _decision(cast, meeting, text="逾期事项", due=today)
    _decision(cast, meeting, text="临近事项", due=today + timedelta(days=3))
    _decision(cast, meeting, text="正常事项", due=today + timedelta(days=30))
    _decision(cast, meeting, text="别人的事项", owner=cast.other_unit, supporting=[])
    time_machine.move_to(meeting.starts_at + timedelta(days=1))
    body = client_for(cast.office).get(reverse("decision-list")).content.decode()
    assert body.count('data-testid="decision-row"') == 4
    assert "fy-light-red" in body and "fy-light-yellow" in body and "fy-light-green" in body
    body = client_for(cast.liaison).get(reverse("decision-list")).content.decode()
    assert "别人的事项" not in body and "逾期事项" in body
    body = client_for(cast.clerk).get(reverse("decision-list")).content.decode()  # supporting unit sees it
    assert "逾期事项" in body and "别人的事项" not in body
    body = client_for(cast.office).get(reverse("decision-list"), {"overdue": "1"}).content.decode()
    assert body.count('data-testid="decision-row"') == 1


def test_decision_list_query_count_does_not_grow(cast, make_meeting):
    meeting = make_meeting(invited=[cast.unit])
    client = client_for(cast.office)
    _decision(cast, meeting)
    few, _ = queries_for(client, reverse("decision-list"))
    for i in range(8):
        _decision(cast, meeting, text=f"事项{i}")
    many, _ = queries_for(client, reverse("decision-list"))
    assert many == few <= 10


def test_decision_page_progress_and_complete(cast, make_meeting):
    meeting = make_meeting(invited=[cast.unit, cast.court])
    decision = _decision(cast, meeting)
    url = reverse("decision-detail", args=[decision.pk])
    assert client_for(cast.other_liaison).get(url).status_code == 404
    client_for(cast.clerk).post(reverse("decision-action", args=[decision.pk, "progress"]), {"note": "已完成调研"})
    client_for(cast.clerk).post(
        reverse("decision-action", args=[decision.pk, "complete"]), {"note": "配合单位不能办结"}
    )
    decision.refresh_from_db()
    assert decision.status == Decision.Status.OPEN
    client_for(cast.liaison).post(reverse("decision-action", args=[decision.pk, "complete"]), {"note": "已出台办法"})
    decision.refresh_from_db()
    assert decision.status == Decision.Status.DONE and decision.done_note == "已出台办法"
    body = client_for(cast.office).get(url).content.decode()
    assert "已完成调研" in body and "已出台办法" in body


def test_decision_create_page(cast, make_meeting):
    meeting = make_meeting()
    client = client_for(cast.office)
    response = client.post(
        reverse("decision-create", args=[meeting.pk]),
        {
            "text": "建立联络机制",
            "owner_unit": cast.unit.pk,
            "due": str(timezone.localdate(meeting.starts_at) - timedelta(days=1)),
        },
    )
    assert response.status_code == 200
    assert "完成时限不能早于会议日期" in response.content.decode()
    response = client.post(
        reverse("decision-create", args=[meeting.pk]),
        {"text": "建立联络机制", "owner_unit": cast.unit.pk, "due": str(timezone.localdate(meeting.starts_at))},
    )
    assert response.status_code == 302
    assert Decision.objects.filter(meeting=meeting).count() == 1


# --- consultations -------------------------------------------------------------------------------------------


def test_consultation_quick_form_for_a_liaison(cast):
    response = client_for(cast.liaison).post(
        reverse("consultation-create"),
        {
            "held_on": str(timezone.localdate()),
            "topic_kind": "legal_issue",
            "topic": "行政机关负责人出庭应诉",
            "units": [cast.court.pk],
            "level": "province",
        },
    )
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.logging_unit == cast.unit
    assert set(consultation.units.values_list("pk", flat=True)) == {cast.unit.pk, cast.court.pk}


def test_consultation_form_refuses_a_future_date(cast):
    response = client_for(cast.liaison).post(
        reverse("consultation-create"),
        {
            "held_on": str(timezone.localdate() + timedelta(days=2)),
            "topic_kind": "routine",
            "topic": "日常会商",
            "units": [cast.court.pk],
            "level": "province",
        },
    )
    assert response.status_code == 200
    assert "会商日期不能晚于今天" in response.content.decode()
    assert not Consultation.objects.exists()


def test_consultation_list_scope_filters_and_query_count(cast):
    _consultation(cast, topic="甲局与甲中院会商")
    _consultation(cast, by=cast.other_liaison, units=[cast.other_unit, cast.other_court], topic="乙局会商")
    client = client_for(cast.clerk)  # took part in the first
    few, response = queries_for(client, reverse("consultation-list"))
    body = response.content.decode()
    assert "甲局与甲中院会商" in body and "乙局会商" not in body
    for i in range(6):
        _consultation(cast, topic=f"会商{i}", topic_kind="emergency")
    many, _ = queries_for(client, reverse("consultation-list"))
    assert many == few <= 10
    body = client.get(reverse("consultation-list"), {"topic_kind": "emergency"}).content.decode()
    assert body.count('data-testid="consultation-row"') == 6
    body = client_for(cast.office).get(reverse("consultation-list"), {"unit": cast.other_court.pk}).content.decode()
    assert body.count('data-testid="consultation-row"') == 1


def test_consultation_export_xlsx(cast):
    _consultation(cast, topic="企业破产重整", held_on=date(2026, 3, 1))
    _consultation(cast, by=cast.other_liaison, units=[cast.other_unit, cast.other_court], topic="不在范围内")
    response = client_for(cast.liaison).get(reverse("consultation-export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "会商日期"
    assert len(rows) == 2
    assert rows[1][2] == "企业破产重整"
    assert "测试局甲" in rows[1][3] and "测试中级人民法院甲" in rows[1][3]


def _sheet(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def test_decision_export_holds_the_lists_decisions_with_its_filters(cast, make_meeting):
    with time_machine.travel(datetime(2026, 4, 1, 10, tzinfo=SHANGHAI), tick=False):
        meeting = make_meeting(invited=[cast.unit])
        late = _decision(cast, meeting, text="逾期的事项", due=date(2026, 5, 20))
        done = _decision(cast, meeting, text="已办结的事项", due=date(2026, 7, 1))
        theirs = make_meeting(invited=[cast.other_unit], title="别人的会")
        _decision(cast, theirs, text="别人的事项", owner=cast.other_unit, supporting=[])
    clock = time_machine.travel(datetime(2026, 6, 1, 10, tzinfo=SHANGHAI), tick=False)
    clock.start()
    decision_services.decision_complete(decision=done, by=cast.liaison, note="已完成整改")
    client = client_for(cast.liaison)
    # The list's default: open decisions of the user's scope.
    rows = _sheet(client.get(reverse("decision-export")))
    assert rows[0][:3] == ("议定事项", "会议", "牵头落实单位")
    assert [r[0] for r in rows[1:]] == [late.text]
    assert rows[1][1] == meeting.title and rows[1][4].date() == date(2026, 5, 20) and rows[1][6] == "是"
    # status= (all) adds the done one, with when and how it was done; never another unit's.
    rows = _sheet(client.get(reverse("decision-export"), {"status": ""}))
    assert [r[0] for r in rows[1:]] == [late.text, done.text]
    assert rows[2][5] == "已办结" and rows[2][8] == "已完成整改" and rows[2][7].startswith("2026-06-01")
    # The list links to the export with its own filters.
    page = client.get(reverse("decision-list"), {"status": "done"}).content.decode()
    assert reverse("decision-export") + "?status=done" in page
    clock.stop()


def test_decision_export_queries_do_not_grow_with_rows(cast, make_meeting, django_assert_max_num_queries):
    meeting = make_meeting(invited=[cast.unit])
    _decision(cast, meeting)
    client = client_for(cast.office)
    client.get(reverse("decision-export"))  # warm the session
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("decision-export"))
    for i in range(10):
        _decision(cast, meeting, text=f"事项{i}")
    with django_assert_max_num_queries(10) as many:
        assert len(_sheet(client.get(reverse("decision-export")))) == 12
    assert len(few.captured_queries) == len(many.captured_queries)


def test_consultation_detail_and_edit_scope(cast):
    consultation = _consultation(cast)
    assert client_for(cast.other_liaison).get(reverse("consultation-detail", args=[consultation.pk])).status_code == 404
    assert client_for(cast.clerk).get(reverse("consultation-detail", args=[consultation.pk])).status_code == 200
    assert client_for(cast.clerk).get(reverse("consultation-edit", args=[consultation.pk])).status_code == 403
    assert client_for(cast.liaison).get(reverse("consultation-edit", args=[consultation.pk])).status_code == 200


# --- unit home snippet -------------------------------------------------------------------------------------


def test_unit_home_snippet(cast, make_meeting, rf):
    meeting = make_meeting(invited=[cast.unit], title="下周的联席会议")
    _decision(cast, meeting, text="本单位牵头的事项")
    make_meeting(invited=[cast.other_unit], title="别人的会")
    request = rf.get("/")
    request.user = cast.liaison
    html = render_to_string("meetings/_unit_home.html", {"panel": unit_home(user=cast.liaison)}, request=request)
    assert "下周的联席会议" in html and "本单位牵头的事项" in html and "别人的会" not in html


def test_home_page_shows_the_meetings_panel(cast, make_meeting):
    meeting = make_meeting(invited=[cast.unit], title="下周的联席会议")
    _decision(cast, meeting, text="本单位牵头的事项")
    make_meeting(invited=[cast.other_unit], title="别人的会")
    body = client_for(cast.liaison).get(reverse("home")).content.decode()
    assert "下周的联席会议" in body and "本单位牵头的事项" in body and "别人的会" not in body
    body = client_for(cast.office).get(reverse("home")).content.decode()
    assert "下周的联席会议" in body and "别人的会" in body and "议定事项督办" in body


def test_filter_drop_downs_keep_the_choice_and_escape_names(cast):
    from tests.factories import UnitFactory

    odd = UnitFactory(name="<b>某局</b>", short_name="某局")
    body = client_for(cast.office).get(reverse("consultation-list"), {"unit": odd.pk}).content.decode()
    assert f'<option value="{odd.pk}" selected>&lt;b&gt;某局&lt;/b&gt;</option>' in body
    assert "<b>某局</b>" not in body


def test_decision_edit_page_moves_the_due_date_and_rearms(cast, make_meeting):
    meeting = make_meeting(invited=[cast.unit])
    decision = _decision(cast, meeting)
    url = reverse("decision-edit", args=[decision.pk])
    assert client_for(cast.liaison).get(url).status_code == 403  # the owner unit follows up; it does not edit
    new_due = decision.due + timedelta(days=20)
    response = client_for(cast.office).post(
        url,
        {"text": "改后的事项", "owner_unit": cast.unit.pk, "supporting_units": [cast.court.pk], "due": str(new_due)},
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.text == "改后的事项" and decision.due == new_due
    assert timezone.localtime(decision.next_alert_at).date() == new_due - timedelta(days=3)


def test_agenda_drag_and_drop_order(cast, make_meeting):
    meeting = make_meeting()
    items = [agenda.agenda_add(meeting=meeting, by=cast.office, title=t, minutes=10) for t in ("一", "二", "三")]
    client = client_for(cast.office)
    url = reverse("agenda-reorder", args=[meeting.pk])
    response = client.post(url, {"order": f"{items[2].pk},{items[0].pk},{items[1].pk}"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="agenda"' in response.content.decode()
    assert _titles(meeting) == ["三", "一", "二"]
    response = client.post(url, {"order": f"{items[0].pk},{items[1].pk}"}, follow=True)  # one missing: refused
    assert "请刷新后重试" in response.content.decode()
    assert _titles(meeting) == ["三", "一", "二"]
    client_for(cast.liaison).post(url, {"order": f"{items[0].pk},{items[1].pk},{items[2].pk}"})
    assert _titles(meeting) == ["三", "一", "二"]


def test_a_convening_unit_follows_up_its_meetings_decisions(cast, make_meeting):
    meeting = make_meeting(by=cast.liaison, convener=cast.unit, invited=[cast.court, cast.other_unit])
    decision = decision_services.decision_add(
        meeting=meeting,
        by=cast.liaison,
        text="专项事项",
        owner_unit=cast.court,
        due=timezone.localdate(meeting.starts_at),
    )
    assert client_for(cast.liaison).get(reverse("decision-detail", args=[decision.pk])).status_code == 200
    assert client_for(cast.liaison).get(reverse("decision-edit", args=[decision.pk])).status_code == 200
    assert client_for(cast.other_liaison).get(reverse("decision-detail", args=[decision.pk])).status_code == 404
