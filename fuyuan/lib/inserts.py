"""Many rows in one multi-row ``INSERT``, without a model instance per row.

``bulk_create`` builds a model instance per row and prepares every field of every row through the
ORM: for the notices of a 1,000-row alert scan (4,000 rows) that was a third of the scan's time. A
writer that already holds plain values (ints, strings) hands them to :func:`insert_ignoring_conflicts`
instead. The statement is what ``bulk_create(ignore_conflicts=True)`` sends: on PostgreSQL one
``INSERT … SELECT * FROM UNNEST(one array per column) ON CONFLICT DO NOTHING`` (a ``VALUES`` list of
thousands of rows takes the server longer to plan than to run); elsewhere ``INSERT OR IGNORE … VALUES``
(SQLite) in as many statements as the backend's parameter limit asks. A row that breaks a unique
constraint is skipped; no signals are sent (neither does ``bulk_create``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db import connections, models, router
from django.db.models.constants import OnConflict
from django.db.models.expressions import DatabaseDefault


def insert_ignoring_conflicts(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *, using: str | None = None
) -> None:
    """Insert ``rows`` (the values of ``fields``, in that order) into ``model``'s table; skip the conflicting ones.

    The values are written as they are: plain ints and strings, or what ``Field.get_db_prep_save`` gives
    (a datetime, say, must be prepared: SQLite stores it as text). Every other concrete field (but the
    automatic primary key) gets what ``bulk_create`` would give it, the same for every row: its default, or
    the current time for ``auto_now``/``auto_now_add``. A field whose value is None is left out of the
    statement (NULL), and so is one with a database default.
    """
    if not rows:
        return
    using = using or router.db_for_write(model)
    connection = connections[using]
    meta = model._meta
    given = [cast("models.Field[Any, Any]", meta.get_field(name)) for name in fields]
    blank = model()  # one instance per call: the defaults, and auto_now(_add) through the fields' pre_save
    fixed: list[tuple[models.Field[Any, Any], Any]] = []
    for field in meta.concrete_fields:
        if field in given or field.generated or (field.primary_key and getattr(field, "db_returning", False)):
            continue
        value = field.pre_save(blank, add=True)
        if value is not None and not isinstance(value, DatabaseDefault):
            fixed.append((field, field.get_db_prep_save(value, connection)))
    columns = [*given, *(field for field, _value in fixed)]
    tail = [value for _field, value in fixed]
    qn = connection.ops.quote_name
    head = (
        f"{connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)} {qn(meta.db_table)} "
        f"({', '.join(qn(str(field.column)) for field in columns)})"
    )
    suffix = connection.ops.on_conflict_suffix_sql(columns, OnConflict.IGNORE, None, None) or ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column (as bulk_create on PostgreSQL), the defaults as scalars.
            arrays = ", ".join(f"%s::{str(field.db_type(connection)).split('(')[0]}[]" for field in given)
            select = ", ".join(["u.*", *(["%s"] * len(tail))])
            sql = f"{head} SELECT {select} FROM UNNEST({arrays}) AS u {suffix}"  # noqa: S608  # nosec B608 - quoted names of our own table and columns; values are parameters
            cursor.execute(sql, [*tail, *(list(column) for column in zip(*rows, strict=True))])
            return
        size = max(1, connection.ops.bulk_batch_size(columns, rows))
        one = f"({', '.join(['%s'] * len(columns))})"
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            sql = f"{head} VALUES {', '.join([one] * len(chunk))} {suffix}"  # nosec B608 - quoted names of our own table and columns; values are parameters
            cursor.execute(sql, [value for row in chunk for value in (*row, *tail)])
