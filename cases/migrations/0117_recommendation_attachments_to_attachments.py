"""Issue 18: a recommendation's files move onto the one attachment model (``attachments.Attachment``).

Every row is copied with its file path unchanged (the file stays where it is), its part, name, type
(``content_type`` -> ``media_type``), size, checksum and uploader; its text is left empty (status ``none``:
the files were stored before text was extracted). An audit row ("+", at the upload time, by the uploader)
is written for each, as the attachment service would have. The next migration deletes the old model.
"""

from django.db import migrations

BATCH = 1000


def _record_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    return ContentType.objects.db_manager(db).get_or_create(app_label="cases", model="judicialrecommendation")[0]


def forwards(apps, schema_editor):
    Old = apps.get_model("cases", "RecommendationAttachment")
    Attachment = apps.get_model("attachments", "Attachment")
    History = apps.get_model("attachments", "HistoricalAttachment")
    db = schema_editor.connection.alias
    record_type = _record_type(apps, schema_editor)
    rows = Old.objects.using(db).order_by("pk").iterator(chunk_size=BATCH)
    batch = []
    for old in rows:
        batch.append(
            Attachment(
                record_type=record_type,
                record_id=old.recommendation_id,
                part=old.part,
                file=old.file.name,
                name=old.name,
                media_type=old.content_type,
                size=old.size,
                sha256=old.sha256,
                text="",
                text_status="none",
                uploaded_by_id=old.uploaded_by_id,
                uploaded_at=old.uploaded_at,
            )
        )
        if len(batch) >= BATCH:
            _save(Attachment, History, batch, db)
            batch = []
    if batch:
        _save(Attachment, History, batch, db)


def _save(Attachment, History, batch, db):
    stored = Attachment.objects.using(db).bulk_create(batch)
    if any(a.pk is None for a in stored):  # a backend that does not return the keys (not ours): re-read them
        stored = list(Attachment.objects.using(db).order_by("-pk")[: len(batch)])[::-1]
    History.objects.using(db).bulk_create(
        History(
            id=a.pk,
            record_type_id=a.record_type_id,
            record_id=a.record_id,
            part=a.part,
            file=a.file.name,
            name=a.name,
            media_type=a.media_type,
            size=a.size,
            sha256=a.sha256,
            text="",
            text_status="none",
            uploaded_by_id=a.uploaded_by_id,
            uploaded_at=a.uploaded_at,
            history_date=a.uploaded_at,
            history_type="+",
            history_user_id=a.uploaded_by_id,
            history_change_reason="moved from cases.RecommendationAttachment",
        )
        for a in stored
    )


def backwards(apps, schema_editor):
    Old = apps.get_model("cases", "RecommendationAttachment")
    Attachment = apps.get_model("attachments", "Attachment")
    db = schema_editor.connection.alias
    record_type = _record_type(apps, schema_editor)
    moved = Attachment.objects.using(db).filter(record_type=record_type).order_by("pk")
    Old.objects.using(db).bulk_create(
        (
            Old(
                recommendation_id=a.record_id,
                part=a.part,
                file=a.file.name,
                name=a.name,
                content_type=a.media_type,
                size=a.size,
                sha256=a.sha256,
                uploaded_by_id=a.uploaded_by_id,
                uploaded_at=a.uploaded_at,
            )
            for a in moved.iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
    )
    moved.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("attachments", "0001_initial"),
        ("cases", "0116_recommendation_followup_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
