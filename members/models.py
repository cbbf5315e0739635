"""Units, people, the ten work tasks, and the notification inbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS
from simple_history.models import HistoricalRecords

from members.events import event_label

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Region(models.Model):
    """A node of the province's GB/T 2260 division tree: the province, a 市州 or a 县市区.

    ``city`` is denormalised so that a region's subtree is one indexed equality on records
    (``members.levels.region_q``): a 市州 is its own city, a 县市区 has its 市州, the province none.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("市州级")
        COUNTY = "county", _("县市区级")

    name = models.CharField(_("名称"), max_length=50, unique=True)
    code = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices, default=Level.CITY, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    city = models.ForeignKey(
        "self",
        verbose_name=_("所属市州"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="region_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def level_label(self) -> str:
        return str(self.Level(self.level).label)


class MemberUnit(models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("政府部门")
        COURT = "court", _("人民法院")
        PROCURATORATE = "procuratorate", _("人民检察院")
        PARTY = "party", _("党委机构")
        FINANCIAL_REGULATOR = "financial_regulator", _("金融监管机构")
        MEDIATION = "mediation", _("调解组织")
        OTHER = "other", _("其他")

    Level = Region.Level

    class CourtLevel(models.TextChoices):
        HIGH = "high", _("高级人民法院")
        INTERMEDIATE = "intermediate", _("中级人民法院")
        BASIC = "basic", _("基层人民法院")
        TRIBUNAL = "tribunal", _("人民法庭")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices, db_index=True)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices, db_index=True)
    region = models.ForeignKey(
        Region, verbose_name=_("行政区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    court_level = models.CharField(_("法院层级"), max_length=12, choices=CourtLevel.choices, blank=True)
    hosts_office = models.BooleanField(
        _("领导小组办公室所在单位"),
        default=False,
        help_text=_("本级府院联动工作领导小组办公室设在此单位(通常为司法局)。"),
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    supervisor = models.ForeignKey(
        "self",
        verbose_name=_("主管部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_units",
        help_text=_("逾期未回复的事项通报至此单位。"),
    )
    is_member_unit = models.BooleanField(_("领导小组成员单位"), default=False, db_index=True)
    order = models.PositiveIntegerField(_("排序"), default=1000)
    active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()
    # Not a column: the unit list sets it on its page (members.selectors.with_liaison_counts).
    liaison_count: int

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        indexes = [models.Index(fields=["kind", "level"]), models.Index(fields=["order", "id"], name="unit_order")]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="unit_not_own_parent"),
            models.CheckConstraint(
                condition=Q(kind="court", court_level__in=["high", "intermediate", "basic", "tribunal"])
                | (~Q(kind="court") & Q(court_level="")),
                name="unit_court_level_iff_court",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    # Cheaper than get_kind_display() in long lists, which rebuilds the choices on every call.
    @property
    def kind_label(self) -> str:
        return str(self.Kind(self.kind).label)

    @property
    def level_label(self) -> str:
        return str(self.Level(self.level).label)

    @property
    def court_level_label(self) -> str:
        return str(self.CourtLevel(self.court_level).label) if self.court_level else ""


class User(AbstractUser):
    class Language(models.TextChoices):
        ZH_HANS = "zh-hans", "简体中文"
        EN = "en", "English"

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    unit = models.ForeignKey(
        MemberUnit, verbose_name=_("所在单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    language = models.CharField(_("界面语言"), max_length=10, choices=Language.choices, default=Language.ZH_HANS)
    email_notifications = models.BooleanField(_("接收邮件提醒"), default=True)
    must_change_password = models.BooleanField(
        _("须修改密码"),
        default=False,
        help_text=_("办公室重置的一次性密码:本人登录后须先设置新密码。"),
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    # Not a column: the user's roles, read once per request (members.roles.roles_of).
    _fuyuan_roles: frozenset[str]
    # Not columns: who made a change and why, read by django-simple-history when the user is saved.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def display_name(self) -> str:
        return self.name or self.get_full_name() or self.username


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox: only its digest is stored), bound to the password it was issued under.

    ``password_stamp`` is a keyed hash of the user's password hash when the token was issued
    (``members.services.password_stamp``): any change of password, however made, ends the token.
    """

    # knox's fields, with the labels the admin shows (the same columns; knox gives them no verbose names).
    digest = models.CharField(_("摘要"), max_length=CONSTANTS.DIGEST_LENGTH, primary_key=True)
    token_key = models.CharField(
        _("令牌前缀"), max_length=CONSTANTS.MAXIMUM_TOKEN_PREFIX_LENGTH + CONSTANTS.TOKEN_KEY_LENGTH, db_index=True
    )
    user = models.ForeignKey(User, verbose_name=_("用户"), related_name="auth_token_set", on_delete=models.CASCADE)
    created = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expiry = models.DateTimeField(_("过期时间"), null=True, blank=True)
    password_stamp = models.CharField(_("密码戳"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created"]


class Liaison(models.Model):
    """A user's place as the liaison (联络员) of their unit: primary (A角) or backup (B角)."""

    class Role(models.TextChoices):
        PRIMARY = "primary", _("A角(主联络员)")
        BACKUP = "backup", _("B角(备联络员)")

    user = models.OneToOneField(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="liaison")
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.PRIMARY)
    since = models.DateField(_("任职日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("联络员")
        verbose_name_plural = _("联络员")
        ordering = ["user__unit__order", "role", "user__id"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def unit(self) -> MemberUnit | None:
        return self.user.unit


class WorkTask(models.Model):
    """One of the ten work tasks (十项工作任务) of the Opinion."""

    number = models.PositiveSmallIntegerField(_("序号"), unique=True)
    title = models.CharField(_("名称"), max_length=100, unique=True)
    short_title = models.CharField(
        _("简称"), max_length=20, blank=True, help_text=_("图表和窄屏上使用,如“生态环境保护”;留空则用名称。")
    )
    description = models.TextField(_("内容"), blank=True)
    lead_units = models.ManyToManyField(MemberUnit, verbose_name=_("牵头单位"), related_name="led_tasks", blank=True)
    participating_units = models.ManyToManyField(
        MemberUnit, verbose_name=_("参与单位"), related_name="participating_tasks", blank=True
    )
    history = HistoricalRecords(m2m_fields=[lead_units, participating_units])

    class Meta:
        ordering = ["number"]
        verbose_name = _("工作任务")
        verbose_name_plural = _("工作任务")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def display_title(self) -> str:
        """The short title, or the title when it has none."""
        return self.short_title or self.title


class Notification(models.Model):
    """One notice to one person about one stage of one object. Its key makes it unique."""

    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        RETRY = "retry", _("待重试")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("不发送")

    recipient = models.ForeignKey(
        User, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(_("事件"), max_length=60)
    content_type = models.ForeignKey(ContentType, verbose_name=_("记录类型"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("记录编号"))
    stage = models.CharField(_("阶段"), max_length=60)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    email_status = models.CharField(
        _("邮件状态"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    email_last_error = models.TextField(_("最近错误"), blank=True)
    email_next_try_at = models.DateTimeField(_("下次发送"), null=True, blank=True)
    email_claimed_at = models.DateTimeField(_("邮件领取时间"), null=True, blank=True, editable=False)
    email_sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "content_type", "object_id", "stage", "recipient"], name="notification_once_per_stage"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(
                fields=["email_next_try_at"],
                condition=Q(email_status__in=["pending", "retry", "sending"]),
                name="notification_delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def event_label(self) -> StrOrPromise:
        """The event in words (``members.events``), for the admin and the inbox."""
        return event_label(self.event)


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the heartbeat task; read by /healthz."""

    name = models.CharField(_("名称"), max_length=50, primary_key=True)
    seen_at = models.DateTimeField(_("最近心跳"))

    class Meta:
        verbose_name = _("后台任务心跳")
        verbose_name_plural = _("后台任务心跳")

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class Letterhead(models.Model):
    """A unit's 版头 and 署名 for its official documents (GB/T 9704-2012), set in the admin. A unit without one
    gets ``members.letterheads.letterhead_for``'s default from its name."""

    unit = models.OneToOneField(MemberUnit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="letterhead")
    issuer_mark = models.CharField(
        _("发文机关标志"), max_length=60, help_text=_("红色版头,如:甘肃省府院联动工作领导小组办公室文件")
    )
    number_prefix = models.CharField(
        _("机关代字"),
        max_length=30,
        blank=True,
        help_text=_("文号中的机关代字,如:甘府院办(文号为 甘府院办〔2026〕3号)"),
    )
    signature = models.CharField(
        _("发文机关署名"), max_length=60, help_text=_("落款,如:甘肃省府院联动工作领导小组办公室")
    )
    printed_by = models.CharField(
        _("印发机关"), max_length=60, blank=True, help_text=_("版记中的印发机关;不填时同署名。")
    )
    copy_to = models.CharField(
        _("默认抄送"), max_length=300, blank=True, help_text=_("每份公文默认抄送的机关,以顿号或逗号分隔。")
    )
    active = models.BooleanField(_("启用"), default=True, help_text=_("停用时按单位名称生成默认版头。"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公文版头")
        verbose_name_plural = _("公文版头")

    def __str__(self) -> str:
        return self.issuer_mark


def record_region_field() -> models.ForeignKey:
    """``region``: where a record lives (``members.levels.stamp``), set by the services, never typed in."""
    return models.ForeignKey(
        Region,
        verbose_name=_("所在区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )


def record_user_field(verbose_name: StrOrPromise) -> models.ForeignKey:
    """Who did something to a record (起草人, 答复人…): set by the services from the request's user, never typed
    in; kept as empty when that account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )


def record_city_field() -> models.ForeignKey:
    """``city``: the 市州 of the record's region (denormalised, so a 市州's subtree is one indexed equality)."""
    return models.ForeignKey(
        Region,
        verbose_name=_("所属市州"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
