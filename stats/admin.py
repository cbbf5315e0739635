"""The admin of the statistics: frozen snapshots (read-only values) and the prepared quarterly reports."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from stats.models import PreparedReport, RollupCheck, Snapshot, Target


@admin.register(Snapshot)
class SnapshotAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "start", "end", "region", "task", "unit", "frozen_at", "frozen_by"]
    list_filter = ["region", "task"]
    search_fields = ["label", "note"]
    autocomplete_fields = ["unit", "frozen_by"]
    date_hierarchy = "frozen_at"
    readonly_fields = ["key", "start", "end", "region", "task", "unit", "data", "frozen_at", "frozen_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # frozen from the dashboard, which computes the values


@admin.register(PreparedReport)
class PreparedReportAdmin(SimpleHistoryAdmin):
    list_display = ["title", "start", "end", "created_at"]
    date_hierarchy = "start"
    readonly_fields = ["start", "end", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # prepared by the quarterly task


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    """Read here, set on /stats/targets/ (stats.targets.target_set checks the reach and the values)."""

    list_display = ["year", "region", "task", "figure", "comparator", "value", "set_by", "updated_at"]
    list_filter = ["year", "task", "comparator"]
    search_fields = ["figure", "region__name"]
    list_select_related = ["region", "task", "set_by"]
    readonly_fields = ["year", "region", "city", "task", "figure", "comparator", "value", "set_by", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # set through the service, which validates the value against the figure


@admin.register(RollupCheck)
class RollupCheckAdmin(admin.ModelAdmin):
    """The nightly recount of the rollups (stats.drift.check): what drifted and was repaired. Read-only."""

    list_display = ["checked_at", "records", "drifted", "sources", "seconds"]
    list_filter = ["sources"]
    date_hierarchy = "checked_at"
    readonly_fields = ["checked_at", "records", "drifted", "sources", "seconds", "detail"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written by the nightly check (manage.py stats_rollups check runs it by hand)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
