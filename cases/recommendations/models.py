"""Judicial recommendations (司法建议): a court writes to an agency, the agency must reply in writing."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from attachments.models import Attachment
from fuyuan.lib.deadlines import OverdueQuerySet, is_overdue, light
from members.models import User, record_city_field, record_region_field, record_user_field

__all__ = ["AttachmentPart", "JudicialRecommendation", "RecommendationPolicy"]


class RecommendationPolicy(models.Model):
    """The reply period an issuing court sets for its recommendations (default: two calendar months)."""

    class PeriodKind(models.TextChoices):
        MONTHS = "months", _("自然月")
        WORKING_DAYS = "working_days", _("工作日")

    court = models.OneToOneField(
        "members.MemberUnit",
        verbose_name=_("法院"),
        on_delete=models.CASCADE,
        related_name="recommendation_policy",
        limit_choices_to={"kind": "court"},
    )
    period_kind = models.CharField(_("期限单位"), max_length=12, choices=PeriodKind.choices, default=PeriodKind.MONTHS)
    period_length = models.PositiveSmallIntegerField(_("回复期限"), default=2)
    approval_required = models.BooleanField(
        _("发出前须核稿签发"),
        default=True,
        help_text=_("开启时,草稿须经本院有签发权限的人员核稿签发后才能发出。"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("司法建议回复期限")
        verbose_name_plural = _("司法建议回复期限")
        constraints = [models.CheckConstraint(condition=Q(period_length__gte=1), name="recommendation_policy_positive")]

    def __str__(self) -> str:
        return f"{self.court}: {self.period_length} {self.get_period_kind_display()}"


class JudicialRecommendation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待签发")
        APPROVED = "approved", _("已签发")
        ISSUED = "issued", _("已发出")
        ACKNOWLEDGED = "acknowledged", _("已签收")
        REPLIED = "replied", _("已回复")
        RECTIFYING = "rectifying", _("整改中")
        RECTIFIED = "rectified", _("已整改")
        VISITED = "visited", _("已回访")
        CLOSED = "closed", _("已办结")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("采纳")
        PARTLY_ADOPTED = "partly_adopted", _("部分采纳")
        NOT_ADOPTED = "not_adopted", _("未采纳")

    class Delivery(models.TextChoices):
        PLATFORM = "platform", _("平台签收")
        PAPER = "paper", _("纸质送达")

    class VisitResult(models.TextChoices):
        RECTIFIED = "rectified", _("已整改")
        PARTLY = "partly", _("部分整改")
        NOT_RECTIFIED = "not_rectified", _("未整改")

    class Category(models.TextChoices):
        LAW_ENFORCEMENT = "law_enforcement", _("行政执法规范")
        REGULATION = "regulation", _("行业监管")
        SOCIAL_GOVERNANCE = "social_governance", _("社会治理")
        FINANCE = "finance", _("金融风险防控")
        ENVIRONMENT = "environment", _("生态环境保护")
        BUSINESS = "business", _("营商环境")
        OTHER = "other", _("其他")

    # Statuses in which the agency still owes a reply: the ladder runs and the record can be overdue.
    OPEN_STATUSES = (Status.ISSUED, Status.ACKNOWLEDGED)
    OVERDUE_STATUSES, DUE_FIELD = OPEN_STATUSES, "reply_due"  # the overdue rule (OverdueQuerySet)
    # Drafts on their way to issue (核稿 → 签发): only the court sees them.
    DRAFT_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED)
    # Adopted and not yet checked: the rectification clock runs, the court may visit.
    RECTIFICATION_STATUSES = (Status.RECTIFYING, Status.RECTIFIED)
    ADOPTING = (Outcome.ADOPTED, Outcome.PARTLY_ADOPTED)

    number = models.CharField(_("文号"), max_length=80, blank=True, help_text=_("如:(2025)甘高法建字第3号"))
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    court = models.ForeignKey(
        "members.MemberUnit",
        verbose_name=_("发出法院"),
        on_delete=models.PROTECT,
        related_name="recommendations_issued",
    )
    case_number = models.CharField(_("案号"), max_length=100, blank=True)
    addressee = models.ForeignKey(
        "members.MemberUnit",
        verbose_name=_("收文单位"),
        on_delete=models.PROTECT,
        related_name="recommendations_received",
    )
    copy_to = models.ManyToManyField(
        "members.MemberUnit", verbose_name=_("抄送单位"), related_name="recommendations_copied", blank=True
    )
    supervisor = models.ForeignKey(
        "members.MemberUnit",
        verbose_name=_("主管部门"),
        on_delete=models.PROTECT,
        related_name="recommendations_supervised",
        null=True,
        blank=True,
        help_text=_("默认为收文单位的主管部门;逾期 30 日未回复时通报至此单位。"),
    )
    tasks = models.ManyToManyField(
        "members.WorkTask", verbose_name=_("工作任务"), related_name="recommendations", blank=True
    )
    category = models.CharField(_("类别"), max_length=24, choices=Category.choices, default=Category.OTHER)
    title = models.CharField(_("标题"), max_length=200)
    problem = models.TextField(_("发现的问题"), blank=True)
    recommendation = models.TextField(_("建议内容"), blank=True)

    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    issued_on = models.DateField(_("发出日期"), null=True, blank=True)
    issued_at = models.DateTimeField(_("发出时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发出人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交核稿时间"), null=True, blank=True)
    submitted_by = record_user_field(_("提交核稿人"))
    approved_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    approved_by = record_user_field(_("签发人"))
    review_comment = models.TextField(_("核稿意见"), blank=True)
    recurrence_of = models.ManyToManyField(
        "self",
        verbose_name=_("此前同类司法建议"),
        symmetrical=False,
        related_name="recurrences",
        blank=True,
        help_text=_("同一收文单位在复发认定期内已采纳的同类司法建议(起草时自动比对)。"),
    )
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delivery = models.CharField(_("送达方式"), max_length=10, choices=Delivery.choices, blank=True)
    delivered_on = models.DateField(
        _("送达日期"), null=True, blank=True, help_text=_("平台签收之日,或纸质送达回证上的签收日期;回复期限自此起算。")
    )
    receipt_signer = models.CharField(_("送达回证签收人"), max_length=50, blank=True)
    delivery_recorded_by = record_user_field(_("登记送达人"))
    reply_due = models.DateField(_("回复期限"), null=True, blank=True, db_index=True)
    reply_due_fixed = models.BooleanField(
        _("法院指定回复期限"), default=False, help_text=_("否则签收时按法院的回复期限设置计算。")
    )
    reply_outcome = models.CharField(_("采纳情况"), max_length=16, choices=Outcome.choices, blank=True)
    reply_content = models.TextField(_("回复内容"), blank=True)
    reply_measures = models.TextField(_("整改措施"), blank=True)
    reply_reason = models.TextField(_("未采纳理由"), blank=True)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_at = models.DateTimeField(_("整改完成报告时间"), null=True, blank=True)
    rectified_by = record_user_field(_("整改报告人"))
    rectification_note = models.TextField(_("整改情况"), blank=True)
    visit_planned_on = models.DateField(_("计划回访日期"), null=True, blank=True)
    visited_on = models.DateField(_("回访日期"), null=True, blank=True)
    visit_result = models.CharField(_("回访结果"), max_length=16, choices=VisitResult.choices, blank=True)
    visit_note = models.TextField(_("回访情况"), blank=True)
    visit_early = models.BooleanField(_("整改期限届满前回访"), default=False)
    visited_by = record_user_field(_("回访登记人"))
    visit_reported_at = models.DateTimeField(_("未整改通报时间"), null=True, blank=True)
    assessment = models.TextField(_("法院评估意见"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdraw_reason = models.TextField(_("撤回原因"), blank=True)
    escalated_at = models.DateTimeField(_("通报主管部门时间"), null=True, blank=True)
    supervisor_informed_at = models.DateTimeField(
        _("主管部门知悉时间"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "首次就此件通报主管部门(逾期升级、问题复发、回访未整改或季度通报)的时间;此后主管部门的联络员可查阅此件。"
        ),
    )
    reminders_sent = models.PositiveSmallIntegerField(_("人工督办次数"), default=0)
    next_alert_at = models.DateTimeField(_("下次提醒"), null=True, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("起草人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[copy_to, tasks])
    attachments = GenericRelation(
        Attachment, verbose_name=_("附件"), content_type_field="record_type", object_id_field="record_id"
    )
    # Not columns: django-simple-history's reason and author of the next save (alerts.save_with_reason).
    _change_reason: str
    _history_user: User | None

    objects = OverdueQuerySet.as_manager()

    region = record_region_field()
    city = record_city_field()

    class Meta:
        verbose_name = _("司法建议")
        verbose_name_plural = _("司法建议")
        ordering = ["-issued_on", "-id"]
        permissions = [("sign_recommendation", _("可核稿签发本院的司法建议"))]
        constraints = [
            models.UniqueConstraint(
                fields=["court", "year", "number"], condition=~Q(number=""), name="recommendation_number_per_court_year"
            ),
            models.CheckConstraint(
                condition=Q(reply_due__isnull=True)
                | Q(issued_on__isnull=True)
                | Q(reply_due__gte=models.F("issued_on")),
                name="recommendation_due_after_issue",
            ),
            models.CheckConstraint(
                condition=~Q(reply_outcome="not_adopted") | ~Q(reply_reason=""),
                name="recommendation_not_adopted_has_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_alert_at"], condition=Q(next_alert_at__isnull=False), name="recommendation_alert_due"
            ),
            models.Index(fields=["court", "-issued_on"], name="recommendation_court_issued"),
            models.Index(fields=["addressee", "status"], name="recommendation_addressee"),
            models.Index(fields=["-issued_on", "-id"], name="recommendation_list_order"),
            # A 市州's or a county's office list, newest first: one index range (issue 13).
            models.Index(fields=["city", "-issued_on", "-id"], name="recommendation_city_list"),
            models.Index(fields=["region", "-issued_on", "-id"], name="recommendation_region_list"),
            models.Index(
                fields=["reply_due"], condition=Q(status__in=["issued", "acknowledged"]), name="recommendation_open_due"
            ),
            # The recurrence check of a draft: the addressee's adopted recommendations of a category.
            models.Index(fields=["addressee", "category", "replied_at"], name="recommendation_recurrence"),
            # The figures of rectification and visits (stats.sources): only the adopted ones, by their dates.
            models.Index(
                fields=["rectification_due"],
                condition=Q(rectification_due__isnull=False),
                name="recommendation_rectification",
            ),
            models.Index(fields=["visited_on"], condition=Q(visited_on__isnull=False), name="recommendation_visited"),
        ]

    def __str__(self) -> str:
        return self.number or self.title

    def get_absolute_url(self) -> str:
        return reverse("recommendation-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def overdue(self) -> bool:
        return is_overdue(self)

    @property
    def is_draft(self) -> bool:
        return self.status in self.DRAFT_STATUSES

    def rectification_overdue(self, today: date | None = None) -> bool:
        """Adopted, the rectification deadline passed and the agency has not reported it done."""
        return (
            self.status == self.Status.RECTIFYING
            and self.rectification_due is not None
            and self.rectification_due < (today or timezone.localdate())
        )

    def light(self, today: date | None = None) -> str:
        """Traffic light of the reply due date (:func:`fuyuan.lib.deadlines.light`, kind "recommendation")."""
        return light(kind="recommendation", due=self.reply_due, is_open=self.is_open, today=today)

    def days_to_due(self, today: date | None = None) -> int | None:
        if self.reply_due is None:
            return None
        return (self.reply_due - (today or timezone.localdate())).days

    @property
    def days_overdue(self) -> int:
        days = self.days_to_due()
        return -days if days is not None and days < 0 else 0


def attachment_path(instance: object, filename: str) -> str:
    """The upload path of the files before issue 18 (applied migrations name it; files keep their paths)."""
    today = timezone.localdate()
    return f"recommendations/{today:%Y/%m}/{uuid.uuid4().hex}"


class AttachmentPart(models.TextChoices):
    """The parts of a recommendation's files (:class:`attachments.models.Attachment` ``part``)."""

    RECOMMENDATION = "recommendation", _("司法建议书")
    REPLY = "reply", _("回复材料")
    RECTIFICATION = "rectification", _("整改材料")
    VISIT = "visit", _("回访材料")
