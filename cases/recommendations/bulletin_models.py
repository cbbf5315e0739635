"""The quarterly 通报 of judicial recommendations to a supervising authority (issue 17, item 6).

One :class:`RecommendationBulletin` per supervising authority (主管部门) and quarter lists its units'
recommendations that, in that quarter, were not replied to in time, not adopted, not rectified, or recurred.
Its rows (:class:`BulletinEntry`) are a snapshot taken when the bulletin is generated, so the 通报 stays what
was sent even when the recommendations change afterwards. The bulletin lives in the supervisor's region
(``members.levels.stamp``): the office of that level and above reads it, as do the supervisor's liaisons.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.recommendations.models import JudicialRecommendation
from members.models import record_city_field, record_region_field

__all__ = ["BulletinEntry", "Reason", "RecommendationBulletin"]

QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
QUARTERS = [(1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))]


class Reason(models.TextChoices):
    """Why a recommendation is in a bulletin (an entry may have several)."""

    LATE_REPLY = "late_reply", _("逾期未回复")
    NOT_ADOPTED = "not_adopted", _("未采纳")
    NOT_RECTIFIED = "not_rectified", _("未整改")
    RECURRED = "recurred", _("问题复发")


class RecommendationBulletin(models.Model):
    """关于某年第某季度司法建议办理情况的通报, to one supervising authority."""

    supervisor = models.ForeignKey(
        "members.MemberUnit",
        verbose_name=_("主管部门"),
        on_delete=models.PROTECT,
        related_name="recommendation_bulletins",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=QUARTERS)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    issuer = models.CharField(_("通报单位"), max_length=100, help_text=_("主管部门所在层级的领导小组办公室。"))
    generated_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    entry_count = models.PositiveIntegerField(_("通报件数"), default=0)
    late_reply_count = models.PositiveIntegerField(_("逾期未回复件数"), default=0)
    not_adopted_count = models.PositiveIntegerField(_("未采纳件数"), default=0)
    not_rectified_count = models.PositiveIntegerField(_("未整改件数"), default=0)
    recurred_count = models.PositiveIntegerField(_("问题复发件数"), default=0)

    region = record_region_field()
    city = record_city_field()

    class Meta:
        verbose_name = _("司法建议季度通报")
        verbose_name_plural = _("司法建议季度通报")
        ordering = ["-year", "-quarter", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["supervisor", "year", "quarter"], name="bulletin_one_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="bulletin_quarter_1_4"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="bulletin_period"),
        ]
        indexes = [
            models.Index(fields=["-year", "-quarter", "-id"], name="bulletin_list_order"),
            models.Index(fields=["city", "-year", "-quarter"], name="bulletin_city_list"),
            models.Index(fields=["region", "-year", "-quarter"], name="bulletin_region_list"),
        ]

    def __str__(self) -> str:
        return f"{self.title}({self.supervisor})"

    def get_absolute_url(self) -> str:
        return reverse("recommendation-bulletin-detail", args=[self.pk])

    @property
    def title(self) -> str:
        """关于2026年第三季度司法建议办理情况的通报 (data in Chinese, as the document is)."""
        return f"关于{self.year}年第{QUARTER_NAMES.get(self.quarter, self.quarter)}季度司法建议办理情况的通报"

    @property
    def period_label(self) -> str:
        return f"{self.year}年第{QUARTER_NAMES.get(self.quarter, self.quarter)}季度"

    def count_of(self, reason: str) -> int:
        return int(getattr(self, f"{reason}_count"))


class BulletinEntry(models.Model):
    """One recommendation of a bulletin, as it stood when the bulletin was generated."""

    bulletin = models.ForeignKey(
        RecommendationBulletin, verbose_name=_("通报"), on_delete=models.CASCADE, related_name="entries"
    )
    recommendation = models.ForeignKey(
        JudicialRecommendation,
        verbose_name=_("司法建议"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bulletin_entries",
    )
    late_reply = models.BooleanField(Reason.LATE_REPLY.label, default=False)
    not_adopted = models.BooleanField(Reason.NOT_ADOPTED.label, default=False)
    not_rectified = models.BooleanField(Reason.NOT_RECTIFIED.label, default=False)
    recurred = models.BooleanField(Reason.RECURRED.label, default=False)
    # The snapshot.
    number = models.CharField(_("文号"), max_length=80, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    court_name = models.CharField(_("发出法院"), max_length=100)
    addressee_name = models.CharField(_("收文单位"), max_length=100)
    issued_on = models.DateField(_("发出日期"), null=True, blank=True)
    reply_due = models.DateField(_("回复期限"), null=True, blank=True)
    replied_on = models.DateField(_("回复日期"), null=True, blank=True)
    reply_outcome = models.CharField(
        _("采纳情况"), max_length=16, choices=JudicialRecommendation.Outcome.choices, blank=True
    )
    reply_reason = models.TextField(_("未采纳理由"), blank=True)
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_on = models.DateField(_("整改完成报告日期"), null=True, blank=True)
    visited_on = models.DateField(_("回访日期"), null=True, blank=True)
    visit_result = models.CharField(
        _("回访结果"), max_length=16, choices=JudicialRecommendation.VisitResult.choices, blank=True
    )
    recurrence_numbers = models.CharField(_("此前同类司法建议"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("季度通报事项")
        verbose_name_plural = _("季度通报事项")
        ordering = ["bulletin", "issued_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "recommendation"], name="bulletin_entry_once"),
            models.CheckConstraint(
                condition=Q(late_reply=True) | Q(not_adopted=True) | Q(not_rectified=True) | Q(recurred=True),
                name="bulletin_entry_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number or self.title

    @property
    def reasons(self) -> list[str]:
        return [code for code in Reason.values if getattr(self, code)]

    @property
    def reason_labels(self) -> list[str]:
        return [str(Reason(code).label) for code in self.reasons]

    @property
    def days_late(self) -> int | None:
        """Days past the reply due date: to the reply, or to the quarter's end when not replied by then."""
        if self.reply_due is None:
            return None
        end = self.bulletin.period_end
        until = self.replied_on if self.replied_on is not None and self.replied_on <= end else end
        return max((until - self.reply_due).days, 0)
