"""The rollups' change queue (``RollupChange``) is written and emptied all day: on PostgreSQL, autovacuum takes it after
every 1,000 dead rows rather than after a fifth of the table, so a read of the queue never scans pages of rows long
taken. SQLite has no autovacuum settings: nothing to do there."""

from typing import Any

from django.db import migrations

TABLE = "stats_rollupchange"


def _set(apps: Any, schema_editor: Any, options: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} {options}")


def forwards(apps: Any, schema_editor: Any) -> None:
    _set(apps, schema_editor, "SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000)")


def backwards(apps: Any, schema_editor: Any) -> None:
    _set(apps, schema_editor, "RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold)")


class Migration(migrations.Migration):
    dependencies = [("stats", "0012_recommendation_open_issued")]

    operations = [migrations.RunPython(forwards, backwards)]
