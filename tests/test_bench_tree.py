"""The benchmark's units of every level (``bench/tree.py``) and the place it writes on generated records:
the same as ``members.levels.common_region`` gives, without a query per record."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from bench import tree
from members import levels
from members.models import MemberUnit, Region
from tests.conftest import ensure_organisation


@pytest.fixture
def built(db: None) -> None:
    ensure_organisation()
    tree.build_units()


def test_build_units_adds_every_levels_units_once(built: None) -> None:
    basic = MemberUnit.objects.filter(kind="court", court_level="basic")
    tribunals = MemberUnit.objects.filter(kind="court", court_level="tribunal").select_related("parent")
    assert tribunals.count() == tree.TRIBUNALS_PER_BASIC_COURT * basic.count() > 0
    assert all(t.parent.court_level == "basic" and t.region_id == t.parent.region_id for t in tribunals)
    for region in Region.objects.exclude(level="province"):
        depts = MemberUnit.objects.filter(region=region, kind="government", short_name__startswith=tree.MARK)
        want = tree.CITY_DEPARTMENTS if region.level == "city" else tree.COUNTY_DEPARTMENTS
        assert depts.count() == len(want), region.name
        assert MemberUnit.objects.filter(region=region, kind="mediation").exists(), region.name
    total = MemberUnit.objects.count()
    assert 2500 <= total <= 3100
    tree.build_units()  # again: nothing added
    assert MemberUnit.objects.count() == total


def test_places_agree_with_common_region(built: None) -> None:
    places = tree.Places.load()
    city = Region.objects.get(name="兰州市")
    counties = list(Region.objects.filter(parent=city).order_by("pk")[:2])
    other_city = Region.objects.filter(level="city").exclude(pk=city.pk).order_by("pk").first()
    picks = [
        MemberUnit.objects.filter(region=r, kind="government").order_by("pk").first()
        for r in [*counties, city, other_city, levels.province()]
    ]
    no_region = MemberUnit.objects.create(name="无区划单位", kind="other", level="province")
    places = tree.Places.load()
    units = [u for u in picks if u is not None] + [no_region]
    assert len(units) == 6
    for a, b in itertools.product(units, repeat=2):
        want = levels.common_region(a.region, b.region)
        assert places.common(a.pk, b.pk) == (want.pk, want.city_id), (a.name, b.name)


def test_pairs_spread_over_the_levels(built: None) -> None:
    places, parties = tree.pairs(2000, seed=5)
    found = Counter(places.level_of_region[places.common(p.court, p.dept)[0]] for p in parties)
    assert found["county"] > 0.5 * len(parties)
    assert found["city"] > 0.15 * len(parties)
    assert found["province"] > 0.05 * len(parties)
    assert all(places.units[p.court].kind == "court" for p in parties)
    assert all(places.units[p.dept].kind == "government" for p in parties)
    assert all(p.dept2 != p.dept for p in parties)  # a transfer between two departments, never to itself
