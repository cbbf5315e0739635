"""The kinds of case referral the platform ships with (administrators edit them in the admin)."""

from django.db import migrations

# code, name, answer days, working days?, extension days, outcomes, resend allowed, default task number
KINDS = [
    ("criminal_transfer", "两法衔接案件移送", 3, False, 0, ["case_opened", "case_not_opened"], True, 5),
    ("mediation", "委派调解", 30, False, 30, ["resolved", "failed", "withdrawn"], True, 8),
    ("enforcement_inquiry", "执行查控", 7, True, 0, ["found", "not_found"], True, 7),
    ("petition", "信访转办", 15, False, 0, ["done"], True, 9),
    ("bankruptcy", "破产协调", 30, False, 0, ["done"], True, 2),
    ("notice", "线索通报", None, False, 0, ["done"], False, None),
]


def create(apps, schema_editor):
    Kind = apps.get_model("cases", "ReferralKind")
    Task = apps.get_model("members", "WorkTask")
    for order, (code, name, days, working, extension, outcomes, resend, task) in enumerate(KINDS, start=1):
        Kind.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "answer_days": days,
                "working_days": working,
                "extension_days": extension,
                "outcomes": outcomes,
                "resend_allowed": resend,
                "default_task": Task.objects.filter(number=task).first() if task else None,
                "order": order,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("cases", "ReferralKind").objects.filter(code__in=[k[0] for k in KINDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("members", "0002_load_organisation")]

    operations = [migrations.RunPython(create, remove)]
