"""Admin of the library: documents (metadata editable; the audience and the lifecycle read-only, since
publishing writes the audience keys through the services), tags and read receipts (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from attachments.admin import AttachmentInline
from library import search
from library.models import DocumentRead, LibraryDocument, Tag
from members.models import MemberUnit, WorkTask

_AUTOCOMPLETE = admin.site.is_registered(MemberUnit) and admin.site.is_registered(WorkTask)


@admin.register(LibraryDocument)
class LibraryDocumentAdmin(SimpleHistoryAdmin):
    list_display = ("title", "type", "number", "issuing_unit", "issued_on", "publisher_unit", "status", "published_at")
    list_filter = ("status", "type", "audience", ("publisher_unit", admin.RelatedOnlyFieldListFilter), "tasks", "tags")
    search_fields = ("title", "number", "case_number", "issuing_unit", "publisher_unit__name")
    list_select_related = ("publisher_unit",)
    filter_horizontal = ("tags",)
    autocomplete_fields = ("tasks",) if _AUTOCOMPLETE else ()
    raw_id_fields = () if _AUTOCOMPLETE else ("tasks",)
    date_hierarchy = "issued_on"
    inlines = [AttachmentInline]
    readonly_fields = (
        "publisher_unit",
        "audience",
        "audience_levels",
        "audience_regions_list",
        "audience_units_list",
        "status",
        "created_by",
        "created_at",
        "published_by",
        "published_at",
        "withdrawn_at",
        "withdrawal_reason",
        "region",
        "city",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": (("type", "issued_on"), "title", ("number", "issuing_unit"), ("case_number", "court"))}),
        (None, {"fields": ("tasks", "tags", "text")}),
        (
            _("发布范围"),
            {
                "fields": (
                    "publisher_unit",
                    "audience",
                    "audience_levels",
                    "audience_regions_list",
                    "audience_units_list",
                )
            },
        ),
        (
            _("办理情况"),
            {
                "fields": (
                    "status",
                    ("created_by", "created_at"),
                    ("published_by", "published_at"),
                    ("withdrawn_at", "withdrawal_reason"),
                    ("region", "city", "updated_at"),
                )
            },
        ),
    )

    @admin.display(description=_("指定地区"))
    def audience_regions_list(self, obj: LibraryDocument) -> str:
        return "、".join(r.name for r in obj.audience_regions.all()) or "—"

    @admin.display(description=_("指定单位"))
    def audience_units_list(self, obj: LibraryDocument) -> str:
        return "、".join(u.name for u in obj.audience_units.all()) or "—"

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        search.refresh(form.instance)  # the words of the title, numbers and text

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # drafting goes through the page or the API, which check the publisher and the audience


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(DocumentRead)
class DocumentReadAdmin(admin.ModelAdmin):
    list_display = ("document", "user", "unit", "read_at")
    list_select_related = ("document", "user", "unit")
    search_fields = ("document__title", "user__username", "user__name", "unit__name")
    date_hierarchy = "read_at"
    readonly_fields = ("document", "user", "unit", "read_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
