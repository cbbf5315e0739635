"""The database triggers that note every change to a counted table (``stats.rollups``), on PostgreSQL and SQLite.

One trigger per table: the counted models (each source's own model and the relations it ``follows``) and their
many-to-many tables, which note the owning record. They are (re)installed after every ``migrate``, from the
sources as they are now, so a new source or relation is watched without a migration of its own.

A counted model's trigger fires on an UPDATE only of the columns the rollups read (:func:`read_columns`, found in
the ledger's own SQL): the alert engine's bulk moves of ``next_alert_at`` over thousands of records are then not
changes to recount.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from stats.models import RollupChange
from stats.rollups import lines, watched

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
# A many-to-many table on PostgreSQL: one trigger per statement, noting each owner once, from the statement's
# transition tables (a draft linked to four hundred earlier recommendations writes one change, not four hundred).
PG_LINKS_FUNCTION = """
CREATE OR REPLACE FUNCTION stats_note_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO {table} (table_name, record_id)
        SELECT DISTINCT TG_ARGV[0], (to_jsonb(o) ->> TG_ARGV[1])::bigint FROM old_rows o;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO {table} (table_name, record_id)
        SELECT DISTINCT TG_ARGV[0], (to_jsonb(n) ->> TG_ARGV[1])::bigint FROM new_rows n;
    END IF;
    RETURN NULL;
END $$;
"""
LINK_EVENTS = (
    ("ins", "INSERT", "REFERENCING NEW TABLE AS new_rows"),
    ("upd", "UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("del", "DELETE", "REFERENCING OLD TABLE AS old_rows"),
)


def _models() -> dict[str, type[Model]]:
    from django.apps import apps

    return {m._meta.db_table: m for m in apps.get_models()}


def targets() -> list[tuple[str, str, str]]:
    """``(table to watch, table noted, column of the noted record)``: each counted table, and its many-to-many
    tables noting their owner."""
    out: list[tuple[str, str, str]] = []
    by_table = _models()
    for table in watched():
        model = by_table[table]
        out.append((table, table, str(model._meta.pk.column)))
        for field in model._meta.many_to_many:
            m2m: Any = field
            out.append((m2m.remote_field.through._meta.db_table, table, m2m.m2m_column_name()))
    return out


def read_columns(table: str, model: type[Model]) -> list[str]:
    """The columns of ``table`` the ledger lines of the sources watching it may read: every column whose name is
    quoted anywhere in their SQL (under any alias; a name shared with another table's column is kept too, so
    nothing read is ever missed). The primary key is always among them."""
    quoted: set[str] = set()
    for source, _lookup in watched()[table]:
        for tasks in (False, True) if source.task_field else (False,):
            quoted |= set(re.findall(r'"(\w+)"', str(lines(source, tasks=tasks).query)))
    columns = [str(field.column) for field in model._meta.concrete_fields]
    return [column for column in columns if column in quoted or column == model._meta.pk.column]


def install(using: BaseDatabaseWrapper | None = None) -> int:
    """Create (or replace) the triggers. Returns how many tables are watched."""
    conn = using or connection
    quote = conn.ops.quote_name
    change = quote(RollupChange._meta.db_table)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(PG_FUNCTION.format(table=change))
            cursor.execute(PG_LINKS_FUNCTION.format(table=change))
        models = _models()
        for table, noted, column in targets():
            name = f"stats_change_{table}"[:63]
            update = "UPDATE"  # a many-to-many row: any change of it
            if table == noted:  # a counted model: the columns the rollups read
                update += " OF " + ", ".join(quote(c) for c in read_columns(table, models[table]))
            if conn.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)} ON {quote(table)}")
                if table != noted:
                    _install_links(cursor, quote, table, noted, column)
                    continue
                cursor.execute(
                    f"CREATE TRIGGER {quote(name)} AFTER INSERT OR {update} OR DELETE ON {quote(table)} "
                    f"FOR EACH ROW EXECUTE FUNCTION stats_note_change('{noted}', '{column}')"
                )
                continue
            for event, rows in (("INSERT", ["NEW"]), (update, ["OLD", "NEW"]), ("DELETE", ["OLD"])):
                trigger = quote(f"{name}_{event.split()[0].lower()}")
                values = ", ".join(f"('{noted}', {row}.{quote(column)})" for row in rows)
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
                body = f"INSERT INTO {change} (table_name, record_id) VALUES {values}"  # noqa: S608  # nosec B608
                cursor.execute(
                    f"CREATE TRIGGER {trigger} AFTER {event} ON {quote(table)} FOR EACH ROW BEGIN {body}; END"
                )
    return len(targets())


def _install_links(cursor: Any, quote: Any, table: str, noted: str, column: str) -> None:
    """PostgreSQL: the statement triggers of a many-to-many table (:data:`PG_LINKS_FUNCTION`), one per event (a
    trigger with transition tables fires for one event)."""
    for suffix, event, referencing in LINK_EVENTS:
        name = quote(f"stats_change_{table}"[:59] + f"_{suffix}")
        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {quote(table)}")
        cursor.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {quote(table)} {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION stats_note_links('{noted}', '{column}')"
        )
