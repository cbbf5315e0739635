"""Concluded intellectual-property cases (知识产权案件) and how each ended, for the 调撤率 of task 6.

A court records each IP case it has concluded (one by one, or by an XLSX sheet: ``cases.ipcases.intake``):
its 案号, the kind of right (patent, trademark, copyright, unfair competition), the day it was concluded and
how (judgment, mediation, withdrawal), and the mediation organisation when one mediated. The figure
``ip_mediation_withdrawal_rate`` is (mediated + withdrawn) ÷ concluded (``stats.sources.IP_CASES``, dated
by ``concluded_on``). A case lives in its court's region (``region``/``city``, ``members.levels.stamp``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import MemberUnit, Region, WorkTask, record_city_field

#: Task 6, 联动促进创新驱动发展: an IP case's task unless another is chosen.
DEFAULT_TASK_NUMBER = 6


class IPCase(models.Model):
    """知识产权案件: one concluded case of a court, and how it ended."""

    class Kind(models.TextChoices):
        PATENT = "patent", _("专利")
        TRADEMARK = "trademark", _("商标")
        COPYRIGHT = "copyright", _("著作权")
        UNFAIR_COMPETITION = "unfair_competition", _("不正当竞争")
        OTHER = "other", _("其他")

    class Outcome(models.TextChoices):
        JUDGMENT = "judgment", _("判决")
        MEDIATION = "mediation", _("调解")
        WITHDRAWAL = "withdrawal", _("撤诉")
        OTHER = "other", _("其他")

    #: The outcomes the 调撤率 counts (mediated or withdrawn).
    SETTLED = (Outcome.MEDIATION, Outcome.WITHDRAWAL)

    court = models.ForeignKey(MemberUnit, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="ip_cases")
    case_number = models.CharField(_("案号"), max_length=100)
    kind = models.CharField(_("案件类型"), max_length=20, choices=Kind.choices)
    concluded_on = models.DateField(_("结案日期"))
    outcome = models.CharField(_("结案方式"), max_length=12, choices=Outcome.choices)
    mediated_by = models.ForeignKey(
        MemberUnit,
        verbose_name=_("调解组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediated_ip_cases",
    )
    tasks = models.ManyToManyField(WorkTask, verbose_name=_("工作任务"), related_name="ip_cases", blank=True)
    note = models.TextField(_("备注"), blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    city = record_city_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    imported = models.BooleanField(_("批量导入"), default=False, editable=False)
    history = HistoricalRecords()  # the fields; the tasks (task 6 by default) are not tracked

    class Meta:
        ordering = ["-concluded_on", "-id"]
        verbose_name = _("知识产权案件")
        verbose_name_plural = _("知识产权案件")
        constraints = [models.UniqueConstraint(fields=["court", "case_number"], name="ipcase_court_case_number")]
        indexes = [
            # The list's default order, and the figures by period, for every region / a 市州 / a 县市区.
            models.Index(fields=["concluded_on", "id"], name="ipcase_concluded"),
            models.Index(fields=["city", "concluded_on", "id"], name="ipcase_city_concluded"),
            models.Index(fields=["region", "concluded_on", "id"], name="ipcase_region_concluded"),
            models.Index(fields=["court", "concluded_on"], name="ipcase_court_concluded"),
        ]

    def __str__(self) -> str:
        return self.case_number

    @property
    def settled(self) -> bool:
        """Mediated or withdrawn: counted in the numerator of the 调撤率."""
        return self.outcome in self.SETTLED
