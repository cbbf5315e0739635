"""members.levels itself: the subtree filter, where a record lives, whose scope reaches it, the office of a level."""

from __future__ import annotations

from typing import Any

import pytest

from members import levels
from members.models import MemberUnit, Region, User
from members.roles import Role
from tests.conftest import ensure_organisation
from tests.factories import CourtFactory, UnitFactory, make_user

pytestmark = pytest.mark.django_db


def region(name: str) -> Region:
    return Region.objects.get(name=name)


def unit(name: str) -> MemberUnit:
    return MemberUnit.objects.select_related("region").get(name=name)


@pytest.fixture
def tree(db: None) -> dict[str, Region]:
    ensure_organisation()
    return {n: region(n) for n in ("甘肃省", "兰州市", "城关区", "榆中县", "天水市", "秦州区")}


# --- region_q, unit_region_q, is_within ----------------------------------------------------------------


def test_region_q_is_one_equality_per_level(tree: dict[str, Region]) -> None:
    assert levels.region_q(tree["甘肃省"]) == levels.region_q(None)
    assert str(levels.region_q(tree["甘肃省"])) == str(levels.region_q(None))
    assert dict(levels.region_q(tree["兰州市"]).children) == {"city_id": tree["兰州市"].pk}
    assert dict(levels.region_q(tree["城关区"]).children) == {"region_id": tree["城关区"].pk}
    q = levels.region_q(tree["兰州市"], region_field="meeting__region", city_field="meeting__city")
    assert dict(q.children) == {"meeting__city_id": tree["兰州市"].pk}


def test_unit_region_q_selects_each_level_subtree(tree: dict[str, Region]) -> None:
    def names(r: Region) -> set[str]:
        return set(MemberUnit.objects.filter(levels.unit_region_q(r)).values_list("name", flat=True))

    lanzhou, chengguan = names(tree["兰州市"]), names(tree["城关区"])
    assert {"兰州市司法局", "兰州市城关区人民法院", "榆中县司法局", "兰州市中级人民法院"} <= lanzhou
    assert not {"天水市司法局", "秦州区司法局", "甘肃省司法厅", "甘肃省高级人民法院"} & lanzhou
    assert chengguan == {"兰州市城关区人民法院", "兰州市城关区司法局"}
    assert "天水市司法局" in names(tree["甘肃省"]) and "甘肃省司法厅" in names(tree["甘肃省"])


def test_is_within(tree: dict[str, Region]) -> None:
    t = tree
    assert levels.is_within(t["城关区"], t["城关区"])
    assert levels.is_within(t["城关区"], t["兰州市"])
    assert levels.is_within(t["兰州市"], t["兰州市"])
    assert levels.is_within(t["天水市"], t["甘肃省"]) and levels.is_within(None, None)
    assert levels.is_within(None, t["甘肃省"])
    # Not above, not beside.
    assert not levels.is_within(t["兰州市"], t["城关区"])
    assert not levels.is_within(t["甘肃省"], t["兰州市"])
    assert not levels.is_within(t["秦州区"], t["兰州市"])
    assert not levels.is_within(t["榆中县"], t["城关区"])
    assert not levels.is_within(None, t["兰州市"])


# --- common_region / place_of -------------------------------------------------------------------------


def test_common_region_cases(tree: dict[str, Region]) -> None:
    t = tree
    assert levels.common_region(t["城关区"], t["城关区"]) == t["城关区"]  # same county
    assert levels.common_region(t["城关区"], t["兰州市"]) == t["兰州市"]  # a county and its city
    assert levels.common_region(t["城关区"], t["榆中县"]) == t["兰州市"]  # two counties of one city → the city
    assert levels.common_region(t["兰州市"], t["秦州区"]) == t["甘肃省"]  # two cities → the province
    assert levels.common_region(t["城关区"], None) == t["甘肃省"]  # a unit without a region → the province
    assert levels.common_region(t["甘肃省"], t["城关区"]) == t["甘肃省"]


def test_place_of_stamps_region_and_city(tree: dict[str, Region]) -> None:
    court, office = unit("兰州市城关区人民法院"), unit("兰州市城关区司法局")
    assert levels.place_of(court, office) == {"region": tree["城关区"], "city_id": tree["兰州市"].pk}
    assert levels.place_of(unit("兰州市中级人民法院"), office) == {
        "region": tree["兰州市"],
        "city_id": tree["兰州市"].pk,
    }
    assert levels.place_of(unit("甘肃省高级人民法院"), office) == {"region": tree["甘肃省"], "city_id": None}

    class Record:
        region: Region | None = None
        city_id: int | None = None

    record = Record()
    levels.stamp(record, court, unit("榆中县司法局"))
    assert (record.region, record.city_id) == (tree["兰州市"], tree["兰州市"].pk)


# --- reach_of -------------------------------------------------------------------------------------------


def reach(user: User) -> levels.Reach:
    fresh = User.objects.select_related("unit__region").get(pk=user.pk)
    return levels.reach_of(fresh)


def test_reach_of_office_by_level(tree: dict[str, Region]) -> None:
    province = reach(make_user(Role.OFFICE, unit("甘肃省司法厅")))
    assert province.everything and province.region is None
    city = reach(make_user(Role.OFFICE, unit("兰州市司法局")))
    assert not city.everything and city.region == tree["兰州市"]
    county = reach(make_user(Role.OFFICE, unit("兰州市城关区司法局")))
    assert not county.everything and county.region == tree["城关区"]
    assert not (county.unit_ids or county.court_ids or county.all_courts)


def test_reach_of_leaders_and_admin(tree: dict[str, Region]) -> None:
    assert reach(make_user(Role.LEADER, None)).everything
    assert reach(make_user(Role.ADMIN, None)).everything
    assert reach(make_user(Role.LEADER, unit("天水市司法局"))).region == tree["天水市"]


def test_reach_of_liaison_includes_sub_units(tree: dict[str, Region]) -> None:
    parent = UnitFactory(name="上级局", region=tree["兰州市"], level="city")
    child = UnitFactory(name="下级局", region=tree["兰州市"], level="city", parent=parent)
    grandchild = UnitFactory(name="再下级局", region=tree["城关区"], level="county", parent=child)
    UnitFactory(name="旁边局", region=tree["兰州市"], level="city")
    r = reach(make_user(Role.LIAISON, parent))
    assert set(r.unit_ids) == {parent.pk, child.pk, grandchild.pk}
    assert r.region is None and not r.everything and not r.court_ids
    assert reach(make_user(Role.LIAISON, grandchild)).unit_ids == (grandchild.pk,)


def test_descendants_walk_four_levels_down_in_one_query(
    tree: dict[str, Region], django_assert_num_queries: Any
) -> None:
    top = UnitFactory(name="一级", region=tree["兰州市"], level="city")
    second = CourtFactory(name="二级法院", region=tree["兰州市"], parent=top)
    third = UnitFactory(name="三级", region=tree["城关区"], level="county", parent=second)
    fourth = CourtFactory(name="四级法院", region=tree["城关区"], parent=third)
    fifth = UnitFactory(name="五级", region=tree["城关区"], level="county", parent=fourth)
    UnitFactory(name="旁支", region=tree["兰州市"], level="city")  # another tree
    with django_assert_num_queries(1):
        below = levels.descendants(top.pk)
    assert below == tuple(sorted((top.pk, second.pk, third.pk, fourth.pk)))  # the fifth level is past the walk
    assert levels.descendants(top.pk, courts_only=True) == (second.pk, fourth.pk)
    assert levels.descendants(third.pk) == tuple(sorted((third.pk, fourth.pk, fifth.pk)))
    assert levels.descendants(fifth.pk) == (fifth.pk,)
    assert levels.descendants(fifth.pk, courts_only=True) == ()
    assert levels.descendants(0) == ()


def test_reach_of_clerks_by_court_level(tree: dict[str, Region]) -> None:
    high = reach(make_user(Role.COURT_CLERK, unit("甘肃省高级人民法院")))
    assert high.all_courts and not high.everything
    intermediate_court = unit("兰州市中级人民法院")
    mid = reach(make_user(Role.COURT_CLERK, intermediate_court))
    below = set(MemberUnit.objects.filter(parent=intermediate_court, kind="court").values_list("pk", flat=True))
    assert len(below) == 8 and set(mid.court_ids) == below | {intermediate_court.pk}
    assert not mid.all_courts
    assert unit("天水市秦州区人民法院").pk not in mid.court_ids
    basic = unit("兰州市城关区人民法院")
    assert reach(make_user(Role.COURT_CLERK, basic)).court_ids == (basic.pk,)


def test_reach_of_anonymous_and_unit_less_liaison_is_nothing(tree: dict[str, Region]) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert levels.reach_of(AnonymousUser()).nothing
    assert reach(make_user(Role.COURT_CLERK, None)).nothing


def test_reach_q_helpers(tree: dict[str, Region]) -> None:
    assert str(levels.Reach().region_q()) == str(levels.Reach().courts_q("court"))  # both "nothing"
    assert dict(levels.Reach(court_ids=(1, 2)).courts_q("court").children) == {"court_id__in": (1, 2)}
    assert dict(levels.Reach(all_courts=True).courts_q("court").children) == {"court__kind": "court"}


# --- office_for / office_above --------------------------------------------------------------------------


def offices(tree: dict[str, Region], *names: str) -> dict[str, User]:
    return {n: make_user(Role.OFFICE, unit(n), username=f"office-{i}") for i, n in enumerate(names)}


def test_office_for_takes_the_nearest_level(tree: dict[str, Region]) -> None:
    o = offices(tree, "甘肃省司法厅", "兰州市司法局", "兰州市城关区司法局")
    assert levels.office_for(tree["城关区"]) == [o["兰州市城关区司法局"]]
    assert levels.office_for(tree["兰州市"]) == [o["兰州市司法局"]]
    assert levels.office_for(tree["甘肃省"]) == [o["甘肃省司法厅"]]
    assert levels.office_for(None) == [o["甘肃省司法厅"]]
    # No office in 榆中县: its city's; none in 天水市 nor 秦州区: the province's.
    assert levels.office_for(tree["榆中县"]) == [o["兰州市司法局"]]
    assert levels.office_for(tree["秦州区"]) == [o["甘肃省司法厅"]]


def test_office_above_is_one_level_up_from_the_office_that_follows(tree: dict[str, Region]) -> None:
    o = offices(tree, "甘肃省司法厅", "兰州市司法局", "兰州市城关区司法局")
    assert levels.office_above(tree["城关区"]) == [o["兰州市司法局"]]
    assert levels.office_above(tree["兰州市"]) == [o["甘肃省司法厅"]]
    assert levels.office_above(tree["甘肃省"]) == []
    # 榆中县 has no office: 兰州's follows it, the province's is above.
    assert levels.office_above(tree["榆中县"]) == [o["甘肃省司法厅"]]


def test_office_above_skips_a_missing_level(tree: dict[str, Region]) -> None:
    o = offices(tree, "甘肃省司法厅", "天水市秦州区司法局")
    assert levels.office_above(tree["秦州区"]) == [o["甘肃省司法厅"]]  # no 天水 office: straight to the province
    assert levels.office_for(tree["天水市"]) == [o["甘肃省司法厅"]]


def test_retired_office_staff_are_not_the_office(tree: dict[str, Region]) -> None:
    o = offices(tree, "甘肃省司法厅", "兰州市司法局")
    User.objects.filter(pk=o["兰州市司法局"].pk).update(is_active=False)
    assert levels.office_for(tree["城关区"]) == [o["甘肃省司法厅"]]


def test_office_for_reads_in_a_constant_number_of_queries(
    tree: dict[str, Region], django_assert_num_queries: Any
) -> None:
    offices(tree, "甘肃省司法厅", "兰州市司法局")
    county = Region.objects.select_related("parent__parent").get(name="城关区")
    with django_assert_num_queries(1):  # the office staff of the three regions of the chain
        levels.office_for(county)
