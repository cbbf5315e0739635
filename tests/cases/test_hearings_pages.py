"""Pages of hearings: the list (filters, search, sort, paging, export) in each user's scope, the detail with its
timeline and the forms that offer only the allowed actions, refusals shown as messages (state unchanged), the
home panels, and list queries that do not grow with the rows."""

from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook

from cases.hearings import services
from cases.hearings.models import Hearing
from tests.cases.hearings_support import NOW, World, at, world
from tests.conftest import client_for
from tests.meetings.conftest import page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield world()


def state(h: Hearing) -> dict[str, Any]:
    """Every column of the row (``model_to_dict`` would leave out the non-editable lifecycle fields)."""
    h.refresh_from_db()
    return {f.attname: getattr(h, f.attname) for f in h._meta.concrete_fields}


def test_clerk_creates_edits_and_notifies_through_the_pages(w: World) -> None:
    c = client_for(w.clerk)
    with time_machine.travel(NOW, tick=False):
        assert c.get("/hearings/new/").status_code == 200
        bad = c.post(
            "/hearings/new/", {"case_number": "", "defendant": w.defendant.pk, "hearing_at": "2026-03-20T09:30"}
        )
        assert bad.status_code == 200 and "该字段是必填项" in bad.content.decode()
        assert not Hearing.objects.exists()
        r = c.post(
            "/hearings/new/",
            {"case_number": "(2026)甘01行初12号", "defendant": w.defendant.pk, "hearing_at": "2026-03-20T09:30"},
        )
        h = Hearing.objects.get()
        assert r.status_code == 302 and r["Location"] == f"/hearings/{h.pk}/"
        assert h.hearing_at == at("2026-03-20T09:30:00+08:00")
        edit = {
            "case_number": h.case_number,
            "defendant": w.defendant.pk,
            "hearing_at": "2026-03-21T09:30",
            "place": "一庭",
        }
        assert c.post(f"/hearings/{h.pk}/edit/", edit).status_code == 302
        assert state(h)["place"] == "一庭"
        page = c.get(f"/hearings/{h.pk}/").content.decode()
        assert 'data-testid="action-notify"' in page and 'data-testid="action-record"' not in page
        assert c.post(f"/hearings/{h.pk}/notify/").status_code == 302
        assert state(h)["status"] == "notified"
        assert client_for(w.liaison).get(f"/hearings/{h.pk}/edit/").status_code == 403


def test_liaison_answers_and_a_refusal_is_a_message(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.notified()
        c = client_for(w.liaison)
        bad = c.post(
            f"/hearings/{h.pk}/answer/", {"answer-name": "甲", "answer-post": "科员", "answer-responsible_person": "0"}
        )
        assert bad.status_code == 400 and "负责人不出庭的,必须说明理由。" in bad.content.decode()
        assert state(h)["status"] == "notified"
        ok = {"answer-name": "张三", "answer-post": "局长", "answer-responsible_person": "1"}
        assert c.post(f"/hearings/{h.pk}/answer/", ok).status_code == 302
        assert state(h)["answer_name"] == "张三"
        assert client_for(w.other_liaison).post(f"/hearings/{h.pk}/answer/", ok).status_code == 404
        before = state(h)
        r = client_for(w.clerk).post(
            f"/hearings/{h.pk}/record/", {"record-appeared": "head", "record-name": "张"}, follow=True
        )
        assert "尚未开庭" in r.content.decode()
        assert state(h) == before
    with time_machine.travel("2026-03-20 10:00 +0800", tick=False):
        c = client_for(w.clerk)
        assert 'data-testid="action-record"' in c.get(f"/hearings/{h.pk}/").content.decode()
        assert (
            c.post(f"/hearings/{h.pk}/record/", {"record-appeared": "head", "record-name": "张三"}).status_code == 302
        )
        page = c.get(f"/hearings/{h.pk}/").content.decode()
    assert state(h)["status"] == "held"
    assert "登记出庭情况" in page and "回复出庭人员" in page and "通知被告行政机关" in page  # the timeline


def test_list_scope_filters_sort_and_export(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        a = w.notified(case_number="(2026)甘01行初1号")
        b = w.notified(case_number="(2026)甘01行初2号", hearing_at=at("2026-04-10T09:00:00+08:00"))
        draft = w.draft(case_number="(2026)甘01行初3号")
    with time_machine.travel("2026-04-11 09:00 +0800", tick=False):
        services.hearing_record(hearing=a, by=w.clerk, appeared="head", name="甲")
        c = client_for(w.office_city)
        html = c.get("/hearings/").content.decode()
        assert html.count('data-testid="hearing-row"') == 3
        assert client_for(w.liaison).get("/hearings/").content.decode().count('data-testid="hearing-row"') == 2
        assert 'data-testid="hearing-row"' not in client_for(w.office_county).get("/hearings/").content.decode()
        html = c.get("/hearings/", {"responsible": "true"}).content.decode()
        assert a.case_number in html and b.case_number not in html
        html = c.get("/hearings/", {"q": "行初2号"}).content.decode()
        assert b.case_number in html and a.case_number not in html
        html = c.get("/hearings/", {"status": "draft"}).content.decode()
        assert draft.case_number in html and a.case_number not in html
        sorted_html = c.get("/hearings/", {"sort": "hearing_at"}).content.decode()
        assert sorted_html.index(a.case_number) < sorted_html.index(b.case_number)
        r = c.get("/hearings/export.xlsx", {"status": "held"})
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "案号" and [row[0] for row in rows[1:]] == [a.case_number]
    assert rows[1][13] == "是"


def panel(user: Any) -> str:
    """The hearings panel of the user's home page ("" when there is none)."""
    html = client_for(user).get("/").content.decode()
    start = html.find('data-testid="hearings-panel"')
    return "" if start < 0 else html[start : html.index("</section>", start)]


def test_home_panels(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.notified()
        assert h.case_number in panel(w.liaison)
        assert h.case_number not in panel(w.clerk)  # not yet to record
        assert panel(w.office_city) == ""
    with time_machine.travel("2026-03-20 10:00 +0800", tick=False):
        assert h.case_number in panel(w.clerk)
        assert h.case_number not in panel(w.liaison)  # too late to answer


def test_list_queries_do_not_grow(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        w.notified(case_number="n0")
        few = {u: page_queries(client_for(getattr(w, u)), "/hearings/")[0] for u in ("office_city", "clerk", "liaison")}
        for i in range(1, 12):
            w.notified(case_number=f"n{i}")
        many = {
            u: page_queries(client_for(getattr(w, u)), "/hearings/")[0] for u in ("office_city", "clerk", "liaison")
        }
    assert many == few
