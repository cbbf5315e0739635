"""Reads of the statistics: who sees which scope, and the data of the dashboard (live or frozen)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.http import Http404
from django.utils import timezone

from members.levels import reach_of, unit_region_q
from members.models import MemberUnit, Region, User, WorkTask
from stats import tally
from stats.breakdowns import DIMENSIONS, breakdowns, child_field
from stats.cache import cache_seconds, cached, cached_entry, data_version
from stats.drilldown import drill_counts, drill_table
from stats.figures import FIGURES, FIGURES_BY_KEY, compute, list_url
from stats.late import late_items
from stats.models import Snapshot
from stats.periods import Period, optional_id, parse_period
from stats.scope import Scope
from stats.sources import COUNT_SOURCE, SOURCES

T = TypeVar("T")
# The list pages' parameter that selects the unit a record is counted for in the by-unit breakdown.
UNIT_PARAMS = {
    "consultations": "unit",
    "meetings": "convener",
    "recommendations": "addressee",
    "referrals": "receiver",
    "decisions": "owner",
}
# The counts drawn in the monthly trend.
TREND = [
    "consultations",
    "joint_meetings",
    "recommendations_issued",
    "mediation_delegated",
    "mediation_resolved",
    "criminal_transfers",
    "decisions",
]
UNIT_CHART_LIMIT = 20


@dataclass(frozen=True)
class Request:
    period: Period
    scope: Scope
    region: Region | None = None
    regions: list[Region] = field(default_factory=list)  # the regions the user may read (tree order)


def reads_figures(user: User) -> bool:
    """The office's pages (dashboard, league, report, referral figures): administrators, and office staff
    and leaders at any level (a 市州 or 县市区 office reads its region's subtree only)."""
    reach = reach_of(user)
    return reach.everything or reach.region is not None


def stats_unit_for(user: User, params: Mapping[str, Any], *, unit_view: bool) -> int | None:
    """The unit whose figures the user sees: their own for a liaison or clerk; the office picks any unit
    of its region (or none)."""
    reach = reach_of(user)
    if reach.everything or reach.region is not None:
        unit = optional_id(params.get("unit")) if unit_view else None
        if unit and reach.region is not None:
            if not MemberUnit.objects.filter(unit_region_q(reach.region), pk=unit).exists():
                raise Http404
        return unit
    if not unit_view or not getattr(user, "unit_id", None):
        raise Http404
    return user.unit_id


class UnknownRegion(Http404):
    """No region has this id: a page answers 404; the API 400, as for any invalid filter value (a region
    that exists but is outside the user's reach is 404 for both; regions are the public directory)."""


def reachable_regions(user: User) -> list[Region]:
    """The regions whose figures the user may read, in tree order (one query): the whole tree for
    provincial readers (and liaisons and clerks, whose figures are their unit's anyway), a 市州 and its
    县市区 for a 市州 office, the 县市区 alone for a county office."""
    reach = reach_of(user)
    regions = Region.objects.all()
    if reach.region is not None:
        own = reach.region
        regions = regions.filter(city_id=own.pk) if own.level == Region.Level.CITY else regions.filter(pk=own.pk)
    return list(regions.order_by("code"))


def scope_region(user: User, value: Any, regions: list[Region]) -> Region | None:
    """The region whose subtree the figures read: the one asked for if it is among the user's
    ``reachable_regions``, else 404 (an unknown id too); none asked: the user's own region (None, the
    province, for provincial readers)."""
    region_id = optional_id(value)
    if region_id is None:
        return reach_of(user).region
    region = next((r for r in regions if r.pk == region_id), None)
    if region is None:
        if not Region.objects.filter(pk=region_id).exists():
            raise UnknownRegion
        raise Http404
    return None if region.level == Region.Level.PROVINCE else region


def read_request(user: User, params: Mapping[str, Any], *, unit_view: bool = False) -> Request:
    period = parse_period(params)
    unit = stats_unit_for(user, params, unit_view=unit_view)
    regions = reachable_regions(user)
    region = scope_region(user, params.get("region"), regions)
    region_id, level = (region.pk, str(region.level)) if region is not None else (None, "")
    scope = Scope(period.start, period.end, region_id, optional_id(params.get("task")), unit, level)
    return Request(period=period, scope=scope, region=region, regions=regions)


def snapshot_for(scope: Scope) -> Snapshot | None:
    key = Snapshot.make_key(scope.start, scope.end, scope.region, scope.task, scope.unit)
    return Snapshot.objects.select_related("frozen_by").filter(key=key).first()


def live_data(scope: Scope, *, today: date | None = None, version: str | None = None) -> dict[str, Any]:
    """What a snapshot freezes: the counts, the months, the three breakdowns and the drill-down (four
    queries, cached briefly)."""
    return _live(scope, today=today, version=version)[0]


def _live(
    scope: Scope, *, today: date | None = None, version: str | None = None, units: int | None = None
) -> tuple[dict[str, Any], datetime]:
    """``live_data`` and when its counts were taken. The rollups are read in one query for all three parts (the
    sums of every grouping, and the day's counts), and only for a part the cache does not hold at this version.
    ``units``: the by-unit breakdown holds the busiest units only (the chart's), else every unit (the report's)."""
    today = today or timezone.localdate()
    if version is None:
        version = data_version() if cache_seconds() > 0 else ""

    def counted(part: Callable[[], T]) -> Callable[[], T]:
        def run() -> T:
            if not scope.unit:
                child = child_field(scope)
                tally.fetch(scope, today, ["month", "task", child, "unit"], ["month", child], top_units=units)
            return part()

        return run

    with tally.reading():
        computed = cached_entry("compute", (scope, today), version, counted(lambda: compute(scope, today=today)))
        blocks = cached("breakdowns", (scope, today, units), version, counted(lambda: breakdowns(scope, units=units)))
        drill = cached("drill", (scope, today), version, counted(lambda: drill_counts(scope, today)))
    data = {
        "counts": computed.value.counts,
        "monthly": computed.value.monthly,
        "breakdowns": blocks,
        "drill": drill,
        "today": computed.value.today.isoformat(),
    }
    return data, computed.counted_at


def live_data_counts(scope: Scope, *, today: date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    version = data_version() if cache_seconds() > 0 else ""
    return cached("compute", (scope, today), version, lambda: compute(scope, today=today)).counts


def cards(scope: Scope, counts: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for figure in FIGURES:
        card: dict[str, Any] = {
            "key": figure.key,
            "label": figure.label,
            "definition": figure.definition,
            "is_rate": figure.is_rate,
            "is_amount": figure.is_amount,
            "url": figure.url(scope),
            **figure.result(counts),
        }
        if figure.is_rate:
            card["denominator_url"] = figure.url(scope, denominator=True)
        out.append(card)
    return out


def _month_scope(scope: Scope, month: str) -> Scope:
    first = date.fromisoformat(f"{month}-01")
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Scope(max(first, scope.start), min(last, scope.end), scope.region, scope.task, scope.unit)


def chart_data(scope: Scope, data: dict[str, Any]) -> dict[str, Any]:
    """The ECharts data (passed to static/js/dashboard.js with ``json_script``).

    Every point links to its list: a series carries the list's URL without the varying filter
    (``base``) and the chart the values of that filter (``periods`` of the months, or ``ids``);
    the script joins them (``param``), which keeps the page small over five years.
    """
    months = list(data["monthly"])
    periods = []
    for m in months:
        sub = _month_scope(scope, m)
        periods.append([sub.start.isoformat(), sub.end.isoformat()])
    trend = []
    for name in TREND:
        source = SOURCES[COUNT_SOURCE[name]]
        figure = FIGURES_BY_KEY.get(name)
        trend.append(
            {
                "name": str(figure.label if figure else source.label),
                "data": [data["monthly"][m].get(name, 0) for m in months],
                "base": list_url(source, scope, figure.link if figure else {}, period=False),
            }
        )
    charts: dict[str, Any] = {"trend": {"labels": months, "periods": periods, "series": trend}}
    for dimension in DIMENSIONS:
        block = data["breakdowns"][dimension]
        ids, labels = list(block["ids"]), list(block["labels"])
        order = list(range(len(ids)))
        if dimension == "unit":  # the busiest units only; the league table lists them all
            order.sort(key=lambda i: -sum(block["series"][k][i] for k in SOURCES))
            order = sorted(order[:UNIT_CHART_LIMIT], key=lambda i: labels[i])
        if dimension == "task":
            sub = Scope(scope.start, scope.end, scope.region, None, scope.unit)
        elif dimension == "region":
            sub = Scope(scope.start, scope.end, None, scope.task, scope.unit)
        else:
            sub = scope
        series = []
        for key, source in SOURCES.items():
            values = block["series"].get(key, [0] * len(ids))
            series.append(
                {
                    "name": str(source.label),
                    "data": [values[i] for i in order],
                    "base": list_url(source, sub),
                    "param": UNIT_PARAMS[key] if dimension == "unit" else dimension,
                }
            )
        charts[f"by_{dimension}"] = {
            "labels": [labels[i] for i in order],
            "ids": [ids[i] for i in order],
            "series": series,
        }
    return charts


def point_url(chart: dict[str, Any], series: dict[str, Any], index: int) -> str:
    """The list behind one point (what static/js/dashboard.js builds; used by tests and exports)."""
    base = series["base"]
    if not base:
        return ""
    joiner = "&" if "?" in base else "?"
    if "periods" in chart:
        start, end = chart["periods"][index]
        return f"{base}{joiner}from={start}&to={end}"
    return f"{base}{joiner}{series['param']}={chart['ids'][index]}"


def dashboard(
    scope: Scope,
    *,
    today: date | None = None,
    late: bool = True,
    top: Region | None = None,
    regions: list[Region] | None = None,
    every_unit: bool = True,
) -> dict[str, Any]:
    """Everything the dashboard shows: frozen values when the period is frozen, else live ones.

    ``top``: the highest region the user reaches (the drill-down's breadcrumbs start there);
    ``regions``: the regions the user may read, when the request has read them (``read_request``);
    ``every_unit``: the by-unit breakdown of every unit (the report's sheet), else of the chart's busiest units.
    """
    today = today or timezone.localdate()
    version = data_version() if cache_seconds() > 0 else ""
    snapshot = snapshot_for(scope)
    units = None if every_unit else UNIT_CHART_LIMIT
    data, counted_at = (
        (snapshot.data, snapshot.frozen_at) if snapshot else _live(scope, today=today, version=version, units=units)
    )
    if "drill" not in data:  # a snapshot frozen before the drill-down existed: the table is counted now
        data = {**data, "drill": drill_counts(scope, today)}
    return {
        "drill": drill_table(scope, data["drill"], top=top, regions=regions or None),
        "snapshot": snapshot,
        "counted_at": counted_at,
        "counts": data["counts"],
        "cards": cards(scope, data["counts"]),
        "charts": chart_data(scope, data)
        if snapshot
        else cached("charts", (scope, today), version, lambda: chart_data(scope, data)),
        "breakdowns": data["breakdowns"],
        "late": cached("late", (scope, today), version, lambda: late_items(scope, today=today)) if late else None,
        "today": today,
    }


def filter_choices(regions: list[Region]) -> dict[str, Any]:
    """The regions of the filter (``reachable_regions``) and the ten tasks."""
    return {
        "regions": [{"id": r.pk, "name": r.name, "level": r.level} for r in regions],
        "tasks": list(WorkTask.objects.order_by("number").values("id", "number", "title")),
    }


def unit_name(unit_id: int | None) -> str:
    if not unit_id:
        return ""
    unit = MemberUnit.objects.filter(pk=unit_id).values_list("name", flat=True).first()
    if unit is None:
        raise Http404
    return unit
