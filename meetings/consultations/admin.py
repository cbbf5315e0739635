"""Admin of consultations."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from meetings.consultations.models import Consultation


@admin.register(Consultation)
class ConsultationAdmin(SimpleHistoryAdmin):
    list_display = ["topic", "topic_kind", "held_on", "level", "region", "logging_unit"]
    list_filter = ["topic_kind", "level", "region"]
    search_fields = ["topic", "case_number"]
    date_hierarchy = "held_on"
    autocomplete_fields = ["meeting"]
    raw_id_fields = ["region", "logging_unit", "logged_by"]
    filter_horizontal = ["units", "tasks"]
    list_select_related = ["region", "logging_unit"]
