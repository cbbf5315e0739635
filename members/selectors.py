"""Reads of the members app that are more than one line: the directory, recipients, the inbox."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from members.models import MemberUnit, Notification, User, WorkTask
from members.roles import Role


def unit_directory(
    *,
    search: str = "",
    kind: str = "",
    level: str = "",
    region: int | str | None = None,
    member_only: bool = False,
    include_inactive: bool = False,
) -> QuerySet[MemberUnit]:
    """Units for the directory: every signed-in user may read the directory of the mechanism."""
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
    if member_only:
        qs = qs.filter(is_member_unit=True)
    return qs


def with_liaison_counts(units: Iterable[MemberUnit]) -> list[MemberUnit]:
    """Set ``liaison_count`` on each unit of a page with one grouped query (not one per unit)."""
    units = list(units)
    counts = dict(
        User.objects.filter(unit_id__in=[u.pk for u in units], is_active=True, liaison__isnull=False)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    for unit in units:
        unit.liaison_count = counts.get(unit.pk, 0)  # type: ignore[attr-defined]
    return units


def unit_liaisons(unit_ids: Iterable[int]) -> QuerySet[User]:
    """The active liaisons (primary and backup) of these units: a unit's notices go to all of them."""
    return User.objects.filter(unit_id__in=list(unit_ids), is_active=True, liaison__isnull=False)


def unit_people(unit_ids: Iterable[int], *, roles: Iterable[str]) -> QuerySet[User]:
    return User.objects.filter(unit_id__in=list(unit_ids), is_active=True, groups__name__in=list(roles)).distinct()


def office_staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name=Role.OFFICE).distinct()


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
