"""An index for "what is late now" among case referrals (the dashboard's late panel, the lists' overdue filter).

Referrals are the cases app's; the index is created here, by the statistics that need it, as plain
SQL so that the cases app's model state is untouched. ``IF NOT EXISTS`` lets the cases app adopt it later.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stats", "0002_quarterly_report_task"), ("cases", "0100_merge_recommendations_referrals")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS referral_open_due ON cases_referral (due, id) "
            "WHERE status IN ('acknowledged', 'accepted')",
            "DROP INDEX IF EXISTS referral_open_due",
        )
    ]
