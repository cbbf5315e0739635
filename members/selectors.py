"""Reads of the members app that are more than one line: the directory, recipients, the inbox."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from members.levels import unit_region_q
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
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
