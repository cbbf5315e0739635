# The benchmark's EXPLAIN (bench/plans.py, 49,500 items, 5,300 督办): a year's items at the province and the
# 督办 list's order had no index. Numbered 0003 with a dependency on 0001 (0002 is another stream's): the
# merger renumbers.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_periodic_tasks"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="planitem",
            index=models.Index(fields=["year", "status"], name="planitem_year_status"),
        ),
        migrations.AddIndex(
            model_name="supervision",
            index=models.Index(fields=["issued_at", "id"], name="supervision_issued"),
        ),
    ]
