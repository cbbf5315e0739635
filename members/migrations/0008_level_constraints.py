from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0007_load_levels")]

    operations = [
        migrations.AddConstraint(
            model_name="memberunit",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("court_level__in", ["high", "intermediate", "basic", "tribunal"]), ("kind", "court")),
                    models.Q(models.Q(("kind", "court"), _negated=True), ("court_level", "")),
                    _connector="OR",
                ),
                name="unit_court_level_iff_court",
            ),
        ),
        migrations.AddConstraint(
            model_name="region",
            constraint=models.CheckConstraint(
                condition=models.Q(("parent", models.F("id")), _negated=True), name="region_not_own_parent"
            ),
        ),
    ]
