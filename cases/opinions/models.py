"""Legal opinions (咨询意见 / 合法性论证): a government unit asks a court for an opinion on a legal question, a
draft normative document or a major decision, and the court answers by a deadline; or the court offers one.

An opinion lives in the smallest region holding its requester and its court (``members.levels.stamp``), so the
office of that level follows it up and the scope by level is one indexed equality on ``region``/``city``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from attachments.models import Attachment
from fuyuan.lib.deadlines import OverdueQuerySet, is_overdue, light
from members.models import User, record_city_field, record_region_field, record_user_field

if TYPE_CHECKING:
    pass

__all__ = ["Opinion"]


class Opinion(models.Model):
    class Kind(models.TextChoices):
        LEGAL_QUESTION = "legal_question", _("法律问题咨询")
        NORMATIVE_DOCUMENT = "normative_document", _("规范性文件合法性论证")
        MAJOR_DECISION = "major_decision", _("重大决策合法性论证")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待答复")
        ANSWERED = "answered", _("已答复")
        WITHDRAWN = "withdrawn", _("已撤回")

    OVERDUE_STATUSES, DUE_FIELD = (Status.REQUESTED,), "due"  # the overdue rule (OverdueQuerySet)

    requester = models.ForeignKey(
        "members.MemberUnit", verbose_name=_("咨询单位"), on_delete=models.PROTECT, related_name="opinions_requested"
    )
    court = models.ForeignKey(
        "members.MemberUnit",
        verbose_name=_("答复法院"),
        on_delete=models.PROTECT,
        related_name="opinions_given",
        limit_choices_to={"kind": "court"},
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.LEGAL_QUESTION)
    offered = models.BooleanField(_("法院主动提供"), default=False, editable=False)
    subject = models.CharField(_("事项"), max_length=200)
    question = models.TextField(_("咨询内容"))
    document_title = models.CharField(
        _("文件(决策)名称"), max_length=200, blank=True, help_text=_("规范性文件草案或重大决策的名称。")
    )
    document_number = models.CharField(_("文件编号"), max_length=80, blank=True)
    tasks = models.ManyToManyField("members.WorkTask", verbose_name=_("工作任务"), related_name="opinions", blank=True)
    due = models.DateField(_("答复期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(_("咨询时间"), default=timezone.now, editable=False)
    requested_on = models.DateField(_("咨询日期"), editable=False)  # requested_at's local day: the figures' date
    requested_by = record_user_field(_("提出人"))
    answer = models.TextField(_("答复意见"), blank=True, editable=False)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True, editable=False)
    answered_by = record_user_field(_("答复人"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    withdraw_reason = models.TextField(_("撤回原因"), blank=True, editable=False)
    escalated_at = models.DateTimeField(_("升级督办时间"), null=True, blank=True, editable=False)
    next_alert_at = models.DateTimeField(_("下次提醒"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    region = record_region_field()
    city = record_city_field()
    history = HistoricalRecords(m2m_fields=[tasks])
    # Not columns: django-simple-history's reason and author of the next save (services.save_with_reason).
    _change_reason: str
    _history_user: User | None

    objects = OverdueQuerySet.as_manager()

    attachments = GenericRelation(
        Attachment, verbose_name=_("附件"), content_type_field="record_type", object_id_field="record_id"
    )

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("咨询意见")
        verbose_name_plural = _("咨询意见")
        constraints = [
            models.CheckConstraint(condition=~Q(requester=models.F("court")), name="opinion_not_to_self"),
            models.CheckConstraint(condition=~Q(status="answered") | ~Q(answer=""), name="opinion_answered_has_answer"),
        ]
        indexes = [
            models.Index(fields=["next_alert_at"], condition=Q(next_alert_at__isnull=False), name="opinion_alert_due"),
            # The lists, newest request first, for each way of reading them: everything, a 市州, a county,
            # a court, a requester (and the figures over a period: ``requested_on``).
            models.Index(fields=["requested_on", "id"], name="opinion_requested"),
            models.Index(fields=["city", "requested_on", "id"], name="opinion_city_list"),
            models.Index(fields=["region", "requested_on", "id"], name="opinion_region_list"),
            models.Index(fields=["court", "requested_on", "id"], name="opinion_court_list"),
            models.Index(fields=["requester", "requested_on", "id"], name="opinion_requester_list"),
            # The court's "to answer" panel: open opinions of a court, soonest due first.
            models.Index(fields=["court", "due", "id"], name="opinion_open_court", condition=Q(status="requested")),
            # The overdue list (``?overdue=1``, soonest due first) for those who read every region.
            models.Index(fields=["due", "id"], name="opinion_open_due", condition=Q(status="requested")),
            # The requester's "answers received" panel.
            models.Index(fields=["requester", "answered_at"], name="opinion_answered", condition=Q(status="answered")),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("opinion-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.REQUESTED

    @property
    def overdue(self) -> bool:
        return is_overdue(self)

    @property
    def days_overdue(self) -> int:
        return max((timezone.localdate() - self.due).days, 0) if self.overdue else 0

    @property
    def light(self) -> str:
        """Traffic light (``fuyuan.lib.deadlines.light``, kind "opinion")."""
        return light(kind="opinion", due=self.due, is_open=self.is_open)

    @property
    def answered_on_time(self) -> bool | None:
        if self.answered_at is None:
            return None
        return timezone.localdate(self.answered_at) <= self.due
