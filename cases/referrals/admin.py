"""Admin of case referrals: kinds (editable data), referrals with history, parties, enforcement measures, imports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from attachments.admin import AttachmentInline
from cases.referrals.models import (
    EnforcementMeasure,
    Outcome,
    Party,
    Referral,
    ReferralEvent,
    ReferralImport,
    ReferralKind,
)
from members.levels import stamp


class ReferralKindForm(forms.ModelForm):
    """A kind's outcomes as one checkbox per outcome (in words), not a JSON list: stored as the same codes."""

    outcomes = forms.MultipleChoiceField(
        label=_("办理结果"),
        choices=Outcome.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("接收单位办结时可选的办理结果。"),
        error_messages={"required": _("请至少选择一个办理结果。")},
    )

    class Meta:
        model = ReferralKind
        fields = [
            "code",
            "name",
            "answer_days",
            "working_days",
            "extension_days",
            "outcomes",
            "resend_allowed",
            "default_task",
            "order",
            "active",
        ]

    def clean_outcomes(self) -> list[str]:
        chosen = set(self.cleaned_data["outcomes"])
        return [code for code in Outcome.values if code in chosen]  # the order of the list of outcomes


@admin.register(ReferralKind)
class ReferralKindAdmin(SimpleHistoryAdmin):
    form = ReferralKindForm
    list_display = [
        "name",
        "code",
        "answer_days",
        "working_days",
        "extension_days",
        "outcome_names",
        "resend_allowed",
        "active",
    ]
    list_editable = ["active"]
    search_fields = ["name", "code"]
    list_filter = ["active", "working_days", "resend_allowed"]
    autocomplete_fields = ["default_task"]

    def get_readonly_fields(self, request: HttpRequest, obj: ReferralKind | None = None) -> list[str]:
        return ["code"] if obj else []

    @admin.display(description=_("办理结果"))
    def outcome_names(self, obj: ReferralKind) -> str:
        return "、".join(label for _code, label in obj.outcome_choices())


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0


class MeasureInline(admin.TabularInline):
    model = EnforcementMeasure
    extra = 0


@admin.register(EnforcementMeasure)
class EnforcementMeasureAdmin(SimpleHistoryAdmin):
    """The measures of concluded enforcement inquiries (查询/冻结/扣划/查封), with their history."""

    list_display = ["referral", "measure", "asset", "amount", "note"]
    list_filter = ["measure"]
    search_fields = ["referral__case_number", "asset"]
    autocomplete_fields = ["referral"]
    list_select_related = ["referral"]
    show_full_result_count = False


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
    inlines = [AttachmentInline, PartyInline, MeasureInline, EventInline]
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
