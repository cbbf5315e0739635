"""Adding and removing attachments: every write to :class:`Attachment` goes through here.

Two steps, so that nothing is saved half-way and no row lock is held while a file is read:

1. :func:`check_files`, before any transaction: each file's type is read from its content, its size and
   (for XLSX) its decompressed size are bounded, the virus scanner (if any) passes it, and the text of a
   PDF or DOCX is extracted in a bounded child process (:mod:`fuyuan.lib.extract`). The first bad file
   raises ``ValidationError`` and nothing is stored.
2. :func:`attach` (a user adds files to a record, as the record's registration allows) or :func:`store`
   (a domain's own transition, e.g. a reply with its material, already decided who may add what) saves
   them inside the caller's transaction.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from attachments.models import Attachment
from attachments.registry import Kind, kind_of
from fuyuan.lib.errors import NotPermitted
from fuyuan.lib.extract import Extracted, extract_here, extract_text
from fuyuan.lib.uploads import CheckedUpload, check_upload, safe_filename
from members.models import User


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    info: CheckedUpload
    text: Extracted


def _read(kind: str, path: str, limit: int) -> Extracted:
    """In the bounded child process; the test settings read in this process (same page and character caps), so
    that the suite's thousands of uploads do not each start an interpreter (the child has its own tests)."""
    if settings.FUYUAN_TEXT_EXTRACTION_ISOLATED:
        return extract_text(kind, path, max_chars=limit)
    return extract_here(kind, path, limit)


def _text_of(upload: UploadedFile, kind: str) -> Extracted:
    limit = settings.FUYUAN_ATTACHMENT_TEXT_CHARS
    if kind not in ("pdf", "docx") or limit == 0:
        return Extracted("", Attachment.TextStatus.NONE)
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        return _read(kind, path(), limit)
    with tempfile.NamedTemporaryFile(suffix=f".{kind}") as copy:
        upload.seek(0)
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        upload.seek(0)
        return _read(kind, copy.name, limit)


def check_files(files: Sequence[UploadedFile], *, field: str = "attachments") -> list[CheckedFile]:
    """Check every file (``ValidationError({field: [...]})`` on the first bad one) and read its text."""
    checked = []
    for upload in files:
        info = check_upload(upload, field=field)
        checked.append(CheckedFile(upload=upload, info=info, text=_text_of(upload, info.kind)))
    return checked


def ensure_checked(items: Sequence[UploadedFile | CheckedFile], *, field: str = "attachments") -> list[CheckedFile]:
    """``items`` as checked files: those a page form checked already (``AttachmentsField``) as they are, the
    others (the API's raw uploads) through :func:`check_files`. For a domain service that takes either."""
    raw = [item for item in items if not isinstance(item, CheckedFile)]
    fresh = iter(check_files(raw, field=field)) if raw else iter(())
    return [item if isinstance(item, CheckedFile) else next(fresh) for item in items]


def store(*, record: Any, checked: Sequence[CheckedFile], part: str, by: User | None) -> list[Attachment]:
    """Save checked files on ``record`` under ``part``. The caller has decided that ``by`` may."""
    record_type = ContentType.objects.get_for_model(record)
    stored = []
    for item in checked:
        attachment = Attachment(
            record_type=record_type,
            record_id=record.pk,
            part=part,
            name=safe_filename(item.upload.name or "", item.info.kind),
            media_type=item.info.content_type,
            size=item.info.size,
            sha256=item.info.sha256,
            text=item.text.text,
            text_status=item.text.status,
            uploaded_by=by,
        )
        attachment.file.save(item.info.sha256[:16], item.upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _locked(kind: Kind, record: Any) -> Any:
    return kind.model._default_manager.select_for_update().get(pk=record.pk)


def part_for(record: Any, user: User) -> str | None:
    """The part ``user`` may attach to ``record`` now, or None (pages and the API ask this)."""
    return kind_of(type(record)).part_for(record, user)


@transaction.atomic
def attach(
    *, record: Any, by: User, files: Sequence[UploadedFile] = (), checked: Sequence[CheckedFile] | None = None
) -> list[Attachment]:
    """``by`` adds files to ``record``, under the part its registration allows now. Pass ``checked`` when
    the files were checked already (a form does it while validating)."""
    kind = kind_of(type(record))
    items = list(checked) if checked is not None else check_files(files)
    locked = _locked(kind, record)
    part = kind.part_for(locked, by)
    if part is None:
        raise NotPermitted(_("您现在不能为这条记录上传附件。"))
    stored = store(record=locked, checked=items, part=part, by=by)
    if kind.changed:
        kind.changed(locked)
    return stored


@transaction.atomic
def remove(*, attachment: Attachment, by: User) -> None:
    """The uploader removes a file while the record still takes files of that part from them."""
    kind = kind_of(attachment.record_type.model_class())  # type: ignore[arg-type]
    record = _locked(kind, attachment.record)
    if attachment.uploaded_by_id != by.pk or kind.part_for(record, by) != attachment.part:
        raise NotPermitted(_("只有上传人可以在可上传附件时删除该附件。"))
    storage, name = attachment.file.storage, attachment.file.name or ""
    attachment.delete()
    if kind.changed:
        kind.changed(record)
    transaction.on_commit(lambda: storage.delete(name))


def remove_all(record: Any) -> None:
    """Delete every file of ``record`` (rows now, files on disk once the caller's transaction commits): for a
    domain service that deletes the record itself (e.g. a draft). The caller has decided that it may."""
    rows = list(Attachment.objects.filter(record_type=ContentType.objects.get_for_model(record), record_id=record.pk))
    stored = [(a.file.storage, a.file.name or "") for a in rows]
    for attachment in rows:
        attachment.delete()  # one by one: each leaves its audit row in the history

    def delete_files() -> None:
        for storage, name in stored:
            storage.delete(name)

    transaction.on_commit(delete_files)
