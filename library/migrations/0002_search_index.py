"""The GIN index of the library's full-text search (``library.search``), on PostgreSQL only: SQLite
(development without services) searches with LIKE and has no tsvector."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS library_search ON library_librarydocument USING gin (search_vector)"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS library_search")


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
