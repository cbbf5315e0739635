"""Untrusted uploads (DESIGN.md promise 8): the type is read from the content, never the name.

Allowed: PDF, DOCX, XLSX, OFD (the Chinese fixed-layout format, a ZIP with ``OFD.xml``), JPEG
and PNG, each at most ``settings.FUYUAN_MAX_UPLOAD_BYTES``. Files are stored under MEDIA_ROOT,
which is never served directly: each app serves them through a view that applies its scope.

An XLSX is a ZIP that the server may open (the referral intake reads it with openpyxl), so before
anything opens it :func:`xlsx_problem` bounds it by what its directory declares, without
decompressing: at most ``MAX_ZIP_MEMBERS`` parts, at most ``settings.FUYUAN_MAX_UNZIPPED_BYTES``
once decompressed (a "zip bomb" is refused; Python's zipfile never inflates a part past its declared
size), and no sheet whose ``<dimension>`` reaches past Excel's own limits (1,048,576 rows, 16,384
columns). A tighter row limit is the reader's business (the intake counts rows as they stream).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from openpyxl.utils.cell import range_boundaries

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

MAX_ZIP_MEMBERS = 1000
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
SHEET_HEAD_BYTES = 64 * 1024  # the <dimension> element comes first in a sheet part
DIMENSION_RE = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z0-9:$]+)\"")


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


def sheet_extent(archive: zipfile.ZipFile, part: str) -> tuple[int, int] | None:
    """(last row, last column) that a sheet part's ``<dimension>`` declares, or None when it declares none."""
    with archive.open(part) as stream:
        head = stream.read(SHEET_HEAD_BYTES)
    match = DIMENSION_RE.search(head)
    if match is None:
        return None
    try:
        _min_col, _min_row, max_col, max_row = range_boundaries(match.group(1).decode().replace("$", ""))
    except (ValueError, TypeError):  # e.g. a column past XFD: past Excel's limits
        return EXCEL_MAX_ROWS + 1, EXCEL_MAX_COLUMNS + 1
    return max_row or 0, max_col or 0


def xlsx_problem(stream: IO[bytes], *, name: str = "") -> str | None:
    """Why this XLSX may not be opened (too many parts, too large once decompressed, a sheet past
    Excel's limits), or None. Reads the ZIP directory and the head of each sheet part only."""
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                return _("表格“%(name)s”包含的部件过多(超过 %(n)s 个)。") % {"name": name, "n": MAX_ZIP_MEMBERS}
            limit = settings.FUYUAN_MAX_UNZIPPED_BYTES
            if sum(m.file_size for m in members) > limit:
                return _("表格“%(name)s”解压后超过 %(mb)s MB 的大小限制。") % {
                    "name": name,
                    "mb": round(limit / 1024 / 1024),
                }
            for m in members:
                if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml"):
                    extent = sheet_extent(archive, m.filename)
                    if extent and (extent[0] > EXCEL_MAX_ROWS or extent[1] > EXCEL_MAX_COLUMNS):
                        return _("表格“%(name)s”的范围超出 Excel 的行列上限(%(rows)s 行)。") % {
                            "name": name,
                            "rows": f"{EXCEL_MAX_ROWS:,}",
                        }
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return _("无法读取文件“%(name)s”。") % {"name": name}
    finally:
        stream.seek(0)
    return None


def check_upload(
    upload: UploadedFile,
    *,
    field: str = "attachments",
    kinds: tuple[str, ...] = ALLOWED_KINDS,
    refusal: str | None = None,
) -> CheckedUpload:
    """Raise ``ValidationError({field: [...]})`` unless the file is one of ``kinds`` within the limits
    (``refusal`` is the message for a file of another kind)."""
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
    if kind is None or kind not in kinds:
        default = _("文件“%(name)s”的类型不允许:只能上传 PDF、DOCX、XLSX、OFD、JPEG 或 PNG 文件。")
        raise ValidationError({field: [refusal or default % {"name": upload.name}]})
    problem = xlsx_problem(upload, name=upload.name or "") if kind == "xlsx" else None
    if problem:
        raise ValidationError({field: [problem]})
    finding = scan(upload)
    if finding:
        raise ValidationError(
            {
                field: [
                    _("文件“%(name)s”未通过病毒扫描(%(finding)s),未保存。") % {"name": upload.name, "finding": finding}
                ]
            }
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(kind=kind, content_type=CONTENT_TYPES[kind], size=size, sha256=digest.hexdigest())


def scan(upload: IO[bytes]) -> str | None:
    """What the configured virus scanner found in the file (a signature name), or None.

    ``settings.FUYUAN_UPLOAD_SCANNER`` is the dotted path of a callable ``(stream) -> str | None`` (e.g. a
    client of the site's ClamAV daemon); empty means no scanner. The stream is left at its start. A
    scanner that fails raises: the upload is refused rather than stored unscanned.
    """
    path = getattr(settings, "FUYUAN_UPLOAD_SCANNER", "")
    if not path:
        return None
    scanner = import_string(path)
    upload.seek(0)
    try:
        return scanner(upload) or None
    finally:
        upload.seek(0)


def safe_filename(name: str, kind: str) -> str:
    """A display name for downloads: the uploaded name, with the extension of the real type."""
    base = (name or "file").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = "".join(ch for ch in stem if ch.isprintable() and ch not in '"\r\n;')[:120] or "file"
    return f"{stem}.{EXTENSIONS[kind]}"
