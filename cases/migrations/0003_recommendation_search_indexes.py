"""Trigram indexes for the search box (文号, 案号, title), on PostgreSQL only.

Django's ``icontains`` is ``UPPER(col::text) LIKE UPPER('%…%')`` on PostgreSQL, so the GIN
trigram indexes are on ``UPPER(col)``; with them a search over 100,000 recommendations is a
few index lookups instead of reading the table. SQLite (development without services) skips them.
"""

from django.db import migrations

COLUMNS = ("number", "case_number", "title")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS recommendation_{column}_trgm ON cases_judicialrecommendation "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS recommendation_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_recommendation_alert_task")]

    operations = [migrations.RunPython(create, remove)]
