"""Levels: the region tree, where a record lives, whose scope reaches it, and the office of a level.

The one rule of scope by level (issue 13, DESIGN.md promise 4), used by every ``visible_to``:

* administrators, and office staff and leaders of a provincial unit (or of no unit: the leading
  group's leaders), read everything;
* office staff and leaders of a 市州 or 县市区 unit read the records that live in their region or below
  (:func:`region_q` over the record's denormalised ``region`` and ``city`` columns: one indexed
  equality, never a walk of the tree per request);
* a liaison reads what involves their unit or its sub-units (:attr:`Reach.unit_ids`);
* a court clerk acts for their own court and reads the records of the courts below it
  (:attr:`Reach.court_ids`; the High Court's clerks read every court's records).

A record lives in the smallest region that holds all its principal parties (:func:`common_region`):
a 兰州中院 recommendation to 城关区政府 lives in 兰州市; one from 城关区法院 to 城关区政府 lives in 城关区;
one from a 市州 court to a provincial department lives in the province. The office of that region
follows it up (:func:`office_for`), and escalation goes to the office one level up (:func:`office_above`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Q
from django.utils.translation import gettext as _

from fuyuan.lib.fragments import values_key
from members.models import MemberUnit, Region, User
from members.roles import Role, has_role

PROVINCE, CITY, COUNTY = Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY
DEPTH: dict[str, int] = {PROVINCE: 0, CITY: 1, COUNTY: 2}
#: A court's parent is a court exactly one level up (high → intermediate → basic → tribunal).
COURT_PARENT: dict[str, str] = {
    MemberUnit.CourtLevel.INTERMEDIATE: MemberUnit.CourtLevel.HIGH,
    MemberUnit.CourtLevel.BASIC: MemberUnit.CourtLevel.INTERMEDIATE,
    MemberUnit.CourtLevel.TRIBUNAL: MemberUnit.CourtLevel.BASIC,
}
#: The unit level that goes with a region level.
COURT_LEVEL_OF_REGION: dict[str, str] = {
    PROVINCE: MemberUnit.CourtLevel.HIGH,
    CITY: MemberUnit.CourtLevel.INTERMEDIATE,
    COUNTY: MemberUnit.CourtLevel.BASIC,
}


# --- The tree -------------------------------------------------------------------------------------


def province() -> Region:
    return Region.objects.get(level=PROVINCE)


def city_of(region: Region) -> int | None:
    """The id of the 市州 holding ``region`` (itself for a 市州), None for the province."""
    if region.level == CITY:
        return region.pk
    if region.level == COUNTY:
        return region.parent_id
    return None


def region_q(region: Region | None, *, region_field: str = "region", city_field: str = "city") -> Q:
    """Records living in ``region`` or below it, as one indexed equality.

    ``region_field`` and ``city_field`` name the record's denormalised columns (a path such as
    ``"meeting__region"`` works too). The province (or no region) is everything: ``Q()``.
    """
    if region is None or region.level == PROVINCE:
        return Q()
    if region.level == CITY:
        return Q(**{f"{city_field}_id": region.pk})
    return Q(**{f"{region_field}_id": region.pk})


def unit_region_q(region: Region | None, *, prefix: str = "") -> Q:
    """Units whose region is ``region`` or below it (``prefix`` e.g. ``"addressee__"``)."""
    return region_q(region, region_field=f"{prefix}region", city_field=f"{prefix}region__city")


def is_within(region: Region | None, ancestor: Region | None) -> bool:
    """Whether ``region`` is ``ancestor`` or below it (None is the province)."""
    if ancestor is None or ancestor.level == PROVINCE:
        return True
    if region is None:
        return False
    if ancestor.level == CITY:
        return city_of(region) == ancestor.pk
    return region.pk == ancestor.pk


def common_region(*regions: Region | None) -> Region:
    """The smallest region holding all of ``regions`` (a unit without a region counts as the province)."""
    known = [r for r in regions if r is not None]
    if len(known) == len(regions) and known:
        if all(r.pk == known[0].pk for r in known):
            return known[0]
        cities = {city_of(r) for r in known}
        city_id = cities.pop() if len(cities) == 1 else None
        if city_id is not None:
            return next((r for r in known if r.pk == city_id), None) or Region.objects.get(pk=city_id)
    return next((r for r in known if r.level == PROVINCE), None) or province()


def place_of(*units: MemberUnit | None) -> dict[str, Any]:
    """The ``region`` and ``city_id`` fields of a record whose principal parties are ``units``.

    The units' regions should be loaded (``select_related("region")``) to spare a query each.
    """
    region = common_region(*[u.region if u is not None and u.region_id else None for u in units if u is not None])
    return {"region": region, "city_id": region.city_id}


def stamp(record: Any, *units: MemberUnit | None) -> None:
    """Set ``record.region`` and ``record.city_id`` from its principal parties (before it is saved)."""
    for field, value in place_of(*units).items():
        setattr(record, field, value)


# --- Whose scope reaches what ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """What a user's scope reaches, read once per request (``reach_of``)."""

    everything: bool = False
    #: Office staff and leaders below the province: the records of this region and below.
    region: Region | None = None
    #: A liaison: their unit and its sub-units.
    unit_ids: tuple[int, ...] = ()
    #: A court clerk: their own court and the courts below it (read-only).
    court_ids: tuple[int, ...] = ()
    #: A clerk of the High Court reads every court's records.
    all_courts: bool = False

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.region or self.unit_ids or self.court_ids or self.all_courts)

    def region_q(self, *, region_field: str = "region", city_field: str = "city") -> Q:
        """The office/leader part of a scope (``Q(pk__in=[])`` when the user has none)."""
        if self.region is None:
            return Q(pk__in=[])
        return region_q(self.region, region_field=region_field, city_field=city_field)

    def courts_q(self, field: str) -> Q:
        """Records whose court (``field``, a unit FK) is the clerk's court or one below it."""
        if self.all_courts:
            return Q(**{f"{field}__kind": MemberUnit.Kind.COURT})
        if self.court_ids:
            return Q(**{f"{field}_id__in": self.court_ids})
        return Q(pk__in=[])


#: Four levels are enough (high court → tribunal). A walk down the parent index: the same question as
#: ``pk=u | parent=u | parent__parent=u | parent__parent__parent=u`` took three self-joins over every unit
#: (2 ms to plan and 2 ms to run on 3,000 units, on every page of a liaison or clerk).
_DESCENDANTS_SQL = """
WITH RECURSIVE below(id, kind, depth) AS (
    SELECT id, kind, 0 FROM {table} WHERE id = %s
    UNION ALL
    SELECT u.id, u.kind, below.depth + 1 FROM {table} u JOIN below ON u.parent_id = below.id WHERE below.depth < 3
)
SELECT id FROM below WHERE %s = '' OR kind = %s ORDER BY id
"""


def descendants(unit_id: int, *, courts_only: bool = False) -> tuple[int, ...]:
    """``unit_id`` and the units below it, four levels down, in one query."""
    kind = MemberUnit.Kind.COURT.value if courts_only else ""
    connection = connections[MemberUnit.objects.db]
    table = connection.ops.quote_name(MemberUnit._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_DESCENDANTS_SQL.format(table=table), [unit_id, kind, kind])  # nosec B608: a table name
        return tuple(row[0] for row in cursor.fetchall())


def reach_of(user: Any) -> Reach:
    """The user's reach, computed once per request and kept on the user object."""
    cached = getattr(user, "_fuyuan_reach", None)
    if cached is not None:
        return cached
    reach = _compute_reach(user)
    if getattr(user, "is_authenticated", False):
        user._fuyuan_reach = reach
    return reach


def _reads_region(user: Any) -> tuple[bool, Region | None]:
    """(reads everything, the region read as office/leader below the province). No query beyond the
    user's roles and unit with its region, which the authentication backend loads with the user."""
    if not getattr(user, "is_authenticated", False):
        return False, None
    if has_role(user, Role.ADMIN):
        return True, None
    if not has_role(user, Role.OFFICE, Role.LEADER):
        return False, None
    # The leading group's leaders (组长, 副组长) belong to no member unit: an office or leader
    # account without a unit is provincial. Only administrators create such accounts.
    unit = user.unit if user.unit_id else None
    region = unit.region if unit is not None and unit.region_id else None
    if region is None or region.level == PROVINCE:
        return True, None
    return False, region


def _compute_reach(user: Any) -> Reach:
    everything, region = _reads_region(user)
    if everything:
        return Reach(everything=True)
    if not getattr(user, "is_authenticated", False):
        return Reach()
    unit = user.unit if user.unit_id else None
    unit_ids: tuple[int, ...] = ()
    court_ids: tuple[int, ...] = ()
    all_courts = False
    if unit is not None and has_role(user, Role.LIAISON):
        unit_ids = descendants(unit.pk)
    if unit is not None and has_role(user, Role.COURT_CLERK) and unit.kind == MemberUnit.Kind.COURT:
        all_courts = unit.court_level == MemberUnit.CourtLevel.HIGH
        court_ids = (unit.pk,) if all_courts else descendants(unit.pk, courts_only=True)
    return Reach(region=region, unit_ids=unit_ids, court_ids=court_ids, all_courts=all_courts)


def reads_everything(user: Any) -> bool:
    """Administrators, and office staff and leaders of a provincial unit (or of none)."""
    cached = getattr(user, "_fuyuan_reach", None)
    if cached is not None:
        return bool(cached.everything)
    return _reads_region(user)[0]


def record_within(record: Any, region: Region | None) -> bool:
    """Whether ``record`` (its denormalised ``region``/``city`` columns) lives in ``region`` or below; no query."""
    if region is None or region.level == PROVINCE:
        return True
    if region.level == CITY:
        return bool(getattr(record, "city_id", None) == region.pk)
    return bool(getattr(record, "region_id", None) == region.pk)


def office_reaches(user: Any, record: Any) -> bool:
    """The office acting on a record in its scope: the provincial office (and administrators) on any record,
    the office of a 市州 or 县市区 on the records living in its region or below."""
    if not has_role(user, Role.OFFICE, Role.ADMIN):
        return False
    reach = reach_of(user)
    return reach.everything or (reach.region is not None and record_within(record, reach.region))


def user_region(user: Any) -> Region | None:
    """The region of the user's unit (None: no unit, or a unit without a region)."""
    unit = getattr(user, "unit", None) if getattr(user, "unit_id", None) else None
    return unit.region if unit is not None and unit.region_id else None


def filter_key(user: Any, data: Any, names: Iterable[str], *more: Any) -> str:
    """The key of a list's filter bar (``{% fragment %}``): the reader's :func:`choices_scope`, the values of
    ``names`` in ``data`` (the query string) and ``more`` (what else the bar shows: a default value…)."""
    return ":".join([choices_scope(user), values_key(data, names), *(str(m) for m in more)])


def choices_scope(user: Any) -> str:
    """What the regions and units a reader's filters offer depend on, as a fragment key
    (``fuyuan.lib.fragments``): whether they read everything, else the region they read as office or leader
    and their unit's region. Readers with the same scope are offered the same choices."""
    reach = reach_of(user)
    if reach.everything:
        return "all"
    region = user_region(user)
    return f"{reach.region.pk if reach.region is not None else '-'}/{region.pk if region is not None else '-'}"


# --- The office of a level -------------------------------------------------------------------------


def chain(region: Region | None) -> list[int]:
    """The ids of ``region`` and its ancestors, nearest first (a walk of at most three rows)."""
    ids: list[int] = []
    current = region
    while current is not None:
        ids.append(current.pk)
        current = current.parent if current.parent_id else None
    if not ids:
        ids.append(province().pk)
    return ids


def offices_by_region(region_ids: Iterable[int]) -> dict[int, list[User]]:
    """Active office staff of the units of these regions, by region id (one query)."""
    out: dict[int, list[User]] = {}
    rows = (
        User.objects.filter(is_active=True, groups__name=Role.OFFICE, unit__region_id__in=list(region_ids))
        .select_related("unit")
        .distinct()
        .order_by("pk")
    )
    for user in rows:
        assert user.unit is not None  # filtered on the unit's region
        out.setdefault(user.unit.region_id or 0, []).append(user)
    return out


def nearest_office(ids: list[int], offices: dict[int, list[User]]) -> list[User]:
    for region_id in ids:
        if offices.get(region_id):
            return offices[region_id]
    return []


def office_for(region: Region | None) -> list[User]:
    """The office staff of the nearest level whose region holds ``region`` (the province's at the top)."""
    ids = chain(region)
    return nearest_office(ids, offices_by_region(ids))


def office_above(region: Region | None) -> list[User]:
    """The office one level up from the office that follows ``region`` up (升级督办); [] at the top."""
    ids = chain(region)
    return office_above_in(ids, offices_by_region(ids))


def office_above_in(ids: list[int], offices: dict[int, list[User]]) -> list[User]:
    """Of a region chain (nearest first), the office above the nearest one that has staff; [] if none."""
    staffed = [region_id for region_id in ids if offices.get(region_id)]
    return offices[staffed[1]] if len(staffed) > 1 else []


# --- Where a region and a unit may sit (members.services.region_save / unit_save check these) --------


def region_parent_errors(region: Region, parent: Region | None) -> list[str]:
    """Why ``parent`` cannot be ``region``'s parent: it must be exactly one level up (province → 市州 →
    县市区), the province has none. This also makes a cycle impossible (levels only go down)."""
    depth = DEPTH.get(region.level)
    if depth is None:
        return [_("未知的区划层级。")]
    if depth == 0:
        return [_("省级区划没有上级区划。")] if parent is not None else []
    if parent is None:
        return [_("市州、县市区必须有上级区划。")]
    if parent.pk is not None and parent.pk == region.pk:
        return [_("区划不能是自己的上级区划。")]
    if DEPTH.get(parent.level) != depth - 1:
        wanted = _("省级") if depth == 1 else _("市州级")
        return [
            _("上级区划须恰好高一级:%(level)s区划的上级应为%(wanted)s区划,“%(parent)s”是%(actual)s区划。")
            % {"level": region.level_label, "wanted": wanted, "parent": parent.name, "actual": parent.level_label}
        ]
    return []


def court_errors(unit: MemberUnit) -> dict[str, list[str]]:
    """A court's level and parent: a court has a court level; its parent is a court exactly one level up
    (intermediate → high, basic → intermediate, tribunal → basic); its court level follows its region's
    level (a tribunal sits in its basic court's region). Non-courts have no court level."""
    if unit.kind != MemberUnit.Kind.COURT:
        return {"court_level": [_("只有人民法院才有法院层级。")]} if unit.court_level else {}
    if unit.court_level not in MemberUnit.CourtLevel.values:
        return {"court_level": [_("人民法院须选择法院层级。")]}
    wanted = COURT_PARENT.get(unit.court_level)
    parent = unit.parent if unit.parent_id else None
    label = unit.court_level_label
    if wanted is None:
        if parent is not None and parent.kind == MemberUnit.Kind.COURT:
            return {"parent": [_("高级人民法院没有上级法院。")]}
    elif parent is None or parent.kind != MemberUnit.Kind.COURT or parent.court_level != wanted:
        return {
            "parent": [
                _("%(level)s的上级单位须为高一级的%(wanted)s。")
                % {"level": label, "wanted": MemberUnit.CourtLevel(wanted).label}
            ]
        }
    region = unit.region if unit.region_id else None
    if unit.court_level != MemberUnit.CourtLevel.TRIBUNAL and region is not None:
        # A 市州 without 县市区 (嘉峪关市) has a basic court of its own.
        city_basic = unit.court_level == MemberUnit.CourtLevel.BASIC and region.level == CITY
        if COURT_LEVEL_OF_REGION.get(region.level) != unit.court_level and not city_basic:
            return {
                "court_level": [
                    _("%(region)s是%(region_level)s区划,其法院不能是%(level)s。")
                    % {"region": region.name, "region_level": region.level_label, "level": label}
                ]
            }
    if parent is not None and region is not None and parent.region_id and not is_within(region, parent.region):
        return {"region": [_("法院须位于其上级法院的辖区内。")]}
    return {}


def place_tribunal(unit: MemberUnit) -> None:
    """A tribunal (人民法庭) sits in its basic court's region."""
    if unit.kind == MemberUnit.Kind.COURT and unit.court_level == MemberUnit.CourtLevel.TRIBUNAL and unit.parent_id:
        assert unit.parent is not None
        unit.region = unit.parent.region
        unit.level = unit.parent.level


def manages_region(user: Any) -> tuple[bool, Region | None]:
    """(may manage everywhere, else the region whose units ``user`` manages; None and False: nowhere).

    Administrators manage everywhere; office staff manage their unit's region and below (a provincial
    office, or one without a unit, everywhere)."""
    if has_role(user, Role.ADMIN):
        return True, None
    if not has_role(user, Role.OFFICE):
        return False, None
    region = user_region(user)
    if region is None or region.level == PROVINCE:
        return True, None
    return False, region
