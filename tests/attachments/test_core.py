"""The one attachment service (issue 18): content-checked files on any registered record, read only through
the record's scope, added only as the record's registration allows, the text of PDFs and DOCX extracted
within bounds, a virus-scan hook that refuses before anything is stored."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from pypdf import PdfWriter

from attachments import registry, selectors, services
from attachments.models import Attachment
from fuyuan.lib.errors import NotPermitted
from fuyuan.lib.extract import extract_text
from members.models import MemberUnit, User
from tests.conftest import Cast, client_for

pytestmark = pytest.mark.django_db

EICAR = b"%PDF-1.4 X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def eicar_scanner(stream: Any) -> str | None:
    return "Eicar-Test-Signature" if b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in stream.read() else None


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def units_take_files() -> Iterator[None]:
    """A test registration: a unit's own liaisons read it and attach 'material' to it."""

    def visible(user: User) -> Any:
        return MemberUnit.objects.filter(pk=user.unit_id)

    def part_for(unit: MemberUnit, user: User) -> str | None:
        return "material" if user.unit_id == unit.pk and unit.active else None

    registry.register(MemberUnit, visible=visible, part_for=part_for, parts={"material": "材料"})
    yield
    registry._KINDS.pop("members.memberunit")


@pytest.mark.parametrize("isolated", [True, False], ids=["child process", "in process"])
def test_attach_stores_checked_files_with_their_text(
    cast: Cast, units_take_files: None, media: Path, settings: Any, isolated: bool
) -> None:
    settings.FUYUAN_TEXT_EXTRACTION_ISOLATED = isolated
    stored = services.attach(
        record=cast.unit,
        by=cast.liaison,
        files=[
            upload("调解协议.docx", docx_bytes("调解协议书", "双方自愿达成协议")),
            upload("扫描件.pdf", pdf_bytes()),
        ],
    )
    assert [a.name for a in stored] == ["调解协议.docx", "扫描件.pdf"]
    first = Attachment.objects.get(pk=stored[0].pk)
    assert first.record == cast.unit and first.part == "material" and first.uploaded_by == cast.liaison
    assert first.text == "调解协议书\n双方自愿达成协议" and first.text_status == "done"
    assert first.part_label == "材料"
    assert Attachment.objects.get(pk=stored[1].pk).text_status == "done"  # a page without text
    assert len([p for p in media.rglob("*") if p.is_file()]) == 2
    assert list(selectors.of_record(cast.unit)) == stored


def test_attach_refused_to_a_user_the_record_does_not_allow(cast: Cast, units_take_files: None, media: Path) -> None:
    with pytest.raises(NotPermitted):
        services.attach(record=cast.unit, by=cast.other_liaison, files=[upload("a.pdf", pdf_bytes())])
    cast.unit.active = False
    cast.unit.save()
    with pytest.raises(NotPermitted):
        services.attach(record=cast.unit, by=cast.liaison, files=[upload("a.pdf", pdf_bytes())])
    assert not Attachment.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_one_bad_file_saves_nothing(cast: Cast, units_take_files: None, media: Path) -> None:
    lying = upload("协议.pdf", b"MZ\x90\x00\x03\x00\x00\x00 This program cannot be run")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        services.attach(record=cast.unit, by=cast.liaison, files=[upload("好.pdf", pdf_bytes()), lying])
    assert "文件“协议.pdf”的类型不允许" in str(raised.value)
    assert not Attachment.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_the_virus_scanner_refuses_before_anything_is_stored(
    cast: Cast, units_take_files: None, media: Path, settings: Any
) -> None:
    settings.FUYUAN_UPLOAD_SCANNER = "tests.attachments.test_core.eicar_scanner"
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        services.attach(record=cast.unit, by=cast.liaison, files=[upload("eicar.pdf", EICAR)])
    assert "未通过病毒扫描(Eicar-Test-Signature)" in str(raised.value)
    assert not Attachment.objects.exists()
    stored = services.attach(record=cast.unit, by=cast.liaison, files=[upload("clean.pdf", pdf_bytes())])
    assert len(stored) == 1  # a clean file passes the same scanner


def test_download_only_within_the_records_scope(cast: Cast, units_take_files: None) -> None:
    (attachment,) = services.attach(record=cast.unit, by=cast.liaison, files=[upload("协议.pdf", pdf_bytes())])
    url = reverse("attachment-download", args=[attachment.pk])
    response = client_for(cast.liaison).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(cast.other_liaison).get(url).status_code == 404
    assert (
        client_for(cast.other_liaison).get(reverse("attachment-download", args=[attachment.pk + 99])).status_code == 404
    )


def test_the_page_adds_files_and_only_the_uploader_removes_them(cast: Cast, units_take_files: None) -> None:
    add_url = reverse("attachment-add", args=[registry.ContentType.objects.get_for_model(MemberUnit).pk, cast.unit.pk])
    outsider = client_for(cast.other_liaison).post(add_url, {"attachments": upload("a.pdf", pdf_bytes())})
    assert outsider.status_code == 404
    assert not Attachment.objects.exists()
    response = client_for(cast.liaison).post(add_url, {"attachments": upload("协议.pdf", pdf_bytes()), "next": "/"})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    remove_url = reverse("attachment-remove", args=[attachment.pk])
    assert client_for(cast.other_liaison).post(remove_url).status_code == 404
    colleague = User.objects.create_user("colleague", unit=cast.unit)
    client_for(colleague).post(remove_url)
    assert Attachment.objects.filter(pk=attachment.pk).exists()  # not the uploader
    client_for(cast.liaison).post(remove_url)
    assert not Attachment.objects.exists()


def test_a_bad_file_on_the_page_says_why_and_saves_nothing(cast: Cast, units_take_files: None) -> None:
    add_url = reverse("attachment-add", args=[registry.ContentType.objects.get_for_model(MemberUnit).pk, cast.unit.pk])
    with translation.override("zh-hans"):
        response = client_for(cast.liaison).post(
            add_url, {"attachments": upload("协议.pdf", b"<html>not a pdf</html>"), "next": "/"}, follow=True
        )
    assert "的类型不允许" in response.content.decode()
    assert not Attachment.objects.exists()


def test_text_extraction_is_bounded(tmp_path: Path) -> None:
    huge = tmp_path / "huge.pdf"
    huge.write_bytes(pdf_bytes(pages=10_000))
    result = extract_text("pdf", huge)
    assert result.status == "truncated"  # stopped at MAX_PAGES, not read to the end
    slow = extract_text("pdf", huge, timeout=0.001)
    assert slow == type(slow)("", "failed")  # killed on time: no text, no exception
    starved = extract_text("pdf", huge, memory=32 * 1024 * 1024)
    assert starved.status == "failed"  # the child's memory cap holds
    long_docx = tmp_path / "long.docx"
    long_docx.write_bytes(docx_bytes("字" * 5000))
    assert extract_text("docx", long_docx, max_chars=100) == type(slow)("字" * 100, "truncated")
    assert extract_text("pdf", tmp_path / "missing.pdf").status == "failed"
    assert extract_text("png", huge).status == "none"
