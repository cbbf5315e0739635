"""Helpers shared by the recommendation tests: drafts and issued records in the ``cast`` world."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import JudicialRecommendation, RecommendationPolicy
from cases.recommendations import services
from members.models import User

_counter = {"n": 0}


def next_number(year: int = 2025) -> str:
    _counter["n"] += 1
    return f"({year})测中法建字第{_counter['n']}号"


def make_draft(cast: Any, *, by: User | None = None, **overrides: Any) -> JudicialRecommendation:
    fields: dict[str, Any] = {
        "title": "关于规范行政执法程序的司法建议",
        "addressee": cast.unit,
        "number": next_number(),
        "case_number": "(2025)甘01行初12号",
        "problem": "行政处罚决定未告知陈述申辩权利。",
        "recommendation": "建议规范执法程序,加强执法人员培训。",
    }
    fields.update(overrides)
    return services.recommendation_create(by=by or cast.clerk, **fields)


def make_issued(
    cast: Any, *, issued_on: date | None = None, by: User | None = None, **overrides: Any
) -> JudicialRecommendation:
    """A draft issued at once. The clerk's court issues without 核稿签发 unless a test has switched approval on
    in its policy (then this refuses, as the service does: go through ``cases.recommendations.approval``)."""
    clerk = by or cast.clerk
    RecommendationPolicy.objects.get_or_create(court_id=clerk.unit_id, defaults={"approval_required": False})
    rec = make_draft(cast, by=clerk, **overrides)
    return services.recommendation_issue(recommendation=rec, by=clerk, issued_on=issued_on)


def make_acknowledged(cast: Any, *, liaison: User | None = None, **overrides: Any) -> JudicialRecommendation:
    rec = make_issued(cast, **overrides)
    return services.recommendation_acknowledge(recommendation=rec, by=liaison or cast.liaison)


# --- Files of each kind, made here (by content) ---------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def zip_bytes(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


DOCX = zip_bytes(["[Content_Types].xml", "word/document.xml"])
XLSX = zip_bytes(["[Content_Types].xml", "xl/workbook.xml"])
OFD = zip_bytes(["OFD.xml", "Doc_0/Document.xml"])


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
