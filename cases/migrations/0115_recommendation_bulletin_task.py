"""The quarterly 通报 of judicial recommendations in django-celery-beat's database scheduler (editable in the admin).

The crontab fires every morning at 07:40 (Asia/Shanghai); the task itself checks the Chinese official calendar
and acts only on the first working day of a quarter (after the National Day holiday that can be 8 October),
producing the bulletins of the quarter just ended.
"""

from django.db import migrations

NAME = "司法建议季度通报"
TASK = "cases.generate_recommendation_bulletins"


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = Crontab.objects.get_or_create(
        minute="40",
        hour="7",
        day_of_month="*",
        month_of_year="*",
        day_of_week="*",
        timezone="Asia/Shanghai",
    )
    Periodic.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": schedule})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0114_recommendation_bulletins"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
