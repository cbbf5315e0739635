"""Untrusted uploads (DESIGN.md promise 8): the type is read from the content, never the name.

Allowed: PDF, DOCX, XLSX, OFD (the Chinese fixed-layout format, a ZIP with ``OFD.xml``), JPEG
and PNG, each at most ``settings.FUYUAN_MAX_UPLOAD_BYTES``. Files are stored under MEDIA_ROOT,
which is never served directly: each app serves them through a view that applies its scope.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

ALLOWED_KINDS = ("pdf", "docx", "xlsx", "ofd", "jpeg", "png")

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ofd": "application/ofd",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
EXTENSIONS = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "ofd": "ofd", "jpeg": "jpg", "png": "png"}


@dataclass(frozen=True)
class CheckedUpload:
    kind: str
    content_type: str
    size: int
    sha256: str


def _zip_kind(stream: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "OFD.xml" in names:
        return "ofd"
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
    return None


def sniff_kind(stream: IO[bytes]) -> str | None:
    """The allowed kind of this content, or None. The stream is left at its start."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    kind: str | None = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(stream)
    stream.seek(0)
    return kind


def check_upload(upload: UploadedFile, *, field: str = "attachments") -> CheckedUpload:
    """Raise ``ValidationError({field: [...]})`` unless the file is an allowed kind within the size limit."""
    limit = settings.FUYUAN_MAX_UPLOAD_BYTES
    size = upload.size or 0
    if size > limit:
        raise ValidationError(
            {
                field: [
                    _("文件“%(name)s”超过 %(mb)s MB 的大小限制。")
                    % {"name": upload.name, "mb": round(limit / 1024 / 1024)}
                ]
            }
        )
    if size == 0:
        raise ValidationError({field: [_("文件“%(name)s”是空文件。") % {"name": upload.name}]})
    upload.seek(0)
    kind = sniff_kind(upload)
    if kind is None:
        raise ValidationError(
            {
                field: [
                    _("文件“%(name)s”的类型不允许:只能上传 PDF、DOCX、XLSX、OFD、JPEG 或 PNG 文件。")
                    % {"name": upload.name}
                ]
            }
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(kind=kind, content_type=CONTENT_TYPES[kind], size=size, sha256=digest.hexdigest())


def safe_filename(name: str, kind: str) -> str:
    """A display name for downloads: the uploaded name, with the extension of the real type."""
    base = (name or "file").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = "".join(ch for ch in stem if ch.isprintable() and ch not in '"\r\n;')[:120] or "file"
    return f"{stem}.{EXTENSIONS[kind]}"
