"""Figures per level (issue 13 item 6): a region reads its subtree through the records' own region/city
columns; a 市州 or 县市区 office reads its region only (404 outside); the drill-down province → 市州 → 县市区
where each parent is the sum of its children and its own row; 人民法庭对接化解率."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import ReferralKind
from members.models import MemberUnit, Region
from members.roles import Role
from stats import rollups
from stats.drilldown import NEEDED, OWN, drill_counts, drill_table
from stats.figures import compute
from stats.models import Snapshot
from stats.scope import Scope
from tests.conftest import client_for
from tests.factories import make_user
from tests.stats.conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/stats/summary/"
YEAR = {"period": "year", "year": "2025"}
Y2025 = Scope(date(2025, 1, 1), date(2025, 12, 31))
# Where records live, and how many of each kind live there.
PLACES = {"620000": 1, "620100": 2, "620102": 3, "620103": 4, "620500": 5, "620502": 6}


def office_of(code: str, username: str, role: str = Role.OFFICE) -> Any:
    unit = MemberUnit.objects.get(region__code=code, hosts_office=True)
    return make_user(role, unit, username=username)


class Levels:
    def __init__(self, world: Any) -> None:
        self.w = world
        self.r = {code: Region.objects.get(code=code) for code in PLACES}
        self.province, self.lanzhou, self.chengguan = self.r["620000"], self.r["620100"], self.r["620102"]
        self.qilihe, self.tianshui = self.r["620103"], self.r["620500"]
        self.province_office = world.cast.office
        self.city_office = office_of("620100", "lz_office")
        self.city_leader = office_of("620100", "lz_leader", Role.LEADER)
        self.county_office = office_of("620102", "cg_office")
        self.other_county_office = office_of("620103", "qlh_office")

    def populate(self) -> None:
        w = self.w
        for code, n in PLACES.items():
            region = self.r[code]
            meeting = w.meeting(at(2025, 3, 5, 9), region=region)
            w.decision(meeting, date(2026, 6, 1))
            for i in range(n):
                w.consultation(date(2025, 4, 1 + i), region=region)
                w.rec(date(2025, 5, 1 + i), region=region)
                w.ref("mediation", at(2025, 6, 1 + i, 9), region=region)


@pytest.fixture
def levels(world: Any) -> Levels:
    return Levels(world)


def figures(client: Any, **params: Any) -> dict[str, Any]:
    response = client.get(API, {"from": "2025-01-01", "to": "2025-12-31", **params})
    assert response.status_code == 200, response.content
    return response.json()["figures"]


def values(figs: dict[str, Any]) -> tuple[int, ...]:
    keys = ("consultations", "recommendations_issued", "mediation_delegated", "joint_meetings", "decisions_open")
    return tuple(figs[k]["value"] for k in keys)


def test_each_level_reads_its_subtree_through_the_records_own_columns(levels: Levels) -> None:
    # The sending court's (or the convener's) region plays no part: a record lives where its own columns say.
    MemberUnit.objects.filter(pk=levels.w.cast.court.pk).update(region=levels.tianshui)
    levels.populate()
    province, city, county = (client_for(u) for u in (levels.province_office, levels.city_office, levels.county_office))
    # The province: everything (1+2+3+4+5+6 = 21 of each, six meetings with a decision each).
    assert values(figures(province)) == (21, 21, 21, 6, 6)
    # 兰州市: its own records and its 县市区' (2+3+4), whichever office asks; 城关区: its own only.
    assert values(figures(province, region=levels.lanzhou.pk)) == (9, 9, 9, 3, 3)
    assert values(figures(city)) == values(figures(city, region=levels.lanzhou.pk)) == (9, 9, 9, 3, 3)
    assert values(figures(client_for(levels.city_leader))) == (9, 9, 9, 3, 3)
    assert values(figures(city, region=levels.chengguan.pk)) == (3, 3, 3, 1, 1)
    assert values(figures(county)) == values(figures(county, region=levels.chengguan.pk)) == (3, 3, 3, 1, 1)
    # The dashboard shows the same numbers as the API at each level.
    page = city.get(reverse("dashboard"), YEAR)
    cards = {c["key"]: c for c in page.context["board"]["cards"]}
    assert cards["consultations"]["value"] == 9 and cards["mediation_delegated"]["value"] == 9


def test_a_county_office_asking_for_another_region_gets_404(levels: Levels) -> None:
    levels.populate()
    county, city = client_for(levels.county_office), client_for(levels.city_office)
    for client, region in [
        (county, levels.qilihe),  # another county of the same 市州
        (county, levels.lanzhou),  # its own 市州, above it
        (county, levels.province),
        (city, levels.tianshui),  # another 市州
        (city, levels.r["620502"]),  # a county of another 市州
        (city, levels.province),
    ]:
        params = {**YEAR, "region": region.pk}
        assert client.get(API, params).status_code == 404, region
        for name in ("dashboard", "stats-league", "stats-report", "referral-figures"):
            assert client.get(reverse(name), params).status_code == 404, (name, region)
    # The filter offers only what the office reaches.
    offered = [r["id"] for r in county.get(reverse("dashboard"), YEAR).context["regions"]]
    assert offered == [levels.chengguan.pk]
    offered = {r["id"] for r in city.get(reverse("dashboard"), YEAR).context["regions"]}
    assert offered == set(Region.objects.filter(city=levels.lanzhou).values_list("pk", flat=True))
    assert levels.lanzhou.pk in offered and levels.tianshui.pk not in offered
    # A unit of another region in the unit view: 404 too; one of its own: its figures.
    other_unit = MemberUnit.objects.get(region=levels.qilihe, hosts_office=True)
    assert county.get(reverse("unit-dashboard"), {**YEAR, "unit": other_unit.pk}).status_code == 404
    own_unit = levels.county_office.unit
    assert county.get(reverse("unit-dashboard"), {**YEAR, "unit": own_unit.pk}).status_code == 200
    # The province's prepared report is not a county's to read.
    assert county.get(reverse("stats-prepared-report", args=[1])).status_code == 404


def test_a_regional_office_unfreezes_only_its_own_regions_snapshots(levels: Levels) -> None:
    province = client_for(levels.province_office)
    province.post(reverse("stats-freeze"), YEAR)
    snapshot = Snapshot.objects.get()
    assert snapshot.region_id is None and "drill" in snapshot.data
    response = client_for(levels.county_office).post(reverse("stats-unfreeze", args=[snapshot.pk]), YEAR)
    assert response.status_code == 404
    assert Snapshot.objects.filter(pk=snapshot.pk).exists()  # refused: nothing changed
    city = client_for(levels.city_office)
    city.post(reverse("stats-freeze"), YEAR)
    own = Snapshot.objects.get(region=levels.lanzhou)
    city.post(reverse("stats-unfreeze", args=[own.pk]), YEAR)
    assert not Snapshot.objects.filter(pk=own.pk).exists()


def _generate(levels: Levels, n: int, seed: int = 13) -> None:
    """Records of every source in random regions of the whole tree (the province, 市州, 县市区)."""
    w, rng = levels.w, random.Random(seed)
    regions = list(Region.objects.all())
    ReferralKind.objects.get_or_create(
        code="tribunal_mediation",
        defaults={"name": "人民法庭对接化解", "outcomes": ["resolved", "failed", "withdrawn"]},
    )
    for i in range(n):
        region = rng.choice(regions)
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(365))
        kind = i % 5
        if kind == 0:
            w.consultation(day, region=region)
        elif kind == 1:
            w.rec(day, region=region, status=rng.choice(["issued", "replied"]), reply_due=day + timedelta(days=60))
        elif kind == 2:
            code = rng.choice(["mediation", "tribunal_mediation", "criminal_transfer"])
            outcome = rng.choice(["resolved", "failed"]) if code != "criminal_transfer" else "case_opened"
            w.ref(code, at(day.year, day.month, day.day, 9), region=region, status="concluded", outcome=outcome)
        else:
            meeting = w.meeting(
                at(day.year, day.month, day.day, 9), region=region, kind=rng.choice(["joint_meeting", "case_symposium"])
            )
            w.decision(meeting, day + timedelta(days=30))


DRILLED = [name for names in NEEDED.values() for name in names]  # the counts of the table's figures


def _only(counts: dict[str, int]) -> dict[str, int]:
    return {name: counts.get(name, 0) for name in DRILLED}


def _sum(rows: list[dict[str, int]]) -> dict[str, int]:
    return {name: sum(r.get(name, 0) for r in rows) for name in DRILLED}


@pytest.mark.parametrize("level", ["province", "city"])
def test_each_parent_is_the_sum_of_its_children_and_its_own(levels: Levels, level: str) -> None:
    _generate(levels, 400)
    today = date(2025, 12, 31)
    parent = Y2025 if level == "province" else Scope(Y2025.start, Y2025.end, levels.lanzhou.pk, level="city")
    children = Region.objects.filter(level="city") if level == "province" else levels.lanzhou.children.all()
    drill = drill_counts(parent, today)
    total = _only(compute(parent, today=today).counts)
    # Every child's row is what the child's own scope counts (an independent query per child here) …
    child_counts = []
    for child in children:
        counts = _only(compute(Scope(Y2025.start, Y2025.end, child.pk), today=today).counts)
        assert _only(drill.get(str(child.pk), {})) == counts, child.name
        child_counts.append(counts)
    # … and the parent's total = the children + its own (本级) row, count by count.
    assert total == _sum([*child_counts, drill.get(OWN, {})])
    assert sum(total.values()) > 0 and sum(drill.get(OWN, {}).values()) > 0
    assert any(sum(c.values()) for c in child_counts)
    table = drill_table(parent, drill)
    assert [row["name"] for row in table["rows"][:-1]] == [c.name for c in children.order_by("order", "code")]
    assert _only(table["total"]["counts"]) == total


def test_drill_down_page_province_to_city_to_county_and_breadcrumbs(levels: Levels) -> None:
    levels.populate()
    office = client_for(levels.province_office)
    drill = office.get(reverse("dashboard"), YEAR).context["board"]["drill"]
    assert len(drill["rows"]) == 15  # 14 市州 and 本级
    by_name = {row["name"]: row for row in drill["rows"]}
    consultations = drill["columns"].index(next(f for f in drill["columns"] if f.key == "consultations"))
    assert by_name["兰州市"]["cells"][consultations] == {"value": 9}
    assert by_name["天水市"]["cells"][consultations] == {"value": 11}
    assert by_name["本级"]["cells"][consultations] == {"value": 1}
    assert [c["name"] for c in drill["breadcrumbs"]] == ["甘肃省"]
    # One level down: the 县市区 of 兰州市, its own row holds the records living at the 市州 itself.
    page = office.get(reverse("dashboard"), {**YEAR, "region": by_name["兰州市"]["region"]})
    html = page.content.decode()
    drill = page.context["board"]["drill"]
    by_name = {row["name"]: row for row in drill["rows"]}
    assert by_name["城关区"]["cells"][consultations] == {"value": 3}
    assert by_name["七里河区"]["cells"][consultations] == {"value": 4}
    assert by_name["本级"]["cells"][consultations] == {"value": 2}
    assert drill["total"]["cells"][consultations] == {"value": 9}
    assert [c["name"] for c in drill["breadcrumbs"]] == ["甘肃省", "兰州市"]
    assert f'data-testid="drill-{levels.chengguan.pk}"' in html and "按县市区" in html
    # The chart by region is one level below too (the 县市区 with records; 本级 only in the table).
    assert set(page.context["board"]["charts"]["by_region"]["labels"]) == {"城关区", "七里河区"}
    # A 市州 office's breadcrumbs start at its 市州.
    drill = client_for(levels.city_office).get(reverse("dashboard"), {**YEAR, "region": levels.chengguan.pk})
    assert [c["name"] for c in drill.context["board"]["drill"]["breadcrumbs"]] == ["兰州市", "城关区"]
    # A 县市区 has no region below it: no chart by region (an empty card was shown), the table stays.
    county_html = drill.content.decode()
    assert 'id="chart-region"' not in county_html and 'data-testid="drill-table"' in county_html
    assert 'id="chart-region"' in html


def _queries(client: Any, url: str, params: dict[str, Any]) -> int:
    rollups.flush()  # the records written before are taken into the rollups first (measured on its own)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_query_count_is_the_same_at_every_level(levels: Levels) -> None:
    levels.populate()
    province, city, county = (client_for(u) for u in (levels.province_office, levels.city_office, levels.county_office))
    for client in (province, city, county):
        client.get(reverse("dashboard"), YEAR)  # the first request of a session does a little more
    dashboard = reverse("dashboard")
    counts = {
        "province": _queries(province, dashboard, YEAR),
        "province → 市州": _queries(province, dashboard, {**YEAR, "region": levels.lanzhou.pk}),
        "province → 县": _queries(province, dashboard, {**YEAR, "region": levels.chengguan.pk}),
        "市州": _queries(city, dashboard, YEAR),
        "市州 → 县": _queries(city, dashboard, {**YEAR, "region": levels.chengguan.pk}),
        "县": _queries(county, dashboard, YEAR),
    }
    assert len(set(counts.values())) == 1, counts
    assert max(counts.values()) <= 15, counts
    api = {_queries(c, API, {"from": "2025-01-01", "to": "2025-12-31"}) for c in (province, city, county)}
    assert len(api) == 1, api


def test_tribunal_resolution_rate_resolved_of_concluded(levels: Levels) -> None:
    w = levels.w
    ReferralKind.objects.get_or_create(
        code="tribunal_mediation",
        defaults={"name": "人民法庭对接化解", "outcomes": ["resolved", "failed", "withdrawn"]},
    )
    for outcome in ("resolved", "resolved", "resolved", "failed"):
        w.ref("tribunal_mediation", at(2025, 4, 1, 9), status="concluded", outcome=outcome, region=levels.chengguan)
    w.ref("tribunal_mediation", at(2025, 4, 2, 9), status="accepted", region=levels.chengguan)  # not concluded
    w.ref("tribunal_mediation", at(2024, 4, 2, 9), status="concluded", outcome="resolved", region=levels.chengguan)
    w.ref("tribunal_mediation", at(2025, 4, 2, 9), status="concluded", outcome="resolved", region=levels.qilihe)
    w.ref("mediation", at(2025, 4, 2, 9), status="concluded", outcome="failed", region=levels.chengguan)  # other kind
    county = client_for(levels.county_office)
    figure = figures(county)["tribunal_resolution_rate"]
    assert (figure["numerator"], figure["denominator"], figure["rate"]) == (3, 4, 75.0)
    assert figures(client_for(levels.province_office))["tribunal_resolution_rate"]["rate"] == 80.0  # 4 of 5
    cards = {c["key"]: c for c in county.get(reverse("dashboard"), YEAR).context["board"]["cards"]}
    assert cards["tribunal_resolution_rate"]["rate"] == Decimal("75.00")
    assert "人民法庭对接化解率" in county.get(reverse("stats-report"), YEAR).content.decode()
    page = county.get(reverse("referral-figures"), {"year": 2025})
    assert page.context["tribunal"] == {"concluded": 4, "resolved": 3, "resolution_rate": Decimal("75.00")}
