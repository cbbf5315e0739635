"""API ``hearings/`` (API.md): the issue's bad input and scope cases over HTTP (a past hearing notified: 409; an
answer by a unit that is not the defendant: 404; recording before the hearing: 409), scope at each level, leaders
read-only, the figures in ``stats/summary/``, and list queries that do not grow with the rows."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.hearings import services
from cases.hearings.models import Hearing
from members.models import User
from tests.cases.hearings_support import NOW, World, at, world
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

JSON = "application/json"
API = "/api/v1"
AFTER = "2026-03-20 11:00 +0800"


@pytest.fixture
def w() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield world()


def post(user: User, url: str, body: dict[str, Any] | None = None) -> Any:
    return client_for(user).post(f"{API}/{url}", body or {}, content_type=JSON)


def state(h: Hearing) -> dict[str, Any]:
    """Every column of the row (``model_to_dict`` would leave out the non-editable lifecycle fields)."""
    h.refresh_from_db()
    return {f.attname: getattr(h, f.attname) for f in h._meta.concrete_fields}


def test_create_notify_answer_record_over_http(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        r = post(
            w.clerk,
            "hearings/",
            {
                "case_number": "(2026)甘01行初12号",
                "defendant": w.defendant.pk,
                "hearing_at": "2026-03-20T09:30:00+08:00",
                "place": "第三法庭",
            },
        )
        assert r.status_code == 201, r.content
        body = r.json()
        pk = body["id"]
        assert (body["status"], body["court"]) == ("draft", w.court.pk)
        assert body["actions"] == ["cancel", "edit", "notify"]
        assert post(w.clerk, f"hearings/{pk}/notify/").json()["status"] == "notified"
        r = post(w.liaison, f"hearings/{pk}/answer/", {"name": "张三", "post": "局长", "responsible_person": True})
        assert r.status_code == 200 and r.json()["answer"]["name"] == "张三"
    with time_machine.travel(AFTER, tick=False):
        r = post(w.clerk, f"hearings/{pk}/record/", {"appeared": "head", "name": "张三", "post": "局长"})
        assert r.status_code == 200, r.content
        assert r.json()["appearance"] == {
            "appeared": "head",
            "name": "张三",
            "post": "局长",
            "responsible_person": True,
            "recorded_at": r.json()["appearance"]["recorded_at"],
        }
        summary = client_for(w.office_city).get(f"{API}/stats/summary/", {"from": "2026-01-01", "to": "2026-12-31"})
    figures = summary.json()["figures"]
    assert figures["hearings_held"]["value"] == 1
    assert figures["agency_head_appearances"]["value"] == 1
    rate = figures["agency_head_appearance_rate"]
    assert (rate["numerator"], rate["denominator"], rate["rate"]) == (1, 1, 100.0)


def test_a_past_hearing_sent_as_a_notice_is_409(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.draft(hearing_at=at("2026-03-02T09:00:00+08:00"))
        before = state(h)
        r = post(w.clerk, f"hearings/{h.pk}/notify/")
    assert r.status_code == 409 and "不能发出出庭通知" in r.json()["detail"]
    assert state(h) == before


def test_an_answer_by_a_unit_that_is_not_the_defendant_is_404(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.notified()
        before = state(h)
        r = post(w.other_liaison, f"hearings/{h.pk}/answer/", {"name": "甲", "post": "乙", "responsible_person": True})
    assert r.status_code == 404
    assert state(h) == before


def test_recording_before_the_hearing_is_409(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.notified()
        before = state(h)
        r = post(w.clerk, f"hearings/{h.pk}/record/", {"appeared": "head", "name": "张三"})
    assert r.status_code == 409 and "尚未开庭" in r.json()["detail"]
    assert state(h) == before


def test_bad_input_is_400_in_chinese(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        r = post(w.clerk, "hearings/", {"case_number": " ", "defendant": w.defendant.pk, "hearing_at": "not a date"})
        assert r.status_code == 400 and "hearing_at" in r.json()
        h = w.notified()
        before = state(h)
        r = post(w.liaison, f"hearings/{h.pk}/answer/", {"name": "甲", "post": "科员", "responsible_person": False})
        assert r.status_code == 400 and r.json()["reason"] == ["负责人不出庭的,必须说明理由。"]
        r = post(
            w.clerk,
            "hearings/",
            {
                "case_number": "x",
                "defendant": w.defendant.pk,
                "hearing_at": "2026-03-20T09:30:00+08:00",
                "court": w.high_clerk.unit_id,
            },
        )
        assert r.status_code == 400 and "court" in r.json()
    assert state(h) == before
    assert Hearing.objects.count() == 1


def test_scope_and_read_only_roles(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.notified()
        for who in ("office_county", "office_other_city", "county_clerk", "other_liaison", "supervisor_liaison"):
            assert client_for(getattr(w, who)).get(f"{API}/hearings/{h.pk}/").status_code == 404, who
        for who in ("office_province", "office_city", "leader_city", "high_clerk", "liaison"):
            assert client_for(getattr(w, who)).get(f"{API}/hearings/{h.pk}/").status_code == 200, who
        before = state(h)
        assert post(w.high_clerk, f"hearings/{h.pk}/cancel/").status_code == 403  # the court above reads only
        assert post(w.leader_city, f"hearings/{h.pk}/cancel/").status_code == 403
        assert state(h) == before
        ids = [row["id"] for row in client_for(w.office_city).get(f"{API}/hearings/").json()["results"]]
        assert ids == [h.pk]
        assert client_for(w.office_county).get(f"{API}/hearings/").json()["results"] == []


def test_list_filters(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        a = w.notified(case_number="(2026)甘01行初1号")
        b = w.notified(case_number="(2026)甘01行初2号", hearing_at=at("2026-04-10T09:00:00+08:00"))
    with time_machine.travel("2026-04-11 09:00 +0800", tick=False):
        services.hearing_record(hearing=a, by=w.clerk, appeared="head", name="甲")
        services.hearing_record(hearing=b, by=w.clerk, appeared="staff", name="乙")
        c = client_for(w.office_city)

        def ids(**params: Any) -> set[int]:
            return {row["id"] for row in c.get(f"{API}/hearings/", params).json()["results"]}

        assert ids(responsible="true") == {a.pk}
        assert ids(responsible="false") == {b.pk}
        assert ids(**{"from": "2026-04-01"}) == {b.pk}
        assert ids(search="行初1号") == {a.pk}
        assert ids(defendant=w.other_unit.pk) == set()


def _list_queries(user: User) -> int:
    c = client_for(user)
    c.get(f"{API}/hearings/")
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(f"{API}/hearings/").status_code == 200
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        w.notified(case_number="n0")
        few = {u: _list_queries(getattr(w, u)) for u in ("office_city", "clerk", "liaison")}
        for i in range(1, 12):
            w.notified(case_number=f"n{i}")
        many = {u: _list_queries(getattr(w, u)) for u in ("office_city", "clerk", "liaison")}
    assert many == few
    assert max(many.values()) <= 10
