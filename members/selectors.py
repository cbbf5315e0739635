"""Reads of the members app that are more than one line: the directory, recipients, the inbox."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Value, When

from members.levels import nearest_office, office_above_in, unit_region_q
from members.models import Liaison, MemberUnit, Notification, Region, User, WorkTask
from members.roles import Role


def unit_directory(
    *,
    search: str = "",
    kind: str = "",
    level: str = "",
    region: int | str | None = None,
    within: Region | None = None,
    court_level: str = "",
    member_only: bool = False,
    include_inactive: bool = False,
) -> QuerySet[MemberUnit]:
    """Units for the directory: every signed-in user may read the directory of the mechanism.

    ``region`` is one region exactly; ``within`` a region and every region below it (the tree filter).
    """
    qs = MemberUnit.objects.select_related("region", "supervisor", "parent")
    if not include_inactive:
        qs = qs.filter(active=True)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(short_name__icontains=search))
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    if region:
        qs = qs.filter(region_id=region)
    if within is not None:
        qs = qs.filter(Q(region=within) | unit_region_q(within))
    if court_level:
        qs = qs.filter(court_level=court_level)
    if member_only:
        qs = qs.filter(is_member_unit=True)
    return qs


def with_liaison_counts(units: Iterable[MemberUnit]) -> list[MemberUnit]:
    """Set ``liaison_count`` on each unit of a page with one grouped query (not one per unit)."""
    units = list(units)
    counts = dict(
        unit_contacts([u.pk for u in units], roles=(Role.LIAISON,))
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    for unit in units:
        unit.liaison_count = counts.get(unit.pk, 0)
    return units


#: Who hears for a unit by default: its liaisons (A and B) and, for a court, its clerks.
CONTACT_ROLES: tuple[str, ...] = (Role.LIAISON, Role.COURT_CLERK)


def _contact_q(roles: Iterable[str]) -> Q:
    roles = list(roles)
    q = Q(pk__in=[])
    if Role.LIAISON in roles:
        q |= Q(liaison__isnull=False)
    others = [r for r in roles if r != Role.LIAISON]
    if others:
        q |= Q(groups__name__in=others)
    return q


def unit_contacts(unit_ids: Iterable[int | None], *, roles: Iterable[str] = CONTACT_ROLES) -> QuerySet[User]:
    """The one answer to "who hears for these units": their active people in these roles.

    ``roles`` defaults to liaisons (primary and backup, so a notice reaches the unit when one is
    away) and court clerks (a court has clerks, not liaisons). ``roles=(Role.LIAISON,)`` gives the
    liaisons only, ``roles=(Role.COURT_CLERK,)`` a court's clerks only.
    """
    ids = [i for i in unit_ids if i]
    return User.objects.filter(_contact_q(roles), unit_id__in=ids, is_active=True).distinct()


def office_staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name=Role.OFFICE).distinct()


class ContactDirectory:
    """``unit_contacts`` and ``office_staff`` read once per scan: many records share a unit.

    A bulk job (an alert scan, an import) makes one, optionally ``preload``s the units it will
    need in one query, and asks it instead of the database for each record.
    """

    def __init__(self) -> None:
        self._by_unit: dict[int, list[tuple[User, bool, bool]]] = {}
        self._office: list[User] | None = None
        self._parents: dict[int, int | None] | None = None
        self._office_by_region: dict[int, list[User]] = {}

    def preload(self, unit_ids: Iterable[int | None]) -> None:
        missing = {i for i in unit_ids if i and i not in self._by_unit}
        if not missing:
            return
        for unit_id in missing:
            self._by_unit[unit_id] = []
        rows = (
            unit_contacts(missing)
            .annotate(
                is_liaison=Exists(Liaison.objects.filter(user_id=OuterRef("pk"))),
                is_clerk=Exists(
                    User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=Role.COURT_CLERK)
                ),
            )
            .order_by("pk")
        )
        for user in rows:
            assert user.unit_id is not None  # unit_contacts reads people of the units asked
            self._by_unit[user.unit_id].append((user, user.is_liaison, user.is_clerk))

    def contacts(self, unit_ids: Iterable[int | None], *, roles: Iterable[str] = CONTACT_ROLES) -> list[User]:
        ids = list(dict.fromkeys(i for i in unit_ids if i))
        self.preload(ids)
        roles = set(roles)
        want_liaison, want_clerk = Role.LIAISON in roles, Role.COURT_CLERK in roles
        seen: set[int] = set()
        people: list[User] = []
        for unit_id in ids:
            for user, is_liaison, is_clerk in self._by_unit[unit_id]:
                if user.pk not in seen and ((want_liaison and is_liaison) or (want_clerk and is_clerk)):
                    seen.add(user.pk)
                    people.append(user)
        return people

    def office(self) -> list[User]:
        if self._office is None:
            self._office = list(office_staff())
        return self._office

    # The office of a level (issue 13): two queries per directory, however many records ask.

    def _region_chain(self, region_id: int | None) -> list[int]:
        """``region_id`` and its ancestors, nearest first (the province for None)."""
        if self._parents is None:
            self._parents = dict(Region.objects.values_list("pk", "parent_id"))
            roots = [pk for pk, parent in self._parents.items() if parent is None]
            root = roots[0] if len(roots) == 1 else None
            for user in office_staff().select_related("unit").order_by("pk"):
                # An office account without a unit (or a unit without a region) is provincial.
                region = user.unit.region_id if user.unit is not None and user.unit.region_id else root
                if region is not None:
                    self._office_by_region.setdefault(region, []).append(user)
        parents = self._parents
        ids: list[int] = []
        current = region_id if region_id in parents else None
        while current is not None and current not in ids:
            ids.append(current)
            current = parents.get(current)
        if not ids:
            ids = [pk for pk, parent in parents.items() if parent is None][:1]
        return ids

    def office_for(self, region_id: int | None) -> list[User]:
        """The office staff of the nearest level whose region holds ``region_id`` (``levels.office_for``)."""
        return nearest_office(self._region_chain(region_id), self._office_by_region)

    def office_above(self, region_id: int | None) -> list[User]:
        """The office one level above the one that follows ``region_id`` up (升级督办); [] at the top."""
        return office_above_in(self._region_chain(region_id), self._office_by_region)


def tasks_with_units() -> QuerySet[WorkTask]:
    return WorkTask.objects.prefetch_related("lead_units", "participating_units")


def tasks_of_unit(unit: MemberUnit | None) -> QuerySet[WorkTask]:
    if unit is None:
        return WorkTask.objects.none()
    return WorkTask.objects.filter(Q(lead_units=unit) | Q(participating_units=unit)).distinct().order_by("number")


def inbox(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_count(user: User) -> int:
    """The exact number of the user's unread notices (the API's ``unread_notifications``)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


#: The page header's badge counts this many unread notices at most and shows "99+" beyond 99.
UNREAD_BADGE_CAP = 100


def unread_badge(user: User) -> str:
    """The page header's unread badge: the count up to 99, "99+" beyond, "" for none.

    A capped count (``COUNT(*)`` over ``LIMIT 100`` rows of the partial index ``notification_unread``)
    reads at most 100 index entries on every page, however many notices an office has left unread;
    an exact count read them all (1.8–2.3 ms for an office user with thousands). A counter column would
    be exact but must be kept by every write of the inbox (notify's fan-out, mark-read, deletes).
    """
    count = Notification.objects.filter(recipient=user, read_at__isnull=True)[:UNREAD_BADGE_CAP].count()
    if count >= UNREAD_BADGE_CAP:
        return f"{UNREAD_BADGE_CAP - 1}+"
    return str(count) if count else ""


# --- The unit picker (members.widgets.UnitPicker, GET /units/search/) ---------------------------------

PICKER_PAGE = 20
#: At most this many words of a picker's query are matched (each must match somewhere).
PICKER_WORDS = 5
_LEVEL_RANK = {MemberUnit.Level.PROVINCE: 0, MemberUnit.Level.CITY: 1, MemberUnit.Level.COUNTY: 2}


@dataclass(frozen=True)
class UnitScope:
    """Which units a picker offers: every active unit, narrowed by a field (``kind=court``…)."""

    kinds: tuple[str, ...] = ()
    exclude_kinds: tuple[str, ...] = ()
    court_levels: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    region: Region | None = None


def unit_choices(
    *, user: User, search: str = "", scope: UnitScope = UnitScope(), page: int = 1
) -> tuple[list[dict[str, Any]], bool]:
    """One page of the units a picker offers, and whether there are more: one query, at any level.

    Matched word by word on the name, the short name and the region's (or its 市州's) name; ordered by
    the user's own region first, then the rest of their 市州, then by level (province, 市州, 县市区).
    """
    qs = MemberUnit.objects.filter(active=True)
    for word in search.split()[:PICKER_WORDS]:
        # Chinese has no case: a word without Latin letters is matched as it is, sparing UPPER() on every row.
        lookup = "icontains" if any(c.isascii() and c.isalpha() for c in word) else "contains"
        qs = qs.filter(
            Q(**{f"name__{lookup}": word})
            | Q(**{f"short_name__{lookup}": word})
            | Q(**{f"region__name__{lookup}": word})
            | Q(**{f"region__city__name__{lookup}": word})
        )
    if scope.kinds:
        qs = qs.filter(kind__in=scope.kinds)
    if scope.exclude_kinds:
        qs = qs.exclude(kind__in=scope.exclude_kinds)
    if scope.court_levels:
        qs = qs.filter(court_level__in=scope.court_levels)
    if scope.levels:
        qs = qs.filter(level__in=scope.levels)
    if scope.region is not None:
        qs = qs.filter(unit_region_q(scope.region))
    own = user.unit.region if user.unit_id and user.unit and user.unit.region_id else None
    nearness: list[When] = []
    if own is not None and own.level != Region.Level.PROVINCE:
        nearness.append(When(region_id=own.pk, then=Value(0)))
        city_id = own.pk if own.level == Region.Level.CITY else own.city_id
        nearness.append(When(Q(region__city_id=city_id) | Q(region_id=city_id), then=Value(1)))
    level_rank = Case(*(When(level=code, then=Value(rank)) for code, rank in _LEVEL_RANK.items()), default=Value(0))
    qs = qs.annotate(
        near=Case(*nearness, default=Value(2)) if nearness else Value(2),
        level_rank=level_rank,
    ).order_by("near", "level_rank", "region__order", "region__code", "order", "id")
    start = (max(page, 1) - 1) * PICKER_PAGE
    rows = list(
        qs.values("id", "name", "level", "region_id", "region__name", "region__level", "region__city__name")[
            start : start + PICKER_PAGE + 1
        ]
    )
    return [_choice(row) for row in rows[:PICKER_PAGE]], len(rows) > PICKER_PAGE


def _choice(row: Mapping[str, Any]) -> dict[str, Any]:
    region_level = row["region__level"]
    if region_level == Region.Level.COUNTY:
        group = f"{row['region__city__name']} · {row['region__name']}"
    elif region_level == Region.Level.CITY:
        group = row["region__name"]
    else:
        group = str(Region.Level.PROVINCE.label)
    return {"id": row["id"], "text": row["name"], "level": row["level"], "region": row["region_id"], "group": group}
