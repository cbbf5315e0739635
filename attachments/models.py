"""One attachment model for every record a user attaches files to (DESIGN.md promise 8).

A row points at its record through a content type and an id; which records may carry files, who may
attach them when, and who may read them is declared by each domain in :mod:`attachments.registry`.
Files are stored under MEDIA_ROOT (never served directly) and read only through
``attachments.views.download``, which applies the record's own ``visible_to``.
"""

from __future__ import annotations

import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import record_user_field


def attachment_path(instance: Attachment, filename: str) -> str:
    today = timezone.localdate()
    return f"attachments/{today:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    class TextStatus(models.TextChoices):
        NONE = "none", _("无文字")  # an image, a sheet, an OFD: nothing is extracted
        DONE = "done", _("已提取")
        TRUNCATED = "truncated", _("已提取(截断)")
        FAILED = "failed", _("无法提取")

    record_type = models.ForeignKey(ContentType, verbose_name=_("记录类型"), on_delete=models.PROTECT, related_name="+")
    record_id = models.PositiveBigIntegerField(_("记录编号"))
    record = GenericForeignKey("record_type", "record_id")
    part = models.CharField(_("类别"), max_length=32)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    media_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256 校验值"), max_length=64)
    text = models.TextField(_("文字内容"), blank=True, editable=False)
    text_status = models.CharField(
        _("文字提取"), max_length=10, choices=TextStatus.choices, default=TextStatus.NONE, editable=False
    )
    uploaded_by = record_user_field(_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["record_type", "record_id"], name="attachment_record")]

    def __str__(self) -> str:
        return self.name

    @property
    def part_label(self) -> str:
        from attachments.registry import part_label

        return part_label(self.record_type_id, self.part)
