"""Loads the default organisation: 22 member units, partner units, the High Court and the 14
intermediate courts, the 14 市州 and the ten work tasks. Loading twice changes nothing."""

from django.db import migrations


def load(apps, schema_editor):
    from members import org_data

    org_data.load(
        apps.get_model("members", "Region"),
        apps.get_model("members", "MemberUnit"),
        apps.get_model("members", "WorkTask"),
    )


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
