"""``{% attachments_panel record %}``: a record's files, and the upload form when the user may add some.

Every record page shows its files with this one panel (the download links go through the record's scope,
the delete button shows only to the uploader while the record takes files of that part from them).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.contenttypes.models import ContentType

from attachments import selectors, services
from attachments.forms import AttachmentForm
from attachments.registry import kind_of

register = template.Library()


@register.inclusion_tag("attachments/_panel.html", takes_context=True)
def attachments_panel(context: dict[str, Any], record: Any, title: str = "", files: Any = None) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    kind = kind_of(type(record))
    part = services.part_for(record, user)
    rows: list[Any] = list(files) if files is not None else list(selectors.of_record(record))
    for row in rows:
        row.removable = part is not None and row.part == part and row.uploaded_by_id == user.pk
        row.label = str(kind.parts.get(row.part, row.part))
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "title": title,
        "files": rows,
        "part_label": kind.parts.get(part) if part else None,
        "form": AttachmentForm() if part else None,
        "record_type": ContentType.objects.get_for_model(record).pk,
        "record": record,
    }
