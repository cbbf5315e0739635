"""The quarterly report in django-celery-beat's database scheduler (editable in the admin).

The crontab fires at 07:30 on the first ten days of January, April, July and October; the task
itself checks the Chinese official calendar and acts only on the quarter's first working day
(after the National Day holiday that can be 8 October).
"""

from django.db import migrations

NAME = "季度定期报告"
TASK = "stats.prepare_quarterly_report"


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = Crontab.objects.get_or_create(
        minute="30",
        hour="7",
        day_of_month="1-10",
        month_of_year="1,4,7,10",
        day_of_week="*",
        timezone="Asia/Shanghai",
    )
    Periodic.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": schedule})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(create, remove)]
