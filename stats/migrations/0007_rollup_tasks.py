"""The rollups' periodic tasks (django-celery-beat's database scheduler): take the saved changes every minute, so a
reader seldom has any to take; recount everything from the records every night at 02:30 and repair any drift."""

from django.db import migrations

FLUSH = ("统计汇总更新", "stats.flush_rollups")
CHECK = ("统计汇总核对", "stats.check_rollups")


def create(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = Interval.objects.get_or_create(every=60, period="seconds")
    Periodic.objects.get_or_create(name=FLUSH[0], defaults={"task": FLUSH[1], "interval": every})
    nightly, _ = Crontab.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    Periodic.objects.get_or_create(name=CHECK[0], defaults={"task": CHECK[1], "crontab": nightly})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[FLUSH[0], CHECK[0]]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0006_rollups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
