"""行政机关负责人出庭应诉 (task 1): a court notifies an agency of a hearing in an administrative case, the agency
answers who will appear, and after the hearing the court records who did.

Lifecycle (API.md ``hearings/``): ``draft`` → ``notified`` → ``answered`` → ``held``; ``cancelled`` from any
state before ``held``. The record lives in the smallest region holding the court and the defendant agency
(``members.levels.stamp``), so a level's office follows it up and the figures add up level by level.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from attachments.models import Attachment
from members.models import User, record_city_field, record_region_field, record_user_field

__all__ = ["Hearing"]


class Hearing(models.Model):
    """One hearing of an administrative case whose defendant is an agency (行政机关负责人出庭应诉)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        NOTIFIED = "notified", _("已通知")
        ANSWERED = "answered", _("已回复")
        HELD = "held", _("已开庭")
        CANCELLED = "cancelled", _("已取消")

    class Appeared(models.TextChoices):
        HEAD = "head", _("负责人(正职)")
        DEPUTY = "deputy", _("负责人(副职)")
        STAFF = "staff", _("工作人员")
        NONE = "none", _("无人出庭")

    #: Before the hearing: the court may still cancel; the agency may (re)answer once notified.
    OPEN_STATUSES = (Status.NOTIFIED, Status.ANSWERED)
    #: A responsible person (负责人): the head or a deputy.
    RESPONSIBLE = (Appeared.HEAD, Appeared.DEPUTY)

    court = models.ForeignKey(
        "members.MemberUnit",
        verbose_name=_("审理法院"),
        on_delete=models.PROTECT,
        related_name="hearings_as_court",
        limit_choices_to={"kind": "court"},
    )
    case_number = models.CharField(_("案号"), max_length=100, help_text=_("如:(2026)甘01行初12号"))
    defendant = models.ForeignKey(
        "members.MemberUnit",
        verbose_name=_("被告行政机关"),
        on_delete=models.PROTECT,
        related_name="hearings_as_defendant",
    )
    summary = models.TextField(_("案情摘要"), blank=True)
    hearing_at = models.DateTimeField(_("开庭时间"))
    place = models.CharField(_("开庭地点"), max_length=200, blank=True)
    tasks = models.ManyToManyField("members.WorkTask", verbose_name=_("工作任务"), related_name="hearings", blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)

    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True, editable=False)
    notified_by = record_user_field(_("通知人"))

    answer_name = models.CharField(_("拟出庭人员"), max_length=50, blank=True, editable=False)
    answer_post = models.CharField(_("职务"), max_length=100, blank=True, editable=False)
    answer_responsible = models.BooleanField(_("是否负责人出庭"), null=True, blank=True, editable=False)
    answer_reason = models.TextField(_("负责人不能出庭的理由"), blank=True, editable=False)
    answered_at = models.DateTimeField(_("回复时间"), null=True, blank=True, editable=False)
    answered_by = record_user_field(_("回复人"))

    appeared = models.CharField(_("实际出庭"), max_length=8, choices=Appeared.choices, blank=True, editable=False)
    appeared_name = models.CharField(_("出庭人员"), max_length=50, blank=True, editable=False)
    appeared_post = models.CharField(_("出庭人员职务"), max_length=100, blank=True, editable=False)
    recorded_at = models.DateTimeField(_("登记时间"), null=True, blank=True, editable=False)
    recorded_by = record_user_field(_("登记人"))
    reported_at = models.DateTimeField(_("通报主管部门时间"), null=True, blank=True, editable=False)

    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True, editable=False)
    cancel_reason = models.TextField(_("取消原因"), blank=True, editable=False)

    next_alert_at = models.DateTimeField(_("下次提醒"), null=True, blank=True, editable=False)
    created_by = record_user_field(_("登记人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    region = record_region_field()
    city = record_city_field()
    history = HistoricalRecords(m2m_fields=[tasks])
    # Not columns: django-simple-history's reason and author of the next save (alerts.save_with_reason).
    _change_reason: str
    _history_user: User | None

    attachments = GenericRelation(
        Attachment, verbose_name=_("附件"), content_type_field="record_type", object_id_field="record_id"
    )

    class Meta:
        verbose_name = _("负责人出庭应诉")
        verbose_name_plural = _("负责人出庭应诉")
        ordering = ["-hearing_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="held") | ~Q(appeared=""), name="hearing_held_has_appearance"),
        ]
        indexes = [
            models.Index(fields=["next_alert_at"], condition=Q(next_alert_at__isnull=False), name="hearing_alert_due"),
            models.Index(fields=["-hearing_at", "-id"], name="hearing_list_order"),
            models.Index(fields=["city", "-hearing_at", "-id"], name="hearing_city_list"),
            models.Index(fields=["region", "-hearing_at", "-id"], name="hearing_region_list"),
            models.Index(fields=["court", "-hearing_at", "-id"], name="hearing_court_list"),
            models.Index(fields=["defendant", "-hearing_at", "-id"], name="hearing_defendant_list"),
            # The figures: held hearings of a period, in a 市州 or a county (or everywhere).
            models.Index(fields=["hearing_at"], condition=Q(status="held"), name="hearing_held_at"),
            models.Index(fields=["city", "hearing_at"], condition=Q(status="held"), name="hearing_held_city"),
            models.Index(fields=["region", "hearing_at"], condition=Q(status="held"), name="hearing_held_region"),
        ]

    def __str__(self) -> str:
        return self.case_number

    def get_absolute_url(self) -> str:
        return reverse("hearing-detail", args=[self.pk])

    @property
    def head_appeared(self) -> bool | None:
        """Whether a responsible person appeared (None before the appearance is recorded)."""
        return self.appeared in self.RESPONSIBLE if self.appeared else None

    @property
    def is_past(self) -> bool:
        return self.hearing_at <= timezone.now()
