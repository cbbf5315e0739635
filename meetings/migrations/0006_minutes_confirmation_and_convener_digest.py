"""Minutes confirmation (无意见 / 有修改意见, the early-issue override) and the convener's digest of replies and
agenda proposals (``reported_at``, its partial indexes, its periodic task).

Replies and proposals made before this migration count as reported: the first digest does not repeat history.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DIGEST_TASK = ("参会答复与议题建议汇总", "meetings.send_convener_digests", 30 * 60)


def backfill_and_schedule(apps, schema_editor):
    Invitation = apps.get_model("meetings", "Invitation")
    TopicProposal = apps.get_model("meetings", "TopicProposal")
    Invitation.objects.filter(replied_at__isnull=False).update(reported_at=models.F("replied_at"))
    TopicProposal.objects.update(reported_at=models.F("created_at"))
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    name, task, seconds = DIGEST_TASK
    every, _ = Interval.objects.get_or_create(every=seconds, period="seconds")
    Periodic.objects.get_or_create(name=name, defaults={"task": task, "interval": every})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=DIGEST_TASK[0]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_level_indexes"),
        ("members", "0008_level_constraints"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalinvitation",
            name="reported_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="已告知召集方"),
        ),
        migrations.AddField(
            model_name="historicalminutes",
            name="override_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="提前印发决定人",
            ),
        ),
        migrations.AddField(
            model_name="historicalminutes",
            name="override_reason",
            field=models.TextField(blank=True, verbose_name="提前印发理由"),
        ),
        migrations.AddField(
            model_name="historicalminutesconfirmation",
            name="verdict",
            field=models.CharField(
                choices=[("agreed", "无意见"), ("amend", "有修改意见")],
                default="agreed",
                max_length=10,
                verbose_name="确认意见",
            ),
        ),
        migrations.AddField(
            model_name="historicaltopicproposal",
            name="reported_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="已告知召集方"),
        ),
        migrations.AddField(
            model_name="invitation",
            name="reported_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="已告知召集方"),
        ),
        migrations.AddField(
            model_name="minutes",
            name="override_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="提前印发决定人",
            ),
        ),
        migrations.AddField(
            model_name="minutes",
            name="override_reason",
            field=models.TextField(blank=True, verbose_name="提前印发理由"),
        ),
        migrations.AddField(
            model_name="minutesconfirmation",
            name="verdict",
            field=models.CharField(
                choices=[("agreed", "无意见"), ("amend", "有修改意见")],
                default="agreed",
                max_length=10,
                verbose_name="确认意见",
            ),
        ),
        migrations.AddField(
            model_name="topicproposal",
            name="reported_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="已告知召集方"),
        ),
        migrations.AddIndex(
            model_name="invitation",
            index=models.Index(
                condition=models.Q(("replied_at__isnull", False), ("reported_at__isnull", True)),
                fields=["meeting"],
                name="invitation_unreported",
            ),
        ),
        migrations.AddIndex(
            model_name="topicproposal",
            index=models.Index(
                condition=models.Q(("reported_at__isnull", True)), fields=["meeting"], name="proposal_unreported"
            ),
        ),
        migrations.RunPython(backfill_and_schedule, unschedule),
    ]
