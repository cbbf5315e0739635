# The item list's default order (due date, then id) had no index: its first page sorted every item the reader may
# see (16 ms for the province office over the benchmark's 49,500 items). Issue 19.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0003_list_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="planitem",
            index=models.Index(fields=["due", "id"], name="planitem_due_id"),
        ),
    ]
