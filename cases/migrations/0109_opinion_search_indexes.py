"""Trigram indexes for the opinion list's search box (事项, 文件名称, 文件编号), on PostgreSQL only.

``icontains`` is ``UPPER(col::text) LIKE UPPER('%…%')`` on PostgreSQL, hence the GIN trigram indexes on
``UPPER(col)`` (as for the recommendations, 0003). SQLite (development without services) skips them.
"""

from django.db import migrations

COLUMNS = ("subject", "document_title", "document_number")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS opinion_{column}_trgm ON cases_opinion USING gin (UPPER({column}) gin_trgm_ops)"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS opinion_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("cases", "0108_opinion_periodic_task")]

    operations = [migrations.RunPython(create, remove)]
