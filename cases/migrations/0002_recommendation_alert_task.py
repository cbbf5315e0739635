"""The periodic scan of the recommendations' alert ladder, in django-celery-beat's database scheduler."""

from django.db import migrations

NAME = "司法建议提醒扫描"
TASK = "cases.scan_recommendation_alerts"
EVERY_SECONDS = 300


def create(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = Interval.objects.get_or_create(every=EVERY_SECONDS, period="seconds")
    Periodic.objects.get_or_create(name=NAME, defaults={"task": TASK, "interval": every})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_recommendations"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(create, remove)]
