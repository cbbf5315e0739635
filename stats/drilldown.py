"""The region drill-down: province → 市州 → 县市区, every main figure per region one level below the current.

Each row is a child region's subtree; the row "本级" holds the records living at the current region
itself, so the current region's total is exactly the sum of its children and its own row (records
carry their ``region`` and ``city``, see ``members.levels``). ONE query counts every source for every
child (a ``UNION ALL`` of one grouped aggregate per source: ``GROUP BY city`` under the province,
``GROUP BY region`` under a 市州 or 县市区), and one query reads the regions (the current one, its
ancestors for the breadcrumbs and its children), whatever the level.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F, Q, QuerySet, Value
from django.utils.translation import gettext as _

from members.models import Region
from stats import tally
from stats.breakdowns import child_field
from stats.figures import FIGURES_BY_KEY, count_columns
from stats.scope import Scope
from stats.sources import COUNT_SOURCE, SOURCES

PROVINCE, CITY = Region.Level.PROVINCE, Region.Level.CITY
#: The figures of the drill-down table (a count each, or a rate with both counts).
DRILL_FIGURES = [
    "consultations",
    "joint_meetings",
    "case_symposiums",
    "recommendations_issued",
    "recommendation_reply_rate",
    "mediation_delegated",
    "mediation_success_rate",
    "tribunal_resolution_rate",
    "referrals_overdue",
    "decisions_open",
]
OWN = "own"  # the key of the 本级 row in the stored counts
#: The counts the table needs, per source (fewer aggregates than the dashboard's totals: a faster scan).
NEEDED: dict[str, list[str]] = {key: [] for key in SOURCES}
for _key in DRILL_FIGURES:
    _figure = FIGURES_BY_KEY[_key]
    for _name in filter(None, (_figure.count, _figure.numerator, _figure.denominator)):
        if _name not in NEEDED[COUNT_SOURCE[_name]]:
            NEEDED[COUNT_SOURCE[_name]].append(_name)
WIDTH = max(len(names) for names in NEEDED.values())


def drill_query(scope: Scope, today: date) -> QuerySet:
    """ONE query: the counts of the table's figures for every source, per region one level below the scope's."""
    child = child_field(scope)
    parts = [
        source.in_scope(scope)
        .annotate(src=Value(source.key), child=F(f"{child}_id"))
        .values("src", "child")
        .annotate(**count_columns(source, today, NEEDED[source.key], WIDTH))
        .order_by()
        for source in SOURCES.values()
    ]
    return parts[0].union(*parts[1:], all=True)


def drill_counts(scope: Scope, today: date) -> dict[str, dict[str, int]]:
    """``{child region id (str) | "own": {count: n}}`` (JSON-safe: a snapshot stores it as it is), from the rollups
    and the open records (two queries); a unit's own view from the records (:func:`live_drill_counts`)."""
    if scope.unit:
        return live_drill_counts(scope, today)
    tally.current()
    own = scope.region if scope.region_level != PROVINCE else None
    child = child_field(scope)
    out: dict[str, dict[str, int]] = {}

    def add(region: int | None, source_key: str, row: dict[str, Any], prefix: str) -> None:
        key = OWN if not region or region == own else str(region)
        bucket = out.setdefault(key, dict.fromkeys(COUNT_SOURCE, 0))
        names = list(SOURCES[source_key].counts)
        for name in NEEDED[source_key]:
            bucket[name] += int(row.get(f"{prefix}{names.index(name)}") or 0)

    for row in tally.sums(scope, child, list(SOURCES)):
        add(row[child], row["source"], row, "c")
    for row in tally.dynamic(scope, today, child, list(SOURCES)):
        add(row["g_key"], row["src"], row, "d")
    return out


def live_drill_counts(scope: Scope, today: date) -> dict[str, dict[str, int]]:
    """:func:`drill_counts` counted from the records (ONE query)."""
    own = scope.region if scope.region_level != PROVINCE else None
    out: dict[str, dict[str, int]] = {}
    for row in drill_query(scope, today):
        key = OWN if row["child"] is None or row["child"] == own else str(row["child"])
        bucket = out.setdefault(key, dict.fromkeys(COUNT_SOURCE, 0))
        for i, name in enumerate(NEEDED[row["src"]]):
            bucket[name] += int(row[f"c{i}"] or 0)
    return out


def regions_around(region_id: int | None) -> list[Region]:
    """A region (the province when None), its ancestors and its children, in one query; [] for an unknown id."""
    if region_id is None:
        q = Q(level=PROVINCE) | Q(level=CITY)
    else:
        ancestors = Region.objects.filter(pk=region_id).values("parent_id")
        q = Q(pk=region_id) | Q(parent_id=region_id) | Q(pk__in=ancestors) | Q(level=PROVINCE)
    regions = list(Region.objects.filter(q).order_by("order", "code"))
    if region_id is not None and not any(r.pk == region_id for r in regions):
        return []
    return regions


def _row(name: str, counts: dict[str, int], **extra: Any) -> dict[str, Any]:
    return {"name": name, "counts": counts, "cells": [FIGURES_BY_KEY[k].result(counts) for k in DRILL_FIGURES], **extra}


def drill_table(
    scope: Scope,
    counts: dict[str, dict[str, int]],
    *,
    top: Region | None = None,
    regions: list[Region] | None = None,
) -> dict[str, Any]:
    """The table: a row per child region (with its drill-down region id), 本级, and 合计; the breadcrumbs
    from ``top`` (the highest region the user reaches; the province when None) down to the current one.
    ``regions``: a list holding the scope's region and its children (:func:`regions_around`, or every
    region the user may read), when the caller has read them already."""
    if regions is None:
        regions = regions_around(scope.region if scope.region_level != PROVINCE else None)
    by_id = {r.pk: r for r in regions}
    province = next((r for r in regions if r.level == PROVINCE), None)
    current = by_id.get(scope.region) if scope.region and scope.region_level != PROVINCE else province
    trail: list[Region] = []
    node = current
    while node is not None:
        trail.insert(0, node)
        if top is not None and node.pk == top.pk:
            break
        node = by_id.get(node.parent_id) if node.parent_id else None
    zero = dict.fromkeys(COUNT_SOURCE, 0)
    parent_id = current.pk if current is not None else None
    children = [r for r in regions if r.parent_id == parent_id and r.pk != parent_id and current is not None]
    rows = [_row(r.name, counts.get(str(r.pk), zero), region=r.pk) for r in children]
    rows.append(_row(_("本级"), counts.get(OWN, zero), region=None, own=True))
    total = {name: sum(c.get(name, 0) for c in counts.values()) for name in COUNT_SOURCE}
    return {
        "current": current,
        "breadcrumbs": [{"name": r.name, "region": None if r.level == PROVINCE else r.pk} for r in trail],
        "columns": [FIGURES_BY_KEY[k] for k in DRILL_FIGURES],
        "rows": rows,
        "total": _row(_("合计"), total, region=None),
    }
