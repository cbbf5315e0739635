"""Reading the figures from the rollups (``stats.rollups``): the sums of a scope grouped by month, region, unit or
task, and the parts of the day's counts that are counted live among the open records.

A period's whole months are read from the monthly sums (``Rollup``); its first and last month, when the period
covers them only in part, from the ledger's days (``RollupEntry``). A scope with a unit (a unit's own view, which
counts what *involves* the unit, not only what it must act on) is counted from the records (``stats.figures``).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncMonth

from stats import rollups
from stats.models import COUNT_COLUMNS, SUM_COLUMNS, Rollup, RollupEntry
from stats.scope import Scope
from stats.sources import ALL_SOURCES, Source

#: A group's name → the rollups' column.
GROUP = {"month": "month", "task": "task_id", "region": "region_id", "city": "city_id", "unit": "unit_id"}


def current() -> None:
    """Take every change saved so far into the rollups (one query when there is none)."""
    rollups.flush()


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def split_period(scope: Scope) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """The period's whole months (first, last month) and the day ranges of the months it covers in part."""
    whole: list[date] = []
    partial: list[tuple[date, date]] = []
    for month in scope.months():
        first, last = max(month, scope.start), min(_month_end(month), scope.end)
        if first == month and last == _month_end(month):
            whole.append(month)
        else:
            partial.append((first, last))
    return ((whole[0], whole[-1]) if whole else None), partial


def _filters(scope: Scope, group: tuple[str, ...], *, ledger: bool) -> Q:
    q = scope.region_q(region_field="region", city_field="city")
    if "task" in group:
        q &= ~Q(task_id=0)
        if scope.task:
            q &= Q(task_id=scope.task)
    else:
        q &= Q(task_id=scope.task or 0)
    if "unit" in group:
        q &= ~Q(unit_id=0)
    elif not ledger:
        q &= Q(unit_id=0)
    return q


def _grouped(qs: QuerySet, group: tuple[str, ...], month: Any) -> QuerySet:
    columns: dict[str, Any] = {"g_source": F("source")}
    for name in group:
        columns[f"g_{name}"] = month if name == "month" else F(GROUP[name])
    sums = {c: Sum(c) for c in COUNT_COLUMNS + SUM_COLUMNS}
    return qs.annotate(**columns).values(*columns).annotate(**sums).order_by()


def sums(scope: Scope, group: tuple[str, ...], sources: list[str] | None = None) -> list[dict[str, Any]]:
    """The rollups' sums of the scope per source and ``group`` (``month``, ``task``, ``region``, ``city``,
    ``unit``): rows ``{"source", "month"…, "c0"…, "s0"…}``. One query (two when the period has a part month)."""
    whole, partial = split_period(scope)
    keys = sources or list(ALL_SOURCES)
    parts: list[QuerySet] = []
    if whole:
        qs = Rollup.objects.filter(_filters(scope, group, ledger=False), source__in=keys,
                                   month__gte=whole[0], month__lte=whole[1])  # fmt: skip
        parts.append(_grouped(qs, group, F("month")))
    if partial:
        days = Q()
        for first, last in partial:
            days |= Q(day__gte=first, day__lte=last)
        qs = RollupEntry.objects.filter(days, _filters(scope, group, ledger=True), source__in=keys)
        parts.append(_grouped(qs, group, TruncMonth("day")))
    if not parts:
        return []
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    out: dict[tuple, dict[str, Any]] = {}
    for row in query:
        key = (row["g_source"], *(row[f"g_{name}"] for name in group))
        bucket = out.get(key)
        if bucket is None:
            out[key] = bucket = {"source": row["g_source"], **{n: row[f"g_{n}"] for n in group}}
            bucket.update({c: 0 for c in COUNT_COLUMNS}, **{s: Decimal("0.00") for s in SUM_COLUMNS})
        for c in COUNT_COLUMNS:
            bucket[c] += int(row[c] or 0)
        for s in SUM_COLUMNS:
            bucket[s] += Decimal(row[s] or 0)
    # A key whose records all left it keeps a row of zeros: not a row of the result (nothing counts there).
    return [row for row in out.values() if any(row[c] for c in COUNT_COLUMNS + SUM_COLUMNS)]


Grouping = Callable[[Source], dict[str, Any]]


def dynamic_query(scope: Scope, today: date, group: Grouping, sources: list[str] | None = None) -> QuerySet | None:
    """ONE query: the day's parts of the split counts (``rollups.dynamic_q``), counted live among the open records
    of the scope, per source and ``group`` (name → expression). Columns ``d0``… in the order of the source's counts."""
    parts = []
    width = len(COUNT_COLUMNS)
    for source in ALL_SOURCES.values():
        if sources is not None and source.key not in sources:
            continue
        names = list(source.counts)
        qs_ = [rollups.dynamic_q(source, n, today) for n in names]
        if not any(q is not None for q in qs_):
            continue
        anyone = Q()
        for q in qs_:
            if q is not None:
                anyone |= q
        columns: dict[str, Any] = {}
        for i in range(width):
            q = qs_[i] if i < len(qs_) else None
            columns[f"d{i}"] = Count("pk", filter=q) if q is not None else Value(0)
        by = group(source)
        parts.append(
            source.in_scope(scope)
            .filter(anyone)
            .annotate(src=Value(source.key), **by)
            .values("src", *by)
            .annotate(**columns)
            .order_by()
        )
    if not parts:
        return None
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def dynamic(scope: Scope, today: date, group: Grouping, sources: list[str] | None = None) -> list[dict[str, Any]]:
    query = dynamic_query(scope, today, group, sources)
    return list(query) if query is not None else []


def add_row(
    counts: dict[str, Any], source: Source, row: dict[str, Any], prefix: str = "c", *, amounts: bool = True
) -> None:
    """Add a row's columns (``c0``… or ``d0``…, and the sums) to ``counts`` under the source's names."""
    for i, name in enumerate(source.counts):
        counts[name] = counts.get(name, 0) + int(row.get(f"{prefix}{i}") or 0)
    if prefix == "c" and amounts:
        for i, name in enumerate(source.sums):
            counts[name] = counts.get(name, Decimal("0.00")) + Decimal(row.get(SUM_COLUMNS[i]) or 0)


def counts_by_month(scope: Scope, today: date) -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
    """Every count and sum of the scope, in total and per month ("YYYY-MM"): what ``stats.figures.compute``
    returns, from the rollups and the open records (two or three queries, and one to take the latest changes)."""
    from stats.sources import COUNT_SOURCE, SUM_SOURCE

    current()
    counts: dict[str, Any] = {**dict.fromkeys(COUNT_SOURCE, 0), **{name: Decimal("0.00") for name in SUM_SOURCE}}
    monthly = {m.strftime("%Y-%m"): dict.fromkeys(COUNT_SOURCE, 0) for m in scope.months()}

    def add(row: dict[str, Any], prefix: str) -> None:
        source = ALL_SOURCES[row["source"] if prefix == "c" else row["src"]]
        bucket = monthly.setdefault(row["month"].strftime("%Y-%m"), dict.fromkeys(COUNT_SOURCE, 0))
        add_row(counts, source, row, prefix)
        add_row(bucket, source, row, prefix, amounts=False)

    for row in sums(scope, ("month",)):
        add(row, "c")
    for row in dynamic(scope, today, lambda source: {"month": source.month_expression()}):
        add(row, "d")
    return counts, dict(sorted(monthly.items()))
