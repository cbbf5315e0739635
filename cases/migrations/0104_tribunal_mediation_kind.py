"""The referral kind 人民法庭对接化解 (issue 13): a 人民法庭 or basic court hands a dispute to a township,
street or village mediation body; answered like 委派调解 (30 days, one 30-day extension)."""

from django.db import migrations

CODE = "tribunal_mediation"


def create(apps, schema_editor):
    Kind = apps.get_model("cases", "ReferralKind")
    Task = apps.get_model("members", "WorkTask")
    last = Kind.objects.order_by("-order").values_list("order", flat=True).first() or 0
    Kind.objects.update_or_create(
        code=CODE,
        defaults={
            "name": "人民法庭对接化解",
            "answer_days": 30,
            "working_days": False,
            "extension_days": 30,
            "outcomes": ["resolved", "failed", "withdrawn"],
            "resend_allowed": True,
            "default_task": Task.objects.filter(number=8).first(),
            "order": last + 1,
        },
    )


def remove(apps, schema_editor):
    apps.get_model("cases", "ReferralKind").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0103_level_list_indexes")]

    operations = [migrations.RunPython(create, remove)]
