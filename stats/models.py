"""Frozen figures (snapshots) and the reports prepared each quarter for the leading group."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Snapshot(models.Model):
    """The figures of one period and filter, frozen (e.g. for the year-end assessment).

    ``data`` holds the counts, the months and the breakdowns as computed when frozen; the figures
    are derived from the counts by the same definitions (stats.figures), so a frozen page differs
    from a live one only in when the counting was done.
    """

    key = models.CharField(_("范围键"), max_length=120, unique=True, editable=False)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"))
    region = models.ForeignKey(
        "members.Region", verbose_name=_("市州"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey(
        "members.WorkTask",
        verbose_name=_("工作任务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "members.MemberUnit", verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField(_("名称"), max_length=100, blank=True)
    data = models.JSONField(_("冻结数据"), default=dict, editable=False)
    frozen_at = models.DateTimeField(_("冻结时间"))
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("冻结人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")
        ordering = ["-end", "-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="snapshot_end_after_start")
        ]

    def __str__(self) -> str:
        return self.label or f"{self.start} – {self.end}"

    @staticmethod
    def make_key(start: object, end: object, region: int | None, task: int | None, unit: int | None) -> str:
        return f"{start}..{end}|r={region or ''}|t={task or ''}|u={unit or ''}"


def report_path(instance: PreparedReport, filename: str) -> str:
    return f"reports/{instance.start:%Y}/{filename}"


class PreparedReport(models.Model):
    """The report to the leading group for a quarter, prepared by Celery beat on its first working day."""

    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"))
    title = models.CharField(_("标题"), max_length=200)
    document = models.FileField(_("Word 文档"), upload_to=report_path, max_length=200)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("定期报告")
        verbose_name_plural = _("定期报告")
        ordering = ["-start", "-id"]
        constraints = [models.UniqueConstraint(fields=["start", "end"], name="prepared_report_once_per_period")]

    def __str__(self) -> str:
        return self.title
