"""Trigram indexes for searching referrals by case number and subject (``?search=``) at scale."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":  # SQLite (development without services) skips it
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS referral_search_trgm ON cases_referral "
        "USING gin ((case_number || ' ' || subject) gin_trgm_ops)"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS referral_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("cases", "0091_referral_periodic_task")]

    operations = [migrations.RunPython(create, remove)]
