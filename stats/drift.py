"""The nightly check of the rollups (``stats.rollups``): are the figures still what the records say?

It compares in two steps, each one SQL ``EXCEPT`` both ways, in one snapshot of the database and **without the
rollups' lock**, so the readers and the flushes go on while it runs (the lock is held only to repair, and only
what drifted):

1. **the ledger against the records**: each record's ledger lines (``RollupEntry``) against the lines its record
   gives now (``rollups.lines``), leaving out the records whose change is still in the queue (the next flush
   takes them);
2. **the sums against the ledger**: the rollups (``Rollup``) against the ledger summed as they keep it
   (``rollups.ledger_sums``), which a flush moves in the same transaction.

A record whose ledger drifted is recounted (``rollups.apply``: its lines and the sums move by the difference); a
source whose sums drifted from its ledger has them summed again from the ledger. Each check is recorded
(``RollupCheck``: the admin lists them) and a drift is logged as an error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from stats import rollups
from stats.models import Rollup, RollupChange, RollupCheck, RollupEntry
from stats.rollups import COLUMNS
from stats.sources import ALL_SOURCES, Source

logger = logging.getLogger(__name__)

DETAIL = 20  # rows kept in a check's detail
#: Drifted records of one source past which the repair writes the source's ledger again in SQL (seconds for a
#: million records) rather than recount them one batch at a time in Python (``rollups.apply``).
REBUILD_OVER = 50_000
LINE = ["r_record", "r_task", "r_day", "r_region", "r_city", "r_unit", *COLUMNS]
SUM = ["g_grain", "g_month", "g_region", "g_city", "g_unit", "g_task", *COLUMNS]


@dataclass
class Found:
    """What one source's check found: the records whose ledger drifted, the sums that drifted from the ledger."""

    source: Source
    records: set[int] = field(default_factory=set)
    sums: int = 0
    detail: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.records) + self.sums


def _select(qs: QuerySet, aliases: Sequence[str], names: Sequence[str]) -> tuple[str, list[Any]]:
    """``SELECT aliases AS names FROM (qs)``: a queryset's columns in a fixed order, named alike on both sides of an
    ``EXCEPT``."""
    quote = connection.ops.quote_name
    sql, params = qs.query.sql_with_params()
    columns = ", ".join(f"{quote(a)} AS {quote(n)}" for a, n in zip(aliases, names, strict=True))
    return f"SELECT {columns} FROM ({sql}) AS q", list(params)  # noqa: S608  # nosec B608 - our own SQL


def _union(parts: list[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
    return " UNION ALL ".join(sql for sql, _ in parts), [p for _, params in parts for p in params]


def _differ(ours: tuple[str, list[Any]], theirs: tuple[str, list[Any]]) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """The rows of each side that the other does not have: ``("records", row)`` or ``("stored", row)``."""
    for side, first, second in (("records", ours, theirs), ("stored", theirs, ours)):
        # Each side a subquery of its own: ``A EXCEPT B UNION ALL C`` would read ``(A EXCEPT B) UNION ALL C``.
        sql = f"SELECT * FROM ({first[0]}) AS a EXCEPT SELECT * FROM ({second[0]}) AS b"  # noqa: S608  # nosec B608
        with connection.cursor() as cursor:
            cursor.execute(sql, first[1] + second[1])
            while rows := cursor.fetchmany(5000):
                for row in rows:
                    yield side, tuple(row)


def _note(found: Found, kind: str, side: str, row: tuple[Any, ...]) -> None:
    if len(found.detail) < DETAIL:
        found.detail.append({"source": found.source.key, "kind": kind, side: [str(v) for v in row]})


def _lines(found: Found, queued: set[int]) -> None:
    """Step 1: the records whose ledger lines differ from what they give now (less those still queued)."""
    source = found.source
    ours = _union([_select(rollups.lines(source, tasks=t), LINE, LINE) for t in rollups.task_kinds(source)])
    theirs = _select(RollupEntry.objects.filter(source=source.key).values(*rollups.LINE_FIELDS),
                     rollups.LINE_FIELDS, LINE)  # fmt: skip
    for side, row in _differ(ours, theirs):
        if row[0] in queued:
            continue
        found.records.add(int(row[0]))
        _note(found, "line", side, row)


def _nonzero(prefix: str) -> Q:
    q = Q()
    for column in COLUMNS:
        q |= ~Q(**{f"{prefix}{column}": 0})
    return q


def _summed(source: Source) -> tuple[str, list[Any]]:
    aliases = rollups.SUM_ALIASES[1:]  # not the source: one source at a time
    return _union([_select(qs.filter(_nonzero("t_")), aliases, SUM) for qs in rollups.ledger_sums(source.key)])


def _sums(found: Found) -> None:
    """Step 2: the rollup rows that differ from the ledger summed again."""
    stored = Rollup.objects.filter(Q(source=found.source.key) & _nonzero(""))
    fields = rollups.SUM_FIELDS[1:]
    theirs = _select(stored.values(*fields), fields, SUM)
    keys = set()
    for side, row in _differ(_summed(found.source), theirs):
        keys.add(tuple(str(v) for v in row[:6]))  # SQLite gives a column's date as a date, an expression's as text
        _note(found, "sum", side, row)
    found.sums = len(keys)


def _queued() -> dict[str, set[int]]:
    """The records of each source with a change still in the queue (the next flush recounts them)."""
    changes = RollupChange.objects.values_list("table_name", "record_id").iterator(chunk_size=5000)
    return {key: set(ids) for key, ids in rollups.affected(changes).items()}


@contextmanager
def _snapshot() -> Iterator[None]:
    """One transaction that sees the database as it was when it began (PostgreSQL: ``REPEATABLE READ``, read only),
    so the records, the queue, the ledger and the sums are compared as of one moment, with no lock taken. Inside a
    caller's transaction (a test), that transaction."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def compare() -> tuple[list[Found], int]:
    """What drifted in each source, and the records checked."""
    found: list[Found] = []
    records = 0
    with _snapshot():
        queued = _queued()
        for source in ALL_SOURCES.values():
            records += source.base().count()
            one = Found(source)
            _lines(one, queued.get(source.key, set()))
            _sums(one)
            if one.rows:
                found.append(one)
    return found, records


def _resum(source: Source) -> None:
    """The source's rollups summed again from its ledger (under the lock)."""
    Rollup.objects.filter(source=source.key).delete()
    rollups.sum_ledger_into_rollups(source.key)


def mend(found: list[Found]) -> None:
    """Recount the drifted records and sum again the drifted sums, under the rollups' lock (what a flush holds)."""
    with transaction.atomic():
        rollups.lock()
        for one in found:
            if len(one.records) > REBUILD_OVER:
                RollupEntry.objects.filter(source=one.source.key).delete()
                rollups.build_source(one.source)
                _resum(one.source)
                continue
            if one.records:
                rollups.apply(one.source, sorted(one.records))
            if one.sums:
                _resum(one.source)


def check(*, repair: bool = True) -> RollupCheck:
    """Compare the rollups with the records, repair any drift (unless told not to), and record what was found."""
    started = time.perf_counter()
    rollups.flush()
    found, records = compare()
    if found and repair:
        mend(found)
    for one in found:
        logger.error(
            "stats rollups drifted: %s, %d records, %d sums (repaired: %s)",
            one.source.key,
            len(one.records),
            one.sums,
            repair,
        )
    return RollupCheck.objects.create(
        seconds=Decimal(f"{time.perf_counter() - started:.2f}"),
        records=records,
        drifted=sum(one.rows for one in found),
        sources=",".join(one.source.key for one in found),
        detail=[row for one in found for row in one.detail],
    )
