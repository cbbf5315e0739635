"""Partial indexes for the figures' day counts (``stats.tally``: overdue now, owed by now), read among the open
records of a period: the referrals whose clock runs (受理/签收) by send time, the recommendations not yet replied
to by issue date; and the late panel's recommendations overdue now. Created here, by the statistics that need them, as plain SQL (``IF NOT EXISTS``), like 0003."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stats", "0008_rollup_years")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS referral_clock_sent ON cases_referral (sent_at, due) "
            "WHERE status IN ('acknowledged', 'accepted')",
            "DROP INDEX IF EXISTS referral_clock_sent",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS recommendation_unreplied_issued ON cases_judicialrecommendation "
            "(issued_on, reply_due) WHERE replied_at IS NULL",
            "DROP INDEX IF EXISTS recommendation_unreplied_issued",
        ),
        # The dashboard's late panel: every referral overdue now, counted from the index alone (with its region).
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS referral_late_now ON cases_referral (due, city_id, region_id) "
            "WHERE status IN ('acknowledged', 'accepted') AND sent_at IS NOT NULL",
            "DROP INDEX IF EXISTS referral_late_now",
        ),
        # The dashboard's late panel: every recommendation overdue now (issued or signed for, past its reply date).
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS recommendation_open_due ON cases_judicialrecommendation (reply_due, id) "
            "WHERE status IN ('issued', 'acknowledged')",
            "DROP INDEX IF EXISTS recommendation_open_due",
        ),
    ]
