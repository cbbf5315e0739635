"""The library's newest-first order with drafts last (``library.selectors.NEWEST``): published documents by
publication time, newest first, then drafts (no publication time). An index in that exact order lets a search or
"new for me" read the newest rows first and stop at its page, instead of stepping over every draft first
(PostgreSQL puts NULLs first in a descending index such as ``library_published``). It includes the columns of
the scope's own conditions (status, publishing unit), so rows outside a reader's scope are passed over in the index
without reading the table. PostgreSQL only, like the search
index (0002): SQLite's tables are small."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS library_newest ON library_librarydocument (published_at DESC NULLS LAST, id DESC) "
        "INCLUDE (status, publisher_unit_id)"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS library_newest")


class Migration(migrations.Migration):
    dependencies = [("library", "0002_search_index")]

    operations = [migrations.RunPython(create, remove)]
