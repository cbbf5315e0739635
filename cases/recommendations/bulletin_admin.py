"""Admin of the quarterly bulletins: read-only (a bulletin is a snapshot of what was sent; the quarterly task and
the office's page make them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cases.recommendations.bulletin_models import BulletinEntry, RecommendationBulletin

ENTRY_FIELDS = (
    "recommendation",
    "late_reply",
    "not_adopted",
    "not_rectified",
    "recurred",
    "number",
    "title",
    "court_name",
    "addressee_name",
    "reply_due",
    "replied_on",
    "reply_outcome",
    "rectification_due",
    "visit_result",
)


class EntryInline(admin.TabularInline):
    model = BulletinEntry
    extra = 0
    can_delete = False
    fields = ENTRY_FIELDS
    readonly_fields = ENTRY_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RecommendationBulletin)
class RecommendationBulletinAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "year",
        "quarter",
        "supervisor",
        "entry_count",
        "late_reply_count",
        "not_adopted_count",
        "not_rectified_count",
        "recurred_count",
        "generated_at",
        "sent_at",
    )
    list_filter = ("year", "quarter")
    search_fields = ("supervisor__name",)
    list_select_related = ("supervisor",)
    date_hierarchy = "generated_at"
    inlines = [EntryInline]
    readonly_fields = (
        "supervisor",
        "year",
        "quarter",
        "period_start",
        "period_end",
        "issuer",
        "generated_at",
        "sent_at",
        "entry_count",
        "late_reply_count",
        "not_adopted_count",
        "not_rectified_count",
        "recurred_count",
        "region",
        "city",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
