"""Consultations (会商): one a unit or a court held, logged by its liaison or clerk."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from attachments.models import Attachment
from meetings.meetings.models import Meeting
from members.models import MemberUnit, Region, WorkTask, record_city_field


class Consultation(models.Model):
    """会商: one consultation a unit or court held, logged by its liaison or clerk."""

    class TopicKind(models.TextChoices):
        LEGAL_ISSUE = "legal_issue", _("重大涉法问题")
        MAJOR_CASE = "major_case", _("重大案件")
        EMERGENCY = "emergency", _("重大紧急事项")
        ROUTINE = "routine", _("日常会商")

    topic_kind = models.CharField(_("会商类型"), max_length=12, choices=TopicKind.choices, db_index=True)
    held_on = models.DateField(_("会商日期"))
    units = models.ManyToManyField(MemberUnit, verbose_name=_("参与单位"), related_name="consultations")
    level = models.CharField(_("层级"), max_length=10, choices=MemberUnit.Level.choices, default="province")
    region = models.ForeignKey(
        Region, verbose_name=_("市州"), null=True, blank=True, on_delete=models.PROTECT, related_name="consultations"
    )
    topic = models.CharField(_("会商议题"), max_length=300)
    case_number = models.CharField(_("相关案号"), max_length=100, blank=True)
    tasks = models.ManyToManyField(WorkTask, verbose_name=_("工作任务"), related_name="consultations", blank=True)
    outcome = models.TextField(_("会商结果"), blank=True)
    follow_up = models.TextField(_("后续议定事项"), blank=True)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("关联会议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultations",
    )
    logging_unit = models.ForeignKey(
        MemberUnit, verbose_name=_("登记单位"), null=True, on_delete=models.PROTECT, related_name="logged_consultations"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[units, tasks])

    city = record_city_field()

    attachments = GenericRelation(
        Attachment, verbose_name=_("附件"), content_type_field="record_type", object_id_field="record_id"
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("会商")
        verbose_name_plural = _("会商")
        indexes = [
            models.Index(fields=["logging_unit", "-held_on"], name="consultation_logger_held"),
            models.Index(fields=["held_on", "id"], name="consultation_held_id"),
            models.Index(fields=["city", "held_on", "id"], name="consultation_city_held"),
            models.Index(fields=["region", "held_on", "id"], name="consultation_region_held"),
        ]

    def __str__(self) -> str:
        return self.topic
