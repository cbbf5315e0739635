"""A .docx download with its Chinese name (Content-Disposition with an ASCII fallback and RFC 5987 ``filename*``)."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fuyuan.lib.gongwen.document import OfficialDocument
from fuyuan.lib.gongwen.html import html_context
from fuyuan.lib.gongwen.render import render_docx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def content_disposition(filename: str) -> str:
    ascii_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in filename)
    return f"attachment; filename=\"{ascii_name or 'document.docx'}\"; filename*=UTF-8''{quote(filename, safe='')}"


def docx_response(content: bytes, filename: str) -> HttpResponse:
    """The bytes as an attachment named ``filename`` (``.docx`` added when missing), never cached."""
    if not filename.endswith(".docx"):
        filename += ".docx"
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def official_response(
    request: HttpRequest, doc: OfficialDocument, *, as_docx: bool, back_url: str = "", docx_url: str = ""
) -> HttpResponse:
    """The document as its .docx download, or as the print view (``templates/documents/official.html``)."""
    if as_docx:
        return docx_response(render_docx(doc), doc.filename or doc.title or "公文")
    context = html_context(doc) | {"back_url": back_url, "docx_url": docx_url}
    return render(request, "documents/official.html", context)
