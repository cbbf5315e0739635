"""The recommendations' day counts (``Source.less``: the unreplied or open ones not yet due) read by issue date,
among the unreplied or open recommendations only. Created here, by the statistics that need it, as plain SQL
(``IF NOT EXISTS``), like 0009."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stats", "0011_rollup_unit_index")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS recommendation_open_issued ON cases_judicialrecommendation "
            "(issued_on, reply_due) WHERE replied_at IS NULL OR status IN ('issued', 'acknowledged')",
            "DROP INDEX IF EXISTS recommendation_open_issued",
        ),
    ]
