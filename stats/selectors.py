"""Reads of the statistics: who sees which scope, and the data of the dashboard (live or frozen)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.http import Http404
from django.utils import timezone

from members.models import MemberUnit, Region, User, WorkTask
from members.roles import can_read_all
from stats.breakdowns import DIMENSIONS, breakdowns
from stats.cache import cache_seconds, cached, cached_entry, data_version
from stats.figures import COUNT_SOURCE, FIGURES, FIGURES_BY_KEY, SOURCES, compute, late_items, list_url
from stats.models import Snapshot
from stats.periods import Period, optional_id, parse_period
from stats.scope import Scope

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


def stats_unit_for(user: User, params: Mapping[str, Any], *, unit_view: bool) -> int | None:
    """The unit whose figures the user sees: their own for a liaison or clerk; any (or none) for the office."""
    if can_read_all(user):
        return optional_id(params.get("unit")) if unit_view else None
    if not unit_view or not getattr(user, "unit_id", None):
        raise Http404
    return user.unit_id


def read_request(user: User, params: Mapping[str, Any], *, unit_view: bool = False) -> Request:
    period = parse_period(params)
    unit = stats_unit_for(user, params, unit_view=unit_view)
    scope = Scope(period.start, period.end, optional_id(params.get("region")), optional_id(params.get("task")), unit)
    return Request(period=period, scope=scope)


def snapshot_for(scope: Scope) -> Snapshot | None:
    key = Snapshot.make_key(scope.start, scope.end, scope.region, scope.task, scope.unit)
    return Snapshot.objects.select_related("frozen_by").filter(key=key).first()


def live_data(scope: Scope, *, today: date | None = None, version: str | None = None) -> dict[str, Any]:
    """What a snapshot freezes: the counts, the months and the three breakdowns (three queries, cached briefly)."""
    return _live(scope, today=today, version=version)[0]


def _live(scope: Scope, *, today: date | None = None, version: str | None = None) -> tuple[dict[str, Any], datetime]:
    """``live_data`` and when its counts were taken (they may be up to a minute old, see stats.cache)."""
    today = today or timezone.localdate()
    if version is None:
        version = data_version() if cache_seconds() > 0 else ""
    computed = cached_entry("compute", (scope, today), version, lambda: compute(scope, today=today))
    blocks = cached("breakdowns", (scope, today), version, lambda: breakdowns(scope))
    data = {
        "counts": computed.value.counts,
        "monthly": computed.value.monthly,
        "breakdowns": blocks,
        "today": computed.value.today.isoformat(),
    }
    return data, computed.counted_at


def live_data_counts(scope: Scope, *, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    version = data_version() if cache_seconds() > 0 else ""
    return cached("compute", (scope, today), version, lambda: compute(scope, today=today)).counts


def cards(scope: Scope, counts: dict[str, int]) -> list[dict[str, Any]]:
    out = []
    for figure in FIGURES:
        card: dict[str, Any] = {
            "key": figure.key,
            "label": figure.label,
            "definition": figure.definition,
            "is_rate": figure.is_rate,
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


def dashboard(scope: Scope, *, today: date | None = None, late: bool = True) -> dict[str, Any]:
    """Everything the dashboard shows: frozen values when the period is frozen, else live ones."""
    today = today or timezone.localdate()
    version = data_version() if cache_seconds() > 0 else ""
    snapshot = snapshot_for(scope)
    data, counted_at = (snapshot.data, snapshot.frozen_at) if snapshot else _live(scope, today=today, version=version)
    return {
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


def filter_choices() -> dict[str, Any]:
    return {
        "regions": list(Region.objects.order_by("order", "id").values("id", "name")),
        "tasks": list(WorkTask.objects.order_by("number").values("id", "number", "title")),
    }


def unit_name(unit_id: int | None) -> str:
    if not unit_id:
        return ""
    unit = MemberUnit.objects.filter(pk=unit_id).values_list("name", flat=True).first()
    if unit is None:
        raise Http404
    return unit
