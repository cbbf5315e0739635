"""The database triggers that note every change to a counted table (``stats.rollups``), on PostgreSQL and SQLite.

One trigger per table: the counted models (each source's own model and the relations it ``follows``) and their
many-to-many tables, which note the owning record. They are (re)installed after every ``migrate``, from the
sources as they are now, so a new source or relation is watched without a migration of its own.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from stats.models import RollupChange
from stats.rollups import watched

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION stats_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO {table} (table_name, record_id) VALUES (TG_ARGV[0], (to_jsonb(OLD) ->> TG_ARGV[1])::bigint);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (to_jsonb(OLD) ->> TG_ARGV[1]) <> (to_jsonb(NEW) ->> TG_ARGV[1])) THEN
        INSERT INTO {table} (table_name, record_id) VALUES (TG_ARGV[0], (to_jsonb(NEW) ->> TG_ARGV[1])::bigint);
    END IF;
    RETURN NULL;
END $$;
"""


def targets() -> list[tuple[str, str, str]]:
    """``(table to watch, table noted, column of the noted record)``: each counted table, and its many-to-many
    tables noting their owner."""
    from django.apps import apps

    out: list[tuple[str, str, str]] = []
    by_table: dict[str, type[Model]] = {m._meta.db_table: m for m in apps.get_models()}
    for table in watched():
        model = by_table[table]
        out.append((table, table, str(model._meta.pk.column)))
        for field in model._meta.many_to_many:
            m2m: Any = field
            out.append((m2m.remote_field.through._meta.db_table, table, m2m.m2m_column_name()))
    return out


def install(using: BaseDatabaseWrapper | None = None) -> int:
    """Create (or replace) the triggers. Returns how many tables are watched."""
    conn = using or connection
    quote = conn.ops.quote_name
    change = quote(RollupChange._meta.db_table)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(PG_FUNCTION.format(table=change))
        for table, noted, column in targets():
            name = f"stats_change_{table}"[:63]
            if conn.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)} ON {quote(table)}")
                cursor.execute(
                    f"CREATE TRIGGER {quote(name)} AFTER INSERT OR UPDATE OR DELETE ON {quote(table)} "
                    f"FOR EACH ROW EXECUTE FUNCTION stats_note_change('{noted}', '{column}')"
                )
                continue
            for event, rows in (("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]), ("DELETE", ["OLD"])):
                trigger = quote(f"{name}_{event.lower()}")
                values = ", ".join(f"('{noted}', {row}.{quote(column)})" for row in rows)
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
                body = f"INSERT INTO {change} (table_name, record_id) VALUES {values}"  # noqa: S608  # nosec B608
                cursor.execute(
                    f"CREATE TRIGGER {trigger} AFTER {event} ON {quote(table)} FOR EACH ROW BEGIN {body}; END"
                )
    return len(targets())
