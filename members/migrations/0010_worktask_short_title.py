"""The ten tasks' short titles (the dashboard's axes read "生态环境保护", not "任务5")."""

from django.db import migrations, models


def fill_short_titles(apps, schema_editor):
    """The default short title of each of the ten tasks whose title is still the Opinion's (an edited title is
    left without one: its pages show the title until an administrator gives it a short one)."""
    from members import org_data

    WorkTask = apps.get_model("members", "WorkTask")
    for number, title, _leads, _participants in org_data.TASKS:
        WorkTask.objects.filter(number=number, title=title, short_title="").update(
            short_title=org_data.SHORT_TITLES[number]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0009_field_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalworktask",
            name="short_title",
            field=models.CharField(
                blank=True,
                help_text="图表和窄屏上使用,如“生态环境保护”;留空则用名称。",
                max_length=20,
                verbose_name="简称",
            ),
        ),
        migrations.AddField(
            model_name="worktask",
            name="short_title",
            field=models.CharField(
                blank=True,
                help_text="图表和窄屏上使用,如“生态环境保护”;留空则用名称。",
                max_length=20,
                verbose_name="简称",
            ),
        ),
        migrations.RunPython(fill_short_titles, migrations.RunPython.noop),
    ]
