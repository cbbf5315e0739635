"""Enforcement cases concluded through linkage (执行联动结案): a court's record of what was recovered and paid out.

Task 7 of the Opinion counts them (执结件数, 到位金额, 发放案款). Amounts are exact decimals in yuan
(``DecimalField(16, 2)``), never floats; what was paid out of a case cannot exceed what was recovered in it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import record_city_field, record_region_field

__all__ = ["EnforcementCase"]


def amount_field(label: Any) -> models.DecimalField:
    return models.DecimalField(label, max_digits=16, decimal_places=2, default=0)


class EnforcementCase(models.Model):
    court = models.ForeignKey(
        "members.MemberUnit", verbose_name=_("执行法院"), on_delete=models.PROTECT, related_name="enforcement_cases"
    )
    case_number = models.CharField(_("执行案号"), max_length=100)
    concluded_on = models.DateField(_("结案日期"))
    amount_recovered = amount_field(_("到位金额(元)"))
    amount_paid = amount_field(_("发放案款(元)"))
    referrals = models.ManyToManyField(
        "cases.Referral",
        verbose_name=_("关联执行查控"),
        blank=True,
        related_name="enforcement_cases",
        help_text=_("本案通过联动机制发出的执行查控移送(可选)。"),
    )
    partner_units = models.ManyToManyField(
        "members.MemberUnit", verbose_name=_("协作单位"), blank=True, related_name="enforcement_partnerships"
    )
    tasks = models.ManyToManyField(
        "members.WorkTask", verbose_name=_("工作任务"), blank=True, related_name="enforcement_cases"
    )
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    region = record_region_field()
    city = record_city_field()
    history = HistoricalRecords(m2m_fields=[partner_units, tasks])

    class Meta:
        ordering = ["-concluded_on", "-id"]
        verbose_name = _("执行联动结案")
        verbose_name_plural = _("执行联动结案")
        constraints = [
            models.UniqueConstraint(fields=["court", "case_number"], name="enforcement_case_number_per_court"),
            models.CheckConstraint(
                condition=Q(amount_recovered__gte=0) & Q(amount_paid__gte=0), name="enforcement_case_amounts_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__lte=F("amount_recovered")), name="enforcement_case_paid_lte_recovered"
            ),
        ]
        indexes = [
            # The lists in concluded order: a court's, a 市州's, a county's (one index range each).
            models.Index(fields=["court", "-concluded_on", "-id"], name="enforcement_court_list"),
            models.Index(fields=["city", "-concluded_on", "-id"], name="enforcement_city_list"),
            models.Index(fields=["region", "-concluded_on", "-id"], name="enforcement_region_list"),
            # The figures: a period, with the amounts summed from the index alone.
            # (and the province's list in concluded order, walked backwards).
            models.Index(
                fields=["concluded_on", "id"],
                name="enforcement_concluded",
                include=["amount_recovered", "amount_paid", "court", "region", "city"],
            ),
        ]

    def __str__(self) -> str:
        return self.case_number
