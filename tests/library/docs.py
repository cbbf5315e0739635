"""Library documents for the search and figure tests, written as publishing writes them (region stamped from the
publisher, one ``DocumentAudience`` row per audience key, the search vector refreshed), without the services."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from attachments.models import Attachment
from library import search
from library.audience import document_keys
from library.models import DocumentAudience, LibraryDocument
from members.levels import stamp
from members.models import MemberUnit, WorkTask


def make_document(
    publisher: MemberUnit,
    *,
    title: str = "测试文件",
    text: str = "",
    type: str = LibraryDocument.Type.NORMATIVE,
    number: str = "",
    audience: str = LibraryDocument.Audience.ALL,
    levels: Iterable[str] = (),
    region_ids: Iterable[int] = (),
    unit_ids: Iterable[int] = (),
    status: str = LibraryDocument.Status.PUBLISHED,
    published_at: datetime | None = None,
    tasks: Iterable[int] = (),
    files: Iterable[str] = (),
) -> LibraryDocument:
    when = published_at or timezone.now()
    document = LibraryDocument(
        type=type,
        title=title,
        number=number,
        issuing_unit=publisher.name,
        issued_on=timezone.localdate(when),
        text=text,
        audience=audience,
        audience_levels=list(levels),
        status=status,
        publisher_unit=publisher,
        published_at=when if status != LibraryDocument.Status.DRAFT else None,
    )
    stamp(document, publisher)
    document.save()
    document.tasks.set(WorkTask.objects.filter(pk__in=list(tasks)))
    if status == LibraryDocument.Status.PUBLISHED:
        keys = document_keys(
            audience=audience,
            region_id=document.region_id or 0,
            levels=levels,
            region_ids=region_ids,
            unit_ids=unit_ids,
        )
        DocumentAudience.objects.bulk_create(
            [DocumentAudience(document=document, key=key, published_at=when) for key in keys]
        )
    for n, file_text in enumerate(files):
        attach_text(document, file_text, name=f"附件{n + 1}.pdf")
    search.refresh(document)
    return document


def attach_text(document: LibraryDocument, text: str, *, name: str = "附件.pdf") -> Attachment:
    """An attachment row with its extracted text (the file itself is not needed by the search)."""
    return Attachment.objects.create(
        record_type=ContentType.objects.get_for_model(LibraryDocument),
        record_id=document.pk,
        part="file",
        file=f"attachments/test/{name}",
        name=name,
        media_type="application/pdf",
        size=len(text.encode()),
        sha256="0" * 64,
        text=text,
        text_status=Attachment.TextStatus.DONE,
    )


def found(qs: Any) -> set[str]:
    return set(qs.values_list("title", flat=True))
