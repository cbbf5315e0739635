"""The library (信息共享): documents that offices, courts and units publish to chosen readers.

Who may read a published document is denormalised into :class:`DocumentAudience` keys
(``library.audience``), so "what is new for me" is one indexed lookup over the reader's few keys rather
than a walk of the region tree per document. Read receipts are one row per reader (with the reader's unit,
so the publisher sees them per unit).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from attachments.models import Attachment
from members.models import MemberUnit, Region, WorkTask, record_city_field, record_region_field, record_user_field


class Tag(models.Model):
    name = models.CharField(_("名称"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = _("标签")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LibraryDocument(models.Model):
    class Type(models.TextChoices):
        INTERPRETATION = "interpretation", _("司法解释")
        NORMATIVE = "normative", _("规范性文件")
        TYPICAL_CASE = "typical_case", _("典型案例")
        WHITE_PAPER = "white_paper", _("白皮书")
        LOSING_CASES = "losing_cases", _("败诉案件通报")
        BRIEF = "brief", _("工作简报")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Audience(models.TextChoices):
        ALL = "all", _("本级及下级全部单位")
        LEVELS = "levels", _("指定层级")
        REGIONS = "regions", _("指定地区")
        UNITS = "units", _("指定单位")

    type = models.CharField(_("类型"), max_length=20, choices=Type.choices, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    number = models.CharField(_("文号"), max_length=100, blank=True)
    issuing_unit = models.CharField(_("制发单位"), max_length=100, help_text=_("如:最高人民法院;默认为发布单位。"))
    issued_on = models.DateField(_("发布日期"))
    case_number = models.CharField(_("案号"), max_length=100, blank=True, help_text=_("典型案例填写。"))
    court = models.CharField(_("审理法院"), max_length=100, blank=True, help_text=_("典型案例填写。"))
    tasks = models.ManyToManyField(WorkTask, verbose_name=_("工作任务"), blank=True, related_name="library_documents")
    tags = models.ManyToManyField(Tag, verbose_name=_("标签"), blank=True, related_name="documents")
    text = models.TextField(_("正文"), blank=True)

    audience = models.CharField(_("发布范围"), max_length=10, choices=Audience.choices, default=Audience.ALL)
    audience_levels = models.JSONField(_("指定层级"), default=list, blank=True)
    audience_regions = models.ManyToManyField(Region, verbose_name=_("指定地区"), blank=True, related_name="+")
    audience_units = models.ManyToManyField(MemberUnit, verbose_name=_("指定单位"), blank=True, related_name="+")

    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    publisher_unit = models.ForeignKey(
        MemberUnit, verbose_name=_("发布单位"), on_delete=models.PROTECT, related_name="library_documents"
    )
    region = record_region_field()
    city = record_city_field()
    created_by = record_user_field(_("起草人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    published_by = record_user_field(_("发布人"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    withdrawal_reason = models.CharField(_("撤回原因"), max_length=200, blank=True)
    #: PostgreSQL: the document's words (title weighted A; text and attachments' text) as CJK bigrams
    #: (``library.search``); SQLite leaves it empty and searches with LIKE.
    search_vector = SearchVectorField(null=True, editable=False)
    #: Not a column: the document's files (``attachments``), so that a list prefetches them in one query.
    attachments = GenericRelation(
        Attachment, verbose_name=_("附件"), content_type_field="record_type", object_id_field="record_id"
    )
    history = HistoricalRecords(excluded_fields=["search_vector"], m2m_fields=[tasks, audience_units])

    class Meta:
        verbose_name = _("共享文件")
        verbose_name_plural = _("共享文件")
        ordering = ["-published_at", "-id"]
        permissions = [("publish_librarydocument", _("可以发布共享文件"))]
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="library_published"),
            models.Index(fields=["publisher_unit", "-created_at"], name="library_publisher"),
            models.Index(fields=["city", "-published_at"], name="library_city"),
            models.Index(fields=["region", "-published_at"], name="library_region"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False), name="library_published_has_time"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("library-detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_unread(self) -> bool:
        """Published and not opened by the list's reader (``is_read``, annotated by ``selectors.with_read``)."""
        return self.is_published and not getattr(self, "is_read", True)


class DocumentAudience(models.Model):
    """One key of a published document's audience (``library.audience.document_keys``)."""

    document = models.ForeignKey(LibraryDocument, on_delete=models.CASCADE, related_name="audience_keys")
    key = models.CharField(max_length=40)
    published_at = models.DateTimeField()

    class Meta:
        verbose_name = _("发布范围键")
        verbose_name_plural = _("发布范围键")
        constraints = [models.UniqueConstraint(fields=["document", "key"], name="library_audience_unique")]
        indexes = [models.Index(fields=["key", "-published_at", "document"], name="library_audience_key")]

    def __str__(self) -> str:
        return self.key


class DocumentRead(models.Model):
    """A reader opened a published document (the first time; the receipt is kept per reader and unit)."""

    document = models.ForeignKey(LibraryDocument, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(MemberUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    read_at = models.DateTimeField(_("阅读时间"), default=timezone.now)

    class Meta:
        verbose_name = _("阅读回执")
        verbose_name_plural = _("阅读回执")
        constraints = [models.UniqueConstraint(fields=["user", "document"], name="library_read_once")]
        indexes = [models.Index(fields=["document", "unit"], name="library_read_unit")]

    def __str__(self) -> str:
        return f"{self.document_id} / {self.user_id}"
