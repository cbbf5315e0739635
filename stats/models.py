"""Frozen figures (snapshots) and the reports prepared each quarter for the leading group."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import record_city_field


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


class Target(models.Model):
    """指标: a level's target value for one figure in one year, for one work task or the whole mechanism.

    ``region`` is the level's region (the province, a 市州 or a 县市区); ``city`` its 市州 (denormalised, so a
    市州 office's targets are one indexed equality, ``members.levels.region_q``). ``figure`` is a key of
    ``stats.figures.FIGURES``; a rate's value is a percentage (0–100), a count's a number of records.
    """

    class Comparator(models.TextChoices):
        GTE = "gte", _("不低于")
        LTE = "lte", _("不高于")

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    region = models.ForeignKey(
        "members.Region", verbose_name=_("层级区划"), on_delete=models.PROTECT, related_name="targets"
    )
    city = record_city_field()
    task = models.ForeignKey(
        "members.WorkTask",
        verbose_name=_("工作任务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
        help_text=_("不选:整个府院联动机制的指标。"),
    )
    figure = models.CharField(_("统计项"), max_length=60)
    comparator = models.CharField(_("比较方式"), max_length=3, choices=Comparator.choices, default=Comparator.GTE)
    value = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["-year", "region__code", "task__number", "figure"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "region", "task", "figure"],
                condition=models.Q(task__isnull=False),
                name="target_once_per_task",
            ),
            models.UniqueConstraint(
                fields=["year", "region", "figure"],
                condition=models.Q(task__isnull=True),
                name="target_once_per_mechanism",
            ),
        ]
        indexes = [models.Index(fields=["city", "year"], name="target_city_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.figure} {self.get_comparator_display()} {self.value}"
