"""Admin of consultations."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from attachments.admin import AttachmentInline
from meetings.consultations.models import Consultation
from members.levels import stamp
from members.models import Region


@admin.register(Consultation)
class ConsultationAdmin(SimpleHistoryAdmin):
    inlines = [AttachmentInline]
    list_display = ["topic", "topic_kind", "held_on", "level", "region", "logging_unit"]
    list_filter = ["topic_kind", "level", "region"]
    search_fields = ["topic", "case_number"]
    date_hierarchy = "held_on"
    autocomplete_fields = ["meeting"]
    raw_id_fields = ["logging_unit", "logged_by"]
    filter_horizontal = ["units", "tasks"]
    readonly_fields = ["level", "region"]
    list_select_related = ["region", "logging_unit"]

    def save_model(self, request: Any, obj: Consultation, form: Any, change: bool) -> None:
        # A consultation lives in its logging unit's region (as ``services.consultation_log`` stamps it).
        stamp(obj, obj.logging_unit if obj.logging_unit_id else None)
        obj.level = obj.region.level if obj.region is not None else Region.Level.PROVINCE
        super().save_model(request, obj, form, change)
