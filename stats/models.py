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


# --- rollups (issue 19): the figures counted as the records change ------------------------------------------------
# ``stats.rollups`` keeps them; ``stats.tally`` reads them. Columns ``c0``…``c9`` are a source's counts in the order
# of ``Source.counts`` (its static part, see ``stats.sources.Source.split``), ``s0``/``s1`` its sums.

COUNT_COLUMNS = [f"c{i}" for i in range(10)]
SUM_COLUMNS = ["s0", "s1"]


class Counts(models.Model):
    """A source's counts (``c0``…, in the order of ``Source.counts``) and sums (``s0``, ``s1``)."""

    c0 = models.IntegerField(_("计数0"), default=0)
    c1 = models.IntegerField(_("计数1"), default=0)
    c2 = models.IntegerField(_("计数2"), default=0)
    c3 = models.IntegerField(_("计数3"), default=0)
    c4 = models.IntegerField(_("计数4"), default=0)
    c5 = models.IntegerField(_("计数5"), default=0)
    c6 = models.IntegerField(_("计数6"), default=0)
    c7 = models.IntegerField(_("计数7"), default=0)
    c8 = models.IntegerField(_("计数8"), default=0)
    c9 = models.IntegerField(_("计数9"), default=0)
    s0 = models.DecimalField(_("金额0"), max_digits=20, decimal_places=2, default=0)
    s1 = models.DecimalField(_("金额1"), max_digits=20, decimal_places=2, default=0)

    class Meta:
        abstract = True


class RollupChange(models.Model):
    """A row changed since the rollups were last brought up to date: written by a database trigger on every
    counted table (``stats.triggers``) in the writer's own transaction, taken by ``stats.rollups.flush``."""

    table_name = models.CharField(_("数据表"), max_length=63)
    record_id = models.BigIntegerField(_("记录"))

    class Meta:
        verbose_name = _("待汇总的变更")
        verbose_name_plural = _("待汇总的变更")

    def __str__(self) -> str:
        return f"{self.table_name}#{self.record_id}"


class RollupEntry(Counts):
    """What one record adds to the figures (its ledger line): the day it counts on, its region, its unit and
    its counts; ``task`` 0 for the line of all tasks, else one line per work task of the record."""

    source = models.CharField(_("统计来源"), max_length=24)
    record_id = models.BigIntegerField(_("记录"))
    task_id = models.IntegerField(_("工作任务"), default=0)
    day = models.DateField(_("日期"))
    region_id = models.IntegerField(_("区划"), default=0)
    city_id = models.IntegerField(_("市州"), default=0)
    unit_id = models.IntegerField(_("单位"), default=0)

    class Meta:
        verbose_name = _("汇总明细")
        verbose_name_plural = _("汇总明细")
        constraints = [
            models.UniqueConstraint(fields=["source", "record_id", "task_id"], name="rollup_entry_once"),
        ]
        indexes = [models.Index(fields=["source", "task_id", "day"], name="rollup_entry_day")]

    def __str__(self) -> str:
        return f"{self.source}#{self.record_id}/{self.task_id}"


class Rollup(Counts):
    """The sums of the ledger per source, month or year (``grain``; ``month`` is its first day), region (its own
    and its 市州), unit (0: all units) and work task (0: all tasks). The dashboard, the API's figures and the
    reports read these, not the records: a whole year's unit rows are one row each, not twelve."""

    MONTH, YEAR = 1, 2
    source = models.CharField(_("统计来源"), max_length=24)
    grain = models.PositiveSmallIntegerField(_("粒度"), default=MONTH)
    month = models.DateField(_("月份"))
    region_id = models.IntegerField(_("区划"), default=0)
    city_id = models.IntegerField(_("市州"), default=0)
    unit_id = models.IntegerField(_("单位"), default=0)
    task_id = models.IntegerField(_("工作任务"), default=0)

    class Meta:
        verbose_name = _("统计汇总")
        verbose_name_plural = _("统计汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "grain", "month", "region_id", "city_id", "unit_id", "task_id"],
                name="rollup_key_once",
            ),
        ]
        indexes = [
            models.Index(fields=["grain", "task_id", "unit_id", "month"], name="rollup_read"),
            models.Index(fields=["city_id", "grain", "task_id", "unit_id", "month"], name="rollup_city_read"),
            models.Index(fields=["region_id", "grain", "task_id", "unit_id", "month"], name="rollup_region_read"),
            # The by-unit sums (the dashboard ranks the units), read from the index alone on PostgreSQL.
            models.Index(
                fields=["grain", "task_id", "month", "source", "unit_id"],
                include=["region_id", "city_id", "c0"],
                condition=~models.Q(unit_id=0),
                name="rollup_unit_read",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.month:%Y-%m}"


class RollupState(models.Model):
    """One row: the layout the rollups were built for (a digest of the sources' counts) and the last change taken."""

    layout = models.CharField(_("汇总结构"), max_length=64, blank=True)
    changes_through = models.BigIntegerField(_("已汇总的变更"), default=0)
    built_at = models.DateTimeField(_("重建时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("汇总状态")
        verbose_name_plural = _("汇总状态")

    def __str__(self) -> str:
        return self.layout


class RollupCheck(models.Model):
    """The nightly recount: the rollups compared with the records, and what was repaired."""

    checked_at = models.DateTimeField(_("核对时间"), auto_now_add=True)
    seconds = models.DecimalField(_("耗时(秒)"), max_digits=10, decimal_places=2, default=0)
    records = models.BigIntegerField(_("核对记录数"), default=0)
    drifted = models.IntegerField(_("偏差行数"), default=0)
    sources = models.CharField(_("有偏差的来源"), max_length=300, blank=True)
    detail = models.JSONField(_("偏差明细"), default=list, blank=True)

    class Meta:
        verbose_name = _("统计核对")
        verbose_name_plural = _("统计核对")
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {self.drifted}"
