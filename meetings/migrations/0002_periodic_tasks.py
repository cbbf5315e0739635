"""The reminder scan of the meetings app in django-celery-beat's database scheduler (editable in the admin)."""

from django.db import migrations

TASKS = [
    # name, task, every (seconds)
    ("联席会议与议定事项提醒", "meetings.scan_reminders", 60),
]


def create(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, seconds in TASKS:
        every, _ = Interval.objects.get_or_create(every=seconds, period="seconds")
        Periodic.objects.get_or_create(name=name, defaults={"task": task, "interval": every})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[t[0] for t in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(create, remove)]
