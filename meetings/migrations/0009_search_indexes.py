"""Trigram indexes for the searches of the meeting lists and the header search (``q``), on PostgreSQL only.

The lists' ``q`` is ``icontains`` (``UPPER(col::text) LIKE UPPER('%…%')``), so the GIN trigram indexes are
on ``UPPER(col)``, as cases 0003 does for recommendations. SQLite (development without services) skips them.
"""

from django.db import migrations

INDEXES = (
    ("meeting_title_trgm", "meetings_meeting", "title"),
    ("meeting_location_trgm", "meetings_meeting", "location"),
    ("consultation_topic_trgm", "meetings_consultation", "topic"),
    ("consultation_case_number_trgm", "meetings_consultation", "case_number"),
    ("decision_text_trgm", "meetings_decision", "text"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)")


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("meetings", "0008_past_meetings_and_attendance")]

    operations = [migrations.RunPython(create, remove)]
