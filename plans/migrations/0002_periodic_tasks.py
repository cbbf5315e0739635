"""The work plan's alert scan in django-celery-beat's database scheduler (editable in the admin), every 5
minutes like the other deadline scans (cases.scan_recommendation_alerts, cases.scan_referral_alerts)."""

from django.db import migrations

NAME = "工作要点与督办提醒"


def create(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = Interval.objects.get_or_create(every=300, period="seconds")
    Periodic.objects.get_or_create(name=NAME, defaults={"task": "plans.scan_plan_alerts", "interval": every})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(create, remove)]
