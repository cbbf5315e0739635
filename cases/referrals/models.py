"""Case referrals (案件移送 · 委派调解 · 执行查控): one unit hands a matter to another and waits for an answer."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from attachments.models import Attachment
from fuyuan.lib.deadlines import OverdueQuerySet, is_overdue, light
from members.models import record_city_field, record_region_field

__all__ = [
    "EnforcementMeasure",
    "Outcome",
    "Party",
    "Referral",
    "ReferralEvent",
    "ReferralImport",
    "ReferralKind",
]

#: A referral sent and not acknowledged for longer than this needs attention (its light turns yellow).
UNACKNOWLEDGED_ATTENTION = timedelta(days=2)


class Outcome(models.TextChoices):
    """Every outcome code of API.md; each kind lists the ones that apply to it."""

    RESOLVED = "resolved", _("调解成功")
    FAILED = "failed", _("调解不成")
    WITHDRAWN = "withdrawn", _("撤回")
    CASE_OPENED = "case_opened", _("立案")
    CASE_NOT_OPENED = "case_not_opened", _("不予立案")
    FOUND = "found", _("查控到财产")
    NOT_FOUND = "not_found", _("未查到财产")
    DONE = "done", _("办结")


class ReferralKind(models.Model):
    """A kind of referral, as data: its answer period, its outcomes, whether a returned item may be re-sent."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    answer_days = models.PositiveSmallIntegerField(
        _("办理期限(天)"), null=True, blank=True, help_text=_("自签收之日起计算;留空表示无需答复。")
    )
    working_days = models.BooleanField(_("按工作日计算"), default=False)
    extension_days = models.PositiveSmallIntegerField(
        _("可延长天数"), default=0, help_text=_("经双方当事人同意可延长一次;0 表示不可延长。")
    )
    outcomes = models.JSONField(_("办理结果"), default=list, help_text=_("可选的办理结果代码。"))
    resend_allowed = models.BooleanField(_("退回后可重新移送"), default=True)
    default_task = models.ForeignKey(
        "members.WorkTask", verbose_name=_("默认工作任务"), null=True, blank=True, on_delete=models.SET_NULL
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("移送类别")
        verbose_name_plural = _("移送类别")

    def __str__(self) -> str:
        return self.name

    @property
    def needs_answer(self) -> bool:
        return self.answer_days is not None

    def outcome_choices(self) -> list[tuple[str, str]]:
        labels = dict(Outcome.choices)
        return [(code, str(labels.get(code, code))) for code in self.outcomes]


class Referral(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SENT = "sent", _("已移送")
        ACKNOWLEDGED = "acknowledged", _("已签收")
        ACCEPTED = "accepted", _("已受理")
        CONCLUDED = "concluded", _("已办结")
        RETURNED = "returned", _("已退回")
        REVOKED = "revoked", _("已撤回")

    # Statuses awaiting the receiver; in the last two the answer clock runs (and the referral can be overdue).
    OPEN_STATUSES = (Status.SENT, Status.ACKNOWLEDGED, Status.ACCEPTED)
    CLOCK_STATUSES = (Status.ACKNOWLEDGED, Status.ACCEPTED)
    OVERDUE_STATUSES, DUE_FIELD = CLOCK_STATUSES, "due"  # the overdue rule (OverdueQuerySet)

    kind = models.ForeignKey(ReferralKind, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="referrals")
    sender = models.ForeignKey(
        "members.MemberUnit", verbose_name=_("移送单位"), on_delete=models.PROTECT, related_name="referrals_sent"
    )
    receiver = models.ForeignKey(
        "members.MemberUnit", verbose_name=_("接收单位"), on_delete=models.PROTECT, related_name="referrals_received"
    )
    handler = models.ForeignKey(
        "members.MemberUnit",
        verbose_name=_("承办下级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_handled",
        help_text=_("接收单位转交办理的下级单位。"),
    )
    case_number = models.CharField(_("案号/编号"), max_length=100)
    subject = models.CharField(_("事项"), max_length=200)
    summary = models.TextField(_("基本情况"), blank=True)
    tasks = models.ManyToManyField("members.WorkTask", verbose_name=_("工作任务"), blank=True, related_name="referrals")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("移送时间"), null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(_("移送次数"), default=0)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    due = models.DateField(_("办理期限"), null=True, blank=True)
    extended_at = models.DateTimeField(_("延期时间"), null=True, blank=True)
    extension_note = models.TextField(_("延期说明(双方当事人同意情况)"), blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    outcome = models.CharField(_("办理结果"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("办理情况"), blank=True)
    next_alert_at = models.DateTimeField(_("下次提醒"), null=True, blank=True, editable=False)
    history = HistoricalRecords(m2m_fields=[tasks])

    objects = OverdueQuerySet.as_manager()

    region = record_region_field()
    city = record_city_field()

    attachments = GenericRelation(
        Attachment, verbose_name=_("附件"), content_type_field="record_type", object_id_field="record_id"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("案件移送")
        verbose_name_plural = _("案件移送")
        constraints = [
            models.UniqueConstraint(fields=["sender", "kind", "case_number"], name="referral_case_number_per_sender"),
            models.CheckConstraint(condition=~Q(sender=models.F("receiver")), name="referral_not_to_self"),
        ]
        indexes = [
            # The lists walk these in id order (covering: index-only scans for deep pages).
            models.Index(fields=["sender", "-id"], name="referral_sent_list"),
            models.Index(fields=["receiver", "-id"], name="referral_inbox_list", include=["status"]),
            models.Index(fields=["handler", "-id"], name="referral_handler_list", condition=Q(handler__isnull=False)),
            # A 市州's or a county's office list in id order: one index range (issue 13).
            models.Index(fields=["city", "-id"], name="referral_city_list"),
            models.Index(fields=["region", "-id"], name="referral_region_list"),
            # The figures: one kind over a period.
            models.Index(
                fields=["kind", "sent_at"], name="referral_kind_sent", include=["status", "outcome", "sender"]
            ),
            # The enforcement measures' figures: one kind's concluded referrals over a period, by region.
            models.Index(
                fields=["kind", "concluded_at"],
                name="referral_kind_concluded",
                include=["city", "region"],
                condition=Q(status="concluded"),
            ),
            models.Index(fields=["next_alert_at"], name="referral_alert_due", condition=Q(next_alert_at__isnull=False)),
            # The home page's "awaiting us" panel: open referrals of a unit, soonest due first.
            models.Index(
                fields=["receiver", "due", "id"],
                name="referral_open_receiver",
                condition=Q(status__in=["sent", "acknowledged", "accepted"]),
            ),
            models.Index(
                fields=["handler", "due", "id"],
                name="referral_open_handler",
                condition=Q(status__in=["sent", "acknowledged", "accepted"]),
            ),
            models.Index(fields=["sender", "due", "id"], name="referral_returned", condition=Q(status="returned")),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.subject}"

    @property
    def overdue(self) -> bool:
        return is_overdue(self)

    @property
    def open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_returned(self) -> bool:
        return self.status == self.Status.RETURNED

    @property
    def light(self) -> str:
        """Traffic light (:func:`fuyuan.lib.deadlines.light`, kind "referral"); sent and unacknowledged too long
        needs attention."""
        attention = (
            self.status == self.Status.SENT
            and self.sent_at is not None
            and timezone.now() - self.sent_at > UNACKNOWLEDGED_ATTENTION
        )
        return light(kind="referral", due=self.due, is_open=self.open, attention=attention)

    @property
    def current_unit_id(self) -> int:
        return self.handler_id or self.receiver_id


class Party(models.Model):
    """A party to the matter (当事人). Personal data: shown in full only to sender, receiver and office."""

    class Role(models.TextChoices):
        APPLICANT = "applicant", _("申请人/原告")
        RESPONDENT = "respondent", _("被申请人/被告")
        OTHER = "other", _("其他当事人")

    referral = models.ForeignKey(Referral, verbose_name=_("案件移送"), on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("身份"), max_length=12, choices=Role.choices, default=Role.OTHER)
    name = models.CharField(_("姓名/名称"), max_length=100)
    id_number = models.CharField(_("证件号码"), max_length=30, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral", "id"]
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")

    def __str__(self) -> str:
        return self.name


class ReferralEvent(models.Model):
    """One step of a referral's timeline: who did what and why (a return's reason stays after a re-send)."""

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        SEND = "send", _("移送")
        ACKNOWLEDGE = "acknowledge", _("签收")
        FORWARD = "forward", _("转交下级单位")
        ACCEPT = "accept", _("受理")
        EXTEND = "extend", _("延期")
        RETURN = "return", _("退回")
        CONCLUDE = "conclude", _("办结")
        REVOKE = "revoke", _("撤回")
        IMPORT = "import", _("批量导入")

    referral = models.ForeignKey(Referral, verbose_name=_("案件移送"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        "members.MemberUnit", verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")

    def __str__(self) -> str:
        return f"{self.get_action_display()} @ {self.at:%Y-%m-%d %H:%M}"


class ReferralImport(models.Model):
    """An XLSX sheet of mediation delegations: validated first, then created in one transaction."""

    class Status(models.TextChoices):
        READY = "ready", _("校验通过,待导入")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    sender = models.ForeignKey(
        "members.MemberUnit", verbose_name=_("移送单位"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(_("文件"), upload_to="referral_imports/%Y/%m/")
    file_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.READY)
    total_rows = models.PositiveIntegerField(_("行数"), default=0)
    new_rows = models.PositiveIntegerField(_("新增行数"), default=0)
    created_count = models.PositiveIntegerField(_("已创建"), default=0)
    skipped_count = models.PositiveIntegerField(_("已存在(跳过)"), default=0)
    error = models.TextField(_("错误"), blank=True)
    rows = models.JSONField(_("校验通过的行"), default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    seconds = models.FloatField(_("耗时(秒)"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("批量导入")
        verbose_name_plural = _("批量导入")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class EnforcementMeasure(models.Model):
    """What an enforcement inquiry (执行查控) found and did, entered by the receiver when concluding it."""

    class Measure(models.TextChoices):
        QUERY = "query", _("查询")
        FREEZE = "freeze", _("冻结")
        DEDUCT = "deduct", _("扣划")
        SEAL = "seal", _("查封")

    referral = models.ForeignKey(
        Referral, verbose_name=_("案件移送"), on_delete=models.CASCADE, related_name="measures"
    )
    measure = models.CharField(_("措施"), max_length=10, choices=Measure.choices)
    asset = models.CharField(_("财产类型"), max_length=100, help_text=_("如银行存款、不动产、车辆、股权。"))
    amount = models.DecimalField(_("金额(元)"), max_digits=16, decimal_places=2, default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral", "id"]
        verbose_name = _("执行查控措施")
        verbose_name_plural = _("执行查控措施")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="enforcement_measure_amount_gte_0")]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.asset} {self.amount}"
