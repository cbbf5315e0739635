"""Reading the figures from the rollups (``stats.rollups``): the sums of a scope grouped by month, region, unit or
task, and the parts of the day's counts that are counted live among the open records.

A period's whole months are read from the monthly sums (``Rollup``); its first and last month, when the period
covers them only in part, from the ledger's days (``RollupEntry``). A scope with a unit (a unit's own view, which
counts what *involves* the unit, not only what it must act on) is counted from the records (``stats.figures``).
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, DateField, DecimalField, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, TruncMonth

from fuyuan.lib.dbrouter import use_primary
from members.models import Region
from stats import rollups
from stats.models import COUNT_COLUMNS, SUM_COLUMNS, Rollup, RollupEntry
from stats.scope import Scope
from stats.sources import ALL_SOURCES, SOURCES, Source

#: A group's name → the rollups' column.
GROUP = {"month": "month", "task": "task_id", "region": "region_id", "city": "city_id", "unit": "unit_id"}
NO_DAY = Cast(Value(None), output_field=DateField())  # a typed NULL: UNION ALL matches it with a date column
DYNAMIC = "dynamic:"  # the day's counts' rows in a UNION ALL with the rollups' sums
AMOUNT = DecimalField(max_digits=20, decimal_places=2)
NO_KEY = Cast(Value(None), output_field=IntegerField())
#: Within :func:`reading` (one page): whether the rollups were brought up to date, and the sums already read.
_reading: ContextVar[dict[Any, Any] | None] = ContextVar("stats_tally_reading", default=None)


@contextmanager
def reading() -> Iterator[None]:
    """One page's reads: the changes are taken once, and each grouping's sums read once (see :func:`fetch`)."""
    token = _reading.set({})
    try:
        yield
    finally:
        _reading.reset(token)


def current() -> None:
    """Take every change saved so far into the rollups (one query when there is none), on the primary; once per
    :func:`reading`. Waits for the rollups' lock ``FUYUAN_STATS_READ_WAIT_SECONDS`` at most, then raises
    :class:`~fuyuan.lib.errors.Busy` (the page and the API answer 503: try again shortly)."""
    memo = _reading.get()
    if memo is not None and memo.get("current"):
        return
    with use_primary():
        rollups.flush(wait=settings.FUYUAN_STATS_READ_WAIT_SECONDS)
    if memo is not None:
        memo["current"] = True


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


def _months(whole: tuple[date, date]) -> list[date]:
    out, month = [], whole[0]
    while month <= whole[1]:
        out.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return out


def whole_years(whole: tuple[date, date]) -> list[int]:
    """The years whose twelve months are all whole months of the period."""
    first = whole[0].year if whole[0].month == 1 else whole[0].year + 1
    last = whole[1].year if whole[1].month == 12 else whole[1].year - 1
    return list(range(first, last + 1))


def _everywhere(scope: Scope) -> bool:
    """Whether the scope covers every region (the province, or no region): its rollups are then read from the rows
    of every region together (``rollups.EVERYWHERE``), not summed over a hundred regions."""
    return not scope.region or scope.region_level == Region.Level.PROVINCE


def _filters(scope: Scope, dim: str, *, ledger: bool) -> Q:
    if ledger:
        q = scope.region_q(region_field="region", city_field="city")
    elif dim in ("month", "task") and _everywhere(scope):
        q = Q(region_id=rollups.EVERYWHERE)
    else:  # by region, 市州 or unit, or within a region: the regions' own rows
        q = scope.region_q(region_field="region", city_field="city") & ~Q(region_id=rollups.EVERYWHERE)
    if dim == "task":
        q &= ~Q(task_id=0)
        if scope.task:
            q &= Q(task_id=scope.task)
    else:
        q &= Q(task_id=scope.task or 0)
    if dim == "unit":
        q &= ~Q(unit_id=0)
    elif not ledger:
        q &= Q(unit_id=0)
    return q


def _grouped(qs: QuerySet, dim: str, month: Any, *, narrow: bool = False) -> QuerySet:
    if narrow:  # the source, the key and the main count only (:func:`_top_units`)
        by = {"g_source": F("source"), "g_key": F(GROUP[dim])}
        return qs.annotate(**by).values(*by).annotate(c0=Sum("c0")).order_by()
    columns: dict[str, Any] = {
        "g_dim": Value(dim),
        "g_source": F("source"),
        "g_month": month if dim == "month" else NO_DAY,
        "g_key": NO_KEY if dim == "month" else F(GROUP[dim]),
    }
    if dim == "unit":  # thousands of units: only the main count (``c0`` of every record source) is summed
        sums: dict[str, Any] = {"c0": Sum("c0"), **{c: Value(0) for c in COUNT_COLUMNS[1:]}}
        sums.update({s: Value(Decimal("0.00"), output_field=AMOUNT) for s in SUM_COLUMNS})
    else:
        sums = {c: Sum(c) for c in COUNT_COLUMNS + SUM_COLUMNS}
    return qs.annotate(**columns).values(*columns).annotate(**sums).order_by()


def _parts(scope: Scope, dim: str, keys: list[str], *, narrow: bool = False) -> list[QuerySet]:
    whole, partial = split_period(scope)
    parts: list[QuerySet] = []
    if whole:
        rolled = Rollup.objects.filter(_filters(scope, dim, ledger=False), source__in=keys)
        # By month: every whole month. Otherwise a whole year's row stands for its twelve months.
        years = [] if dim == "month" else whole_years(whole)
        months = [m for m in _months(whole) if m.year not in years]
        grains = Q(grain=Rollup.MONTH, month__in=months) if months else Q(pk__in=[])
        if years:
            grains |= Q(grain=Rollup.YEAR, month__in=[date(y, 1, 1) for y in years])
        parts.append(_grouped(rolled.filter(grains), dim, F("month"), narrow=narrow))
    if partial:
        days = Q()
        for first, last in partial:
            days |= Q(day__gte=first, day__lte=last)
        lines = RollupEntry.objects.filter(days, _filters(scope, dim, ledger=True), source__in=keys)
        parts.append(_grouped(lines, dim, TruncMonth("day"), narrow=narrow))
    return parts


def _union(parts: list[QuerySet]) -> list[dict[str, Any]]:
    if not parts:
        return []
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    with use_primary():  # exact: what the flush just took (a replica may be a moment behind)
        return list(query)


def _collect(found: list[dict[str, Any]], dims: list[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, dict[tuple, dict[str, Any]]] = {dim: {} for dim in dims}
    for row in found:
        dim = row["g_dim"]
        value = row["g_month"] if dim == "month" else row["g_key"]
        key = (row["g_source"], value)
        bucket = out[dim].get(key)
        if bucket is None:
            out[dim][key] = bucket = {"source": row["g_source"], dim: value}
            bucket.update({c: 0 for c in COUNT_COLUMNS}, **{s: Decimal("0.00") for s in SUM_COLUMNS})
        for c in COUNT_COLUMNS:
            bucket[c] += int(row[c] or 0)
        for s in SUM_COLUMNS:
            bucket[s] += Decimal(row[s] or 0)
    # A key whose records all left it keeps a row of zeros: not a row of the result (nothing counts there).
    return {
        dim: [row for row in rows.values() if any(row[c] for c in COUNT_COLUMNS + SUM_COLUMNS)]
        for dim, rows in out.items()
    }


def _top_units(scope: Scope, keys: list[str], top: int) -> list[dict[str, Any]]:
    """ONE query: the by-unit sums (the main count, ``c0``) of the ``top`` units with the most records, and of every
    unit tied with the last of them, as :func:`sums` gives them. The ranking is done by the database, so a province's
    thousands of units are not read to draw twenty bars."""
    parts = _parts(scope, "unit", keys, narrow=True)
    if not parts:
        return []
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    inner, params = union.query.sql_with_params()
    sql = (
        f"WITH p AS ({inner}), "  # noqa: S608  # nosec B608 - our own SQL
        "u AS (SELECT g_source, g_key, CAST(SUM(c0) AS BIGINT) AS c0 FROM p GROUP BY g_source, g_key), "
        "t AS (SELECT g_key, CAST(SUM(c0) AS BIGINT) AS n FROM u GROUP BY g_key) "
        "SELECT u.g_source, u.g_key, u.c0 FROM u JOIN t ON t.g_key = u.g_key "
        "WHERE t.n > 0 AND t.n >= COALESCE((SELECT n FROM t ORDER BY n DESC LIMIT 1 OFFSET %s), 0)"
    )
    with use_primary(), connection.cursor() as cursor:
        cursor.execute(sql, [*params, top - 1])
        found = cursor.fetchall()
    zero = {**{c: 0 for c in COUNT_COLUMNS}, **{c: Decimal("0.00") for c in SUM_COLUMNS}}
    return [{**zero, "source": source, "unit": unit, "c0": int(n)} for source, unit, n in found if n]


def _memo_key(scope: Scope, dim: str, top: int | None) -> tuple[Any, ...]:
    return (scope, dim) if top is None else (scope, dim, top)


def sums(scope: Scope, dim: str, sources: list[str] | None = None, *, top: int | None = None) -> list[dict[str, Any]]:
    """The rollups' sums of the scope per source and ``dim`` (``month``, ``task``, ``region``, ``city``, ``unit``):
    rows ``{"source", dim, "c0"…, "s0"…}``. One query, or none after :func:`fetch`. ``top`` (by unit): only the
    units with the most records (:func:`_top_units`)."""
    memo = _reading.get()
    fetched = memo.get(_memo_key(scope, dim, top)) if memo is not None else None
    if fetched is not None and set(sources or ALL_SOURCES) <= fetched[0]:
        rows = fetched[1]
    elif top is not None and dim == "unit":
        rows = _top_units(scope, sources or list(SOURCES), top)
    else:
        rows = _collect(_union(_parts(scope, dim, sources or list(ALL_SOURCES))), [dim])[dim]
    return [row for row in rows if sources is None or row["source"] in sources]


def _live_count(source: Source, name: str, q: Q | None = None) -> Any:
    """A count's part counted live, signed: taken from the settled part when the count is a difference
    (``Source.less``)."""
    counted: Any = Count("pk", filter=q)
    return Value(0) - counted if rollups.dynamic_sign(source, name) < 0 else counted


def _dynamic_parts(scope: Scope, today: date, dims: list[str], sources: list[str] | None) -> list[QuerySet]:
    """The day's counts grouped by ``dims``: one of them, or the month and one other together (one scan of the open
    records for both; :func:`_dynamic_rows` sums each out)."""
    parts = []
    width = len(COUNT_COLUMNS)
    other = next((dim for dim in dims if dim != "month"), None)
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
        # The columns of the rollups' parts (``_grouped``), so that both go in one UNION ALL.
        columns: dict[str, Any] = {}
        for i in range(width):
            q = qs_[i] if i < len(qs_) else None
            columns[f"c{i}"] = Value(0) if q is None else _live_count(source, names[i], q)
        for column in SUM_COLUMNS:
            columns[column] = Value(Decimal("0.00"), output_field=AMOUNT)
        by = {
            "g_dim": Value(DYNAMIC + "+".join(dims)),
            "g_source": Value(source.key),
            "g_month": source.month_expression() if "month" in dims else NO_DAY,
            "g_key": F(f"{source.path}{GROUP[other]}") if other else NO_KEY,
        }
        parts.append(source.in_scope(scope).filter(anyone).annotate(**by).values(*by).annotate(**columns).order_by())
    return parts


def _dynamic_rows(found: list[dict[str, Any]], dim: str) -> list[dict[str, Any]]:
    """The day's counts by ``dim`` as :func:`dynamic` gives them: ``{"src", "g_month", "g_key", "d0"…}``, summed
    over the other grouping when the rows were counted by two (:func:`_dynamic_parts`)."""
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in found:
        if not row["g_dim"].startswith(DYNAMIC) or dim not in row["g_dim"][len(DYNAMIC) :].split("+"):
            continue
        month, key = (row["g_month"], None) if dim == "month" else (None, row["g_key"])
        bucket = out.get((row["g_source"], month, key))
        if bucket is None:
            bucket = out[(row["g_source"], month, key)] = {"src": row["g_source"], "g_month": month, "g_key": key}
            bucket.update({f"d{i}": 0 for i in range(len(COUNT_COLUMNS))})
        for i, c in enumerate(COUNT_COLUMNS):
            bucket[f"d{i}"] += int(row[c] or 0)
    return list(out.values())


def _keys(dim: str) -> list[str]:
    """By month every source (the totals); by task, region and unit the record sources the charts draw."""
    return list(ALL_SOURCES) if dim == "month" else list(SOURCES)


@functools.lru_cache(maxsize=256)
def _reading_query(scope: Scope, today: date, dims: tuple[str, ...], dynamic_dims: tuple[str, ...]) -> QuerySet | None:
    """The UNION ALL :func:`fetch` runs, built once per scope and day in each process: it depends on nothing but
    these (the definitions of the sources are the code's), and building it costs more than the database takes to
    answer a year's figures. Only the query is kept; every read runs it."""
    parts = [part for dim in dims for part in _parts(scope, dim, _keys(dim))]
    if dynamic_dims:  # the month and one other grouping in one scan of the open records
        months, others = [d for d in dynamic_dims if d == "month"], [d for d in dynamic_dims if d != "month"]
        groups = [months + others[:1]] + [[d] for d in others[1:]]
        parts += [part for group in groups for part in _dynamic_parts(scope, today, group, None)]
    if not parts:
        return None
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def fetch(scope: Scope, today: date, dims: list[str], dynamic_dims: list[str], *, top_units: int | None = None) -> None:
    """Within :func:`reading`: the sums of several groupings and the day's counts of others, in ONE query (a UNION
    ALL of the rollups and the open records), for :func:`sums` and :func:`dynamic` to return. With ``top_units``
    the by-unit sums are those of the busiest units only, in a second query (:func:`_top_units`)."""
    memo = _reading.get()
    if memo is None:
        return
    current()
    if top_units is not None and "unit" in dims:
        dims = [dim for dim in dims if dim != "unit"]
        if _memo_key(scope, "unit", top_units) not in memo:
            memo[_memo_key(scope, "unit", top_units)] = (set(SOURCES), _top_units(scope, list(SOURCES), top_units))
    dims = [dim for dim in dims if (scope, dim) not in memo]
    dynamic_dims = [dim for dim in dynamic_dims if ("dynamic", scope, today, dim) not in memo]
    query = _reading_query(scope, today, tuple(dims), tuple(dynamic_dims))
    found = _union([query.all()]) if query is not None else []  # a fresh copy: only the SQL is kept, never rows
    for dim, rows in _collect([row for row in found if not row["g_dim"].startswith(DYNAMIC)], dims).items():
        memo[(scope, dim)] = (set(_keys(dim)), rows)
    for dim in dynamic_dims:
        memo[("dynamic", scope, today, dim)] = _dynamic_rows(found, dim)


def dynamic(scope: Scope, today: date, dim: str, sources: list[str] | None = None) -> list[dict[str, Any]]:
    """ONE query (none after :func:`prefetch_dynamic`): the day's parts of the split counts
    (``rollups.dynamic_q``), counted live among the open records of the scope, per source and ``dim``: rows
    ``{"src", "g_month" | "g_key", "d0"…}`` in the order of the source's counts."""
    memo = _reading.get()
    key = ("dynamic", scope, today, dim)
    if memo is not None and key in memo:
        rows = memo[key]
    else:
        rows = _dynamic_rows(_union(_dynamic_parts(scope, today, [dim], sources)), dim)
    return [row for row in rows if sources is None or row["src"] in sources]


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
    returns, from the rollups and the open records in ONE query, after one to take the latest changes."""
    from stats.sources import COUNT_SOURCE, SUM_SOURCE

    counts: dict[str, Any] = {**dict.fromkeys(COUNT_SOURCE, 0), **{name: Decimal("0.00") for name in SUM_SOURCE}}
    monthly = {m.strftime("%Y-%m"): dict.fromkeys(COUNT_SOURCE, 0) for m in scope.months()}

    def add(row: dict[str, Any], prefix: str) -> None:
        source = ALL_SOURCES[row["source"] if prefix == "c" else row["src"]]
        bucket = monthly.setdefault(row["month"].strftime("%Y-%m"), dict.fromkeys(COUNT_SOURCE, 0))
        add_row(counts, source, row, prefix)
        add_row(bucket, source, row, prefix, amounts=False)

    with reading() if _reading.get() is None else nullcontext():
        fetch(scope, today, ["month"], ["month"])
        for row in sums(scope, "month"):
            add(row, "c")
        for row in dynamic(scope, today, "month"):
            add({**row, "month": row["g_month"]}, "d")
    return counts, dict(sorted(monthly.items()))


@functools.lru_cache(maxsize=256)
def _all_time_query(scope: Scope, today: date, wanted: tuple[tuple[str, str], ...]) -> QuerySet | None:
    """The UNION ALL :func:`counts_of_all_time` runs, built once per scope, day and counts in each process (like
    :func:`_reading_query`: only the query is kept)."""
    parts = []
    for key, name in wanted:
        source = ALL_SOURCES[key]
        index = list(source.counts).index(name)
        if rollups.static_q(source, name) is not None:
            rolled = Rollup.objects.filter(_filters(scope, "month", ledger=False), source=key, grain=Rollup.YEAR)
            parts.append(rolled.annotate(src=Value(key)).values("src").annotate(total=Sum(f"c{index}")).order_by())
        live = rollups.dynamic_q(source, name, today)
        if live is not None:
            mine = source.in_scope(scope, period=False).filter(live).annotate(src=Value(key))
            parts.append(mine.values("src").annotate(total=_live_count(source, name)).order_by())
    if not parts:
        return None
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def counts_of_all_time(scope: Scope, today: date, wanted: dict[str, str]) -> dict[str, int]:
    """ONE query: one count of each source (``{source key: count name}``) over every record of the scope whatever
    its date (the late panel: late is late now), from the rollups' yearly rows and the day's part counted live.
    Not for a unit's own view (it counts what involves the unit: ``stats.late`` counts the records)."""
    current()
    query = _all_time_query(scope, today, tuple(wanted.items()))
    out = dict.fromkeys(wanted, 0)
    for row in _union([query.all()]) if query is not None else []:  # a fresh copy: only the SQL is kept
        out[row["src"]] += int(row["total"] or 0)
    return out
