"""The figures by work task, by region and by unit: each source's main count grouped by a dimension.

By region means one level below the scope's region: the 市州 under the province, the 县市区 under a 市州.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Count, F, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.utils import timezone

from members.models import MemberUnit, Region, WorkTask
from stats import tally
from stats.scope import Scope
from stats.sources import SOURCES, Source

DIMENSIONS = ("task", "region", "unit")
TAB = "\t"


def child_field(scope: Scope) -> str:
    """The record column naming the region one level below the scope's: its 市州 (``city``) under the
    province, its own ``region`` under a 市州 (the 市州 itself there: records living at the 市州's level)."""
    return "city" if scope.region_level == Region.Level.PROVINCE else "region"


def _dimension(source: Source, dimension: str, scope: Scope) -> tuple[Any, Any]:
    if dimension == "task":
        # "5\t生态环境保护": the number to sort by, then the words the axis shows (the short title, or the title).
        task = source.task_field
        words = Coalesce(NullIf(F(f"{task}__short_title"), Value("")), F(f"{task}__title"))
        return F(f"{task}__id"), Concat(Cast(F(f"{task}__number"), CharField()), Value(TAB), words)
    if dimension == "region":
        path = child_field(scope)
        return F(f"{path}__id"), F(f"{path}__name")
    unit = source.unit_field
    return F(f"{unit}__id"), Coalesce(NullIf(F(f"{unit}__short_name"), Value("")), F(f"{unit}__name"))


def breakdown_query(scope: Scope, dimensions: tuple[str, ...]) -> QuerySet:
    """ONE query: each source's main count grouped by one or more of work task, region and unit."""
    parts = []
    for source in SOURCES.values():
        columns: dict[str, Any] = {"src": Value(source.key)}
        for dimension in dimensions:
            dim, label = _dimension(source, dimension, scope)
            columns[f"{dimension}_key"], columns[f"{dimension}_label"] = dim, label
        q = source.counts[source.main](timezone.localdate())
        parts.append(
            source.in_scope(scope)
            .annotate(**columns)
            .values(*columns)
            .annotate(n=Count("pk", filter=q) if q else Count("pk"))
            .order_by()
        )
    return parts[0].union(*parts[1:], all=True)


def _block(rows: list[dict[str, Any]], dimension: str, *, own: int | None = None) -> dict[str, Any]:
    """``{"labels": [...], "ids": [...], "series": {source: [n per label]}}`` sorted by label (task number).

    ``own``: the scope's region, left out of the by-region block (its own records are the drill-down's 本级 row).
    """
    id_key, label_key = f"{dimension}_key", f"{dimension}_label"
    keys: dict[Any, str] = {}
    rows = [row for row in rows if row[id_key] is not None and (own is None or row[id_key] != own)]
    for row in rows:
        if row[id_key] is not None:
            keys[row[id_key]] = str(row[label_key])
    if dimension == "task":
        ordered = sorted(keys, key=lambda k: int(keys[k].partition(TAB)[0]))
        labels = [keys[k].partition(TAB)[2] for k in ordered]
    else:
        ordered = sorted(keys, key=lambda k: keys[k])
        labels = [keys[k] for k in ordered]
    index = {k: i for i, k in enumerate(ordered)}
    series = {key: [0] * len(ordered) for key in SOURCES}
    for row in rows:
        if row[id_key] is not None:
            series[row["src"]][index[row[id_key]]] += int(row["n"])
    return {"labels": labels, "ids": ordered, "series": series}


def breakdown(scope: Scope, dimension: str) -> dict[str, Any]:
    """One dimension (one query)."""
    own = scope.region if dimension == "region" else None
    return _block(list(breakdown_query(scope, (dimension,))), dimension, own=own)


def breakdowns(scope: Scope, *, units: int | None = None) -> dict[str, dict[str, Any]]:
    """All three dimensions from the rollups (``stats.tally``): three sums and the three dimensions' names; a
    unit's own view from the records (:func:`live_breakdowns`). ``units``: by unit, only the busiest units (those
    ranked up to ``units``, and any tied with the last), what the dashboard's chart draws; else every unit."""
    if scope.unit:
        return live_breakdowns(scope)
    tally.current()
    keys = list(SOURCES)
    child = child_field(scope)
    task_rows = tally.sums(scope, "task", keys)
    region_rows = tally.sums(scope, child, keys)
    unit_rows = tally.sums(scope, "unit", keys, top=units)
    tasks = {
        t.pk: f"{t.number}{TAB}{t.short_title or t.title}"
        for t in WorkTask.objects.filter(pk__in={r["task"] for r in task_rows})
    }
    # The regions' and the units' names in one query.
    names = (
        Region.objects.filter(pk__in={r[child] for r in region_rows})
        .annotate(n_kind=Value("region"), n_label=F("name"))
        .values_list("n_kind", "pk", "n_label")
        .order_by()
        .union(
            MemberUnit.objects.filter(pk__in={r["unit"] for r in unit_rows})
            .annotate(n_kind=Value("unit"), n_label=Coalesce(NullIf(F("short_name"), Value("")), F("name")))
            .values_list("n_kind", "pk", "n_label")
            .order_by(),
            all=True,
        )
    )
    regions: dict[int, str] = {}
    unit_names: dict[int, str] = {}
    for kind, pk, label in names:
        (regions if kind == "region" else unit_names)[pk] = label

    def rows(found: list[dict[str, Any]], name: str, dimension: str, labels: dict[Any, str]) -> list[dict[str, Any]]:
        out = []
        for row in found:
            key = row[name] or None
            main = list(SOURCES[row["source"]].counts).index(SOURCES[row["source"]].main)
            out.append({"src": row["source"], f"{dimension}_key": key, f"{dimension}_label": labels.get(key, ""),
                        "n": row[f"c{main}"]})  # fmt: skip
        return out

    return {
        "task": _block(rows(task_rows, "task", "task", tasks), "task"),
        "region": _block(rows(region_rows, child, "region", regions), "region", own=scope.region),
        "unit": _block(rows(unit_rows, "unit", "unit", unit_names), "unit"),
    }


def live_breakdowns(scope: Scope) -> dict[str, dict[str, Any]]:
    """All three dimensions from the records in TWO queries: work task (through the M2M), and region with unit
    together (one scan of each source grouped by both; the two blocks are summed from it)."""
    by_task = _block(list(breakdown_query(scope, ("task",))), "task")
    rows = list(breakdown_query(scope, ("region", "unit")))
    by_region = _block(rows, "region", own=scope.region)
    return {"task": by_task, "region": by_region, "unit": _block(rows, "unit")}
