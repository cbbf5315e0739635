"""Decisions (议定事项) of joint meetings: an owner unit, supporting units, a due date, progress reports."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from attachments.models import Attachment
from fuyuan.lib.deadlines import OverdueQuerySet, is_overdue, light
from meetings.meetings.models import Meeting
from members.models import MemberUnit, record_city_field, record_region_field


class Decision(models.Model):
    """议定事项: one follow-up item of a meeting with an owner unit and a due date."""

    class Status(models.TextChoices):
        OPEN = "open", _("办理中")
        DONE = "done", _("已办结")

    OVERDUE_STATUSES, DUE_FIELD = (Status.OPEN,), "due"  # the overdue rule (OverdueQuerySet)

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="decisions")
    text = models.TextField(_("议定事项"))
    owner_unit = models.ForeignKey(
        MemberUnit, verbose_name=_("牵头落实单位"), on_delete=models.PROTECT, related_name="owned_decisions"
    )
    supporting_units = models.ManyToManyField(
        MemberUnit, verbose_name=_("配合单位"), related_name="supported_decisions", blank=True
    )
    due = models.DateField(_("完成时限"), db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    done_note = models.TextField(_("办结说明"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    next_alert_at = models.DateTimeField(_("下次提醒"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    objects = OverdueQuerySet.as_manager()

    region = record_region_field()
    city = record_city_field()

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        indexes = [
            models.Index(fields=["next_alert_at"], condition=Q(next_alert_at__isnull=False), name="decision_alert_due"),
            models.Index(fields=["owner_unit", "status", "due"], name="decision_owner_status_due"),
            models.Index(fields=["status", "due", "id"], name="decision_status_due"),
            # A 市州's or a 县市区's follow-up list (open, by due date): one index range each.
            models.Index(fields=["city", "status", "due", "id"], name="decision_city_status_due"),
            models.Index(fields=["region", "status", "due", "id"], name="decision_region_status_due"),
        ]

    def __str__(self) -> str:
        return self.text[:50]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def overdue_on(self, today: date) -> bool:
        return is_overdue(self, today)

    @property
    def overdue(self) -> bool:
        return self.overdue_on(timezone.localdate())

    @property
    def light(self) -> str:
        """Traffic light (``fuyuan.lib.deadlines.light``): grey done, red overdue, yellow due within the window."""
        return light(kind="decision", due=self.due, is_open=self.status == self.Status.OPEN)


class DecisionProgress(models.Model):
    decision = models.ForeignKey(
        Decision, verbose_name=_("议定事项"), on_delete=models.CASCADE, related_name="progress"
    )
    note = models.TextField(_("进展情况"))
    unit = models.ForeignKey(MemberUnit, verbose_name=_("单位"), null=True, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    history = HistoricalRecords()

    attachments = GenericRelation(
        Attachment, verbose_name=_("附件"), content_type_field="record_type", object_id_field="record_id"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("办理进展")
        verbose_name_plural = _("办理进展")

    def __str__(self) -> str:
        return self.note[:50]
