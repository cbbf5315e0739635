from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from attachments.models import Attachment

READ_ONLY = ("part", "name", "media_type", "size", "sha256", "text_status", "uploaded_by", "uploaded_at")


def _download(obj: Attachment) -> str:
    return format_html('<a href="{}">{}</a>', reverse("attachment-download", args=[obj.pk]), obj.name)


@admin.register(Attachment)
class AttachmentAdmin(SimpleHistoryAdmin):
    """Files are added and removed on the records' pages (the services check who may); here they are read."""

    list_display = ("name", "record_type", "record_id", "part", "media_type", "size", "text_status", "uploaded_at")
    list_filter = ("record_type", "text_status", "media_type")
    search_fields = ("name", "sha256")
    list_select_related = ("record_type", "uploaded_by")
    readonly_fields = ("download", "record_type", "record_id", *READ_ONLY, "text")
    fields = readonly_fields
    date_hierarchy = "uploaded_at"

    @admin.display(description=_("文件"))
    def download(self, obj: Attachment) -> str:
        return _download(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttachmentInline(GenericTabularInline):
    """A record's files, read-only, on its admin page."""

    model = Attachment
    ct_field = "record_type"
    ct_fk_field = "record_id"
    extra = 0
    can_delete = False
    fields = ("download", *READ_ONLY)
    readonly_fields = fields

    @admin.display(description=_("文件"))
    def download(self, obj: Attachment) -> str:
        return _download(obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
