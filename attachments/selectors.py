"""Reading attachments: a record's files, and one file checked against its record's scope."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet

from attachments.models import Attachment
from attachments.registry import kind_for_type, kind_of


def of_record(record: Any) -> QuerySet[Attachment]:
    """The files of ``record``, oldest first, with their uploaders (one query)."""
    kind_of(type(record))  # LookupError for a model that takes none
    return Attachment.objects.filter(
        record_type=ContentType.objects.get_for_model(record), record_id=record.pk
    ).select_related("uploaded_by")


def prefetch(lookup: str = "attachments") -> Prefetch:
    """Prefetch a record's files through its ``GenericRelation`` (named ``lookup``) with their uploaders: one
    query for all the records of a page, whatever the number of files (``AttachmentSerializer`` reads the
    uploader)."""
    return Prefetch(lookup, queryset=Attachment.objects.select_related("uploaded_by"))


def readable(user: Any, pk: int) -> Attachment | None:
    """The attachment ``pk`` if ``user`` may read its record (its registration's ``visible``), else None.
    Two queries: the attachment, then the record through its scope."""
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        return None
    kind = kind_for_type(attachment.record_type_id)
    if kind is None or not kind.visible(user).filter(pk=attachment.record_id).exists():
        return None
    return attachment
