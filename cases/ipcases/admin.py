"""Admin of IP cases, with history (django-simple-history)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cases.ipcases.models import IPCase
from members.levels import stamp


@admin.register(IPCase)
class IPCaseAdmin(SimpleHistoryAdmin):
    list_display = ["case_number", "court", "kind", "outcome", "concluded_on", "mediated_by", "region"]
    list_filter = ["outcome", "kind", "imported"]
    search_fields = ["case_number", "court__name", "note"]
    date_hierarchy = "concluded_on"
    raw_id_fields = ["court", "mediated_by"]
    filter_horizontal = ["tasks"]
    readonly_fields = ["region", "city", "created_by", "created_at", "imported"]
    list_select_related = ["court", "mediated_by", "region"]

    def save_model(self, request: Any, obj: IPCase, form: Any, change: bool) -> None:
        # A case lives in its court's region (as ``services.ipcase_record`` stamps it).
        stamp(obj, obj.court)
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
