"""The rollups: every figure kept counted as the records change, so the figures are exact and cheap to read.

How it stays exact:

1. A database trigger on every counted table (``stats.triggers``) writes a ``RollupChange`` row, in the writer's
   own transaction, for every row inserted, updated or deleted: by a service, the admin, a bulk import or a raw
   UPDATE alike.
2. :func:`flush` takes those rows, recounts what each touched record adds to the figures (its ledger lines,
   ``RollupEntry``, computed from the very definitions of ``stats.sources``), and adds the difference to the
   monthly sums (``Rollup``). It runs before every read of the figures (:func:`stats.tally.current`), in the
   reader's transaction and under one lock, so a figure read after a save includes it; and every minute from
   Celery beat, so a read seldom has more than a few records to take.
3. A count that depends on the day (what is overdue now, what is owed by now) is split by its source
   (``Source.split``): its settled part is in the rollups, the part that depends on the day is counted live among
   the open records (partial indexes). Or it is the difference of two parts (``Source.less``): every open record
   with a due date in the rollups, less those not yet due, counted live.
4. ``stats.drift.check`` (nightly) compares the ledger with the records and the sums with the ledger, repairs any
   difference and records what it found (``RollupCheck``).

A change to the sources' counts changes the rollups' layout (:func:`layout`): ``migrate`` then rebuilds them.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import OperationalError, connection, models, transaction
from django.db.models import Case, DecimalField, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, TruncDate, TruncMonth, TruncYear
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.lib.errors import Busy
from stats.models import COUNT_COLUMNS, SUM_COLUMNS, Rollup, RollupChange, RollupEntry, RollupState
from stats.scope import SHANGHAI
from stats.sources import ALL_SOURCES, Source

logger = logging.getLogger(__name__)

COLUMNS = COUNT_COLUMNS + SUM_COLUMNS
KEY = ("region_id", "city_id", "unit_id")
#: ``region_id`` and ``city_id`` of the rows that sum every region (unit 0 only): what a province-level read takes,
#: one row per source, period and task instead of one per region.
EVERYWHERE = -1
BATCH = 5000  # records recounted per query
COMPACT_AFTER = 10_000  # changes taken by one flush after which the queue is vacuumed (:func:`_compact`)
LOCK = 7_301_119  # the advisory lock of the rollups (any constant no other code uses)
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's error when ``lock_timeout`` ends a wait
_PAST, _FUTURE = date(2000, 1, 1), date(2100, 1, 1)
AMOUNT = DecimalField(max_digits=20, decimal_places=2)
ZERO = Decimal("0.00")


# --- what a record adds ------------------------------------------------------------------------------------------


@functools.cache
def depends_on_day(source_key: str, name: str) -> bool:
    """Whether a count's definition changes with the day: its SQL for two days compared (a ``Subquery`` in it, such
    as a referral kind's id, is the same SQL each time though not the same object)."""
    source = ALL_SOURCES[source_key]
    make_q = source.counts[name]
    base = source.base()
    return str(base.filter(make_q(_PAST)).query) != str(base.filter(make_q(_FUTURE)).query)


def static_q(source: Source, name: str) -> Q | None:
    """The part of a count kept in the rollups: the count itself when it does not depend on the day, the split's
    settled part when it does, else nothing (None: the whole count is counted live)."""
    parts = source.split.get(name) or source.less.get(name)
    if parts:
        return parts[0]()
    return None if depends_on_day(source.key, name) else source.counts[name](_PAST)


def dynamic_q(source: Source, name: str, today: date) -> Q | None:
    """The part of a count counted live on ``today`` (None: none, the count is all in the rollups)."""
    parts = source.split.get(name) or source.less.get(name)
    if parts:
        return parts[1](today)
    return source.counts[name](today) if depends_on_day(source.key, name) else None


def dynamic_sign(source: Source, name: str) -> int:
    """How the part counted live adds to the count: -1 when it is taken from the settled part (``Source.less``)."""
    return -1 if name in source.less else 1


def dynamic_names(source: Source) -> list[str]:
    return [
        ("-" if name in source.less else "") + name
        for name in source.counts
        if name in source.split or name in source.less or static_q(source, name) is None
    ]


def layout() -> str:
    """A digest of what the rollups hold: each source's counts and sums, and which are split."""
    parts = [f"grains:{Rollup.MONTH},{Rollup.YEAR}"]  # the rows kept per period (2: months and years)
    parts.append(f"everywhere:{EVERYWHERE}")  # and the rows of every region together
    parts += [
        f"{s.key}:{','.join(s.counts)}:{','.join(s.sums)}:{','.join(dynamic_names(s))}" for s in ALL_SOURCES.values()
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _flag(q: Q | None) -> Any:
    if q is None:
        return Value(0)
    if not q:
        return Value(1)
    return Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())


def _amount(column: str, q: Q) -> Any:
    value = Coalesce(F(column), Value(ZERO), output_field=AMOUNT)
    if not q:
        return value
    return Case(When(q, then=value), default=Value(ZERO), output_field=AMOUNT)


def _day(source: Source) -> Any:
    if source.is_datetime:
        return TruncDate(source.date_field, tzinfo=SHANGHAI)
    return F(source.date_field)


def lines(source: Source, ids: Sequence[int] | None = None, *, tasks: bool = False) -> QuerySet:
    """The ledger lines of the source's records (all, or ``ids``): one per record (``r_task`` 0), or with
    ``tasks`` one per record and work task. Values named ``r_*``, ``c0``… and ``s0``…"""
    qs = source.base().filter(**{f"{source.date_field}__isnull": False})
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    task: Any = Value(0)
    if tasks:
        qs = qs.filter(**{f"{source.task_field}__isnull": False})
        task = F(source.task_field)
    columns: dict[str, Any] = {
        "r_record": F("pk"),
        "r_task": task,
        "r_day": _day(source),
        "r_region": Coalesce(F(f"{source.path}region_id"), Value(0)),
        "r_city": Coalesce(F(f"{source.path}city_id"), Value(0)),
        "r_unit": Coalesce(F(f"{source.unit_field}_id"), Value(0)),
    }
    for i, column in enumerate(COUNT_COLUMNS):
        names = list(source.counts)
        columns[column] = _flag(static_q(source, names[i])) if i < len(names) else Value(0)
    for i, column in enumerate(SUM_COLUMNS):
        sums = list(source.sums.items())
        if i < len(sums):
            _name, (field, make_q) = sums[i]
            columns[column] = _amount(field, make_q(_PAST))
        else:
            columns[column] = Value(ZERO, output_field=AMOUNT)
    return qs.annotate(**columns).values(*columns).order_by()


def task_kinds(source: Source) -> tuple[bool, ...]:
    """The ``tasks`` values of :func:`lines` a source's ledger holds: the all-tasks line, and one per task if it has
    tasks."""
    return (False, True) if source.task_field else (False,)


LINE_FIELDS = ["record_id", "task_id", "day", "region_id", "city_id", "unit_id", *COLUMNS]


def _as_entry(source: str, row: dict[str, Any]) -> tuple[tuple[int, int], tuple[Any, ...]]:
    values = (row["r_day"], int(row["r_region"]), int(row["r_city"]), int(row["r_unit"]))
    counts = tuple(int(row[c]) for c in COUNT_COLUMNS) + tuple(Decimal(row[s] or 0) for s in SUM_COLUMNS)
    return (int(row["r_record"]), int(row["r_task"])), values + counts


# --- applying changes --------------------------------------------------------------------------------------------


def _starts(day: date) -> tuple[tuple[int, date], ...]:
    """The month and the year a day adds to (``Rollup.grain``, first day)."""
    return (Rollup.MONTH, day.replace(day=1)), (Rollup.YEAR, day.replace(month=1, day=1))


def _add(deltas: dict[tuple, list[Any]], line: tuple[Any, ...], task: int, sign: int) -> None:
    day, region, city, unit = line[:4]
    amounts = line[4:]
    keys = []
    for grain, start in _starts(day):
        keys.append((grain, start, region, city, 0, task))
        keys.append((grain, start, EVERYWHERE, EVERYWHERE, 0, task))
        if unit:
            keys.append((grain, start, region, city, unit, task))
    for key in keys:
        bucket = deltas.setdefault(key, [0] * len(COUNT_COLUMNS) + [ZERO] * len(SUM_COLUMNS))
        for i, value in enumerate(amounts):
            bucket[i] += sign * value


def _upsert(source: str, deltas: dict[tuple, list[Any]]) -> None:
    rows = [(source, *key, *values) for key, values in deltas.items() if any(values)]
    if not rows:
        return
    table = connection.ops.quote_name(Rollup._meta.db_table)
    names = ["source", "grain", "month", "region_id", "city_id", "unit_id", "task_id", *COLUMNS]
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COLUMNS)
    placeholders = ", ".join(["%s"] * len(names))
    sql = (
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders}) "  # noqa: S608  # nosec B608 - our columns
        f"ON CONFLICT (source, grain, month, region_id, city_id, unit_id, task_id) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def apply(source: Source, ids: Sequence[int]) -> int:
    """Recount the records ``ids`` of one source and move the rollups by the difference. Returns the lines changed."""
    changed = 0
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start : start + BATCH])
        new = dict(_as_entry(source.key, row) for row in lines(source, chunk))
        if source.task_field:
            new.update(_as_entry(source.key, row) for row in lines(source, chunk, tasks=True))
        old: dict[tuple[int, int], tuple[Any, ...]] = {}
        old_ids: dict[tuple[int, int], int] = {}
        for row in RollupEntry.objects.filter(source=source.key, record_id__in=chunk).values("id", *LINE_FIELDS):
            key = (row["record_id"], row["task_id"])
            old[key] = tuple(row[f] for f in LINE_FIELDS[2:])
            old_ids[key] = row["id"]
        deltas: dict[tuple, list[Any]] = {}
        stale, fresh = [], []
        for key in old.keys() | new.keys():
            before, after = old.get(key), new.get(key)
            if before == after:
                continue
            if before is not None:
                _add(deltas, before, key[1], -1)
                stale.append(old_ids[key])
            if after is not None:
                _add(deltas, after, key[1], 1)
                fresh.append(RollupEntry(source=source.key, record_id=key[0], task_id=key[1],
                                         **dict(zip(LINE_FIELDS[2:], after, strict=True))))  # fmt: skip
        _upsert(source.key, deltas)
        if stale:
            RollupEntry.objects.filter(pk__in=stale).delete()
        RollupEntry.objects.bulk_create(fresh, batch_size=1000)
        changed += len(stale) + len(fresh)
    return changed


def lock(wait: float | None = None) -> None:
    """Take the rollups' lock until the end of the transaction (PostgreSQL; SQLite writes one at a time anyway).
    ``wait``: seconds at most, then :class:`~fuyuan.lib.errors.Busy`. One query when the lock is free."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if wait is None:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
            return
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK])
        if cursor.fetchone()[0]:
            return
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(wait * 1000)}ms"])
        try:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
        except OperationalError as error:
            if getattr(error.__cause__, "pgcode", None) != LOCK_NOT_AVAILABLE:
                raise
            logger.warning("stats rollups: the lock was held for more than %s s; the read gives up", wait)
            raise Busy(str(_("统计数据正在更新(如批量导入或重建),请稍后刷新。")), retry_after=int(wait)) from error
        cursor.execute("SET LOCAL lock_timeout TO DEFAULT")


def watched() -> dict[str, list[tuple[Source, str]]]:
    """Each table whose changes matter → the sources and the lookup from a source record to that table's row."""
    out: dict[str, list[tuple[Source, str]]] = defaultdict(list)
    for source in ALL_SOURCES.values():
        model = source.base().model
        out[model._meta.db_table].append((source, "pk"))
        for relation in source.follows:
            related: Any = model._meta.get_field(relation).related_model
            out[related._meta.db_table].append((source, relation))
    return out


def affected(changes: Iterable[tuple[str, int]]) -> dict[str, set[int]]:
    """The records of each source to recount for the changed rows ``(table, id)``."""
    by_table: dict[str, set[int]] = defaultdict(set)
    for table, pk in changes:
        by_table[table].add(pk)
    out: dict[str, set[int]] = defaultdict(set)
    for table, pks in by_table.items():
        for source, lookup in watched().get(table, []):
            if lookup == "pk":
                out[source.key] |= pks
            else:
                model = source.base().model
                for start in range(0, len(pks), BATCH):
                    chunk = list(pks)[start : start + BATCH]
                    out[source.key] |= set(
                        model._default_manager.filter(**{f"{lookup}__in": chunk}).values_list("pk", flat=True)
                    )
    return out


def pending() -> bool:
    """One query: whether records changed since the last flush. Read by the primary key's index: the table is a
    queue, and a scan would read every page it ever grew to (a bulk import leaves millions of dead rows until
    ``VACUUM``)."""
    return RollupChange.objects.order_by("pk").values_list("pk", flat=True).first() is not None


def _take() -> list[tuple[int, str, int]]:
    """Take every change committed so far: deleted and returned in one statement, so a change committed meanwhile
    (whatever its id) stays for the next flush."""
    table = connection.ops.quote_name(RollupChange._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} RETURNING id, table_name, record_id")  # noqa: S608  # nosec B608
        return [(int(i), str(t), int(r)) for i, t, r in cursor.fetchall()]


def _compact(taken: int) -> None:
    """After a flush that took many changes (a bulk import), ``VACUUM`` the queue on PostgreSQL, so that the next
    reads do not scan the pages those rows left (autovacuum does it too, in its own time). Not inside a transaction,
    where ``VACUUM`` cannot run."""
    if taken < COMPACT_AFTER or connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {connection.ops.quote_name(RollupChange._meta.db_table)}")


def _note_taken(changes: list[tuple[int, str, int]]) -> None:
    """Keep the highest change id taken (``RollupState.changes_through``, creating the state row when missing). Never
    lowered: a change taken late may have a lower id than one taken before (the cache's data version reads the highest
    id ever noted, ``stats.cache.data_version``)."""
    last = max((c[0] for c in changes), default=0)
    state = RollupState.objects.filter(pk=1).values_list("changes_through", flat=True).first()
    if state is None:
        RollupState.objects.create(pk=1, changes_through=last)
    elif last > state:
        RollupState.objects.filter(pk=1).update(changes_through=last)


def flush(*, wait: float | None = None) -> int:
    """Bring the rollups up to date with every committed change (and the caller's own). Returns the records
    recounted. One query when nothing changed. ``wait``: for the lock, seconds at most (a reader), then
    :class:`~fuyuan.lib.errors.Busy`; None (a worker): as long as it takes."""
    if not pending():
        return 0
    with transaction.atomic():
        lock(wait)
        changes = _take()
        if not changes:
            return 0
        recount = affected((table, pk) for _id, table, pk in changes)
        for key, ids in recount.items():
            apply(ALL_SOURCES[key], sorted(ids))
        _note_taken(changes)
    _compact(len(changes))
    return sum(len(ids) for ids in recount.values())


# --- building them all ---------------------------------------------------------------------------------------------


def insert_select(model: type[models.Model], fields: list[str], qs: QuerySet, aliases: list[str]) -> None:
    """``INSERT INTO model (fields) SELECT aliases FROM (qs)``: rows computed by the database, never in Python."""
    quote = connection.ops.quote_name
    sql, params = qs.query.sql_with_params()
    columns = ", ".join(quote(str(getattr(model._meta.get_field(f), "column", f))) for f in fields)
    select = ", ".join(quote(a) for a in aliases)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {select} FROM ({sql}) AS lines",  # noqa: S608  # nosec B608 - our own SQL
            params,
        )


def build_source(source: Source) -> None:
    """Write the ledger of every record of the source (in SQL; the caller holds the lock and emptied it)."""
    aliases = ["r_record", "r_task", "r_day", "r_region", "r_city", "r_unit", *COLUMNS]
    fields = ["source", *LINE_FIELDS]
    for tasks in task_kinds(source):
        qs = lines(source, tasks=tasks).annotate(r_source=Value(source.key))
        insert_select(RollupEntry, fields, qs.values("r_source", *aliases), ["r_source", *aliases])


def _sum_ledger(*, by_unit: bool, grain: int, everywhere: bool = False, source: str | None = None) -> QuerySet:
    """The ledger summed as the rollups keep it (one of their six kinds of row): values ``g_*`` and ``t_*``."""
    group: dict[str, Any] = {
        "g_source": F("source"),
        "g_grain": Value(grain),
        # a date, as ``Rollup.month`` (PostgreSQL's DATE_TRUNC gives a timestamp)
        "g_month": Cast(TruncMonth("day") if grain == Rollup.MONTH else TruncYear("day"), models.DateField()),
        "g_region": Value(EVERYWHERE) if everywhere else F("region_id"),
        "g_city": Value(EVERYWHERE) if everywhere else F("city_id"),
        "g_unit": F("unit_id") if by_unit else Value(0),
        "g_task": F("task_id"),
    }
    qs = RollupEntry.objects.all() if source is None else RollupEntry.objects.filter(source=source)
    if by_unit:
        qs = qs.exclude(unit_id=0)
    sums = {f"t_{c}": Sum(c) for c in COLUMNS}
    return qs.annotate(**group).values(*group).annotate(**sums).values(*group, *sums).order_by()


def ledger_sums(source: str | None = None) -> list[QuerySet]:
    """The ledger (of one source, or all) summed into each of the rollups' six kinds of row: by region, by unit and
    every region together, each per month and per year."""
    kinds = ((False, False), (True, False), (False, True))
    return [
        _sum_ledger(by_unit=by_unit, grain=grain, everywhere=everywhere, source=source)
        for by_unit, everywhere in kinds
        for grain in (Rollup.MONTH, Rollup.YEAR)
    ]


SUM_FIELDS = ["source", "grain", "month", "region_id", "city_id", "unit_id", "task_id", *COLUMNS]
SUM_ALIASES = ["g_source", "g_grain", "g_month", "g_region", "g_city", "g_unit", "g_task", *(f"t_{c}" for c in COLUMNS)]


def sum_ledger_into_rollups(source: str | None = None) -> None:
    """Write the rollups of one source (or all) from its ledger, in SQL (the caller holds the lock and emptied them)."""
    for rows in ledger_sums(source):
        insert_select(Rollup, SUM_FIELDS, rows, SUM_ALIASES)


def rebuild() -> None:
    """Count every record again from nothing (after a change of the sources' counts, or to repair)."""
    with transaction.atomic():
        lock()
        # Taken first, in one statement, as a flush takes them: the build below counts every record as it is now, so
        # these changes are in it; one committed meanwhile (whatever its id) stays for the next flush.
        changes = _take()
        for model in (Rollup, RollupEntry):
            model.objects.all().delete()
        for source in ALL_SOURCES.values():
            build_source(source)
        sum_ledger_into_rollups()
        _note_taken(changes)
        RollupState.objects.filter(pk=1).update(layout=layout(), built_at=timezone.now())
    _compact(len(changes))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Rollup._meta.db_table}, {RollupEntry._meta.db_table}")  # nosec B608


def ensure_layout() -> bool:
    """Rebuild when the rollups were built for other counts (after ``migrate``). Returns whether it rebuilt."""
    state = RollupState.objects.filter(pk=1).values_list("layout", flat=True).first()
    if state == layout():
        return False
    rebuild()
    return True
