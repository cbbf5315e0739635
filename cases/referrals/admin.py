"""Admin of case referrals: kinds (editable data), referrals with history, parties, imports."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from cases.referrals.models import Outcome, Party, Referral, ReferralEvent, ReferralImport, ReferralKind
from members.levels import stamp


@admin.register(ReferralKind)
class ReferralKindAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "code",
        "answer_days",
        "working_days",
        "extension_days",
        "outcomes",
        "resend_allowed",
        "active",
    ]
    list_editable = ["active"]
    search_fields = ["name", "code"]
    list_filter = ["active", "working_days", "resend_allowed"]
    autocomplete_fields = ["default_task"]

    def get_readonly_fields(self, request: HttpRequest, obj: ReferralKind | None = None) -> list[str]:
        return ["code"] if obj else []

    def save_model(self, request: HttpRequest, obj: ReferralKind, form: Any, change: bool) -> None:
        unknown = [o for o in obj.outcomes if o not in Outcome.values]
        if unknown:
            raise ValidationError(_("未知的办理结果代码:%(c)s") % {"c": ", ".join(unknown)})
        super().save_model(request, obj, form, change)


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0


class EventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "at", "by", "unit", "from_status", "to_status", "note"]

    def has_add_permission(self, request: HttpRequest, obj: Referral | None = None) -> bool:
        return False


@admin.register(Referral)
class ReferralAdmin(SimpleHistoryAdmin):
    list_display = [
        "case_number",
        "subject",
        "kind",
        "sender",
        "receiver",
        "handler",
        "status",
        "sent_at",
        "due",
        "outcome",
    ]
    list_filter = ["kind", "status", "outcome"]
    search_fields = ["case_number", "subject"]
    autocomplete_fields = ["sender", "receiver", "handler", "tasks", "created_by"]
    readonly_fields = ["next_alert_at", "created_at", "send_count"]
    date_hierarchy = "sent_at"
    list_select_related = ["kind", "sender", "receiver", "handler"]
    inlines = [PartyInline, EventInline]
    show_full_result_count = False

    def save_model(self, request: HttpRequest, obj: Referral, form: Any, change: bool) -> None:
        # Where the record lives follows its sender and receiver, whoever changes them.
        stamp(obj, obj.sender, obj.receiver)
        super().save_model(request, obj, form, change)


@admin.register(ReferralImport)
class ReferralImportAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "sender",
        "uploaded_by",
        "status",
        "total_rows",
        "created_count",
        "skipped_count",
        "seconds",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["sender", "uploaded_by"]
    readonly_fields = [f.name for f in ReferralImport._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReferralImport]:
        return super().get_queryset(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
