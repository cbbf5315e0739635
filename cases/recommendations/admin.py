"""Admin of judicial recommendations: the list's filters, the audit trail, and the reply periods.

The lifecycle fields are read-only here: transitions go through the services (the pages and the
API); the admin offers the office's manual reminder as an action that calls the same service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from attachments.admin import AttachmentInline
from cases.recommendations import services
from cases.recommendations.models import JudicialRecommendation, RecommendationPolicy
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from members.levels import stamp
from members.models import MemberUnit, WorkTask
from members.types import AuthenticatedHttpRequest

# Autocomplete needs the members admin (with its search fields); plain id inputs until it is there.
_AUTOCOMPLETE = admin.site.is_registered(MemberUnit) and admin.site.is_registered(WorkTask)


class OverdueFilter(admin.SimpleListFilter):
    title = _("是否逾期")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", _("逾期")), ("0", _("未逾期"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        overdue = JudicialRecommendation.objects.overdue_q()
        if self.value() == "1":
            return queryset.filter(overdue)
        if self.value() == "0":
            return queryset.exclude(overdue)
        return queryset


class EscalatedFilter(admin.SimpleListFilter):
    title = _("是否已通报主管部门")
    parameter_name = "escalated"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", _("已通报")), ("0", _("未通报"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("0", "1"):
            return queryset.filter(escalated_at__isnull=self.value() == "0")
        return queryset


class RectificationOverdueFilter(admin.SimpleListFilter):
    title = _("整改是否逾期")
    parameter_name = "rectification_overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", _("整改逾期"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "1":
            return queryset.filter(
                status=JudicialRecommendation.Status.RECTIFYING, rectification_due__lt=timezone.localdate()
            )
        return queryset


class RecurrenceFilter(admin.SimpleListFilter):
    title = _("问题复发")
    parameter_name = "recurred"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", _("问题复发"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "1":
            return queryset.filter(recurrence_of__isnull=False).distinct()
        return queryset


@admin.register(JudicialRecommendation)
class JudicialRecommendationAdmin(SimpleHistoryAdmin):
    list_display = (
        "number",
        "title",
        "court",
        "addressee",
        "status",
        "issued_on",
        "reply_due",
        "acknowledged_at",
        "rectification_due",
        "visit_result",
        "escalated_at",
    )
    list_filter = (
        "status",
        OverdueFilter,
        EscalatedFilter,
        RectificationOverdueFilter,
        RecurrenceFilter,
        "visit_result",
        "delivery",
        "year",
        "category",
        ("court", admin.RelatedOnlyFieldListFilter),
        ("addressee", admin.RelatedOnlyFieldListFilter),
        "tasks",
    )
    search_fields = ("number", "case_number", "title", "addressee__name", "court__name")
    list_select_related = ("court", "addressee")
    autocomplete_fields = ("court", "addressee", "supervisor", "copy_to", "tasks") if _AUTOCOMPLETE else ()
    raw_id_fields = () if _AUTOCOMPLETE else ("court", "addressee", "supervisor", "copy_to", "tasks")
    date_hierarchy = "issued_on"
    inlines = [AttachmentInline]
    readonly_fields = (
        "status",
        "year",
        "submitted_at",
        "submitted_by",
        "approved_at",
        "approved_by",
        "review_comment",
        "recurrence_of",
        "issued_at",
        "issued_by",
        "acknowledged_at",
        "acknowledged_by",
        "delivery",
        "delivered_on",
        "receipt_signer",
        "delivery_recorded_by",
        "rectification_due",
        "rectified_at",
        "rectified_by",
        "rectification_note",
        "visit_planned_on",
        "visited_on",
        "visit_result",
        "visit_note",
        "visit_early",
        "visited_by",
        "visit_reported_at",
        "supervisor_informed_at",
        "reply_outcome",
        "reply_content",
        "reply_measures",
        "reply_reason",
        "replied_at",
        "replied_by",
        "assessment",
        "closed_at",
        "withdrawn_at",
        "withdraw_reason",
        "escalated_at",
        "reminders_sent",
        "next_alert_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("number", "year"),
                    ("court", "case_number"),
                    ("addressee", "supervisor"),
                    "copy_to",
                    "tasks",
                    "category",
                    "title",
                    "problem",
                    "recommendation",
                )
            },
        ),
        (
            _("办理情况"),
            {
                "fields": (
                    "status",
                    ("submitted_at", "submitted_by"),
                    ("approved_at", "approved_by"),
                    "review_comment",
                    "recurrence_of",
                    ("issued_on", "issued_at", "issued_by"),
                    ("acknowledged_at", "acknowledged_by"),
                    ("delivery", "delivered_on", "receipt_signer", "delivery_recorded_by"),
                    ("reply_due", "reply_due_fixed"),
                    ("reply_outcome", "replied_at", "replied_by"),
                    "reply_content",
                    "reply_measures",
                    "reply_reason",
                    ("rectification_due", "rectified_at", "rectified_by"),
                    "rectification_note",
                    ("visit_planned_on", "visited_on", "visit_result", "visit_early", "visited_by"),
                    "visit_note",
                    ("visit_reported_at", "supervisor_informed_at"),
                    ("closed_at", "assessment"),
                    ("withdrawn_at", "withdraw_reason"),
                    ("escalated_at", "reminders_sent", "next_alert_at"),
                    ("created_by", "created_at", "updated_at"),
                )
            },
        ),
    )
    actions = ["remind"]

    def save_model(self, request: HttpRequest, obj: JudicialRecommendation, form: Any, change: bool) -> None:
        # Where the record lives follows its court and addressee, whoever changes them.
        stamp(obj, obj.court, obj.addressee)
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # drafting goes through the page or the API, which check the court

    @admin.action(description=_("督办:提醒收文单位回复"))
    def remind(self, request: AuthenticatedHttpRequest, queryset: QuerySet[JudicialRecommendation]) -> None:
        done = 0
        for rec in queryset:
            try:
                services.recommendation_remind(recommendation=rec, by=request.user)
                done += 1
            except (TransitionNotAllowed, NotPermitted) as exc:
                self.message_user(request, f"{rec}: {exc.message}", messages.WARNING)
        if done:
            self.message_user(request, _("已督办 %(n)s 件。") % {"n": done}, messages.SUCCESS)


@admin.register(RecommendationPolicy)
class RecommendationPolicyAdmin(SimpleHistoryAdmin):
    list_display = ("court", "period_length", "period_kind", "approval_required")
    list_filter = ("period_kind", "approval_required")
    search_fields = ("court__name",)
    autocomplete_fields = ("court",) if _AUTOCOMPLETE else ()
    raw_id_fields = () if _AUTOCOMPLETE else ("court",)
