"""The one alert engine (DESIGN.md promise 2).

An object with deadlines stores, in an indexed ``next_alert_at`` column, the earliest time at
which one of its alert stages becomes due. Each app has one periodic task that calls
:func:`scan_due` with its model and a function giving the object's stages. The scan claims due
rows with ``SELECT … FOR UPDATE SKIP LOCKED`` (two scans at once never take the same row),
sends every stage whose time has come and whose window has not closed, and moves
``next_alert_at`` on to the next stage. A stage's ``send`` returns what it has to say (a
notice item, or a list of them); the scan collects them over a batch and hands them to its
``deliver`` once (``members.services.notify_many``: one insert per batch, whose unique key gives
one notice per stage and recipient however often a stage is sent), then moves the batch's
``next_alert_at`` in one statement. A scan that finds nothing costs one index lookup (each app
checks before it calls :func:`scan_due`); a missed scan is caught up by the next one, because
the state lives in the database, not in the queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar, cast

from django.db import connections, models, transaction
from django.db.models import IntegerField, Value

log = logging.getLogger(__name__)

M = TypeVar("M", bound=models.Model)


class Alerted(Protocol):
    """A model with alert stages: its indexed ``next_alert_at`` column."""

    next_alert_at: datetime | None


@dataclass(frozen=True)
class AlertStage:
    """One rung of a ladder: due ``at``; not sent any more from ``until`` (when a later rung took over)."""

    name: str
    at: datetime
    until: datetime | None = None
    send: Callable[[], Any] = field(compare=False, default=lambda: None)

    def due(self, now: datetime) -> bool:
        return self.at <= now and (self.until is None or now < self.until)


def next_alert_time(stages: Sequence[AlertStage], now: datetime) -> datetime | None:
    """When the scan should next look at the object: its earliest stage still to come or still open.

    Transitions call this to re-arm an object; a stage that is already due is returned as is
    (in the past), so that the next scan sends it.
    """
    times = [s.at for s in stages if s.until is None or s.until > now]
    return min(times, default=None)


def run_stages(stages: Sequence[AlertStage], now: datetime, out: list[Any] | None = None) -> datetime | None:
    """Send the stages that are due and return the time of the next one still to come.

    What a stage's ``send`` returns (an item, a list of items, or None) is added to ``out``.
    """
    for stage in stages:
        if stage.due(now):
            said = stage.send()
            if out is not None and said is not None:
                out.extend(said if isinstance(said, list) else [said])
    future = [s.at for s in stages if s.at > now]
    return min(future, default=None)


def scan_due(
    queryset: models.QuerySet[M],
    *,
    now: datetime,
    stages_of: Callable[[M], Sequence[AlertStage]],
    deliver: Callable[[list[Any]], object],
    batch_size: int = 200,
) -> int:
    """Process every row of ``queryset`` whose ``next_alert_at`` has come. Returns how many.

    Per batch of ``batch_size`` rows: one claim (``FOR UPDATE SKIP LOCKED``), the stages' items
    handed to ``deliver`` at once, and one bulk update of ``next_alert_at``, all in one transaction.
    """
    processed = 0
    while True:
        with transaction.atomic():
            rows = list(
                queryset.select_for_update(skip_locked=True, of=("self",))
                .filter(next_alert_at__lte=now)
                .order_by("next_alert_at", "pk")[:batch_size]
            )
            if not rows:
                return processed
            said: list[Any] = []
            for row in rows:
                upcoming = run_stages(stages_of(row), now, said)
                if upcoming is not None and upcoming <= now:  # never loop on the same row
                    log.error("alert stage of %r computed in the past; disarming", row)
                    upcoming = None
                cast(Alerted, row).next_alert_at = upcoming
            if said:
                deliver(said)
            _move_on(queryset.model, queryset.db, rows)
            processed += len(rows)
        if len(rows) < batch_size:
            return processed


def _move_on(model: type[models.Model], using: str, rows: Sequence[models.Model]) -> None:
    """Store each row's new ``next_alert_at`` in one ``UPDATE … SET next_alert_at = CASE pk WHEN … END``.

    What ``bulk_update`` writes, without building one ORM expression per row (a third of a 1,000-row scan).
    """
    connection = connections[using]
    qn = connection.ops.quote_name
    field = cast(models.DateTimeField, model._meta.get_field("next_alert_at"))
    pk = qn(model._meta.pk.column or "id")  # a concrete primary key always has its column
    params: list[Any] = []
    for row in rows:
        params += [row.pk, field.get_db_prep_save(cast(Alerted, row).next_alert_at, connection)]
    case = f"CASE {pk} {' '.join(['WHEN %s THEN %s'] * len(rows))} END"
    if connection.vendor == "postgresql":  # a CASE of NULLs only would be text
        case = f"CAST({case} AS {field.db_type(connection)})"
    ids = ", ".join(["%s"] * len(rows))
    sql = f"UPDATE {qn(model._meta.db_table)} SET {qn(field.column or 'next_alert_at')} = {case} WHERE {pk} IN ({ids})"  # noqa: S608  # nosec B608 - our own table and column names, quoted; the values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *(row.pk for row in rows)])


def due_probe(now: datetime, *tables: tuple[int, models.QuerySet[Any], str]) -> models.QuerySet[Any, tuple[int, Any]]:
    """ONE query over several tables' partial ``next_alert_at`` indexes (no join): ``(tag, column)`` of each due
    row, for an app whose scan covers two kinds of record (``(tag, queryset, column)`` each)."""
    parts = [
        qs.filter(next_alert_at__lte=now).order_by().values_list(Value(tag, output_field=IntegerField()), column)
        for tag, qs, column in tables
    ]
    return parts[0].union(*parts[1:], all=True)
