"""Trigram indexes for searching referrals by case number and subject (``?search=``) at scale."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0091_referral_periodic_task")]

    operations = [
        migrations.RunSQL(
            sql=[
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                "CREATE INDEX IF NOT EXISTS referral_search_trgm ON cases_referral "
                "USING gin ((case_number || ' ' || subject) gin_trgm_ops)",
            ],
            reverse_sql=["DROP INDEX IF EXISTS referral_search_trgm"],
        )
    ]
