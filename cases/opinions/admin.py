"""Admin of legal opinions: the list's filters, the audit trail (django-simple-history); the lifecycle is read-only
here (transitions go through the services: the pages and the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from attachments.admin import AttachmentInline
from cases.opinions.models import Opinion
from members.levels import stamp
from members.models import MemberUnit, WorkTask

_AUTOCOMPLETE = admin.site.is_registered(MemberUnit) and admin.site.is_registered(WorkTask)


class OverdueFilter(admin.SimpleListFilter):
    title = _("是否逾期")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", _("逾期")), ("0", _("未逾期"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        overdue = Opinion.objects.overdue_q()
        if self.value() == "1":
            return queryset.filter(overdue)
        if self.value() == "0":
            return queryset.exclude(overdue)
        return queryset


@admin.register(Opinion)
class OpinionAdmin(SimpleHistoryAdmin):
    inlines = [AttachmentInline]
    list_display = ("subject", "requester", "court", "kind", "status", "requested_on", "due", "answered_at")
    list_filter = ("status", OverdueFilter, "kind", "offered", ("court", admin.RelatedOnlyFieldListFilter), "tasks")
    search_fields = ("subject", "document_title", "document_number", "requester__name", "court__name")
    list_select_related = ("requester", "court")
    autocomplete_fields = ("requester", "court", "tasks") if _AUTOCOMPLETE else ()
    raw_id_fields = () if _AUTOCOMPLETE else ("requester", "court", "tasks")
    date_hierarchy = "requested_on"
    readonly_fields = (
        "offered",
        "status",
        "requested_at",
        "requested_on",
        "requested_by",
        "answer",
        "answered_at",
        "answered_by",
        "withdrawn_at",
        "withdraw_reason",
        "escalated_at",
        "next_alert_at",
        "region",
        "city",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": (("requester", "court"), ("kind", "offered"), "subject", "question")}),
        (None, {"fields": (("document_title", "document_number"), "tasks", "due")}),
        (
            _("办理情况"),
            {
                "fields": (
                    "status",
                    ("requested_at", "requested_on", "requested_by"),
                    "answer",
                    ("answered_at", "answered_by"),
                    ("withdrawn_at", "withdraw_reason"),
                    ("escalated_at", "next_alert_at"),
                    ("region", "city", "updated_at"),
                )
            },
        ),
    )

    def save_model(self, request: HttpRequest, obj: Opinion, form: Any, change: bool) -> None:
        # Where the record lives follows its requester and court, whoever changes them.
        stamp(obj, obj.requester, obj.court)
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # asking goes through the page or the API, which check the sides
