"""Reads of the work plan. ``visible_to`` is the scope of each model: every page, export, picker and API
view starts from it.

Scope by level (``members.levels.reach_of``): administrators and the provincial office and leaders read
every plan; the office and leaders of a 市州 or 县市区 the plans of their region and below (a plan, its
items and its 督办 live in the plan's region). A draft is read by the office only (and administrators):
leaders and units read a plan once it is published. A unit's people (liaisons, court clerks) read the
published items their unit or a sub-unit leads or supports, with their plans and 督办. Outside: 404.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet

from attachments import selectors as attachment_selectors
from members.levels import Reach, reach_of
from members.models import User
from members.roles import Role, has_role
from plans.models import Plan, PlanItem, PlanProgress, Supervision

PUBLISHED = Plan.Status.PUBLISHED


def _unit_ids(user: User, reach: Reach) -> tuple[int, ...]:
    """The units whose items a unit's people read (``meetings.meetings.selectors.unit_ids_of``'s rule): a
    liaison's unit and sub-units, a clerk's court and those below; the office and leaders of a region read
    by region alone (one indexed equality, no OR with the units to plan around)."""
    own = (user.unit_id,) if reach.nothing and getattr(user, "unit_id", None) else ()
    return tuple(sorted({*own, *reach.unit_ids, *reach.court_ids}))


def reads_only_own_unit(user: User) -> bool:
    """Whether the items ``user`` may read are exactly those of their own unit (a liaison of a unit without
    sub-units, reading by no region): a filter on that unit narrows nothing."""
    reach = reach_of(user)
    if reach.everything or reach.region is not None or not getattr(user, "unit_id", None):
        return False
    return _unit_ids(user, reach) == (user.unit_id,)


def _sees_drafts(user: User) -> bool:
    return has_role(user, Role.OFFICE, Role.ADMIN)


def items_of_units(unit_ids: tuple[int, ...], *, prefix: str = "") -> Q:
    """Items one of ``unit_ids`` leads or supports (``prefix`` e.g. ``"item__"`` from a related model).

    One ``IN`` over the UNION of the two index lookups (led items by ``lead_unit``, supported ones by the
    through table's unit): an OR of the two made PostgreSQL read every item (19 ms at 50,000 items, 3 ms so).
    """
    led = PlanItem.objects.filter(lead_unit_id__in=unit_ids).order_by().values("pk")  # SQLite: no ORDER BY in a UNION
    supported = PlanItem.supporting_units.through.objects.filter(memberunit_id__in=unit_ids).values("planitem_id")
    return Q(**{f"{prefix}pk__in": led.union(supported)})


def _scoped(qs: QuerySet, user: User, *, plan_path: str, of_units: Callable[[tuple[int, ...]], Q]) -> QuerySet:
    """The one rule, for plans (``plan_path=""``), items (``"plan__"``) and what hangs off them: everything
    (drafts for the office only), the region's records (ditto), and what ``of_units`` finds for the user's
    units in published plans."""
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    reach = reach_of(user)
    published = Q(**{f"{plan_path}status": PUBLISHED})
    if reach.everything:
        return qs if _sees_drafts(user) else qs.filter(published)
    parts = Q(pk__in=[])
    if reach.region is not None:
        region_part = reach.region_q()
        parts |= region_part if _sees_drafts(user) else region_part & published
    ids = _unit_ids(user, reach)
    if ids:
        parts |= of_units(ids) & published
    return qs.filter(parts)


def visible_to(user: User) -> QuerySet[PlanItem]:
    """The plan items ``user`` may read."""
    return _scoped(PlanItem.objects.all(), user, plan_path="plan__", of_units=items_of_units)


def plans_visible_to(user: User) -> QuerySet[Plan]:
    """The plans ``user`` may read: by region for the office and leaders (drafts for the office only); the
    published plans holding an item of their unit for a unit's people."""

    def holding_an_item_of(ids: tuple[int, ...]) -> Q:
        # ``id IN (SELECT DISTINCT plan_id …)``, not ``EXISTS`` nor a plain ``IN``: PostgreSQL planned those as a
        # nested loop comparing every plan with every item of the units (11 ms for a liaison's page of the
        # benchmark's 1,010 plans); the distinct plan ids, a few per year, are read once (2 ms).
        return Q(pk__in=PlanItem.objects.filter(items_of_units(ids)).order_by().values("plan_id").distinct())

    return _scoped(Plan.objects.all(), user, plan_path="", of_units=holding_an_item_of)


def supervisions_visible_to(user: User) -> QuerySet[Supervision]:
    """The 督办 ``user`` may read: those on the items they may read."""
    return _scoped(
        Supervision.objects.all(),
        user,
        plan_path="item__plan__",
        of_units=lambda ids: items_of_units(ids, prefix="item__"),
    )


def progress_of(item: PlanItem) -> QuerySet[PlanProgress]:
    return (
        item.progress.select_related("unit", "by", "milestone")
        .prefetch_related(attachment_selectors.prefetch())
        .order_by("created_at", "id")
    )


def progress_visible_to(user: User) -> QuerySet[PlanProgress]:
    """The progress reports of the plan items ``user`` may read (their attachments' scope)."""
    return PlanProgress.objects.filter(item__in=visible_to(user))
