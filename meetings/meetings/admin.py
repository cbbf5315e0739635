"""Admin of joint meetings: the meeting with its invitations and agenda, kind settings, proposals, minutes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.forms import Textarea
from simple_history.admin import SimpleHistoryAdmin

from meetings.meetings.models import (
    AgendaItem,
    CalendarFeedToken,
    Invitation,
    Meeting,
    MeetingKindSetting,
    Minutes,
    MinutesConfirmation,
    TopicProposal,
)
from meetings.meetings.services import place

# The inlines' text fields as small boxes: a row of the tabular inline fits the change page at 1366 px.
COMPACT_TEXT: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.TextField: {"widget": Textarea(attrs={"rows": 2, "cols": 28})}
}


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    formfield_overrides = COMPACT_TEXT
    raw_id_fields = ["unit"]
    readonly_fields = ["replied_at", "replied_by"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    formfield_overrides = COMPACT_TEXT
    raw_id_fields = ["presenter_unit"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "convener", "starts_at", "status", "sequence", "next_alert_at"]
    list_filter = ["kind", "status", "level", "region"]
    search_fields = ["title", "location"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["convener"]
    # A link typed without a scheme is https, as on the meeting form.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    filter_horizontal = ["tasks"]
    readonly_fields = ["uid", "level", "region", "sequence", "next_alert_at", "created_by", "created_at", "updated_at"]
    inlines = [InvitationInline, AgendaItemInline]
    list_select_related = ["convener"]

    def save_model(self, request: Any, obj: Meeting, form: Any, change: bool) -> None:
        place(obj)  # the meeting lives in its convener's region, its decisions with it
        super().save_model(request, obj, form, change)


@admin.register(MeetingKindSetting)
class MeetingKindSettingAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "reminder_offsets"]


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    list_display = ["meeting", "unit", "reply", "replied_at"]
    list_filter = ["reply"]
    search_fields = ["meeting__title", "unit__name"]
    autocomplete_fields = ["meeting"]
    raw_id_fields = ["unit"]
    list_select_related = ["meeting", "unit"]


@admin.register(TopicProposal)
class TopicProposalAdmin(SimpleHistoryAdmin):
    list_display = ["title", "meeting", "unit", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "meeting__title"]
    autocomplete_fields = ["meeting"]
    raw_id_fields = ["unit"]


class MinutesConfirmationInline(admin.TabularInline):
    model = MinutesConfirmation
    extra = 0
    raw_id_fields = ["unit"]


@admin.register(Minutes)
class MinutesAdmin(SimpleHistoryAdmin):
    list_display = ["meeting", "status", "confirm_by", "document_number", "issued_at"]
    list_filter = ["status"]
    search_fields = ["meeting__title", "document_number"]
    autocomplete_fields = ["meeting"]
    inlines = [MinutesConfirmationInline]


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__username", "user__name"]
    readonly_fields = ["token", "created_at"]
    raw_id_fields = ["user"]
