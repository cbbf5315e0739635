"""Admin of hearings: the list's filters and the audit trail (django-simple-history). The lifecycle is
read-only here: transitions go through the services (pages and API); cancellation is an admin action calling
the same service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from attachments.admin import AttachmentInline
from cases.hearings import services
from cases.hearings.models import Hearing
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from members.levels import stamp
from members.models import MemberUnit, WorkTask
from members.types import AuthenticatedHttpRequest

_AUTOCOMPLETE = admin.site.is_registered(MemberUnit) and admin.site.is_registered(WorkTask)


@admin.register(Hearing)
class HearingAdmin(SimpleHistoryAdmin):
    inlines = [AttachmentInline]
    list_display = ("case_number", "court", "defendant", "hearing_at", "status", "appeared", "reported_at")
    list_filter = (
        "status",
        "appeared",
        ("court", admin.RelatedOnlyFieldListFilter),
        ("defendant", admin.RelatedOnlyFieldListFilter),
        "tasks",
    )
    search_fields = ("case_number", "place", "court__name", "defendant__name")
    list_select_related = ("court", "defendant")
    autocomplete_fields = ("court", "defendant", "tasks") if _AUTOCOMPLETE else ()
    raw_id_fields = () if _AUTOCOMPLETE else ("court", "defendant", "tasks")
    date_hierarchy = "hearing_at"
    readonly_fields = (
        "status",
        "notified_at",
        "notified_by",
        "answer_name",
        "answer_post",
        "answer_responsible",
        "answer_reason",
        "answered_at",
        "answered_by",
        "appeared",
        "appeared_name",
        "appeared_post",
        "recorded_at",
        "recorded_by",
        "reported_at",
        "cancelled_at",
        "cancel_reason",
        "next_alert_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": (("court", "case_number"), "defendant", ("hearing_at", "place"), "summary", "tasks")}),
        (
            _("办理情况"),
            {
                "fields": (
                    "status",
                    ("notified_at", "notified_by"),
                    ("answer_name", "answer_post", "answer_responsible"),
                    "answer_reason",
                    ("answered_at", "answered_by"),
                    ("appeared", "appeared_name", "appeared_post"),
                    ("recorded_at", "recorded_by", "reported_at"),
                    ("cancelled_at", "cancel_reason"),
                    ("next_alert_at", "created_by", "created_at", "updated_at"),
                )
            },
        ),
    )
    actions = ["cancel"]

    def save_model(self, request: HttpRequest, obj: Hearing, form: Any, change: bool) -> None:
        stamp(obj, obj.court, obj.defendant)  # where the record lives follows its court and defendant
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created through the page or the API, which check the court

    @admin.action(description=_("取消所选出庭应诉案件"))
    def cancel(self, request: AuthenticatedHttpRequest, queryset: QuerySet[Hearing]) -> None:
        done = 0
        for hearing in queryset:
            try:
                services.hearing_cancel(hearing=hearing, by=request.user)
                done += 1
            except (TransitionNotAllowed, NotPermitted) as exc:
                self.message_user(request, f"{hearing}: {exc.message}", messages.WARNING)
        if done:
            self.message_user(request, _("已取消 %(n)s 件。") % {"n": done}, messages.SUCCESS)
