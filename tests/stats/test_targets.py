"""Targets (指标, issue 15 item 4): the office sets them per year, level and task; the actual figure beside each,
with a light, for the level and per region below; scope by level; the page, the dashboard and the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import ConnectionHandler
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Referral
from fuyuan.lib.errors import NotPermitted
from members.models import Region, WorkTask
from stats import targets
from stats.models import Target
from stats.scope import Scope
from tests import levels
from tests.conftest import client_for
from tests.stats.conftest import World, at

pytestmark = pytest.mark.django_db
API = "/api/v1/targets/"
TODAY = at(2025, 7, 1, 10)
FS = Referral.Status


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


class Place:
    """The level fixtures of tests/levels.py, and a small dataset of 委派调解 under task 8 in 2025."""

    def __init__(self, world: World) -> None:
        self.w = world
        self.province = levels.region(levels.PROVINCE)
        self.lanzhou = levels.region(levels.LANZHOU)
        self.chengguan = levels.region(levels.CHENGGUAN)
        self.qilihe = levels.region(levels.QILIHE)
        self.jiayuguan = levels.region(levels.JIAYUGUAN)
        self.province_office = world.cast.office
        self.city_office = levels.office_user_at(levels.LANZHOU)
        self.city_leader = levels.leader_at(levels.LANZHOU)
        self.county_office = levels.office_user_at(levels.CHENGGUAN)
        self.other_city_office = levels.office_user_at(levels.JIAYUGUAN)
        self.task8, self.task1 = WorkTask.objects.get(number=8), WorkTask.objects.get(number=1)

    def mediation(self, region: Region, delegated: int, resolved: int, *, task: WorkTask | None = None) -> None:
        for i in range(delegated):
            done = i < resolved
            self.w.ref(
                "mediation",
                at(2025, 3, 1 + i, 9),
                status=FS.CONCLUDED if done else FS.SENT,
                outcome="resolved" if done else "",
                tasks=[task or self.task8],
                region=region,
            )

    def populate(self) -> None:
        self.mediation(self.chengguan, 4, 3)  # 75%
        self.mediation(self.qilihe, 2, 1)  # 50%
        self.mediation(self.lanzhou, 1, 0)  # at the 市州 itself
        self.mediation(self.province, 3, 2)  # at the province itself
        # Not counted: another task, last year, after today.
        self.mediation(self.chengguan, 5, 0, task=self.task1)
        self.w.ref("mediation", at(2024, 12, 31, 9), tasks=[self.task8], region=self.chengguan)
        self.w.ref("mediation", at(2025, 8, 1, 9), tasks=[self.task8], region=self.chengguan)

    def target(self, region: Region, figure: str = "mediation_success_rate", value: str = "60", **kw: Any) -> Target:
        by = kw.pop("by", self.province_office)
        task = kw.pop("task", self.task8)
        return targets.target_set(by=by, year=2025, region=region, task=task, figure=figure, value=value, **kw)


@pytest.fixture
def place(world: World) -> Place:
    return Place(world)


# --- Bad input ----------------------------------------------------------------------------------------------


def test_a_target_rate_above_100_is_refused_in_chinese_and_nothing_is_saved(place: Place) -> None:
    with pytest.raises(ValidationError) as err:
        place.target(place.province, value="100.01")
    assert "0 至 100" in err.value.message_dict["value"][0]
    assert not Target.objects.exists()
    # Through the API and the page alike.
    api = client_for(place.province_office)
    body = {"year": 2025, "region": place.province.pk, "task": place.task8.pk, "figure": "mediation_success_rate"}
    response = api.post(API, {**body, "value": "150"}, content_type="application/json")
    assert response.status_code == 400 and "0 至 100" in response.json()["value"][0]
    page = api.post(reverse("stats-target-create"), {**body, "comparator": "gte", "value": "150"})
    assert page.status_code == 200 and "0 至 100" in page.content.decode()
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"value": "-1"}, "value", "0 至 100"),
        ({"figure": "consultations", "value": "-3"}, "value", "不能为负数"),
        ({"figure": "consultations", "value": "2.5"}, "value", "应为整数"),
        ({"figure": "no_such_figure"}, "figure", "没有这个统计项"),
        ({"year": 1999}, "year", "年度应在"),
        ({"comparator": "eq"}, "comparator", "不低于"),
    ],
)
def test_bad_values_are_refused_with_a_chinese_message(
    place: Place, changes: dict[str, Any], field: str, words: str
) -> None:
    data: dict[str, Any] = {
        "by": place.province_office,
        "year": 2025,
        "region": place.province,
        "task": place.task8,
        "figure": "mediation_success_rate",
        "value": "60",
        **changes,
    }
    with pytest.raises(ValidationError) as err:
        targets.target_set(**data)
    assert words in err.value.message_dict[field][0]
    assert not Target.objects.exists()


def test_setting_the_same_target_again_changes_its_value_and_keeps_one(place: Place) -> None:
    first = place.target(place.province, value="60")
    again = place.target(place.province, value="65.5", comparator="gte")
    assert again.pk == first.pk and Target.objects.get().value == Decimal("65.50")
    # The whole mechanism (no task) is a key of its own, once too.
    place.target(place.province, task=None)
    place.target(place.province, task=None, value="70")
    assert Target.objects.filter(task=None).count() == 1 and Target.objects.count() == 2


# --- Scope ----------------------------------------------------------------------------------------------------


def test_an_office_sets_targets_for_its_region_and_below_only(place: Place) -> None:
    place.target(place.chengguan, by=place.city_office)  # a county of its 市州
    with pytest.raises(ValidationError) as err:
        place.target(place.jiayuguan, by=place.city_office)
    assert "本级或下级" in err.value.message_dict["region"][0]
    with pytest.raises(ValidationError):
        place.target(place.lanzhou, by=place.county_office)  # the level above
    assert list(Target.objects.values_list("region__code", flat=True)) == [levels.CHENGGUAN]


def test_only_the_office_sets_and_deletes_targets(place: Place) -> None:
    target = place.target(place.lanzhou)
    for user in (place.city_leader, place.w.cast.liaison, place.w.cast.clerk, place.w.cast.leader):
        with pytest.raises(NotPermitted):
            place.target(place.lanzhou, by=user, value="10")
        with pytest.raises(NotPermitted):
            targets.target_delete(target=target, by=user)
        assert targets.target_actions(target, user) == set()
    with pytest.raises(NotPermitted):
        targets.target_delete(target=target, by=place.other_city_office)
    target.refresh_from_db()
    assert target.value == Decimal("60.00")
    targets.target_delete(target=target, by=place.city_office)
    assert not Target.objects.exists()


def test_another_citys_office_and_a_liaison_get_404(place: Place) -> None:
    target = place.target(place.lanzhou)
    for user in (place.other_city_office, place.county_office):  # another 市州; a 县 below (the 市州's target)
        client = client_for(user)
        assert client.get(reverse("stats-target-edit", args=[target.pk])).status_code == 404
        assert client.post(reverse("stats-target-delete", args=[target.pk])).status_code == 404
        assert client.get(f"{API}{target.pk}/").status_code == 404
        assert client.delete(f"{API}{target.pk}/").status_code == 404
        assert client.get(API).json()["results"] == []
    other = client_for(place.other_city_office)
    assert other.get(reverse("stats-targets"), {"region": place.lanzhou.pk}).status_code == 404
    liaison = client_for(place.w.cast.liaison)
    assert liaison.get(reverse("stats-targets")).status_code == 404
    assert liaison.get(reverse("stats-target-create")).status_code == 404
    assert liaison.get(f"{API}{target.pk}/").status_code == 404
    assert liaison.get(API).json()["results"] == []
    body = {"year": 2025, "region": place.lanzhou.pk, "figure": "consultations", "value": "3"}
    assert liaison.post(API, body, content_type="application/json").status_code == 403
    assert Target.objects.count() == 1 and Target.objects.get().value == Decimal("60.00")


def test_a_leader_reads_targets_but_does_not_change_them(place: Place) -> None:
    target = place.target(place.lanzhou)
    leader = client_for(place.city_leader)
    page = leader.get(reverse("stats-targets"))
    assert page.status_code == 200 and f'data-testid="target-{target.pk}"' in page.content.decode()
    assert 'data-testid="target-add"' not in page.content.decode()
    assert leader.get(reverse("stats-target-create")).status_code == 403
    assert leader.get(reverse("stats-target-edit", args=[target.pk])).status_code == 403
    assert leader.patch(f"{API}{target.pk}/", {"value": "1"}, content_type="application/json").status_code == 403
    assert leader.delete(f"{API}{target.pk}/").status_code == 403
    assert Target.objects.get().value == Decimal("60.00")


# --- Actual against target ------------------------------------------------------------------------------------


def _lights(row: targets.TargetRow) -> dict[str, str]:
    out = {r.region.name: r.light for r in row.regions if r.region is not None}
    if row.own is not None:
        out["本级"] = row.own.light
    return out


def test_actual_against_target_at_the_province_with_each_city_below(place: Place) -> None:
    place.populate()
    place.target(place.province)  # 委派调解成功率 ≥ 60%
    (row,) = targets.target_rows(year=2025, region=None)
    assert row.actual == {"numerator": 6, "denominator": 10, "rate": Decimal("60.00")}
    assert row.met is True and row.light == "green"
    lanzhou = next(r for r in row.regions if r.region == place.lanzhou)
    assert lanzhou.actual == {"numerator": 4, "denominator": 7, "rate": Decimal("57.14")}
    assert lanzhou.met is False and lanzhou.light == "yellow"  # within 10% of 60
    lights = _lights(row)
    assert lights["嘉峪关市"] == "grey" and lights["本级"] == "green"  # 0 ÷ 0; 2 of 3
    assert len(row.regions) == Region.objects.filter(level=Region.Level.CITY).count()


def test_actual_against_target_at_a_city_with_each_county_below(place: Place) -> None:
    place.populate()
    place.target(place.lanzhou, by=place.city_office)
    (row,) = targets.target_rows(year=2025, region=place.lanzhou)
    assert (row.actual["numerator"], row.actual["denominator"], row.light) == (4, 7, "yellow")
    lights = _lights(row)
    assert lights["城关区"] == "green" and lights["七里河区"] == "red" and lights["本级"] == "red"
    chengguan = next(r for r in row.regions if r.region == place.chengguan)
    assert chengguan.actual == {"numerator": 3, "denominator": 4, "rate": Decimal("75.00")}


def test_actual_against_target_at_a_county_and_a_not_higher_than_target(place: Place) -> None:
    place.populate()
    place.target(place.chengguan, by=place.county_office)
    # 委派调解 (a count, all tasks) at most 9 this year in the county: 4 + 5 = 9, met.
    place.target(place.chengguan, figure="mediation_delegated", value="9", comparator="lte", task=None)
    rows = targets.target_rows(year=2025, region=place.chengguan)
    whole, rate = rows  # the whole mechanism first, then task 8
    assert whole.actual == {"value": 9} and whole.met is True and whole.light == "green"
    assert rate.actual["rate"] == Decimal("75.00") and rate.light == "green"
    assert whole.regions == [] and whole.own is None  # nothing below a 县市区
    with pytest.raises(ValidationError):  # a count target is a whole number
        place.target(place.chengguan, figure="mediation_delegated", value="8.5", comparator="lte", task=None)
    place.target(place.chengguan, value="70", comparator="lte", by=place.county_office)  # 75% ≤ 70% × 1.1
    (_whole, rate) = targets.target_rows(year=2025, region=place.chengguan)
    assert rate.met is False and rate.light == "yellow"
    place.target(place.chengguan, value="60", comparator="lte", by=place.county_office)
    assert targets.target_rows(year=2025, region=place.chengguan)[1].light == "red"


def test_a_year_not_begun_is_grey_and_counts_nothing(place: Place) -> None:
    place.populate()
    targets.target_set(
        by=place.province_office, year=2026, region=place.province, task=None, figure="consultations", value="5"
    )
    with CaptureQueriesContext(connection) as ctx:
        (row,) = targets.target_rows(year=2026, region=None)
    assert row.light == "grey" and row.met is None and row.actual == {"value": 0}
    assert len(ctx.captured_queries) == 2  # the targets, the regions below: no figure is counted


def test_target_rows_query_count_does_not_grow_with_targets(place: Place) -> None:
    place.populate()
    place.target(place.province)
    regions = list(Region.objects.all())

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            targets.target_rows(year=2025, region=None, regions=regions)
        return len(ctx.captured_queries)

    one = count()
    for figure in ("mediation_delegated", "mediation_resolved", "tribunal_resolution_rate"):
        place.target(place.province, figure=figure, value="1")
    for task in WorkTask.objects.exclude(number=8):
        place.target(place.province, task=task, figure="consultations", value="1")
    place.target(place.province, task=None, figure="consultations", value="1")
    assert Target.objects.count() == 14
    assert one == 2 and count() == 3  # the targets, the task figures (+ the whole mechanism's)


# --- Pages ------------------------------------------------------------------------------------------------------


def _page_queries(client: Any, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("stats-targets"), params).status_code == 200
    return len(ctx.captured_queries)


def test_the_targets_page_at_each_level_with_bounded_queries(place: Place) -> None:
    place.populate()
    users = {
        "province": (place.province_office, place.province),
        "city": (place.city_office, place.lanzhou),
        "county": (place.county_office, place.chengguan),
    }
    counts: dict[str, list[int]] = {}
    for name, (user, region) in users.items():
        client = client_for(user)
        client.get(reverse("stats-targets"))  # the session's first request does a little more
        place.target(region, by=user)
        html = client.get(reverse("stats-targets"), {"year": 2025}).content.decode()
        assert 'data-testid="target-table"' in html and 'data-testid="target-add"' in html
        few = _page_queries(client, {"year": 2025})
        for task in WorkTask.objects.exclude(number=8)[:5]:
            place.target(region, by=user, task=task, figure="consultations", value="2")
        counts[name] = [few, _page_queries(client, {"year": 2025})]
    assert all(few == many for few, many in counts.values()), counts
    assert max(max(c) for c in counts.values()) <= 15, counts


def test_add_edit_and_delete_on_the_page(place: Place) -> None:
    office = client_for(place.city_office)
    form = {"year": 2025, "region": place.lanzhou.pk, "task": place.task8.pk, "figure": "mediation_success_rate"}
    response = office.post(reverse("stats-target-create"), {**form, "comparator": "gte", "value": "60"})
    assert response.status_code == 302 and f"region={place.lanzhou.pk}" in response["Location"]
    target = Target.objects.get()
    assert (target.region, target.city_id, target.set_by) == (place.lanzhou, place.lanzhou.pk, place.city_office)
    # A region outside the office's reach is not among the choices: nothing saved.
    refused = office.post(
        reverse("stats-target-create"), {**form, "region": place.jiayuguan.pk, "comparator": "gte", "value": "1"}
    )
    assert refused.status_code == 200 and Target.objects.count() == 1
    office.post(reverse("stats-target-edit", args=[target.pk]), {**form, "comparator": "lte", "value": "55"})
    target.refresh_from_db()
    assert (target.comparator, target.value) == ("lte", Decimal("55.00"))
    page = office.get(reverse("stats-targets")).content.decode()
    assert "data-confirm" in page and reverse("stats-target-delete", args=[target.pk]) in page
    assert office.get(reverse("stats-target-delete", args=[target.pk])).status_code == 405
    office.post(reverse("stats-target-delete", args=[target.pk]))
    assert not Target.objects.exists()


def test_the_dashboard_shows_the_levels_targets_with_their_lights(place: Place) -> None:
    place.populate()
    place.target(place.lanzhou, by=place.city_office)
    place.target(place.province)
    city = client_for(place.city_office).get(reverse("dashboard"), {"period": "year", "year": "2025"})
    html = city.content.decode()
    assert 'data-testid="dashboard-targets"' in html
    (row,) = city.context["targets"]
    assert row.target.region == place.lanzhou and row.light == "yellow"
    province = client_for(place.province_office).get(reverse("dashboard"), {"period": "year", "year": "2025"})
    assert [r.target.region for r in province.context["targets"]] == [place.province]


def test_the_dashboard_with_targets_costs_the_same_at_every_level(place: Place) -> None:
    place.populate()
    counts = {}
    for user, region in (
        (place.province_office, place.province),
        (place.city_office, place.lanzhou),
        (place.county_office, place.chengguan),
    ):
        place.target(region, by=user)
        place.target(region, by=user, task=None, figure="consultations", value="1")
        client = client_for(user)
        client.get(reverse("dashboard"))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("dashboard"), {"period": "year", "year": "2025"}).status_code == 200
        counts[region.code] = len(ctx.captured_queries)
    assert len(set(counts.values())) == 1, counts


def test_the_definitions_page_says_what_yellow_means(place: Place) -> None:
    html = client_for(place.city_office).get(reverse("stats-definitions")).content.decode()
    assert 'id="targets"' in html and "10%" in html


# --- API ---------------------------------------------------------------------------------------------------------


def test_api_create_read_update_delete(place: Place) -> None:
    place.populate()
    api = client_for(place.city_office)
    body = {"year": 2025, "region": place.lanzhou.pk, "task": place.task8.pk, "figure": "mediation_success_rate"}
    created = api.post(API, {**body, "value": "60"}, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["actual"] == {"numerator": 4, "denominator": 7, "rate": 57.14}
    assert (data["met"], data["light"], data["comparator"], data["value"]) == (False, "yellow", "gte", 60.0)
    again = api.post(API, {**body, "value": "50"}, content_type="application/json")
    assert again.status_code == 400 and "已有指标" in again.json()["figure"][0]
    url = f"{API}{data['id']}/"
    patched = api.patch(url, {"value": "55"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["light"] == "green"
    bad = api.patch(url, {"value": "101"}, content_type="application/json")
    assert bad.status_code == 400 and Target.objects.get().value == Decimal("55.00")
    moved = api.patch(url, {"region": place.jiayuguan.pk}, content_type="application/json")
    assert moved.status_code == 400 and Target.objects.get().region == place.lanzhou
    listed = api.get(API, {"year": 2025}).json()
    assert [t["id"] for t in listed["results"]] == [data["id"]] and listed["results"][0]["light"] == "green"
    assert api.delete(url).status_code == 204 and not Target.objects.exists()


def test_api_list_queries_do_not_grow_with_targets(place: Place) -> None:
    place.populate()
    api = client_for(place.province_office)
    place.target(place.province)
    api.get(API)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(API).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for task in WorkTask.objects.exclude(number=8):
        place.target(place.province, task=task, figure="consultations", value="1")
    assert count() == few


# --- SQLite (a new user's ``make run``) -------------------------------------------------------------------------


@pytest.fixture
def sqlite() -> Iterator[BaseDatabaseWrapper]:
    handler = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
    memory = handler["default"]
    with memory.schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy:
                editor.create_model(model)
    yield memory
    memory.close()


@pytest.mark.parametrize("by_child", [True, False])
@pytest.mark.parametrize("task_ids", [None, [8, 1]])
def test_the_figure_query_runs_on_sqlite(
    place: Place, sqlite: BaseDatabaseWrapper, by_child: bool, task_ids: list[int] | None
) -> None:
    for region in (None, place.lanzhou, place.chengguan):
        scope = targets._scope(Scope(date(2025, 1, 1), date(2025, 7, 1)), region)
        qs = targets._count_query(scope, date(2025, 7, 1), task_ids=task_ids, by_child=by_child)
        sql, params = qs.query.get_compiler(connection=sqlite).as_sql()
        with sqlite.cursor() as cursor:
            cursor.execute(sql, params)
            assert all(not any(row[3:]) for row in cursor.fetchall())  # nothing counted in empty tables
