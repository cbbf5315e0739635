"""Joins the two histories of the cases app: judicial recommendations and case referrals were
built side by side, each with its own initial migration."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_recommendation_open_due"), ("cases", "0092_referral_search_index")]

    operations: list = []
