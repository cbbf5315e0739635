"""API per API.md: meetings/ (+ hold, close, cancel, ics), consultations/, decisions/ (+ complete)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from meetings.consultations import services as consultation_services
from meetings.decisions import services as decision_services
from meetings.meetings import agenda
from meetings.meetings import minutes as meeting_minutes
from meetings.models import AgendaItem, Consultation, Meeting
from tests.conftest import client_for
from tests.meetings.conftest import page_queries

pytestmark = pytest.mark.django_db

JSON = "application/json"


def count_queries(client, url):  # type: ignore[no-untyped-def]
    n, response = page_queries(client, url)
    return n, response.json()


def test_anonymous_gets_401(db):
    for path in ("meetings/", "consultations/", "decisions/"):
        assert Client().get(f"/api/v1/{path}").status_code == 401


def test_office_creates_a_meeting_with_its_agenda(cast):
    start = timezone.now() + timedelta(days=6)
    body = {
        "kind": "case_symposium",
        "title": "重大案件座谈会",
        "convener": cast.office.unit_id,
        "invited_units": [cast.unit.pk, cast.court.pk],
        "tasks": [],
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "location": "省高院",
        "agenda": [
            {"order": 2, "title": "案情通报", "presenter_unit": cast.court.pk, "minutes": 30},
            {"order": 1, "title": "开场", "minutes": 5},
        ],
    }
    response = client_for(cast.office).post("/api/v1/meetings/", body, content_type=JSON)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "planned"
    assert data["sequence"] == 0
    assert [a["title"] for a in data["agenda"]] == ["开场", "案情通报"]
    assert data["agenda_minutes"] == 35
    assert sorted(data["invited_units"]) == sorted([cast.unit.pk, cast.court.pk])
    assert {r["reply"] for r in data["replies"]} == {"pending"}
    assert data["starts_at"].endswith("+08:00")
    assert data["minutes"] is None


def test_a_liaison_may_convene_only_for_their_own_unit(cast):
    start = timezone.now() + timedelta(days=6)
    body = {
        "kind": "joint_meeting",
        "title": "专项联席会议",
        "convener": cast.other_unit.pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "video_link": "https://meet.example.org/abc",
    }
    client = client_for(cast.liaison)
    assert client.post("/api/v1/meetings/", body, content_type=JSON).status_code == 403
    body["convener"] = cast.unit.pk
    assert client.post("/api/v1/meetings/", body, content_type=JSON).status_code == 201


def test_a_leader_reads_everything_but_writes_nothing(cast, make_meeting):
    meeting = make_meeting(invited=[cast.other_unit])
    client = client_for(cast.leader)
    assert client.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 200
    assert client.post(f"/api/v1/meetings/{meeting.pk}/cancel/").status_code == 403
    assert client.patch(f"/api/v1/meetings/{meeting.pk}/", {"title": "x"}, content_type=JSON).status_code == 403


def test_transitions_and_409s(cast, make_meeting, time_machine):
    meeting = make_meeting()
    client = client_for(cast.office)
    url = f"/api/v1/meetings/{meeting.pk}"
    response = client.post(f"{url}/hold/")
    assert response.status_code == 409 and "尚未开始" in response.json()["detail"]
    assert client.post(f"{url}/close/").status_code == 409
    time_machine.move_to(meeting.starts_at + timedelta(minutes=5))
    client = client_for(cast.office)
    assert client.post(f"{url}/hold/").json()["status"] == "held"
    assert client.post(f"{url}/cancel/").status_code == 409
    assert client.patch(f"{url}/", {"title": "改名"}, content_type=JSON).status_code == 409
    meeting_minutes.minutes_save(meeting=meeting, by=cast.office, body="纪要")
    assert client.post(f"{url}/close/").status_code == 409  # minutes not issued yet
    meeting_minutes.minutes_issue(
        meeting=meeting, by=cast.office, document_number="纪〔2026〕9号", override_reason="当场会签"
    )
    data = client.post(f"{url}/close/").json()
    assert data["status"] == "closed"
    assert data["minutes"]["document_number"] == "纪〔2026〕9号"


def test_cancel_through_the_api(cast, make_meeting):
    meeting = make_meeting()
    client = client_for(cast.office)
    response = client.post(f"/api/v1/meetings/{meeting.pk}/cancel/", {"reason": "改期另行通知"}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["sequence"] == 1
    assert client.post(f"/api/v1/meetings/{meeting.pk}/cancel/").status_code == 409


def test_patch_moves_the_meeting_and_bumps_the_sequence(cast, make_meeting):
    meeting = make_meeting()
    new_start = meeting.starts_at + timedelta(days=2)
    response = client_for(cast.office).patch(
        f"/api/v1/meetings/{meeting.pk}/",
        {"starts_at": new_start.isoformat(), "ends_at": (new_start + timedelta(hours=1)).isoformat()},
        content_type=JSON,
    )
    assert response.status_code == 200, response.json()
    assert response.json()["sequence"] == 1
    meeting.refresh_from_db()
    assert meeting.starts_at == new_start


def test_reply_through_the_api(cast, make_meeting):
    meeting = make_meeting(invited=[cast.unit])
    response = client_for(cast.liaison).post(
        f"/api/v1/meetings/{meeting.pk}/reply/", {"reply": "declined", "reason": "另有会议"}, content_type=JSON
    )
    assert response.status_code == 200
    assert response.json()["reply"] == "declined"


def test_meeting_list_scope_filters_and_query_count(cast, make_meeting):
    client = client_for(cast.liaison)
    first = make_meeting(invited=[cast.unit], kind="training")
    agenda.agenda_add(meeting=first, by=cast.office, title="议题", minutes=10, presenter_unit=cast.court)
    few, data = count_queries(client, "/api/v1/meetings/")
    assert data["count"] == 1
    for i in range(5):
        m = make_meeting(invited=[cast.unit, cast.court], title=f"会议{i}")
        agenda.agenda_add(meeting=m, by=cast.office, title="议题", minutes=10, presenter_unit=cast.court)
    make_meeting(invited=[cast.other_unit], title="看不见的会")
    many, data = count_queries(client, "/api/v1/meetings/")
    assert data["count"] == 6
    assert many == few
    assert client.get("/api/v1/meetings/", {"kind": "training"}).json()["count"] == 1
    assert client.get("/api/v1/meetings/", {"search": "会议3"}).json()["count"] == 1
    assert client.get("/api/v1/meetings/", {"status": "cancelled"}).json()["count"] == 0
    office = client_for(cast.office)
    assert office.get("/api/v1/meetings/", {"invited_unit": cast.other_unit.pk}).json()["count"] == 1


def test_agenda_can_be_replaced_through_patch(cast, make_meeting):
    meeting = make_meeting()
    agenda.agenda_add(meeting=meeting, by=cast.office, title="旧议题", minutes=10)
    body = {"agenda": [{"title": "新一", "minutes": 15}, {"title": "新二", "minutes": 20}]}
    response = client_for(cast.office).patch(f"/api/v1/meetings/{meeting.pk}/", body, content_type=JSON)
    assert response.status_code == 200
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("title", "order")) == [("新一", 1), ("新二", 2)]


# --- consultations -----------------------------------------------------------------------------------------


def test_consultations_post_list_patch(cast):
    client = client_for(cast.clerk)
    body = {
        "topic_kind": "major_case",
        "held_on": str(timezone.localdate()),
        "units": [cast.unit.pk],
        "level": "city",
        "topic": "执行查控协作",
        "case_number": "(2026)甘01执12号",
        "tasks": [],
    }
    response = client.post("/api/v1/consultations/", body, content_type=JSON)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["logging_unit"] == cast.court.pk
    assert sorted(data["units"]) == sorted([cast.unit.pk, cast.court.pk])
    pk = data["id"]
    assert client.get("/api/v1/consultations/", {"topic_kind": "major_case"}).json()["count"] == 1
    assert client.get("/api/v1/consultations/", {"topic_kind": "routine"}).json()["count"] == 0
    # The unit that took part sees it but may not change it; an outsider does not see it.
    assert (
        client_for(cast.liaison).patch(f"/api/v1/consultations/{pk}/", {"topic": "x"}, content_type=JSON).status_code
        == 403
    )
    assert client_for(cast.other_liaison).get(f"/api/v1/consultations/{pk}/").status_code == 404
    response = client.patch(f"/api/v1/consultations/{pk}/", {"outcome": "形成一致意见"}, content_type=JSON)
    assert response.status_code == 200
    assert Consultation.objects.get(pk=pk).outcome == "形成一致意见"


def test_consultation_with_a_future_date_is_400(cast):
    body = {
        "topic_kind": "routine",
        "held_on": str(timezone.localdate() + timedelta(days=1)),
        "units": [cast.court.pk],
        "topic": "t",
    }
    response = client_for(cast.liaison).post("/api/v1/consultations/", body, content_type=JSON)
    assert response.status_code == 400 and "held_on" in response.json()


def test_consultation_list_query_count(cast):
    client = client_for(cast.office)
    for i in range(2):
        consultation_services.consultation_log(
            by=cast.liaison, topic_kind="routine", held_on=timezone.localdate(), units=[cast.court], topic=f"会商{i}"
        )
    few, _ = count_queries(client, "/api/v1/consultations/")
    for i in range(6):
        consultation_services.consultation_log(
            by=cast.liaison,
            topic_kind="routine",
            held_on=timezone.localdate(),
            units=[cast.court, cast.other_unit],
            topic=f"再会商{i}",
        )
    many, data = count_queries(client, "/api/v1/consultations/")
    assert data["count"] == 8
    assert many == few


# --- decisions ---------------------------------------------------------------------------------------------


def test_decisions_post_complete_and_filters(cast, make_meeting, time_machine):
    meeting = make_meeting(invited=[cast.unit, cast.court])
    office = client_for(cast.office)
    body = {
        "meeting": meeting.pk,
        "text": "建立信息共享机制",
        "owner_unit": cast.unit.pk,
        "supporting_units": [cast.court.pk],
        "due": str(timezone.localdate(meeting.starts_at) + timedelta(days=10)),
    }
    response = office.post("/api/v1/decisions/", body, content_type=JSON)
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["overdue"] is False
    assert client_for(cast.clerk).get(f"/api/v1/decisions/{pk}/").status_code == 200
    assert client_for(cast.other_liaison).get(f"/api/v1/decisions/{pk}/").status_code == 404
    time_machine.move_to(meeting.starts_at + timedelta(days=20))
    office = client_for(cast.office)
    assert office.get("/api/v1/decisions/", {"overdue": "true"}).json()["count"] == 1
    assert office.get(f"/api/v1/decisions/{pk}/").json()["overdue"] is True
    clerk = client_for(cast.clerk)
    assert clerk.post(f"/api/v1/decisions/{pk}/complete/", {"note": "x"}, content_type=JSON).status_code == 403
    assert (
        clerk.post(f"/api/v1/decisions/{pk}/progress/", {"note": "配合完成调研"}, content_type=JSON).status_code == 201
    )
    liaison = client_for(cast.liaison)
    assert liaison.post(f"/api/v1/decisions/{pk}/complete/", {}, content_type=JSON).status_code == 400
    response = liaison.post(f"/api/v1/decisions/{pk}/complete/", {"note": "已建立"}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["status"] == "done" and response.json()["overdue"] is False
    assert liaison.post(f"/api/v1/decisions/{pk}/complete/", {"note": "again"}, content_type=JSON).status_code == 409
    assert office.get("/api/v1/decisions/", {"status": "open"}).json()["count"] == 0


def test_decision_for_a_meeting_out_of_scope_is_400(cast, make_meeting):
    meeting = make_meeting(invited=[cast.other_unit])
    body = {
        "meeting": meeting.pk,
        "text": "t",
        "owner_unit": cast.unit.pk,
        "due": str(timezone.localdate() + timedelta(days=30)),
    }
    assert client_for(cast.liaison).post("/api/v1/decisions/", body, content_type=JSON).status_code == 400


def test_decision_list_query_count(cast, make_meeting):
    meeting = make_meeting(invited=[cast.unit])
    client = client_for(cast.office)
    due = timezone.localdate(meeting.starts_at) + timedelta(days=5)
    decision_services.decision_add(meeting=meeting, by=cast.office, text="一", owner_unit=cast.unit, due=due)
    few, _ = count_queries(client, "/api/v1/decisions/")
    for i in range(6):
        decision_services.decision_add(
            meeting=meeting,
            by=cast.office,
            text=f"事项{i}",
            owner_unit=cast.unit,
            due=due,
            supporting_units=[cast.court],
        )
    many, data = count_queries(client, "/api/v1/decisions/")
    assert data["count"] == 7
    assert many == few


def test_schema_describes_the_endpoints(cast):
    response = client_for(cast.office).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/meetings/",
        "/api/v1/meetings/{id}/hold/",
        "/api/v1/meetings/{id}/close/",
        "/api/v1/meetings/{id}/cancel/",
        "/api/v1/meetings/{id}/ics",
        "/api/v1/consultations/",
        "/api/v1/decisions/",
        "/api/v1/decisions/{id}/complete/",
    ):
        assert path in paths, path


def test_meeting_detail_status_is_a_code(cast, make_meeting):
    meeting = make_meeting()
    data = client_for(cast.office).get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert data["status"] == Meeting.Status.PLANNED.value and data["kind"] == "joint_meeting"


# --- Found by the schemathesis run (tests/security/test_api_fuzz.py) -----------------------------------------


def test_patch_answers_the_same_fields_as_get_even_when_they_are_null(cast, make_meeting):
    # A partial update skipped read-only fields with a default (region_name, presenter_unit_name) when null.
    meeting = make_meeting()
    agenda.agenda_add(meeting=meeting, by=cast.office, title="议题", minutes=10)
    client = client_for(cast.office)
    patched = client.patch(f"/api/v1/meetings/{meeting.pk}/", {"title": "改名"}, content_type=JSON)
    assert patched.status_code == 200, patched.json()
    got = client.get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert set(patched.json()) == set(got)
    # Every meeting now lives somewhere (its convener's region): the name is never null.
    assert patched.json()["region_name"] == got["region_name"] is not None
    assert patched.json()["agenda"][0]["presenter_unit_name"] is None


def test_a_refused_agenda_keeps_the_whole_meeting_unchanged(cast, make_meeting):
    meeting = make_meeting()
    body = {"title": "新名称", "location": "新地点", "agenda": [{"title": "甲", "minutes": 0}]}
    response = client_for(cast.office).patch(f"/api/v1/meetings/{meeting.pk}/", body, content_type=JSON)
    assert response.status_code == 400, response.json()
    meeting.refresh_from_db()
    assert (meeting.title, meeting.location, meeting.sequence) == ("环境资源审判联席会议", "省司法厅三楼会议室", 0)


def test_a_refused_agenda_creates_no_meeting(cast):
    start = timezone.now() + timedelta(days=6)
    body = {
        "kind": "joint_meeting",
        "title": "不该留下的会议",
        "convener": cast.office.unit_id,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "location": "省高院",
        "agenda": [{"title": "甲", "minutes": 800}, {"title": "乙", "minutes": 700}],
    }
    response = client_for(cast.office).post("/api/v1/meetings/", body, content_type=JSON)
    assert response.status_code == 400 and "agenda" in response.json()
    assert not Meeting.objects.filter(title="不该留下的会议").exists()


@pytest.mark.parametrize("suffix", ["ics", "ics/"])
def test_refusals_of_the_calendar_file_are_json(cast, make_meeting, suffix):
    meeting = make_meeting()
    cases = [
        (Client(), f"/api/v1/meetings/{meeting.pk}/{suffix}", 401),
        (client_for(cast.office), f"/api/v1/meetings/999999/{suffix}", 404),
        (client_for(cast.office), f"/api/v1/meetings/{meeting.pk}/{suffix}?format=bogus", 404),
        (client_for(cast.other_liaison), f"/api/v1/meetings/{meeting.pk}/{suffix}", 404),
    ]
    for client, url, status in cases:
        response = client.get(url)
        assert response.status_code == status, url
        assert response["Content-Type"] == JSON, url
        assert "detail" in response.json()
    ok = client_for(cast.office).get(f"/api/v1/meetings/{meeting.pk}/{suffix}")
    assert ok.status_code == 200 and ok["Content-Type"].startswith("text/calendar")
