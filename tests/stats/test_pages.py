"""The dashboard, the unit view, the league table, the report and the definitions page; the API."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import WorkTask
from stats import rollups
from stats.figures import FIGURES
from tests.conftest import client_for
from tests.stats.conftest import at

pytestmark = pytest.mark.django_db
YEAR = {"period": "year", "year": "2025"}
API = "/api/v1/stats/summary/"


def populate(world, n: int = 1) -> None:  # type: ignore[no-untyped-def]
    w, cast = world, world.cast
    for i in range(n):
        day = date(2025, 1 + i % 12, 10)
        w.rec(day, tasks=[w.task1], status="acknowledged", reply_due=date(2025, 1 + i % 12, 20))
        w.rec(day, court=cast.other_court, addressee=cast.other_unit, tasks=[w.task8], status="replied",
              reply_due=date(2025, 12, 31), replied_at=at(2025, 1 + i % 12, 15, 9))  # fmt: skip
        w.ref("mediation", at(2025, 1 + i % 12, 3, 9), status="accepted", due=date(2025, 1 + i % 12, 10),
              tasks=[w.task8])  # fmt: skip
        w.ref("mediation", at(2025, 1 + i % 12, 4, 9), status="concluded", outcome="resolved",
              sender=cast.other_court, receiver=cast.other_unit)  # fmt: skip
        meeting = w.meeting(at(2025, 1 + i % 12, 5, 9), region=w.region, tasks=[w.task1])
        w.decision(meeting, date(2025, 1 + i % 12, 25))
        w.consultation(day, region=w.region, tasks=[w.task8])
        w.consultation(day, region=w.other_region, unit=cast.other_unit)


def test_who_may_open_the_dashboard(cast, client) -> None:  # type: ignore[no-untyped-def]
    url = reverse("dashboard")
    assert client.get(url).status_code == 302
    for user in (cast.office, cast.leader, cast.admin):
        assert client_for(user).get(url).status_code == 200
    for user in (cast.liaison, cast.clerk):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).get(reverse("stats-league")).status_code == 404
        assert client_for(user).get(reverse("stats-report")).status_code == 404
        assert client_for(user).get(reverse("stats-report-download", args=["docx"])).status_code == 404


def test_dashboard_shows_cards_charts_links_and_late_panel(world, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(at(2025, 12, 1, 10), tick=False)
    populate(world)
    response = client_for(world.cast.office).get(reverse("dashboard"), YEAR)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="figure-mediation_success_rate"' in html
    assert "50.00%" in html  # 1 resolved of 2 delegated
    assert "/referrals/?from=2025-01-01&amp;to=2025-12-31&amp;year=2025&amp;kind=mediation" in html
    assert "<script>" not in html  # the CSP forbids inline scripts: the data is a JSON block
    charts = json.loads(html.split('id="stats-charts" type="application/json">')[1].split("</script>")[0])
    assert charts["trend"]["labels"][0] == "2025-01"
    assert len(charts["trend"]["labels"]) == 12
    assert charts["by_task"]["labels"] == ["法治政府建设", "纠纷多元化解"]
    from stats.selectors import point_url

    by_region = charts["by_region"]
    assert point_url(by_region, by_region["series"][0], 0) == (
        f"/consultations/?from=2025-01-01&to=2025-12-31&year=2025&region={by_region['ids'][0]}"
    )
    trend = charts["trend"]
    mediation = next(s for s in trend["series"] if s["name"] == "委派调解")
    assert point_url(trend, mediation, 1) == "/referrals/?kind=mediation&from=2025-02-01&to=2025-02-28"
    by_task = charts["by_task"]
    assert point_url(by_task, by_task["series"][2], 1).endswith(f"&task={by_task['ids'][1]}")
    late = response.context["board"]["late"]
    assert late["recommendations"]["total"] == 1
    assert late["recommendations"]["rows"][0]["days_late"] == (date(2025, 12, 1) - date(2025, 1, 20)).days
    assert late["referrals"]["total"] == 1
    assert late["decisions"]["total"] == 1


def test_empty_period_shows_a_dash_not_an_error(cast) -> None:  # type: ignore[no-untyped-def]
    response = client_for(cast.office).get(reverse("dashboard"), {"period": "month", "year": "2025", "month": "2"})
    assert response.status_code == 200
    card = response.content.decode().split('data-testid="figure-mediation_success_rate"')[1]
    assert 'data-testid="rate">—<' in card.split("</div>\n</div>")[0]
    body = client_for(cast.office).get(API, {"from": "2025-02-01", "to": "2025-02-28"}).json()
    assert body["figures"]["mediation_success_rate"]["rate"] is None
    assert body["figures"]["mediation_success_rate"]["denominator"] == 0


def test_period_picker(cast) -> None:  # type: ignore[no-untyped-def]
    office = client_for(cast.office)
    for params, start, end in [
        ({"period": "quarter", "year": "2025", "quarter": "4"}, date(2025, 10, 1), date(2025, 12, 31)),
        ({"period": "month", "year": "2024", "month": "2"}, date(2024, 2, 1), date(2024, 2, 29)),
        ({"period": "custom", "from": "2025-03-05", "to": "2025-04-06"}, date(2025, 3, 5), date(2025, 4, 6)),
        ({"period": "year", "year": "2023"}, date(2023, 1, 1), date(2023, 12, 31)),
    ]:
        scope = office.get(reverse("dashboard"), params).context["scope"]
        assert (scope.start, scope.end) == (start, end)


def test_liaison_sees_only_their_unit(world) -> None:  # type: ignore[no-untyped-def]
    populate(world)
    cast = world.cast
    liaison = client_for(cast.liaison)
    page = liaison.get(reverse("unit-dashboard"), YEAR)
    assert page.status_code == 200
    cards = {c["key"]: c for c in page.context["board"]["cards"]}
    assert cards["recommendations_issued"]["value"] == 1  # the other unit's recommendation is not counted
    assert cards["consultations"]["value"] == 1
    assert cards["mediation_delegated"]["value"] == 1
    # Asking for another unit changes nothing.
    other = liaison.get(reverse("unit-dashboard"), {**YEAR, "unit": cast.other_unit.pk})
    assert {c["key"]: c for c in other.context["board"]["cards"]}["recommendations_issued"]["value"] == 1
    api = liaison.get(API, {"from": "2025-01-01", "to": "2025-12-31", "unit": cast.other_unit.pk}).json()
    assert api["unit"] == cast.unit.pk
    assert api["figures"]["recommendations_issued"]["value"] == 1
    # The office sees everything, or one unit on request.
    office = client_for(cast.office)
    assert office.get(API, {"from": "2025-01-01", "to": "2025-12-31"}).json()["figures"]["consultations"]["value"] == 2
    one = office.get(reverse("unit-dashboard"), {**YEAR, "unit": cast.other_unit.pk})
    assert {c["key"]: c for c in one.context["board"]["cards"]}["consultations"]["value"] == 1
    assert office.get(reverse("unit-dashboard"), YEAR).status_code == 302
    # A user with no unit and no office role has no statistics.
    from tests.factories import make_user

    nobody = make_user("liaison", None, username="nobody")
    assert client_for(nobody).get(reverse("unit-dashboard")).status_code == 404
    assert client_for(nobody).get(API).status_code == 404


def test_page_and_api_agree(world, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(at(2025, 12, 1, 10), tick=False)
    populate(world, 3)
    office = client_for(world.cast.office)
    task = WorkTask.objects.get(number=8).pk
    for params, api_params in [
        (YEAR, {"from": "2025-01-01", "to": "2025-12-31"}),
        ({**YEAR, "task": task}, {"from": "2025-01-01", "to": "2025-12-31", "task": task}),
        ({**YEAR, "region": world.region.pk}, {"from": "2025-01-01", "to": "2025-12-31", "region": world.region.pk}),
    ]:
        cards = office.get(reverse("dashboard"), params).context["board"]["cards"]
        figures = office.get(API, api_params).json()["figures"]
        assert len(cards) == len(figures) == len(FIGURES) >= 25  # every figure of the registry
        for card in cards:
            got = figures[card["key"]]
            if card["is_rate"]:
                expected_rate = None if card["rate"] is None else float(card["rate"])
                assert (got["numerator"], got["denominator"], got["rate"]) == (
                    card["numerator"],
                    card["denominator"],
                    expected_rate,
                )
            elif card["is_amount"]:  # yuan as exact text in the API
                assert got["value"] == f"{card['value']:.2f}"
            else:
                assert got["value"] == card["value"]


def test_api_shape_and_bad_input(world) -> None:  # type: ignore[no-untyped-def]
    populate(world)
    office = client_for(world.cast.office)
    body = office.get(API, {"from": "2025-01-01", "to": "2025-12-31"}).json()
    assert body["period"] == {"from": "2025-01-01", "to": "2025-12-31"}
    assert body["figures"]["recommendations_issued"]["value"] == 2
    assert set(body["figures"]["mediation_success_rate"]) >= {"numerator", "denominator", "rate"}
    assert body["figures"]["mediation_success_rate"]["rate"] == 50.0
    assert office.get(API, {"from": "2025-13-01"}).status_code == 400
    assert "from" in office.get(API, {"from": "not a date"}).json()
    assert "to" in office.get(API, {"from": "2025-02-01", "to": "2025-01-01"}).json()
    assert office.get(API, {"region": "x"}).status_code == 400
    from django.test import Client

    assert Client().get(API).status_code == 401
    schema = office.get("/api/schema/").content.decode()
    assert "/api/v1/stats/summary/" in schema
    assert "stats_summary" in schema
    operation = office.get("/api/schema/", {"format": "json"}).json()["paths"][API]["get"]
    assert "Retry-After" in operation["responses"]["503"]["description"]  # the rollups busy (tests/stats/test_drift.py)


def _queries(client, url: str, params: dict) -> int:  # type: ignore[no-untyped-def]
    rollups.flush()  # the records written before are taken into the rollups first (measured on its own)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_and_api_query_counts_do_not_grow(world) -> None:  # type: ignore[no-untyped-def]
    office = client_for(world.cast.office)
    liaison = client_for(world.cast.liaison)
    populate(world, 1)
    office.get(reverse("dashboard"), YEAR)  # the first request of a session does a little more (last login …)
    liaison.get(reverse("unit-dashboard"), YEAR)
    few = [
        _queries(office, reverse("dashboard"), YEAR),
        _queries(office, API, {"from": "2025-01-01", "to": "2025-12-31"}),
        _queries(liaison, reverse("unit-dashboard"), YEAR),
        _queries(office, reverse("stats-league"), YEAR),
    ]
    populate(world, 24)
    many = [
        _queries(office, reverse("dashboard"), YEAR),
        _queries(office, API, {"from": "2025-01-01", "to": "2025-12-31"}),
        _queries(liaison, reverse("unit-dashboard"), YEAR),
        _queries(office, reverse("stats-league"), YEAR),
    ]
    assert few == many
    assert max(many[:3]) <= 16, many  # the dashboard: the chart's busiest units are ranked in a query of their own
    # Five years, one region, one task: still the same handful.
    five = _queries(office, reverse("dashboard"), {"period": "custom", "from": "2021-01-01", "to": "2025-12-31"})
    assert five == many[0]
    assert _queries(office, reverse("dashboard"), {**YEAR, "region": world.region.pk}) == many[0]


def test_league_table_and_court_table(world, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(at(2025, 12, 1, 10), tick=False)
    populate(world, 2)
    cast = world.cast
    office = client_for(cast.office)
    response = office.get(reverse("stats-league"), YEAR)
    units = {row["id"]: row for row in response.context["units"]}
    mine = units[cast.unit.pk]
    assert mine["received"] == 2 + 2 + 2  # recommendations, referrals, decisions
    assert mine["overdue"] == 6
    assert mine["answered"] == 0 and mine["avg_days"] is None and mine["on_time_rate"] is None
    theirs = units[cast.other_unit.pk]
    assert theirs["received"] == 4 and theirs["answered"] == 4 and theirs["on_time"] == 4
    assert theirs["on_time_rate"] is not None and theirs["avg_days"] is not None
    courts = {row["id"]: row for row in response.context["courts"]}
    assert courts[cast.court.pk]["issued"] == 2 and courts[cast.court.pk]["overdue"] == 2
    assert courts[cast.other_court.pk]["replied"] == 2
    assert str(courts[cast.other_court.pk]["reply_rate"]) == "100.00"
    # Sorting by a column, both ways.
    up = office.get(reverse("stats-league"), {**YEAR, "sort": "received"}).context["units"]
    down = office.get(reverse("stats-league"), {**YEAR, "sort": "-received"}).context["units"]
    assert [r["received"] for r in up] == sorted(r["received"] for r in up)
    assert [r["received"] for r in down] == sorted((r["received"] for r in down), reverse=True)
    assert office.get(reverse("stats-league"), {**YEAR, "sort": "nonsense"}).status_code == 200


def test_report_page_docx_and_xlsx(world, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(at(2025, 12, 1, 10), tick=False)
    populate(world, 2)
    office = client_for(world.cast.office)
    page = office.get(reverse("stats-report"), YEAR)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="report-task"') == 10
    assert "联动推进纠纷多元化解" in html
    docx_response = office.get(reverse("stats-report-download", args=["docx"]), YEAR)
    assert docx_response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
    from docx import Document

    doc = Document(io.BytesIO(docx_response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "十项工作任务" in text and "联动化解信访案件" in text and "尚未办结的议定事项" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "2 ÷ 4 = 50.00%" in cells  # mediation success rate
    xlsx_response = office.get(reverse("stats-report-download", args=["xlsx"]), YEAR)
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx_response.content))
    assert {"主要数据", "月度趋势", "按工作任务", "按地区", "按单位", "成员单位办理情况", "法院司法建议", "逾期事项",
            "未办结议定事项"} <= set(wb.sheetnames)  # fmt: skip
    figures = {row[1]: row for row in wb["主要数据"].iter_rows(min_row=2, values_only=True)}
    assert figures["mediation_success_rate"][3:6] == (2, 4, 50.0)
    assert office.get(reverse("stats-report-download", args=["pdf"]), YEAR).status_code == 404


def test_definitions_page_is_generated_from_the_registry(cast) -> None:  # type: ignore[no-untyped-def]
    from stats.figures import FIGURES

    html = client_for(cast.liaison).get(reverse("stats-definitions")).content.decode()
    for figure in FIGURES:
        assert f"<code>{figure.key}</code>" in html
        assert str(figure.definition) in html


def test_navigation_offers_the_right_statistics(cast) -> None:  # type: ignore[no-untyped-def]
    office_nav = [i["url"] for i in client_for(cast.office).get(reverse("home")).context["nav_items"]]
    liaison_nav = [i["url"] for i in client_for(cast.liaison).get(reverse("home")).context["nav_items"]]
    assert reverse("dashboard") in office_nav and reverse("unit-dashboard") not in office_nav
    assert reverse("unit-dashboard") in liaison_nav and reverse("dashboard") not in liaison_nav


def test_bad_period_input_falls_back_without_errors(cast) -> None:  # type: ignore[no-untyped-def]
    office = client_for(cast.office)
    for params in (
        {"period": "year", "year": "abc"},
        {"period": "quarter", "year": "2025", "quarter": "9"},
        {"period": "month", "month": "13"},
        {"period": "custom", "from": "2025-02-30", "to": "nonsense"},
        {"period": "weird"},
        {"region": "x", "task": "-1"},
        {"period": "custom", "from": "2025-06-01", "to": "2025-01-01"},
    ):
        response = office.get(reverse("dashboard"), params)
        assert response.status_code == 200, params
        scope = response.context["scope"]
        assert scope.start <= scope.end
    # A reversed custom period is read in order.
    scope = office.get(reverse("dashboard"), {"period": "custom", "from": "2025-06-01", "to": "2025-01-01"}).context[
        "scope"
    ]
    assert (scope.start, scope.end) == (date(2025, 1, 1), date(2025, 6, 1))
    # Unknown task: zero, not an error; an unknown region: 404 on the page, 400 (an invalid filter) in the API.
    response = office.get(reverse("dashboard"), {**YEAR, "task": "999999"})
    assert response.status_code == 200
    assert office.get(reverse("dashboard"), {**YEAR, "region": "999999"}).status_code == 404
    response = office.get(API, {"region": "999999"})
    assert response.status_code == 400 and "region" in response.json()
    # The liaison may not freeze (a message, nothing written).
    liaison = client_for(cast.liaison)
    response = liaison.post(reverse("stats-freeze"), {**YEAR, "unit_view": "1"}, follow=True)
    assert "只有领导小组办公室" in response.content.decode()
    from stats.models import Snapshot

    assert not Snapshot.objects.exists()


def api_value(client, params: dict, key: str) -> int:  # type: ignore[no-untyped-def]
    return client.get(API, {"from": "2025-01-01", "to": "2025-12-31", **params}).json()["figures"][key]["value"]


@pytest.mark.parametrize("name", ["region", "task", "unit"])
@pytest.mark.parametrize("value", ["²", "abc", "-1", "1.5"])
def test_api_refuses_an_id_that_is_not_plain_digits(cast, name, value) -> None:  # type: ignore[no-untyped-def]
    # "²".isdigit() is True but int("²") fails: found by tests/security/test_api_fuzz.py as a 500.
    response = client_for(cast.office).get(API, {name: value})
    assert response.status_code == 400
    assert list(response.json()) == [name]
