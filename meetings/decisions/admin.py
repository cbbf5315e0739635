"""Admin of decisions and their progress reports."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from meetings.decisions.models import Decision, DecisionProgress


class DecisionProgressInline(admin.TabularInline):
    model = DecisionProgress
    extra = 0
    readonly_fields = ["created_at"]


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "owner_unit", "due", "status", "next_alert_at"]
    list_filter = ["status"]
    search_fields = ["text", "meeting__title"]
    autocomplete_fields = ["meeting"]
    raw_id_fields = ["owner_unit"]
    filter_horizontal = ["supporting_units"]
    readonly_fields = ["next_alert_at", "created_at"]
    date_hierarchy = "due"
    inlines = [DecisionProgressInline]
    list_select_related = ["owner_unit"]

    def save_model(self, request: Any, obj: Decision, form: Any, change: bool) -> None:
        # A decision lives in its meeting's region (as ``services.decision_add`` stamps it).
        obj.region_id, obj.city_id = obj.meeting.region_id, obj.meeting.city_id
        super().save_model(request, obj, form, change)
