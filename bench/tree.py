"""The units of every level for the benchmark, and where a generated record lives.

The migration gives the tree (1 province, 14 市州, 86 县市区), the courts (high, 14 intermediate, a
basic court per county) and an office (司法局) per 市州 and 县市区. :func:`build_units` adds, up to
about 3,000 units: departments in every 市州 and 县市区, 街道/乡镇 mediation committees, and 人民法庭
under every basic court. Idempotent: a unit whose name exists is not created again.

:class:`Places` answers, without a query, what ``members.levels.common_region`` answers: the smallest
region holding a record's principal parties, as the ``(region_id, city_id)`` the generators write
directly (they use ``bulk_create`` or SQL, not the services).

:func:`pairs` draws the parties of court ↔ government records spread over the levels: most between a
basic court and the departments or mediation bodies of its own county, some between an intermediate
court and its 市州's departments, a few provincial.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

CITY_DEPARTMENTS = [
    "发展和改革委员会", "公安局", "民政局", "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局",
    "住房和城乡建设局", "交通运输局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "应急管理局",
    "审计局", "国有资产监督管理委员会", "市场监督管理局", "统计局", "医疗保障局", "信访局", "林业和草原局",
    "地方金融监督管理局", "税务局", "工业和信息化局", "教育局",
]  # fmt: skip
COUNTY_DEPARTMENTS = CITY_DEPARTMENTS[:18]
MEDIATION_PER_COUNTY = 6
MEDIATION_PER_CITY = 2
TRIBUNALS_PER_BASIC_COURT = 3
MARK = "基准"  # short names of the units the benchmark adds start with it


def _wanted(regions: list[Any], courts: list[Any]) -> list[dict[str, Any]]:
    from members.org_data import county_unit_prefix

    by_pk = {r.pk: r for r in regions}
    rows: list[dict[str, Any]] = []
    for region in regions:
        if region.level == "province":
            continue
        if region.level == "city":
            prefix, depts, meds = region.name, CITY_DEPARTMENTS, MEDIATION_PER_CITY
        else:
            prefix = county_unit_prefix(by_pk[region.parent_id].name, region.name)
            depts, meds = COUNTY_DEPARTMENTS, MEDIATION_PER_COUNTY
        rows += [{"name": f"{prefix}{d}", "kind": "government", "level": region.level, "region": region} for d in depts]
        rows += [
            {"name": f"{prefix}第{j}街道人民调解委员会", "kind": "mediation", "level": region.level, "region": region}
            for j in range(1, meds + 1)
        ]
    for court in courts:
        stem = court.name.removesuffix("人民法院")
        rows += [
            {
                "name": f"{stem}第{j}人民法庭",
                "kind": "court",
                "court_level": "tribunal",
                "level": court.level,
                "region": court.region,
                "parent": court,
                "supervisor": court,
            }
            for j in range(1, TRIBUNALS_PER_BASIC_COURT + 1)
        ]
    return rows


def build_units() -> None:
    from django.db import transaction

    from members.models import MemberUnit, Region

    regions = list(Region.objects.order_by("order", "pk"))
    courts = list(MemberUnit.objects.filter(kind="court", court_level="basic").select_related("region").order_by("pk"))
    wanted = _wanted(regions, courts)
    have = set(MemberUnit.objects.filter(name__in=[w["name"] for w in wanted]).values_list("name", flat=True))
    missing = [w for w in wanted if w["name"] not in have]
    if not missing:
        return
    started = time.perf_counter()
    with transaction.atomic():
        MemberUnit.objects.bulk_create(
            [
                MemberUnit(short_name=f"{MARK}{w['name'][-12:]}", order=6000 + i, **w)
                for i, w in enumerate(missing, start=len(have))
            ],
            batch_size=2000,
        )
    total = MemberUnit.objects.count()
    print(f"    dataset: {len(missing)} units of every level added ({total} in all) in "
          f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip


@dataclass
class Places:
    """Units and regions held in memory: where a record of these parties lives, without a query."""

    region_of_unit: dict[int, int | None] = field(default_factory=dict)
    city_of_region: dict[int, int | None] = field(default_factory=dict)
    level_of_region: dict[int, str] = field(default_factory=dict)
    province: int = 0
    units: dict[int, Any] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Places:
        from members.models import MemberUnit, Region

        places = cls()
        for pk, city_id, level in Region.objects.values_list("pk", "city_id", "level"):
            places.city_of_region[pk] = city_id
            places.level_of_region[pk] = level
            if level == "province":
                places.province = pk
        for unit in MemberUnit.objects.filter(active=True).order_by("pk"):
            places.units[unit.pk] = unit
            places.region_of_unit[unit.pk] = unit.region_id
        return places

    def common(self, *unit_ids: int) -> tuple[int, int | None]:
        """``(region_id, city_id)`` of a record whose principal parties are ``unit_ids``."""
        regions = [self.region_of_unit.get(u) or self.province for u in unit_ids]
        first = regions[0]
        if all(r == first for r in regions):
            return first, self.city_of_region[first]
        cities = {self.city_of_region[r] for r in regions}
        if len(cities) == 1 and None not in cities:
            city = cities.pop()
            assert city is not None
            return city, city
        return self.province, None

    def of_region(self, region_id: int) -> tuple[int, int | None]:
        return region_id, self.city_of_region[region_id]

    def in_region(self, region_id: int | None, kind: str, court_level: str = "") -> list[int]:
        return [
            u.pk
            for u in self.units.values()
            if u.region_id == region_id and u.kind == kind and (not court_level or u.court_level == court_level)
        ]


@dataclass(frozen=True)
class Pair:
    """The parties of a court ↔ government record: a court, a department, another department of the
    same region as the first, and a mediation body near the court."""

    court: int
    dept: int
    dept2: int
    mediation: int


def pairs(count: int, *, seed: int = 13) -> tuple[Places, list[Pair]]:
    """``count`` parties spread over the levels: 60 % county, 28 % 市州, 12 % province."""
    places = Places.load()
    rng = random.Random(seed)
    index: dict[tuple[int | None, str, str], list[int]] = {}
    for u in places.units.values():
        index.setdefault((u.region_id, u.kind, u.court_level), []).append(u.pk)
    province = places.province
    top_depts = index.get((province, "government", ""), [])
    top_meds = index.get((province, "mediation", ""), []) or index.get((province, "other", ""), []) or top_depts
    basic = [u for u in places.units.values() if u.kind == "court" and u.court_level == "basic"]
    intermediate = [u for u in places.units.values() if u.kind == "court" and u.court_level == "intermediate"]
    high = [u for u in places.units.values() if u.kind == "court" and u.court_level == "high"]
    out: list[Pair] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.60 and basic:
            court = rng.choice(basic)
            depts = index.get((court.region_id, "government", ""), top_depts)
            meds = index.get((court.region_id, "mediation", ""), top_meds)
            tribunals = index.get((court.region_id, "court", "tribunal"), [])
            court_pk = rng.choice(tribunals) if tribunals and rng.random() < 0.3 else court.pk
        elif roll < 0.88 and intermediate:
            court = rng.choice(intermediate)
            depts = index.get((court.region_id, "government", ""), top_depts)
            meds = index.get((court.region_id, "mediation", ""), top_meds)
            court_pk = court.pk
        else:
            court_pk = rng.choice(high).pk if high and rng.random() < 0.5 else rng.choice(intermediate or high).pk
            depts, meds = top_depts, top_meds
        dept, dept2 = rng.sample(depts, 2) if len(depts) > 1 else (depts[0], top_depts[0])
        out.append(Pair(court_pk, dept, dept2, rng.choice(meds)))
    return places, out
