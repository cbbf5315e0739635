"""The late panel's counts from the indexes alone (PostgreSQL): every referral and recommendation overdue now is
counted by an index-only scan, with what the count reads (status, the 市州/区划, the id) carried in the index. And
the layout of the rollups changes (``Source.less``, the rows of every region): ``migrate`` rebuilds them after.

SQLite (``make run``) has no INCLUDE: its indexes of 0009 stay as they are."""

from django.db import migrations

LATE = {
    "referral_late_now": (
        "CREATE INDEX referral_late_now ON cases_referral (due, city_id, region_id) INCLUDE (status, id) "
        "WHERE status IN ('acknowledged', 'accepted') AND sent_at IS NOT NULL",
        "CREATE INDEX referral_late_now ON cases_referral (due, city_id, region_id) "
        "WHERE status IN ('acknowledged', 'accepted') AND sent_at IS NOT NULL",
    ),
    "recommendation_open_due": (
        "CREATE INDEX recommendation_open_due ON cases_judicialrecommendation (reply_due, city_id, region_id) "
        "INCLUDE (status, issued_on, id) WHERE status IN ('issued', 'acknowledged')",
        "CREATE INDEX recommendation_open_due ON cases_judicialrecommendation (reply_due, id) "
        "WHERE status IN ('issued', 'acknowledged')",
    ),
}


def _swap(schema_editor, which: int) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, sql in LATE.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(sql[which])


def forwards(apps, schema_editor) -> None:
    _swap(schema_editor, 0)


def backwards(apps, schema_editor) -> None:
    _swap(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("stats", "0009_open_record_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
