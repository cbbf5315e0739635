"""Warm the dashboard's cache every two minutes (django-celery-beat's database scheduler)."""

from django.db import migrations

NAME = "统计数据预计算"
TASK = "stats.warm_dashboard_cache"
EVERY_SECONDS = 120


def create(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = Interval.objects.get_or_create(every=EVERY_SECONDS, period="seconds")
    Periodic.objects.get_or_create(name=NAME, defaults={"task": TASK, "interval": every})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0003_referral_open_due_index"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
