"""The levels' data: the division tree, the basic courts and the offices of every 市州 and 县市区.

The constraints that need this data come in 0008: PostgreSQL refuses to alter a table with pending trigger
events in the transaction that changed its rows."""

from django.db import migrations


def load_levels(apps, schema_editor):
    """The division tree, the basic courts and the office of every 市州 and 县市区 (idempotent)."""
    from members import org_data

    Region = apps.get_model("members", "Region")
    MemberUnit = apps.get_model("members", "MemberUnit")
    org_data.load_levels(Region, MemberUnit)
    # Courts an administrator added before courts had levels count as basic courts until edited.
    MemberUnit.objects.filter(kind="court", court_level="").update(court_level="basic")


class Migration(migrations.Migration):
    dependencies = [("members", "0006_levels")]

    operations = [
        migrations.RunPython(load_levels, migrations.RunPython.noop),
    ]
