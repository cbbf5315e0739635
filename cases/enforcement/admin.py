"""Admin of enforcement cases concluded through linkage, with their history (who recorded and changed what)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from cases.enforcement.models import EnforcementCase
from members.levels import stamp


@admin.register(EnforcementCase)
class EnforcementCaseAdmin(SimpleHistoryAdmin):
    list_display = ["case_number", "court", "concluded_on", "amount_recovered", "amount_paid", "region"]
    list_filter = ["concluded_on"]
    search_fields = ["case_number", "court__name"]
    autocomplete_fields = ["court", "referrals", "partner_units", "tasks", "created_by"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "concluded_on"
    list_select_related = ["court", "region"]
    show_full_result_count = False

    def save_model(self, request: HttpRequest, obj: EnforcementCase, form: Any, change: bool) -> None:
        # Where the record lives follows its court, whoever changes it.
        stamp(obj, obj.court)
        super().save_model(request, obj, form, change)
