"""The Django admin of the members app: data maintenance for administrators."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from members import letterheads, levels, services
from members.events import EVENT_LABELS, event_label
from members.models import (
    ApiToken,
    Letterhead,
    Liaison,
    MemberUnit,
    Notification,
    Region,
    User,
    WorkerHeartbeat,
    WorkTask,
)
from members.types import AuthenticatedHttpRequest, signed_in_user

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the platform itself: administrators look, never edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ParentRegionFilter(admin.SimpleListFilter):
    """上级区划: the province and the 市州 (a 县市区 is nobody's parent)."""

    title = _("上级区划")
    parameter_name = "parent"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
        parents = Region.objects.exclude(level=Region.Level.COUNTY).order_by("order", "code")
        return [(str(r.pk), r.name) for r in parents]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Region]) -> QuerySet[Region]:
        value = self.value()
        return queryset.filter(parent_id=int(value)) if value and value.isdigit() else queryset


class RegionAdminForm(ModelForm):
    """The parent is exactly one level up (``members.levels.region_parent_errors``), as ``region_save`` checks."""

    class Meta:
        model = Region
        fields = ["name", "code", "level", "parent", "order"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        probe = Region(pk=self.instance.pk, level=cleaned.get("level") or "")
        errors = levels.region_parent_errors(probe, cleaned.get("parent"))
        if errors:
            self.add_error("parent", errors)
        return cleaned


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionAdminForm
    list_display = ["name", "code", "level", "parent", "order"]
    list_filter = ["level", ParentRegionFilter]
    list_select_related = ["parent"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    ordering = ["order", "id"]
    fields = ["name", "code", "level", "parent", "order"]

    def save_model(self, request: HttpRequest, obj: Region, form: Any, change: bool) -> None:
        fields = {f: form.cleaned_data[f] for f in services.REGION_FIELDS if f in form.cleaned_data}
        saved = services.region_save(region=obj if change else None, **fields)
        obj.pk, obj.city_id = saved.pk, saved.city_id


class MemberUnitAdminForm(ModelForm):
    """Every rule of ``members.services.unit_save`` (court levels and parents, the acting office's region)."""

    request: HttpRequest

    class Meta:
        model = MemberUnit
        fields = list(services.UNIT_FIELDS)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        fields = {f: cleaned[f] for f in services.UNIT_FIELDS if f in cleaned}
        try:
            with transaction.atomic():
                self.prepared = services.unit_prepare(
                    by=signed_in_user(self.request), unit=self.instance if self.instance.pk else None, **fields
                )
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages_)
        except PermissionDenied as error:
            self.add_error(None, str(error))
        return cleaned


class LetterheadAdminForm(ModelForm):
    """Every rule of ``members.letterheads.letterhead_save`` (the mark and the signature are required)."""

    class Meta:
        model = Letterhead
        fields = ["unit", *letterheads.LETTERHEAD_FIELDS]


def save_letterhead(request: HttpRequest, obj: Letterhead, cleaned: dict[str, Any]) -> None:
    fields = {name: cleaned.get(name, getattr(obj, name)) for name in letterheads.LETTERHEAD_FIELDS}
    saved = letterheads.letterhead_save(by=signed_in_user(request), unit=cleaned.get("unit") or obj.unit, **fields)
    obj.pk = saved.pk


class LetterheadInline(admin.StackedInline):
    """公文版头 on the unit's page: empty means the default from the unit's name (members.letterheads)."""

    model = Letterhead
    form = LetterheadAdminForm
    extra = 0
    max_num = 1
    fields = list(letterheads.LETTERHEAD_FIELDS)


@admin.register(Letterhead)
class LetterheadAdmin(SimpleHistoryAdmin):
    form = LetterheadAdminForm
    list_display = ["unit", "issuer_mark", "number_prefix", "signature", "active"]
    list_filter = ["active", "unit__kind", "unit__level"]
    search_fields = ["unit__name", "issuer_mark", "signature"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit"]

    def save_model(self, request: HttpRequest, obj: Letterhead, form: Any, change: bool) -> None:
        save_letterhead(request, obj, form.cleaned_data)


@admin.register(MemberUnit)
class MemberUnitAdmin(SimpleHistoryAdmin):
    form = MemberUnitAdminForm
    inlines = [LetterheadInline]
    list_display = [
        "name",
        "short_name",
        "kind",
        "level",
        "court_level",
        "region",
        "parent",
        "supervisor",
        "is_member_unit",
        "active",
    ]
    list_display_links = ["name"]
    list_filter = ["kind", "level", "court_level", "hosts_office", "region__city", "is_member_unit", "active"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["region", "parent", "supervisor"]
    list_select_related = ["region", "parent", "supervisor"]
    ordering = ["order", "id"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "kind", "court_level", "level", "region", "hosts_office"]}),
        (_("隶属与主管"), {"fields": ["parent", "supervisor"]}),
        (_("状态"), {"fields": ["is_member_unit", "order", "active"]}),
    ]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request
        return form

    def save_model(self, request: HttpRequest, obj: MemberUnit, form: Any, change: bool) -> None:
        fields = {f: form.cleaned_data[f] for f in services.UNIT_FIELDS if f in form.cleaned_data}
        saved = services.unit_save(by=signed_in_user(request), unit=obj if change else None, **fields)
        obj.pk = saved.pk

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """The letterhead inline saves through ``members.letterheads.letterhead_save``."""
        if formset.model is not Letterhead:
            super().save_formset(request, form, formset, change)
            return
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []  # the change message
        for inline_form in formset.forms:
            if not inline_form.has_changed() or inline_form in formset.deleted_forms:
                continue
            inline_form.cleaned_data["unit"] = form.instance
            save_letterhead(request, inline_form.instance, inline_form.cleaned_data)
        for deleted in formset.deleted_forms:
            if deleted.instance.pk:
                deleted.instance.delete()


class LiaisonInline(admin.StackedInline):
    model = Liaison
    extra = 0
    max_num = 1
    can_delete = True
    fields = ["role", "since"]


class RolesFitUnitMixin(ModelForm):
    """The admin's user forms keep the same role/unit rules as every other way of saving a user."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if "groups" in self.fields:
            groups = cleaned.get("groups") or []
            try:
                services.check_roles_fit_unit(roles=[g.name for g in groups], unit=cleaned.get("unit"))
            except ValidationError as error:
                self.add_error(None if "unit" not in self.fields else "unit", error.message_dict["unit"])
        return cleaned


class UserAdminChangeForm(RolesFitUnitMixin, UserChangeForm):
    pass


class UserAdminCreationForm(RolesFitUnitMixin, AdminUserCreationForm):
    pass


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    readonly_fields = ["is_staff", "last_login", "date_joined"]
    list_display = ["username", "name", "unit", "email", "phone", "is_active", "is_staff", "last_login"]
    list_filter = ["groups", "is_active", "is_staff", "is_superuser", "unit__kind", "language"]
    search_fields = ["username", "name", "email", "phone", "unit__name", "unit__short_name"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit"]
    ordering = ["username"]
    inlines = [LiaisonInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["name", "email", "phone", "unit", "language", "email_notifications"]}),
        (
            _("角色与权限"),
            {"fields": ["is_active", "must_change_password", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("重要日期"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("个人信息"), {"classes": ["wide"], "fields": ["name", "email", "phone", "unit", "groups"]}),
    ]

    actions = ["retire", "revoke_tokens"]
    # Only a superuser grants superuser status or single permissions (issue 12, finding 7).
    SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in self.SUPERUSER_ONLY_FIELDS if f not in fields]
        return fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A superuser's account (password included) is changed by superusers only."""
        if obj is not None and not services.may_manage(by=signed_in_user(request), user=obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not services.may_manage(by=signed_in_user(request), user=obj):
            return False
        return super().has_delete_permission(request, obj)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        """A version's page; its relative "change password" link (``../password/``) lands here too: 404, not 500."""
        if not str(version_id).isdigit():
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        had_liaison = Liaison.objects.filter(user=user).exists()
        services.user_roles_changed(user=user, by=signed_in_user(request))
        if had_liaison and not Liaison.objects.filter(user=user).exists():
            self.message_user(request, _("该用户没有“成员单位联络员”角色,已移除其联络员岗位。"), messages.WARNING)

    @admin.action(description=_("停用所选用户(离任)"), permissions=["change"])
    def retire(self, request: AuthenticatedHttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset.exclude(pk=request.user.pk):
            if services.may_manage(by=signed_in_user(request), user=user):
                services.user_retire(user=user, by=signed_in_user(request))
                count += 1
        self.message_user(request, _("已停用 %(count)d 个用户。") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("撤销所选用户的全部 API 令牌"), permissions=["change"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset:
            if services.may_manage(by=signed_in_user(request), user=user):
                count += services.api_tokens_revoke(user=user, by=signed_in_user(request))
        self.message_user(request, _("已撤销 %(count)d 个 API 令牌。") % {"count": count}, messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens (only their digests are stored): administrators see and revoke (delete) them."""

    list_display = ["user", "token_key", "created", "expiry"]
    list_filter = ["created", "expiry"]
    search_fields = ["user__username", "user__name", "token_key"]
    list_select_related = ["user"]
    fields = readonly_fields = ("user", "token_key", "created", "expiry")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a token is issued through the API (POST /api/v1/auth/token/)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not services.may_manage(by=signed_in_user(request), user=obj.user):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: ApiToken) -> None:
        services.api_tokens_revoke(user=obj.user, by=signed_in_user(request), token=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.select_related("user"):
            if services.may_manage(by=signed_in_user(request), user=token.user):
                services.api_tokens_revoke(user=token.user, by=signed_in_user(request), token=token)


@admin.register(Liaison)
class LiaisonAdmin(SimpleHistoryAdmin):
    list_display = ["user", "unit_name", "role", "since"]
    list_filter = ["role", "user__unit__kind", "user__unit__region"]
    search_fields = ["user__username", "user__name", "user__unit__name", "user__unit__short_name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "user__unit"]

    @admin.display(description=_("单位"), ordering="user__unit__order")
    def unit_name(self, obj: Liaison) -> str:
        return obj.user.unit.name if obj.user.unit else "—"


@admin.register(WorkTask)
class WorkTaskAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "short_title", "lead_unit_names"]
    list_display_links = ["number", "title"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["lead_units", "participating_units"]
    ordering = ["number"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WorkTask]:
        return super().get_queryset(request).prefetch_related("lead_units")

    @admin.display(description=_("牵头单位"))
    def lead_unit_names(self, obj: WorkTask) -> str:
        return "、".join(u.display_name for u in obj.lead_units.all())


class ReadFilter(admin.SimpleListFilter):
    title = _("已读")
    parameter_name = "read"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
        return [("yes", _("已读")), ("no", _("未读"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(read_at__isnull=True)
        return queryset


class EventFilter(admin.SimpleListFilter):
    """事件, in words (members.events), not the codes stored."""

    title = _("事件")
    parameter_name = "event"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
        return list(EVENT_LABELS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        return queryset.filter(event=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "recipient",
        "event_name",
        "stage",
        "subject",
        "read_at",
        "email_status",
        "email_attempts",
    ]
    list_filter = [EventFilter, "email_status", ReadFilter, "created_at"]
    search_fields = ["subject", "recipient__username", "recipient__name"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "recipient",
        "event_name",
        "content_type",
        "object_id",
        "stage",
        "subject",
        "body",
        "url",
        "created_at",
        "read_at",
        "email_status",
        "email_attempts",
        "email_last_error",
        "email_next_try_at",
        "email_sent_at",
    ]
    fields = tuple(readonly_fields)

    @admin.display(description=_("事件"), ordering="event")
    def event_name(self, obj: Notification) -> StrOrPromise:
        return event_label(obj.event)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["name", "seen_at"]
    readonly_fields = ["name", "seen_at"]


# django-axes' admin: its words come from our catalogue (members/axes_labels.py); these two columns are
# named after methods with no label, so they get one here.
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    @admin.display(description=_("状态"))
    def status(self, obj: AccessAttempt) -> str:
        return str(super().status(obj))

    @admin.display(description=_("过期时间"))
    def expiration(self, obj: AccessAttempt) -> Any:
        return super().expiration(obj)


if admin.site.is_registered(AccessAttempt):  # AXES_ENABLE_ADMIN
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, AccessAttemptAdmin)
