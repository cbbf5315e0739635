"""Joint meetings (联席会议): invitations and replies, agenda and topic proposals, minutes, calendar feed tokens."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from attachments.models import Attachment
from members.models import MemberUnit, Region, WorkTask, record_city_field

# Minutes before the start at which invited units are reminded, unless the kind or the meeting says otherwise.
DEFAULT_REMINDER_OFFSETS = [3 * 24 * 60, 2 * 60]


class MeetingKind(models.TextChoices):
    LEADING_GROUP = "leading_group", _("领导小组会议")
    JOINT_MEETING = "joint_meeting", _("联席会议")
    CASE_SYMPOSIUM = "case_symposium", _("重大案件座谈")
    TRAINING = "training", _("联合培训")
    RESEARCH = "research", _("联合调研")


class MeetingKindSetting(models.Model):
    """Reminder offsets for one kind of meeting, editable in the admin."""

    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices, unique=True)
    reminder_offsets = models.JSONField(
        _("提前提醒(分钟)"), default=list, help_text=_("会议开始前多少分钟提醒,例如 [4320, 120] 即提前3天和2小时。")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会议类型提醒设置")
        verbose_name_plural = _("会议类型提醒设置")

    def __str__(self) -> str:
        return str(self.get_kind_display())


class Meeting(models.Model):
    Kind = MeetingKind

    class Status(models.TextChoices):
        PLANNED = "planned", _("已安排")
        HELD = "held", _("已召开")
        CLOSED = "closed", _("已办结")
        CANCELLED = "cancelled", _("已取消")

    uid = models.UUIDField(_("日历标识"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices, db_index=True)
    title = models.CharField(_("会议名称"), max_length=200)
    description = models.TextField(_("会议说明"), blank=True)
    tasks = models.ManyToManyField(WorkTask, verbose_name=_("工作任务"), related_name="meetings", blank=True)
    convener = models.ForeignKey(
        MemberUnit, verbose_name=_("召集单位"), on_delete=models.PROTECT, related_name="convened_meetings"
    )
    level = models.CharField(_("层级"), max_length=10, choices=MemberUnit.Level.choices, default="province")
    region = models.ForeignKey(
        Region, verbose_name=_("市州"), null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    location = models.CharField(_("会议地点"), max_length=200, blank=True)
    video_link = models.URLField(_("视频会议链接"), max_length=300, blank=True)
    invited_units = models.ManyToManyField(
        MemberUnit, verbose_name=_("参会单位"), through="Invitation", related_name="invited_meetings", blank=True
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True)
    agenda_cutoff = models.DateTimeField(_("议题征集截止"), null=True, blank=True)
    reminder_offsets = models.JSONField(
        _("提前提醒(分钟)"), null=True, blank=True, help_text=_("留空则按会议类型的设置,默认提前3天和2小时。")
    )
    sequence = models.PositiveIntegerField(_("日历版本号"), default=0, editable=False)
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    held_at = models.DateTimeField(_("召开确认时间"), null=True, blank=True)
    recorded_after = models.BooleanField(
        _("会后补录"), default=False, help_text=_("会议召开后在系统中补录,未向参会单位发送通知和提醒。")
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    next_alert_at = models.DateTimeField(_("下次提醒"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    # Not columns: set on a page of meetings by ``selectors.attach_reply_counts``.
    invited_count: int
    replied_count: int

    city = record_city_field()

    attachments = GenericRelation(
        Attachment, verbose_name=_("附件"), content_type_field="record_type", object_id_field="record_id"
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        indexes = [
            models.Index(fields=["next_alert_at"], condition=Q(next_alert_at__isnull=False), name="meeting_alert_due"),
            models.Index(fields=["convener", "-starts_at"], name="meeting_convener_start"),
            models.Index(fields=["starts_at", "id"], name="meeting_start_id"),
            # A 市州's or a 县市区's list in its default order (newest first): one index range each.
            models.Index(fields=["city", "starts_at", "id"], name="meeting_city_start"),
            models.Index(fields=["region", "starts_at", "id"], name="meeting_region_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def invited_unit_list(self) -> list[MemberUnit]:
        """The invited units, read through the invitations (so one prefetch serves replies and units)."""
        return [invitation.unit for invitation in self.invitations.all()]

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.CANCELLED)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def has_taken_place(self) -> bool:
        """Held or closed: the meeting has its sign-in list (签到表), minutes and decisions."""
        return self.status in (self.Status.HELD, self.Status.CLOSED)

    @property
    def status_badge(self) -> str:
        """The Bootstrap colour of the status badge on the pages."""
        badges: dict[str, str] = {
            self.Status.PLANNED: "primary",
            self.Status.HELD: "warning",
            self.Status.CANCELLED: "secondary",
        }
        return badges.get(self.status, "success")


class Invitation(models.Model):
    """An invited unit, its reply before the meeting (attending, a delegate, declining with a reason), and its
    line of the sign-in list (签到) after it: who actually came. ``signed_at`` is set on every line when the
    convener saves the list, so a line left 未登记 on a saved list counts as not attended."""

    class Reply(models.TextChoices):
        PENDING = "pending", _("未答复")
        ATTENDING = "attending", _("参加")
        DELEGATE = "delegate", _("委派代表参加")
        DECLINED = "declined", _("不参加")

    class Attendance(models.TextChoices):
        UNRECORDED = "", _("未登记")
        PRESENT = "present", _("出席")
        DELEGATE = "delegate", _("委派代表出席")
        ABSENT = "absent", _("缺席")

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="invitations")
    unit = models.ForeignKey(MemberUnit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="invitations")
    reply = models.CharField(_("答复"), max_length=10, choices=Reply.choices, default=Reply.PENDING)
    attendees = models.CharField(_("参会人员"), max_length=300, blank=True)
    reason = models.TextField(_("不参加原因"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # When the reply went to the convener in a digest (``meetings.meetings.digest``); a new reply clears it.
    reported_at = models.DateTimeField(_("已告知召集方"), null=True, blank=True, editable=False)
    attendance = models.CharField(_("签到"), max_length=10, choices=Attendance.choices, blank=True, default="")
    signed_names = models.CharField(_("签到人员"), max_length=300, blank=True)
    signed_at = models.DateTimeField(_("签到登记时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签到登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__order", "unit_id"]
        verbose_name = _("参会邀请")
        verbose_name_plural = _("参会邀请")
        constraints = [models.UniqueConstraint(fields=["meeting", "unit"], name="invitation_once_per_unit")]
        indexes = [
            models.Index(fields=["unit", "meeting"], name="invitation_unit_meeting"),
            # The digest's scan: replies not yet told to the convener (a handful of rows at any time).
            models.Index(
                fields=["meeting"],
                condition=Q(reported_at__isnull=True, replied_at__isnull=False),
                name="invitation_unreported",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.unit}"

    @property
    def is_attending(self) -> bool:
        """Coming in person or by a delegate."""
        return self.reply in (self.Reply.ATTENDING, self.Reply.DELEGATE)

    @property
    def light(self) -> str:
        """The reply as a light on the meeting page: green coming, red declined, grey not answered."""
        if self.is_attending:
            return "green"
        return "red" if self.reply == self.Reply.DECLINED else "grey"

    @property
    def attended(self) -> bool:
        """Came to the meeting, in person or by a delegate (the sign-in list, not the reply)."""
        return self.attendance in (self.Attendance.PRESENT, self.Attendance.DELEGATE)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    title = models.CharField(_("议题"), max_length=200)
    presenter_unit = models.ForeignKey(
        MemberUnit, verbose_name=_("汇报单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    minutes = models.PositiveIntegerField(_("时长(分钟)"), default=10)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "order", "id"]
        verbose_name = _("议程")
        verbose_name_plural = _("议程")

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class TopicProposal(models.Model):
    """A topic a unit proposes for the agenda before the cut-off; the convener accepts or declines it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待处理")
        ACCEPTED = "accepted", _("已列入议程")
        REJECTED = "rejected", _("未采纳")

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="proposals")
    unit = models.ForeignKey(MemberUnit, verbose_name=_("提出单位"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("议题"), max_length=200)
    note = models.TextField(_("说明"), blank=True)
    minutes = models.PositiveIntegerField(_("建议时长(分钟)"), default=10)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    # When the proposal went to the convener in a digest (``meetings.meetings.digest``).
    reported_at = models.DateTimeField(_("已告知召集方"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("议题建议")
        verbose_name_plural = _("议题建议")
        indexes = [
            models.Index(fields=["meeting"], condition=Q(reported_at__isnull=True), name="proposal_unreported"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_pending(self) -> bool:
        """Not yet accepted or declined by the convener."""
        return self.status == self.Status.PROPOSED


class Minutes(models.Model):
    """会议纪要: drafted, circulated for confirmation by a date, issued with a document number (then read-only)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        CIRCULATED = "circulated", _("征求确认中")
        ISSUED = "issued", _("已印发")

    meeting = models.OneToOneField(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="minutes")
    body = models.TextField(_("纪要正文"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    confirm_by = models.DateField(_("确认截止日期"), null=True, blank=True)
    circulated_at = models.DateTimeField(_("送签时间"), null=True, blank=True)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)
    # Issued before the confirmation deadline while units had not answered: who decided it, and why.
    override_reason = models.TextField(_("提前印发理由"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提前印发决定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    attachments = GenericRelation(
        Attachment, verbose_name=_("附件"), content_type_field="record_type", object_id_field="record_id"
    )

    class Meta:
        verbose_name = _("会议纪要")
        verbose_name_plural = _("会议纪要")
        constraints = [
            models.UniqueConstraint(
                fields=["document_number"], condition=~Q(document_number=""), name="minutes_unique_document_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.get_status_display()}"

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def is_circulated(self) -> bool:
        return self.status == self.Status.CIRCULATED

    @property
    def confirm_deadline(self) -> datetime | None:
        if self.confirm_by is None:
            return None
        return timezone.make_aware(datetime.combine(self.confirm_by + timedelta(days=1), time.min))


class MinutesConfirmation(models.Model):
    """A unit's answer to circulated minutes: 无意见确认, or 提出修改意见 (with the text of the comments)."""

    class Verdict(models.TextChoices):
        AGREED = "agreed", _("无意见")
        AMEND = "amend", _("有修改意见")

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("会议纪要"), on_delete=models.CASCADE, related_name="confirmations"
    )
    unit = models.ForeignKey(MemberUnit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(_("确认意见"), max_length=10, choices=Verdict.choices, default=Verdict.AGREED)
    comment = models.TextField(_("意见"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("纪要确认")
        verbose_name_plural = _("纪要确认")
        constraints = [models.UniqueConstraint(fields=["minutes", "unit"], name="minutes_confirmed_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.minutes} · {self.unit}"

    @property
    def has_comments(self) -> bool:
        return self.verdict == self.Verdict.AMEND


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedToken(models.Model):
    """The secret in a user's private calendar feed URL; regenerate it to revoke the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(_("令牌"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("日历订阅令牌")
        verbose_name_plural = _("日历订阅令牌")

    def __str__(self) -> str:
        return f"{self.user}"
