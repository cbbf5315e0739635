"""Every upload field of the pages judges a file by its content: a file whose name lies about what it is,
an empty file and a file over the size limit are refused with a clear message, in Chinese and, for a user
who chose English, in English, and nothing is saved (no row, no file on disk).

Upload fields: a recommendation's attachments when drafting and when editing the draft, the reply's
material, the evidence of a decision's and of a plan item's progress report, and the referral bulk-import
sheet (and the API's attachment upload). Files added to any record through its attachments panel go through
the same check (tests/attachments/test_records.py).

Size and time limits of every upload and import (issue 12): each field is walked with a file over the
size limit, an XLSX whose dimension reaches past Excel's limits and an XLSX that inflates past
``FUYUAN_MAX_UNZIPPED_BYTES`` (all accept XLSX); the import's own row and time limits are
tests/cases/referrals/test_import_limits.py.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from attachments.models import Attachment
from cases.models import JudicialRecommendation, ReferralImport
from cases.recommendations import services as rec_services
from fuyuan.lib.uploads import xlsx_problem
from members.models import User
from tests.cases.recommendations.support import PDF, XLSX, make_acknowledged, make_draft, zip_bytes
from tests.cases.referrals.support import header_row, raw_xlsx
from tests.conftest import Cast, client_for

pytestmark = [pytest.mark.security, pytest.mark.django_db]

LIMIT = 1024 * 1024  # 1 MB for these tests
UNZIPPED_LIMIT = 2 * LIMIT

LYING_FILES = {
    "html named .pdf": ("建议书.pdf", b"<!doctype html><html><script>alert(1)</script></html>"),
    "executable named .pdf": (
        "建议书.pdf",
        b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run",
    ),
    "zip named .xlsx": ("表格.xlsx", zip_bytes(["readme.txt", "data/sheet.csv"])),
    "csv named .xlsx": ("表格.xlsx", "案号,受托调解组织,案由\n(2026)1号,调委0,纠纷\n".encode()),
    "html named .xlsx": ("表格.xlsx", b"<table><tr><td>=cmd|' /C calc'!A0</td></tr></table>"),
}

# What the page says, by language: a file of a kind not allowed, an empty file, a file too large.
MESSAGES = {
    "zh-hans": {
        "kind": "的类型不允许",
        "sheet": "请上传 XLSX 格式的表格",
        "empty": "空文件",
        "size": "超过 1 MB 的大小限制",
        "dimension": "超出 Excel 的行列上限",
        "unzipped": "解压后超过 2 MB 的大小限制",
    },
    "en": {
        "kind": "is not allowed",
        "sheet": "Please upload an XLSX spreadsheet",
        "empty": "The submitted file is empty",
        "size": "exceeds the 1 MB size limit",
        "dimension": "reaches beyond the limits of Excel",
        "unzipped": "exceeds the 2 MB limit once decompressed",
    },
}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.FUYUAN_MAX_UPLOAD_BYTES = LIMIT
    settings.FUYUAN_MAX_UNZIPPED_BYTES = UNZIPPED_LIMIT
    return tmp_path


@pytest.fixture(autouse=True)
def _language_back() -> Iterator[None]:
    """A request as an English-speaking user leaves English active in this thread: put it back."""
    previous = translation.get_language()
    yield
    translation.activate(previous)


def _files_on_disk(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _client(user: User, language: str) -> Client:
    user.language = language
    user.save(update_fields=["language"])
    return client_for(user)


def _bomb() -> bytes:
    """A real workbook's parts plus one that inflates to 4 MB (a few KB on the wire)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(XLSX)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/media/image1.png", b"\0" * (2 * UNZIPPED_LIMIT))
    return buffer.getvalue()


# The limits, for every field (each accepts XLSX): size, an XLSX past Excel's dimension, a zip bomb.
LIMIT_CASES = [
    ("over the limit", "大文件.xlsx", XLSX + b"0" * LIMIT, "size"),
    (
        "over-dimension xlsx",
        "表格.xlsx",
        raw_xlsx({1: header_row(), 20_000_000: ["x"]}, dimension="A1:K20000000"),
        "dimension",
    ),
    ("zip bomb xlsx", "表格.xlsx", _bomb(), "unzipped"),
]


def _cases() -> list[tuple[str, str, bytes, str]]:
    """(label, file name, content, message key) for every bad file; ``kind`` is the key of a lying file."""
    cases = [(label, name, content, "kind") for label, (name, content) in LYING_FILES.items()]
    cases.append(("empty file", "空文件.pdf", b"", "empty"))
    cases.append(("over the limit pdf", "大文件.pdf", PDF + b"0" * LIMIT, "size"))
    return cases + LIMIT_CASES


CASES = _cases()
LANGUAGES = ["zh-hans", "en"]


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    # The browser's claimed type agrees with the name, as a renamed file's would.
    claimed = "application/pdf" if name.endswith(".pdf") else "application/vnd.ms-excel"
    return SimpleUploadedFile(name, content, content_type=claimed)


def _refused(response: Any, expected: str, media: Path) -> None:
    assert response.status_code in (200, 400), response.status_code
    body = response.content.decode()
    assert expected in body, f"{expected!r} not on the page"
    assert _files_on_disk(media) == []


def _draft_form(cast: Cast) -> dict[str, Any]:
    return {"title": "关于规范执法程序的司法建议", "addressee": cast.unit.pk, "category": "other"}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("label", "name", "content", "key"), CASES, ids=[c[0] for c in CASES])
def test_drafting_a_recommendation_refuses_the_file_and_saves_no_draft(
    cast: Cast, media: Path, language: str, label: str, name: str, content: bytes, key: str
) -> None:
    """The draft form with a bad attachment: the form comes back with the reason; no draft, no file."""
    response = _client(cast.clerk, language).post(
        reverse("recommendation-create"), {**_draft_form(cast), "attachments": [_upload(name, content)]}
    )
    _refused(response, MESSAGES[language][key], media)
    assert JudicialRecommendation.objects.count() == 0
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("label", "name", "content", "key"), CASES, ids=[c[0] for c in CASES])
def test_editing_a_draft_refuses_the_file_and_changes_nothing(
    cast: Cast, media: Path, language: str, label: str, name: str, content: bytes, key: str
) -> None:
    """Editing a draft with a bad attachment: refused, and the draft's other changes are not saved either."""
    draft = make_draft(cast)
    response = _client(cast.clerk, language).post(
        reverse("recommendation-edit", args=[draft.pk]),
        {**_draft_form(cast), "title": "改过的标题", "attachments": [_upload(name, content)]},
    )
    _refused(response, MESSAGES[language][key], media)
    draft.refresh_from_db()
    assert draft.title != "改过的标题"
    assert draft.attachments.count() == 0


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("label", "name", "content", "key"), CASES, ids=[c[0] for c in CASES])
def test_replying_refuses_the_file_and_records_no_reply(
    cast: Cast, media: Path, language: str, label: str, name: str, content: bytes, key: str
) -> None:
    """The addressee's reply with bad material: 400 with the reason; still awaiting a reply, no file."""
    rec = make_acknowledged(cast)
    response = _client(cast.liaison, language).post(
        reverse("recommendation-action", args=[rec.pk, "reply"]),
        {
            "reply-outcome": "not_adopted",
            "reply-content": "不予采纳。",
            "reply-reason": "已有专门规定。",
            "reply-attachments": [_upload(name, content)],
        },
    )
    _refused(response, MESSAGES[language][key], media)
    rec.refresh_from_db()
    assert rec.status == JudicialRecommendation.Status.ACKNOWLEDGED
    assert rec.attachments.count() == 0


def _adopted(cast: Cast) -> JudicialRecommendation:
    """Acknowledged and replied 采纳, rectification due in a month: the agency rectifies, the court may visit."""
    rec = make_acknowledged(cast)
    rec_services.recommendation_reply(
        recommendation=rec,
        by=cast.liaison,
        outcome="adopted",
        content="采纳。",
        measures="修订制度。",
        rectification_due=timezone.localdate() + timedelta(days=30),
    )
    rec.refresh_from_db()
    return rec


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("label", "name", "content", "key"), CASES, ids=[c[0] for c in CASES])
def test_reporting_rectified_refuses_the_evidence_and_records_nothing(
    cast: Cast, media: Path, language: str, label: str, name: str, content: bytes, key: str
) -> None:
    """The agency's report of rectification with bad evidence: refused with the reason; still rectifying, no file."""
    rec = _adopted(cast)
    response = _client(cast.liaison, language).post(
        reverse("recommendation-action", args=[rec.pk, "rectified"]),
        {"rectified-note": "已整改。", "rectified-attachments": [_upload(name, content)]},
    )
    _refused(response, MESSAGES[language][key], media)
    rec.refresh_from_db()
    assert rec.status == JudicialRecommendation.Status.RECTIFYING and rec.rectified_at is None
    assert rec.attachments.count() == 0


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("label", "name", "content", "key"), CASES, ids=[c[0] for c in CASES])
def test_recording_a_visit_refuses_the_file_and_records_nothing(
    cast: Cast, media: Path, language: str, label: str, name: str, content: bytes, key: str
) -> None:
    """The court's visit with a bad file: refused with the reason; no visit recorded, no file."""
    rec = _adopted(cast)
    response = _client(cast.clerk, language).post(
        reverse("recommendation-action", args=[rec.pk, "visit"]),
        {"visit-result": "rectified", "visit-early": "on", "visit-attachments": [_upload(name, content)]},
    )
    _refused(response, MESSAGES[language][key], media)
    rec.refresh_from_db()
    assert rec.status == JudicialRecommendation.Status.RECTIFYING and rec.visited_on is None
    assert rec.attachments.count() == 0


def _decision(cast: Cast) -> Any:
    from tests.attachments.test_records import decision_progress

    return decision_progress(cast).record.decision


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("label", "name", "content", "key"), CASES, ids=[c[0] for c in CASES])
def test_decision_progress_refuses_the_evidence_and_records_nothing(
    cast: Cast, media: Path, language: str, label: str, name: str, content: bytes, key: str
) -> None:
    """A decision's progress report with bad evidence: the reason in a message; no report, no file."""
    decision = _decision(cast)
    response = _client(cast.liaison, language).post(
        reverse("decision-action", args=[decision.pk, "progress"]),
        {"note": "又有进展", "attachments": [_upload(name, content)]},
        follow=True,
    )
    _refused(response, MESSAGES[language][key], media)
    assert decision.progress.count() == 1 and Attachment.objects.count() == 0


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("label", "name", "content", "key"), CASES, ids=[c[0] for c in CASES])
def test_plan_progress_refuses_the_evidence_and_records_nothing(
    cast: Cast, media: Path, language: str, label: str, name: str, content: bytes, key: str
) -> None:
    """A plan item's progress report with bad evidence: the form comes back with the reason; nothing saved."""
    from tests.attachments.test_records import plan_progress

    item = plan_progress(cast).record.item
    response = _client(cast.liaison, language).post(
        reverse("plan-item-action", args=[item.pk, "progress"]),
        {"progress-text": "又有进展", "progress-attachments": [_upload(name, content)]},
    )
    _refused(response, MESSAGES[language][key], media)
    assert item.progress.count() == 1 and Attachment.objects.count() == 0


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("label", "name", "content", "key"), CASES, ids=[c[0] for c in CASES])
def test_the_attachments_panel_refuses_the_file_and_stores_nothing(
    cast: Cast, media: Path, language: str, label: str, name: str, content: bytes, key: str
) -> None:
    """The upload form of a record's attachments panel (here a referral's 移送材料): the reason, nothing stored."""
    from django.contrib.contenttypes.models import ContentType

    from tests.cases.referrals.support import sent

    referral = sent(cast.clerk, cast.unit)
    url = reverse("attachment-add", args=[ContentType.objects.get_for_model(referral).pk, referral.pk])
    response = _client(cast.clerk, language).post(url, {"attachments": [_upload(name, content)]}, follow=True)
    _refused(response, MESSAGES[language][key], media)
    assert Attachment.objects.count() == 0


SHEET_CASES = [
    *[(label, name, content, "sheet") for label, (name, content) in LYING_FILES.items()],
    ("pdf named .xlsx", "表格.xlsx", PDF, "sheet"),
    ("empty file", "表格.xlsx", b"", "empty"),
    *LIMIT_CASES,
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("label", "name", "content", "key"), SHEET_CASES, ids=[c[0] for c in SHEET_CASES])
def test_referral_import_refuses_what_is_not_a_spreadsheet(
    cast: Cast, media: Path, language: str, label: str, name: str, content: bytes, key: str
) -> None:
    """The bulk-import upload: anything but an XLSX workbook within the limit is refused; nothing kept."""
    response = _client(cast.clerk, language).post(reverse("referral-import"), {"file": _upload(name, content)})
    _refused(response, MESSAGES[language][key], media)
    assert ReferralImport.objects.count() == 0


def test_every_upload_field_of_the_pages_is_covered() -> None:
    """The file fields of the page forms are the ones tested above (a new one must be added here)."""
    from django import forms as django_forms

    from attachments import forms as attachment_forms
    from cases.hearings import forms as hearing_forms
    from cases.opinions import forms as opinion_forms
    from cases.recommendations import forms as recommendations
    from cases.referrals import forms as referrals
    from meetings.consultations import forms as consultation_forms
    from meetings.decisions import forms as decision_forms
    from meetings.meetings import forms as meeting_forms
    from members import forms as member_forms
    from plans import forms as plan_forms

    found = set()
    modules = (
        recommendations,
        referrals,
        opinion_forms,
        hearing_forms,
        meeting_forms,
        decision_forms,
        consultation_forms,
        plan_forms,
        member_forms,
        attachment_forms,
    )
    for module in modules:
        app = module.__name__.split(".")[-2]
        for name, obj in vars(module).items():
            if isinstance(obj, type) and issubclass(obj, django_forms.BaseForm) and obj.__module__ == module.__name__:
                found |= {
                    f"{app}.{name}.{field}"
                    for field, f in obj.base_fields.items()
                    if isinstance(f, django_forms.FileField)
                }
    tested: dict[str, Callable[..., None]] = {
        "recommendations.RecommendationForm.attachments": (
            test_drafting_a_recommendation_refuses_the_file_and_saves_no_draft
        ),
        "recommendations.ReplyForm.attachments": test_replying_refuses_the_file_and_records_no_reply,
        "recommendations.RectifiedForm.attachments": test_reporting_rectified_refuses_the_evidence_and_records_nothing,
        "recommendations.VisitForm.attachments": test_recording_a_visit_refuses_the_file_and_records_nothing,
        "referrals.ImportUploadForm.file": test_referral_import_refuses_what_is_not_a_spreadsheet,
        "decisions.ProgressForm.attachments": test_decision_progress_refuses_the_evidence_and_records_nothing,
        "plans.ProgressForm.attachments": test_plan_progress_refuses_the_evidence_and_records_nothing,
        # The attachments panel of every record (attachments.views.add): tests/attachments/test_records.py.
        "attachments.AttachmentForm.attachments": test_the_attachments_panel_refuses_the_file_and_stores_nothing,
    }
    assert found == set(tested)


@pytest.mark.parametrize(("label", "name", "content", "key"), LIMIT_CASES, ids=[c[0] for c in LIMIT_CASES])
def test_api_attachment_upload_keeps_the_same_limits(
    cast: Cast, media: Path, label: str, name: str, content: bytes, key: str
) -> None:
    """The API's upload goes through the same check: 400 with the reason, nothing stored."""
    rec = make_draft(cast)
    client = APIClient()
    client.force_authenticate(cast.clerk)
    response = client.post(
        f"/api/v1/recommendations/{rec.pk}/attachments/", {"files": [_upload(name, content)]}, format="multipart"
    )
    assert response.status_code == 400
    assert MESSAGES["zh-hans"][key] in response.json()["attachments"][0]
    assert rec.attachments.count() == 0 and _files_on_disk(media) == []


@pytest.mark.parametrize(
    ("dimension", "refused"),
    [
        ("A1:K20", False),
        ("A1:XFD1048576", False),
        (None, False),
        ("A1:K1048577", True),
        ("A1:XFE2", True),
        ("A1:ZZZZ5", True),
    ],
)
def test_an_xlsx_dimension_past_excels_limits_is_refused(dimension: str | None, refused: bool) -> None:
    """The dimension is read from the sheet part's head; one that Excel could not hold is refused."""
    content = io.BytesIO(raw_xlsx({1: header_row()}, dimension=dimension))
    assert (xlsx_problem(content, name="表格.xlsx") is not None) is refused
