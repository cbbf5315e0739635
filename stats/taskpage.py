"""The page of one work task (/tasks/<number>/): its units, the year's plan items, targets, timeline, figures.

Everything on it is read within the user's scope: the plan items through ``plans.selectors.visible_to``, the
timeline through each domain's ``visible_to`` (:mod:`stats.timeline`), the figures through the same scope
as the dashboard (a liaison's or a clerk's own unit). The region selector offers the regions the user
reaches; by default the office and leaders read their own level (the province's plan for provincial
readers), a unit's people every item their unit leads or supports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from fuyuan.lib.params import parse_id
from members.levels import reach_of
from members.models import MemberUnit, Region, User, WorkTask
from plans import selectors as plan_selectors
from plans.models import PlanItem
from stats import selectors, targets
from stats.figures import FIGURES_BY_KEY
from stats.periods import MIN_YEAR
from stats.scope import Scope
from stats.timeline import Page, timeline_page

S = PlanItem.Status
ITEMS_LIMIT = 100  # a level's year under one task holds tens of items; the plan's own list holds them all
#: The task's figures shown on its page (the dashboard's definitions, filtered by the task).
TASK_FIGURES = [
    "plan_items",
    "plan_items_done",
    "plan_items_overdue",
    "plan_item_completion_rate",
    "consultations",
    "joint_meetings",
    "recommendations_issued",
    "recommendation_on_time_reply_rate",
    "mediation_delegated",
    "mediation_success_rate",
    "referrals_overdue",
    "decisions_overdue",
]


@dataclass(frozen=True)
class Where:
    """The year and the place the page reads: ``region`` the level whose plan items are listed (None: every
    item the user may read), ``scope`` the figures' and the timeline's (that region's subtree)."""

    year: int
    region: Region | None
    regions: list[Region]
    scope: Scope


def task_of(number: int) -> WorkTask:
    units = MemberUnit.objects.only("id", "name", "short_name").order_by("order", "id")
    tasks = WorkTask.objects.prefetch_related(
        Prefetch("lead_units", queryset=units), Prefetch("participating_units", queryset=units)
    )
    return get_object_or_404(tasks, number=number)


def parse_year(value: Any, today: date) -> int:
    year = parse_id(value)
    return year if year is not None and MIN_YEAR <= year <= today.year + 1 else today.year


def _default_region(user: User, regions: list[Region]) -> Region | None:
    """The office and leaders: their level (the province for provincial readers); a unit's people: none."""
    reach = reach_of(user)
    if reach.region is not None:
        return reach.region
    if reach.everything:
        return next((r for r in regions if r.level == Region.Level.PROVINCE), None)
    return None


def where(user: User, task: WorkTask, params: Mapping[str, Any], *, today: date) -> Where:
    year = parse_year(params.get("year"), today)
    regions = selectors.reachable_regions(user)
    region = _default_region(user, regions)
    if parse_id(params.get("region")) is not None:
        chosen = selectors.scope_region(user, params.get("region"), regions)  # 404 outside the user's reach
        region = chosen or next((r for r in regions if r.level == Region.Level.PROVINCE), None)
    below_province = region is not None and region.level != Region.Level.PROVINCE
    unit = selectors.stats_unit_for(user, {}, unit_view=True) if not selectors.reads_figures(user) else None
    scope = Scope(
        date(year, 1, 1),
        date(year, 12, 31),
        region.pk if below_province and region else None,
        task.pk,
        unit,
        str(region.level) if below_province and region else "",
    )
    return Where(year=year, region=region, regions=regions, scope=scope)


def items_of(user: User, task: WorkTask, place: Where) -> QuerySet[PlanItem]:
    """The year's items under the task that the user may read, of the chosen level's plan."""
    qs = plan_selectors.visible_to(user).filter(task=task, year=place.year)
    if place.region is not None:
        qs = qs.filter(region_id=place.region.pk)
    return qs


def item_counts(items: QuerySet[PlanItem], today: date) -> dict[str, int]:
    """How many items in each state, and overdue (one aggregate)."""
    return items.order_by().aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=S.OPEN)),
        done=Count("pk", filter=Q(status=S.DONE)),
        accepted=Count("pk", filter=Q(status=S.ACCEPTED)),
        returned=Count("pk", filter=Q(status=S.RETURNED)),
        overdue=Count("pk", filter=PlanItem.objects.overdue_q(today)),
    )


def figure_cards(scope: Scope) -> list[dict[str, Any]]:
    """The dashboard's cards for the scope (task set), live or frozen, in the page's order."""
    snapshot = selectors.snapshot_for(scope)
    counts = snapshot.data["counts"] if snapshot else selectors.live_data_counts(scope)
    by_key = {card["key"]: card for card in selectors.cards(scope, counts)}
    return [by_key[key] for key in TASK_FIGURES if key in FIGURES_BY_KEY]


def timeline_of(user: User, task: WorkTask, place: Where, page: Any) -> Page:
    return timeline_page(user, task.pk, place.scope, page=parse_id(page) or 1)


def task_page(user: User, number: int, params: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the page shows (about a dozen queries, whatever the number of records)."""
    today = timezone.localdate()
    task = task_of(number)
    try:
        place = where(user, task, params, today=today)
    except selectors.UnknownRegion:
        raise Http404 from None
    items = items_of(user, task, place)
    return {
        "task": task,
        "year": place.year,
        "years": list(range(today.year + 1, today.year - 6, -1)),
        "region": place.region,
        "regions": place.regions,
        "counts": item_counts(items, today),
        "items": list(items.select_related("lead_unit").order_by("due", "number", "id")[:ITEMS_LIMIT]),
        "items_limit": ITEMS_LIMIT,
        "targets": _targets(user, task, place, today),
        "cards": figure_cards(place.scope),
        "timeline": timeline_of(user, task, place, params.get("page")),
        "query": _query(place),
    }


def _targets(user: User, task: WorkTask, place: Where, today: date) -> list[targets.TargetRow]:
    """The level's targets for the task beside their actual figures (those who read the figures: the office,
    leaders, administrators; a unit's people read the items and the timeline, not the level's targets)."""
    if not selectors.reads_figures(user):
        return []
    return targets.target_rows(year=place.year, region=place.region, task=task, today=today, regions=place.regions)


def _query(place: Where) -> str:
    """The year and region of the page, for the timeline's "more" link."""
    query = f"year={place.year}"
    return f"{query}&region={place.region.pk}" if place.region is not None else query


def year_counts(user: User, *, today: date | None = None) -> dict[str, Any]:
    """For the list of the ten tasks: this year's items of the user's default level, counted per task
    (one query): ``{"year": 2026, "by_task": {task id: {"total", "accepted", "overdue"}}}``."""
    today = today or timezone.localdate()
    qs = plan_selectors.visible_to(user).filter(year=today.year)
    reach = reach_of(user)
    if reach.region is not None:  # the office and leaders of a 市州 or 县市区: their own level's plan
        qs = qs.filter(region_id=reach.region.pk)
    elif reach.everything:  # provincial readers: the province's plan
        qs = qs.filter(region__level=Region.Level.PROVINCE)
    rows = (
        qs.order_by()
        .values("task_id")
        .annotate(
            n_total=Count("pk"),
            n_accepted=Count("pk", filter=Q(status=S.ACCEPTED)),
            n_overdue=Count("pk", filter=PlanItem.objects.overdue_q(today)),
        )
    )
    by_task = {
        row["task_id"]: {"total": row["n_total"], "accepted": row["n_accepted"], "overdue": row["n_overdue"]}
        for row in rows
    }
    return {"year": today.year, "by_task": by_task}
