"""The follow-through figures of judicial recommendations (issue 17, item 7): adoption rate, due for rectification,
rectified, rectification rate, follow-up visits, not rectified at the visit, recurrences — each counting what it
says and not its neighbours, per court, agency and region, by period; on the dashboard, the definitions page, the
report, the API's stats/summary/ and the agency table; each number's list link lists exactly the counted rows.

The records are written in known states directly (the figures read states, not transitions), on 2026-07-15.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import JudicialRecommendation
from stats import rollups
from stats.definitions import COUNT_LABELS, formula
from stats.figures import FIGURES_BY_KEY, compute, figure_values
from stats.league import agency_table
from stats.report import report_context
from stats.scope import Scope
from tests.conftest import client_for
from tests.factories import UnitFactory
from tests.stats.conftest import World, at

pytestmark = pytest.mark.django_db

NOW = "2026-07-15 10:00 +0800"
TODAY = date(2026, 7, 15)
YEAR = Scope(date(2026, 1, 1), date(2026, 12, 31))
API = "/api/v1/stats/summary/"
R = JudicialRecommendation
NEW = [
    "recommendation_adoption_rate",
    "recommendations_due_for_rectification",
    "recommendations_rectified",
    "recommendation_rectification_rate",
    "recommendation_visits",
    "recommendations_not_rectified",
    "recommendation_recurrences",
]


@dataclass
class Recs:
    w: World
    r: dict[str, JudicialRecommendation]

    def pks(self, *names: str) -> set[int]:
        return {self.r[n].pk for n in names}


def follow(w: World, issued_on: date, *, outcome: str = "", replied: datetime | None = None, **fields: Any) -> R:
    """A recommendation issued on ``issued_on`` (the cast's court to agency 甲 unless told), then ``fields``."""
    make = {k: fields.pop(k) for k in ("court", "addressee", "status") if k in fields}
    rec = w.rec(issued_on, replied_at=replied, **make)
    if replied:
        fields.setdefault("reply_outcome", outcome or "adopted")
        if fields["reply_outcome"] == "not_adopted":
            fields["reply_reason"] = "不具备条件。"
    if fields:
        R.objects.filter(pk=rec.pk).update(**fields)
        rec.refresh_from_db()
    return rec


@pytest.fixture
def recs(world: World) -> Recs:
    """Court 甲 (兰州市) to agency 甲 unless noted; court 乙 (天水市) once. See each line for what it counts as."""
    w, cast = world, world.cast
    b = cast.other_unit
    with time_machine.travel(NOW, tick=False):
        r: dict[str, R] = {}
        # Adopted, rectification reported, the visit found it rectified: due, rectified, a June visit.
        r["visited_ok"] = follow(w, date(2026, 2, 1), replied=at(2026, 3, 1, 9), status="visited",
                                 rectification_due=date(2026, 5, 31), rectified_at=at(2026, 5, 20, 9),
                                 visited_on=date(2026, 6, 10), visit_result="rectified")  # fmt: skip
        # Partly adopted, deadline passed, nothing reported (overdue): due, not rectified.
        r["overdue"] = follow(w, date(2026, 2, 5), outcome="partly_adopted", replied=at(2026, 3, 2, 9),
                              status="rectifying", rectification_due=date(2026, 6, 30))  # fmt: skip
        # Reported rectified, but the visit found it was not: due, NOT rectified (the visit decides), not_rectified.
        r["visited_bad"] = follow(w, date(2026, 3, 1), replied=at(2026, 3, 20, 9), status="visited",
                                  rectification_due=date(2026, 4, 30), rectified_at=at(2026, 4, 25, 9),
                                  visited_on=date(2026, 7, 1), visit_result="not_rectified",
                                  visit_reported_at=at(2026, 7, 1, 15))  # fmt: skip
        # Not adopted (with a stale deadline written in): replied, not adopted, never due for rectification.
        r["not_adopted"] = follow(w, date(2026, 3, 10), outcome="not_adopted", replied=at(2026, 4, 1, 9),
                                  status="replied", rectification_due=date(2026, 5, 1))  # fmt: skip
        # Adopted, the deadline still ahead: not due yet.
        r["ahead"] = follow(w, date(2026, 4, 1), replied=at(2026, 4, 20, 9), status="rectifying",
                            rectification_due=date(2026, 9, 30))  # fmt: skip
        # Adopted, deadline ahead, but reported done already: due (done) and rectified.
        r["early"] = follow(w, date(2026, 4, 2), replied=at(2026, 4, 21, 9), status="rectified",
                            rectification_due=date(2026, 10, 31), rectified_at=at(2026, 7, 10, 9))  # fmt: skip
        # Adopted, the deadline is today: still in time, not due.
        r["today"] = follow(w, date(2026, 5, 1), replied=at(2026, 5, 20, 9), status="rectifying",
                            rectification_due=TODAY)  # fmt: skip
        # Issued in 2025, its rectification deadline in 2026, reported done: in 2026's rectification figures.
        r["old_issue"] = follow(w, date(2025, 12, 1), replied=at(2025, 12, 20, 9), status="rectified",
                                rectification_due=date(2026, 3, 31), rectified_at=at(2026, 3, 30, 9))  # fmt: skip
        # Agency 乙: adopted in 2025, deadline 2025, visited in January 2026 "partly": a 2026 visit, nothing else.
        r["b_old"] = follow(w, date(2025, 6, 1), addressee=b, replied=at(2025, 7, 1, 9), status="visited",
                            rectification_due=date(2025, 12, 31), visited_on=date(2026, 1, 15),
                            visit_result="partly")  # fmt: skip
        # Court 乙 (天水市) to agency 乙: adopted, visited, rectified.
        r["tianshui"] = follow(w, date(2026, 3, 1), court=cast.other_court, addressee=b, replied=at(2026, 3, 15, 9),
                               status="visited", rectification_due=date(2026, 5, 1), visited_on=date(2026, 5, 10),
                               visit_result="rectified")  # fmt: skip
        # Recurrences: 甲's (of visited_ok), 乙's (of b_old); a flagged draft and a withdrawn one are not counted.
        r["recurs_a"] = follow(w, date(2026, 6, 1), status="issued")
        r["recurs_b"] = follow(w, date(2026, 6, 2), addressee=b, status="issued")
        r["withdrawn"] = follow(w, date(2026, 6, 5), status="withdrawn")
        r["draft"] = follow(w, date(2026, 6, 6), status="draft")
        R.objects.filter(pk=r["draft"].pk).update(issued_on=None, issued_at=None)
        for name, earlier in (("recurs_a", "visited_ok"), ("recurs_b", "b_old"), ("withdrawn", "visited_ok")):
            r[name].recurrence_of.set([r[earlier]])
        r["draft"].recurrence_of.set([r["visited_ok"]])
    return Recs(w, r)


def values(scope: Scope) -> dict[str, Any]:
    return figure_values(scope, today=TODAY)


def rate_of(figures: dict[str, Any], key: str) -> tuple[int, int, Decimal | None]:
    f = figures[key]
    return f["numerator"], f["denominator"], f["rate"]


# --- each figure counts what it says, and not its neighbours ------------------------------------------------


def test_province_year(recs: Recs) -> None:
    f = values(YEAR)
    # Replied: the seven of court 甲 issued in 2026 and Tianshui's; adopted: all but the not-adopted one.
    assert rate_of(f, "recommendation_adoption_rate") == (7, 8, Decimal("87.50"))
    # Rectification deadline in 2026: visited_ok, overdue, visited_bad, early, old_issue, tianshui are due;
    # ahead (September) and today (deadline today) are not yet; not_adopted never is.
    assert f["recommendations_due_for_rectification"] == {"value": 6}
    # Rectified: visited_ok and tianshui (visit), early and old_issue (reported); visited_bad's visit said no.
    assert f["recommendations_rectified"] == {"value": 4}
    assert rate_of(f, "recommendation_rectification_rate") == (4, 6, Decimal("66.67"))
    # Visits by visit date: visited_ok, visited_bad, tianshui and 乙's January visit (of a 2025 recommendation).
    assert f["recommendation_visits"] == {"value": 4}
    assert f["recommendations_not_rectified"] == {"value": 1}  # "partly" is not "not rectified"
    assert f["recommendation_recurrences"] == {"value": 2}  # not the draft's flag, not the withdrawn one


def test_periods_follow_each_figures_own_date(recs: Recs) -> None:
    q1 = values(Scope(date(2026, 1, 1), date(2026, 3, 31)))
    # Deadline in Q1: old_issue (issued in 2025) only; visits in Q1: 乙's January visit.
    assert rate_of(q1, "recommendation_rectification_rate") == (1, 1, Decimal("100.00"))
    assert q1["recommendation_visits"] == {"value": 1}
    assert q1["recommendations_not_rectified"] == {"value": 0}
    q2 = values(Scope(date(2026, 4, 1), date(2026, 6, 30)))
    # Deadlines in Q2: visited_ok, overdue, visited_bad, tianshui; rectified: visited_ok, tianshui.
    assert rate_of(q2, "recommendation_rectification_rate") == (2, 4, Decimal("50.00"))
    assert q2["recommendation_recurrences"] == {"value": 2}
    q3 = values(Scope(date(2026, 7, 1), date(2026, 9, 30)))
    # Deadlines in Q3: today's and September's, neither due yet: no rate (null), not 0 %.
    assert rate_of(q3, "recommendation_rectification_rate") == (0, 0, None)
    assert q3["recommendations_not_rectified"] == {"value": 1}  # visited_bad, visited on 1 July
    last_year = values(Scope(date(2025, 1, 1), date(2025, 12, 31)))
    assert rate_of(last_year, "recommendation_adoption_rate") == (2, 2, Decimal("100.00"))  # old_issue, b_old
    assert rate_of(last_year, "recommendation_rectification_rate") == (0, 1, Decimal("0.00"))  # b_old: partly


def test_a_deadline_passing_makes_it_due(recs: Recs) -> None:
    tomorrow = figure_values(YEAR, today=date(2026, 7, 16))
    assert tomorrow["recommendations_due_for_rectification"] == {"value": 7}  # + today's
    assert tomorrow["recommendations_rectified"] == {"value": 4}


def test_per_agency_and_per_court(recs: Recs) -> None:
    cast = recs.w.cast
    a = values(Scope(YEAR.start, YEAR.end, unit=cast.unit.pk))
    assert rate_of(a, "recommendation_adoption_rate") == (6, 7, Decimal("85.71"))
    assert rate_of(a, "recommendation_rectification_rate") == (3, 5, Decimal("60.00"))
    assert (a["recommendation_visits"], a["recommendations_not_rectified"]) == ({"value": 2}, {"value": 1})
    assert a["recommendation_recurrences"] == {"value": 1}  # 乙's recurrence is not 甲's
    b = values(Scope(YEAR.start, YEAR.end, unit=cast.other_unit.pk))
    assert rate_of(b, "recommendation_adoption_rate") == (1, 1, Decimal("100.00"))
    assert rate_of(b, "recommendation_rectification_rate") == (1, 1, Decimal("100.00"))
    assert (b["recommendation_visits"], b["recommendations_not_rectified"]) == ({"value": 2}, {"value": 0})
    assert b["recommendation_recurrences"] == {"value": 1}
    court = values(Scope(YEAR.start, YEAR.end, unit=cast.court.pk))
    assert rate_of(court, "recommendation_adoption_rate") == (6, 7, Decimal("85.71"))
    assert rate_of(court, "recommendation_rectification_rate") == (3, 5, Decimal("60.00"))
    assert court["recommendation_visits"] == {"value": 3}
    assert court["recommendation_recurrences"] == {"value": 2}
    other = values(Scope(YEAR.start, YEAR.end, unit=cast.other_court.pk))
    assert rate_of(other, "recommendation_rectification_rate") == (1, 1, Decimal("100.00"))
    assert (other["recommendation_visits"], other["recommendation_recurrences"]) == ({"value": 1}, {"value": 0})


def test_per_region(recs: Recs) -> None:
    w = recs.w
    lanzhou = values(Scope(YEAR.start, YEAR.end, w.region.pk, level="city"))
    assert rate_of(lanzhou, "recommendation_adoption_rate") == (6, 7, Decimal("85.71"))
    assert rate_of(lanzhou, "recommendation_rectification_rate") == (3, 5, Decimal("60.00"))
    assert lanzhou["recommendation_visits"] == {"value": 3}
    assert lanzhou["recommendation_recurrences"] == {"value": 2}
    tianshui = values(Scope(YEAR.start, YEAR.end, w.other_region.pk, level="city"))
    assert rate_of(tianshui, "recommendation_rectification_rate") == (1, 1, Decimal("100.00"))
    assert (tianshui["recommendation_visits"], tianshui["recommendations_not_rectified"]) == (
        {"value": 1},
        {"value": 0},
    )
    assert tianshui["recommendation_recurrences"] == {"value": 0}


def test_by_task(recs: Recs) -> None:
    w = recs.w
    recs.r["overdue"].tasks.set([w.task1])
    recs.r["recurs_a"].tasks.set([w.task1])
    one = values(Scope(YEAR.start, YEAR.end, task=w.task1.pk))
    assert rate_of(one, "recommendation_rectification_rate") == (0, 1, Decimal("0.00"))
    assert one["recommendation_recurrences"] == {"value": 1}
    assert one["recommendation_visits"] == {"value": 0}


# --- the list behind each number ----------------------------------------------------------------------------


def listed(client: Any, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, url
    listing = response.context["listing"]
    assert listing.page.paginator.count < 20  # one page: every row is on it
    return {row.pk for row in listing.page.object_list}


@time_machine.travel(NOW, tick=False)
def test_each_list_link_lists_exactly_the_counted_rows(recs: Recs) -> None:
    office = client_for(recs.w.cast.office)
    expected = {
        "recommendation_adoption_rate": (
            recs.pks("visited_ok", "overdue", "visited_bad", "ahead", "early", "today", "tianshui"),
            recs.pks("visited_ok", "overdue", "visited_bad", "not_adopted", "ahead", "early", "today", "tianshui"),
        ),
        "recommendation_rectification_rate": (
            recs.pks("visited_ok", "early", "old_issue", "tianshui"),
            recs.pks("visited_ok", "overdue", "visited_bad", "early", "old_issue", "tianshui"),
        ),
        "recommendations_due_for_rectification": (
            recs.pks("visited_ok", "overdue", "visited_bad", "early", "old_issue", "tianshui"),
            None,
        ),
        "recommendations_rectified": (recs.pks("visited_ok", "early", "old_issue", "tianshui"), None),
        "recommendation_visits": (recs.pks("visited_ok", "visited_bad", "b_old", "tianshui"), None),
        "recommendations_not_rectified": (recs.pks("visited_bad"), None),
        "recommendation_recurrences": (recs.pks("recurs_a", "recurs_b"), None),
    }
    assert set(expected) == set(NEW)
    for key, (numerator, denominator) in expected.items():
        figure = FIGURES_BY_KEY[key]
        assert listed(office, figure.url(YEAR)) == numerator, key
        if denominator is not None:
            assert listed(office, figure.url(YEAR, denominator=True)) == denominator, key
    # The existing reply rate's numerator: every replied one (adopted ones are "rectifying" or later now).
    replied = FIGURES_BY_KEY["recommendation_reply_rate"].url(YEAR)
    assert listed(office, replied) == expected["recommendation_adoption_rate"][1]


@time_machine.travel(NOW, tick=False)
def test_the_links_count_what_the_figures_count_in_every_scope(recs: Recs) -> None:
    w, office = recs.w, client_for(recs.w.cast.office)
    scopes = [
        Scope(date(2026, 4, 1), date(2026, 6, 30)),
        Scope(YEAR.start, YEAR.end, w.region.pk, level="city"),
        Scope(YEAR.start, YEAR.end, w.other_region.pk, level="city"),
        Scope(date(2025, 1, 1), date(2025, 12, 31)),
    ]
    for scope in scopes:
        figures = values(scope)
        for key in NEW:
            figure, result = FIGURES_BY_KEY[key], figures[key]
            if figure.is_rate:
                assert len(listed(office, figure.url(scope))) == result["numerator"], (key, scope)
                assert len(listed(office, figure.url(scope, denominator=True))) == result["denominator"], (key, scope)
            else:
                assert len(listed(office, figure.url(scope))) == result["value"], (key, scope)


def test_the_links_name_the_period_by_the_figures_own_date() -> None:
    def params(key: str, **kw: bool) -> dict[str, list[str]]:
        return parse_qs(urlsplit(FIGURES_BY_KEY[key].url(YEAR, **kw)).query)

    rectified = params("recommendations_rectified")
    assert rectified["rectification_due_from"] == ["2026-01-01"] and rectified["rectification_due_to"] == ["2026-12-31"]
    assert not {"from", "to", "year"} & set(rectified)
    visits = params("recommendation_visits")
    assert (visits["visited_from"], visits["visited_to"]) == (["2026-01-01"], ["2026-12-31"])
    recurrences = params("recommendation_recurrences")
    assert recurrences["from"] == ["2026-01-01"] and recurrences["recurrence_issued"] == ["true"]
    assert "year" not in recurrences
    assert params("recommendation_adoption_rate", denominator=True)["replied"] == ["true"]


def test_hostile_values_of_the_new_filters_drop_the_filter(recs: Recs) -> None:
    office = client_for(recs.w.cast.office)
    everything = listed(office, reverse("recommendation-list"))
    for param in ("from", "to", "rectification_due_from", "visited_to", "outcome", "replied", "rectification",
                  "visit_result", "recurrence_issued"):  # fmt: skip
        for value in ("2026-02-30", "x", "9999-12-31x", "²"):
            assert listed(office, f"{reverse('recommendation-list')}?{param}={value}") == everything, (param, value)
    api = office.get("/api/v1/recommendations/", {"recurrence_issued": "true", "from": "2026-01-01"})
    assert api.status_code == 200
    assert {row["id"] for row in api.json()["results"]} == recs.pks("recurs_a", "recurs_b")


# --- where the figures show ---------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_summary_api(recs: Recs) -> None:
    cast, period = recs.w.cast, {"from": "2026-01-01", "to": "2026-12-31"}
    office = client_for(cast.office)
    figures = office.get(API, period).json()["figures"]
    adoption = figures["recommendation_adoption_rate"]
    assert (adoption["numerator"], adoption["denominator"], adoption["rate"]) == (7, 8, 87.5)
    rect = figures["recommendation_rectification_rate"]
    assert (rect["numerator"], rect["denominator"], rect["rate"]) == (4, 6, 66.67)
    assert figures["recommendations_due_for_rectification"]["value"] == 6
    assert figures["recommendations_rectified"]["value"] == 4
    assert figures["recommendation_visits"]["value"] == 4
    assert figures["recommendations_not_rectified"]["value"] == 1
    assert figures["recommendation_recurrences"]["value"] == 2
    assert figures["recommendation_recurrences"]["label"] == "问题复发"
    assert "复发认定期" in figures["recommendation_recurrences"]["definition"]
    tianshui = office.get(API, {**period, "region": recs.w.other_region.pk}).json()["figures"]
    assert tianshui["recommendation_visits"]["value"] == 1
    # An agency's liaison gets the agency's figures; the office may ask for one unit.
    mine = client_for(cast.liaison).get(API, period).json()["figures"]
    assert mine["recommendation_recurrences"]["value"] == 1
    assert mine["recommendation_rectification_rate"]["rate"] == 60.0
    theirs = office.get(API, {**period, "unit": cast.other_unit.pk}).json()["figures"]
    assert theirs["recommendation_recurrences"]["value"] == 1
    assert theirs["recommendation_rectification_rate"]["rate"] == 100.0
    empty = office.get(API, {"from": "2024-01-01", "to": "2024-12-31"}).json()["figures"]
    assert empty["recommendation_rectification_rate"] == {**empty["recommendation_rectification_rate"], "rate": None}


@time_machine.travel(NOW, tick=False)
def test_dashboard_cards_definitions_and_report(recs: Recs) -> None:
    office = client_for(recs.w.cast.office)
    page = office.get(reverse("dashboard"), {"period": "year", "year": "2026"})
    cards = {card["key"]: card for card in page.context["board"]["cards"]}
    assert (
        cards["recommendation_rectification_rate"]["numerator"],
        cards["recommendation_rectification_rate"]["rate"],
    ) == (
        4,
        Decimal("66.67"),
    )
    html = page.content.decode()
    for key in NEW:
        assert f'data-testid="figure-{key}"' in html
    definitions = office.get(reverse("stats-definitions")).content.decode()
    for key in NEW:
        assert f'id="{key}"' in definitions
    rectification = FIGURES_BY_KEY["recommendation_rectification_rate"]
    assert formula(rectification).startswith("已整改的件数") and "应整改的件数" in formula(rectification)
    for key in ("recommendation_adoption_rate", "recommendation_rectification_rate"):
        figure = FIGURES_BY_KEY[key]
        assert figure.numerator in COUNT_LABELS and figure.denominator in COUNT_LABELS
    report = report_context(YEAR, today=TODAY)
    assert {c["key"] for c in report["cards"]} >= set(NEW)
    agencies = {row["id"]: row for row in report["agencies"]}
    assert agencies[recs.w.cast.unit.pk]["recurrences"] == 1
    report_page = office.get(reverse("stats-report"), {"period": "year", "year": "2026"}).content.decode()
    assert "司法建议整改率" in report_page and 'data-testid="report-agency-table"' in report_page


# --- the agency table ---------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_agency_table(recs: Recs) -> None:
    cast = recs.w.cast
    rows = {row["id"]: row for row in agency_table(YEAR, today=TODAY)}
    a, b = rows[cast.unit.pk], rows[cast.other_unit.pk]
    assert (a["adoption_rate"], a["rectification_due"], a["rectified"], a["rectification_rate"]) == (
        Decimal("85.71"),
        5,
        3,
        Decimal("60.00"),
    )
    assert (a["not_rectified"], a["recurrences"]) == (1, 1)
    assert (b["adoption_rate"], b["rectification_rate"], b["not_rectified"], b["recurrences"]) == (
        Decimal("100.00"),
        Decimal("100.00"),
        0,
        1,
    )
    assert a["held"] == 0 and a["appearance_rate"] is None  # no hearings: the hearing columns are empty
    # No court in the agency table (the courts issue; the court table counts them).
    assert cast.court.pk not in rows and cast.other_court.pk not in rows
    # By region: Tianshui's only row is agency 乙 with Tianshui's recommendation.
    tianshui = agency_table(Scope(YEAR.start, YEAR.end, recs.w.other_region.pk, level="city"), today=TODAY)
    assert [(r["id"], r["rectification_due"], r["recurrences"]) for r in tianshui] == [(cast.other_unit.pk, 1, 0)]
    # The numbers open the agency's rows of the figure's list.
    office = client_for(cast.office)
    assert listed(office, a["links"]["recurrences"]) == recs.pks("recurs_a")
    assert listed(office, a["links"]["rectification_rate"]) == recs.pks("visited_ok", "early", "old_issue")
    assert listed(office, a["links"]["not_rectified"]) == recs.pks("visited_bad")
    page = office.get(reverse("stats-league"), {"period": "year", "year": "2026"})
    html = page.content.decode()
    assert html.count('data-testid="agency-row"') == 2 and 'data-testid="agency-recurrences"' in html


# --- no query explosion -------------------------------------------------------------------------------------


def _queries(client: Any, url: str, params: dict[str, Any]) -> int:
    rollups.flush()  # the records written before are taken into the rollups first (measured on its own)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_one_query_for_every_figure_and_the_dashboard_does_not_grow(world: World) -> None:
    office = client_for(world.cast.office)
    year = {"period": "year", "year": "2026"}
    with time_machine.travel(NOW, tick=False):
        follow(world, date(2026, 1, 4), addressee=UnitFactory(name="测试局", short_name="局"))  # one of each kind
        office.get(reverse("dashboard"), year)  # the first request of a session does a little more
        few = [_queries(office, reverse(name), year) for name in ("dashboard", "stats-league")]
        few.append(_queries(office, API, {"from": "2026-01-01", "to": "2026-12-31"}))
    # Now the follow-through records, and more agencies with them.
    with time_machine.travel(NOW, tick=False):
        for i in range(6):
            agency = UnitFactory(name=f"测试局{i}", short_name=f"局{i}")
            earlier = follow(world, date(2026, 1, 5), addressee=agency, replied=at(2026, 1, 20, 9), status="visited",
                             rectification_due=date(2026, 3, 1), visited_on=date(2026, 3, 5),
                             visit_result="not_rectified")  # fmt: skip
            follow(world, date(2026, 2, 5), addressee=agency, replied=at(2026, 2, 20, 9), status="rectified",
                   rectification_due=date(2026, 5, 1), rectified_at=at(2026, 4, 1, 9))  # fmt: skip
            follow(world, date(2026, 6, 5), addressee=agency).recurrence_of.set([earlier])
        many = [_queries(office, reverse(name), year) for name in ("dashboard", "stats-league")]
        many.append(_queries(office, API, {"from": "2026-01-01", "to": "2026-12-31"}))
        assert few == many
        assert max(many[0], many[2]) <= 15, many
        rollups.flush()
        with CaptureQueriesContext(connection) as ctx:
            counted = compute(YEAR)
        assert len(ctx.captured_queries) == 2  # no pending change; the rollups and the open records in one UNION ALL
        assert counted.counts["recommendation_recurrences"] == 6
        assert counted.counts["recommendations_not_rectified"] == 6
