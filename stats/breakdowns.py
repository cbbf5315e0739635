"""The figures by work task, by region and by unit: each source's main count grouped by a dimension."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stats.figures import SOURCES, Source
from stats.scope import Scope

DIMENSIONS = ("task", "region", "unit")


def _dimension(source: Source, dimension: str) -> tuple[Any, Any]:
    if dimension == "task":
        return F(f"{source.task_field}__id"), F(f"{source.task_field}__number")
    if dimension == "region":
        path = source.region_field.removesuffix("_id")
        return F(f"{path}__id"), F(f"{path}__name")
    unit = source.unit_field
    return F(f"{unit}__id"), Coalesce(NullIf(F(f"{unit}__short_name"), Value("")), F(f"{unit}__name"))


def breakdown_query(scope: Scope, dimensions: tuple[str, ...]) -> QuerySet:
    """ONE query: each source's main count grouped by one or more of work task, region and unit."""
    parts = []
    for source in SOURCES.values():
        columns: dict[str, Any] = {"src": Value(source.key)}
        for dimension in dimensions:
            dim, label = _dimension(source, dimension)
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


def _block(rows: list[dict[str, Any]], dimension: str) -> dict[str, Any]:
    """``{"labels": [...], "ids": [...], "series": {source: [n per label]}}`` sorted by label (task number)."""
    id_key, label_key = f"{dimension}_key", f"{dimension}_label"
    keys: dict[Any, str] = {}
    for row in rows:
        if row[id_key] is not None:
            keys[row[id_key]] = str(row[label_key])
    if dimension == "task":
        ordered = sorted(keys, key=lambda k: int(keys[k]))
        labels = [str(_("任务{n}")).format(n=keys[k]) for k in ordered]
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
    return _block(list(breakdown_query(scope, (dimension,))), dimension)


def breakdowns(scope: Scope) -> dict[str, dict[str, Any]]:
    """All three dimensions in TWO queries: work task (through the M2M), and region with unit together
    (one scan of each source grouped by both; the two blocks are summed from it)."""
    by_task = _block(list(breakdown_query(scope, ("task",))), "task")
    rows = list(breakdown_query(scope, ("region", "unit")))
    return {"task": by_task, "region": _block(rows, "region"), "unit": _block(rows, "unit")}
