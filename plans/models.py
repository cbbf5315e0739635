"""The year's work plan (年度工作要点) under the ten tasks: plans, their items, milestones, progress and 督办.

A plan belongs to one level's region (the province, a 市州 or a 县市区) and one year; the office of that
level drafts it and publishes it. Each item sits under one of the ten tasks, with a lead unit, supporting
units and a due date inside the plan's year. Items and supervisions live in their plan's region
(``region``/``city`` columns, ``members.levels``), so the scope by level is one indexed equality.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from attachments.models import Attachment
from fuyuan.lib.deadlines import OverdueQuerySet, is_overdue, light
from members.models import MemberUnit, Region, WorkTask, record_city_field, record_user_field

if TYPE_CHECKING:
    pass


class Plan(models.Model):
    """年度工作要点: one level's plan for one year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已印发")

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    region = models.ForeignKey(Region, verbose_name=_("层级区划"), on_delete=models.PROTECT, related_name="plans")
    city = record_city_field()
    title = models.CharField(_("标题"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(_("印发时间"), null=True, blank=True, editable=False)
    published_by = record_user_field(_("印发人"))
    created_by = record_user_field(_("起草人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "region__code"]
        verbose_name = _("年度工作要点")
        verbose_name_plural = _("年度工作要点")
        constraints = [models.UniqueConstraint(fields=["year", "region"], name="plan_one_per_year_and_region")]
        indexes = [models.Index(fields=["city", "year"], name="plan_city_year")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class PlanItem(models.Model):
    """One work point of a plan: under a task, owned by a lead unit, due on a date."""

    class Status(models.TextChoices):
        OPEN = "open", _("推进中")
        DONE = "done", _("已报完成")
        ACCEPTED = "accepted", _("已验收")
        RETURNED = "returned", _("已退回")

    OVERDUE_STATUSES, DUE_FIELD = (Status.OPEN, Status.RETURNED), "due"  # the overdue rule (OverdueQuerySet)
    #: The statuses in which the lead unit is still at work (progress may be reported, 督办 issued).
    WORKING = (Status.OPEN, Status.RETURNED)

    plan = models.ForeignKey(Plan, verbose_name=_("工作要点"), on_delete=models.CASCADE, related_name="items")
    task = models.ForeignKey(WorkTask, verbose_name=_("工作任务"), on_delete=models.PROTECT, related_name="plan_items")
    number = models.PositiveSmallIntegerField(_("序号"), default=0)
    text = models.TextField(_("工作内容"))
    lead_unit = models.ForeignKey(
        MemberUnit, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="led_plan_items"
    )
    supporting_units = models.ManyToManyField(
        MemberUnit, verbose_name=_("配合单位"), related_name="supported_plan_items", blank=True
    )
    due = models.DateField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    percent = models.PositiveSmallIntegerField(
        _("完成进度(%)"), default=0, validators=[MaxValueValidator(100)], editable=False
    )
    done_at = models.DateTimeField(_("报完成时间"), null=True, blank=True, editable=False)
    done_summary = models.TextField(_("完成情况"), blank=True, editable=False)
    done_by = record_user_field(_("报完成人"))
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True, editable=False)
    accepted_by = record_user_field(_("验收人"))
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True, editable=False)
    return_reason = models.TextField(_("退回理由"), blank=True, editable=False)
    next_alert_at = models.DateTimeField(_("下次提醒"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Where the item lives: its plan's region (the office of that level follows it up).
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    city = record_city_field()
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)  # the plan's, for the task page's index
    history = HistoricalRecords()

    objects = OverdueQuerySet.as_manager()

    class Meta:
        ordering = ["task__number", "number", "id"]
        verbose_name = _("工作要点事项")
        verbose_name_plural = _("工作要点事项")
        indexes = [
            models.Index(fields=["next_alert_at"], condition=Q(next_alert_at__isnull=False), name="planitem_alert_due"),
            models.Index(fields=["plan", "task", "number"], name="planitem_plan_task"),
            models.Index(fields=["lead_unit", "status", "due"], name="planitem_lead_status_due"),
            # The task page: one task's items of one year, in a level's subtree.
            models.Index(fields=["task", "year", "region"], name="planitem_task_year_region"),
            models.Index(fields=["task", "year", "city"], name="planitem_task_year_city"),
            models.Index(fields=["status", "due", "id"], name="planitem_status_due"),
            # The item list's default order (issue 19): its first page read 20 index entries, not all the items sorted.
            models.Index(fields=["due", "id"], name="planitem_due_id"),
            # A year's items at the province (lists and API ``?year=``, the report's counts by status).
            models.Index(fields=["year", "status"], name="planitem_year_status"),
        ]

    def __str__(self) -> str:
        return self.text[:50]

    @property
    def is_working(self) -> bool:
        return self.status in self.WORKING

    def overdue_on(self, today: date) -> bool:
        return is_overdue(self, today)

    @property
    def overdue(self) -> bool:
        return self.overdue_on(timezone.localdate())

    @property
    def light(self) -> str:
        """Traffic light (``fuyuan.lib.deadlines.light``): grey finished, red overdue, yellow due soon."""
        return light(kind="plan_item", due=self.due, is_open=self.is_working)


class PlanMilestone(models.Model):
    """An optional step of an item (e.g. 6月底前出台方案), reached when a progress report says so."""

    item = models.ForeignKey(
        PlanItem, verbose_name=_("工作要点事项"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("节点"), max_length=200)
    due = models.DateField(_("节点时限"), null=True, blank=True)
    reached_at = models.DateTimeField(_("完成时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("进度节点")
        verbose_name_plural = _("进度节点")

    def __str__(self) -> str:
        return self.title


class PlanProgress(models.Model):
    """A progress report on an item, by the lead unit or a supporting unit (or the office)."""

    item = models.ForeignKey(
        PlanItem, verbose_name=_("工作要点事项"), on_delete=models.CASCADE, related_name="progress"
    )
    text = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(
        _("完成进度(%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    milestone = models.ForeignKey(
        PlanMilestone,
        verbose_name=_("完成节点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(MemberUnit, verbose_name=_("单位"), null=True, on_delete=models.PROTECT, related_name="+")
    by = record_user_field(_("填报人"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)

    attachments = GenericRelation(
        Attachment, verbose_name=_("附件"), content_type_field="record_type", object_id_field="record_id"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        indexes = [models.Index(fields=["item", "created_at"], name="planprogress_item_time")]

    def __str__(self) -> str:
        return self.text[:50]


class Supervision(models.Model):
    """督办通知: the office presses the lead unit on a lagging item; the unit must answer by ``due``."""

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")

    OVERDUE_STATUSES, DUE_FIELD = (Status.OPEN,), "due"

    item = models.ForeignKey(
        PlanItem, verbose_name=_("工作要点事项"), on_delete=models.CASCADE, related_name="supervisions"
    )
    text = models.TextField(_("督办内容"))
    due = models.DateField(_("答复时限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    issued_at = models.DateTimeField(_("督办时间"), default=timezone.now, editable=False)
    issued_by = record_user_field(_("督办人"))
    answer = models.TextField(_("答复内容"), blank=True, editable=False)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True, editable=False)
    answered_by = record_user_field(_("答复人"))
    next_alert_at = models.DateTimeField(_("下次提醒"), null=True, blank=True, editable=False)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    city = record_city_field()
    history = HistoricalRecords()

    objects = OverdueQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        indexes = [
            models.Index(
                fields=["next_alert_at"], condition=Q(next_alert_at__isnull=False), name="supervision_alert_due"
            ),
            models.Index(fields=["item", "status"], name="supervision_item_status"),
            models.Index(fields=["status", "due", "id"], name="supervision_status_due"),
            # The 督办 list's order (newest first) for those who read every region: page 1 without a sort.
            models.Index(fields=["issued_at", "id"], name="supervision_issued"),
        ]

    def __str__(self) -> str:
        return self.text[:50]

    def overdue_on(self, today: date) -> bool:
        return is_overdue(self, today)

    @property
    def overdue(self) -> bool:
        return self.overdue_on(timezone.localdate())
