"""The hearing reminder scan in django-celery-beat's database scheduler (every 5 minutes, editable in the admin)."""

from django.db import migrations

NAME = "出庭应诉回复提醒"


def create(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = Interval.objects.get_or_create(every=300, period="seconds")
    Periodic.objects.get_or_create(name=NAME, defaults={"task": "cases.scan_hearing_alerts", "interval": every})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0110_hearings"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(create, remove)]
