"""Admin of joint meetings: the meeting with its invitations and agenda, kind settings, proposals, minutes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.forms import Textarea, TextInput
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from attachments.admin import AttachmentInline
from meetings.meetings.forms import OffsetsField, kind_defaults_help
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
from meetings.meetings.reminders import offsets_in_words, reminders_in_words
from meetings.meetings.services import place

# The inlines' text fields as small boxes: a row of the tabular inline fits the change page at 1366 px.
COMPACT_TEXT: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.TextField: {"widget": Textarea(attrs={"rows": 2, "cols": 24})},
    models.CharField: {"widget": TextInput(attrs={"size": 16})},
}


class InvitationInline(admin.TabularInline):
    """The invited units: the reply before the meeting and the sign-in line (签到) after it."""

    model = Invitation
    extra = 0
    formfield_overrides = COMPACT_TEXT
    raw_id_fields = ["unit"]
    fields = ["unit", "reply", "attendees", "reason", "replied_at", "attendance", "signed_names", "signed_at"]
    readonly_fields = ["replied_at", "replied_by", "reported_at", "signed_at"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    formfield_overrides = COMPACT_TEXT
    raw_id_fields = ["presenter_unit"]


def offsets_field(*, required: bool) -> OffsetsField:
    """The reminder offsets typed as minutes ("4320,120"), not JSON; blank on a meeting: its kind's default."""
    if required:
        return OffsetsField(
            label=_("提前提醒(分钟)"), help_text=_("以逗号分隔的分钟数,例如 4320,120 即提前3天和2小时。")
        )
    return OffsetsField(
        label=_("提前提醒(分钟)"),
        required=False,
        help_text=kind_defaults_help(),
        widget=forms.TextInput(attrs={"placeholder": _("按会议类型默认")}),
    )


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "convener", "starts_at", "status", "sequence", "next_alert_at"]
    list_filter = ["kind", "status", "recorded_after", "level", "region"]
    search_fields = ["title", "location"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["convener"]
    # A link typed without a scheme is https, as on the meeting form.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    filter_horizontal = ["tasks"]
    readonly_fields = [
        "uid",
        "level",
        "region",
        "sequence",
        "reminders",
        "next_alert_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [AttachmentInline, InvitationInline, AgendaItemInline]
    list_select_related = ["convener"]

    @admin.display(description=_("实际提醒"))
    def reminders(self, obj: Meeting) -> str:
        return reminders_in_words(obj) if obj.pk else "—"

    def formfield_for_dbfield(self, db_field: models.Field[Any, Any], request: Any, **kwargs: Any) -> Any:
        if db_field.name == "reminder_offsets":
            return offsets_field(required=False)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request: Any, obj: Meeting, form: Any, change: bool) -> None:
        place(obj)  # the meeting lives in its convener's region, its decisions with it
        super().save_model(request, obj, form, change)


@admin.register(MeetingKindSetting)
class MeetingKindSettingAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "reminders"]

    def formfield_for_dbfield(self, db_field: models.Field[Any, Any], request: Any, **kwargs: Any) -> Any:
        if db_field.name == "reminder_offsets":
            return offsets_field(required=True)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("提前提醒"))
    def reminders(self, obj: MeetingKindSetting) -> str:
        return offsets_in_words(obj.reminder_offsets)


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    list_display = ["meeting", "unit", "reply", "replied_at", "reported_at", "attendance", "signed_at"]
    list_filter = ["reply", "attendance"]
    search_fields = ["meeting__title", "unit__name"]
    autocomplete_fields = ["meeting"]
    raw_id_fields = ["unit"]
    readonly_fields = ["replied_at", "replied_by", "reported_at", "signed_at", "signed_by"]
    list_select_related = ["meeting", "unit"]


@admin.register(TopicProposal)
class TopicProposalAdmin(SimpleHistoryAdmin):
    list_display = ["title", "meeting", "unit", "status", "created_at", "reported_at"]
    list_filter = ["status"]
    readonly_fields = ["created_at", "reported_at"]
    search_fields = ["title", "meeting__title"]
    autocomplete_fields = ["meeting"]
    raw_id_fields = ["unit"]


class MinutesConfirmationInline(admin.TabularInline):
    model = MinutesConfirmation
    extra = 0
    fields = ["unit", "verdict", "comment", "confirmed_by", "confirmed_at"]
    raw_id_fields = ["unit"]
    readonly_fields = ["confirmed_by", "confirmed_at"]


@admin.register(Minutes)
class MinutesAdmin(SimpleHistoryAdmin):
    list_display = ["meeting", "status", "confirm_by", "document_number", "issued_at", "override_by"]
    list_filter = ["status"]
    search_fields = ["meeting__title", "document_number"]
    autocomplete_fields = ["meeting"]
    # Set by minutes_issue when the minutes went out before the confirmation deadline.
    readonly_fields = ["override_reason", "override_by"]
    list_select_related = ["meeting", "override_by"]
    inlines = [AttachmentInline, MinutesConfirmationInline]


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__username", "user__name"]
    readonly_fields = ["token", "created_at"]
    raw_id_fields = ["user"]
