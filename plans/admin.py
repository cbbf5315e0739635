"""Admin of the work plan: plans, items, milestones, progress reports and 督办.

The lifecycle fields are read-only here: transitions (publish, complete, accept, return, 督办, answer) go
through ``plans.services``, and so do the admin's actions (publish the chosen plans, accept the chosen
items), which report each refusal as a message and change nothing for it. An item's content (task, text,
lead and supporting units, due date) is edited through ``services.item_update`` too, so the admin checks
the same rules as the pages (a due date inside the plan's year, units inside the plan's region) and
re-arms the alert engine. Drafting plans and items is the pages' and the API's, which check the office.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from attachments.admin import AttachmentInline
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from members.types import AuthenticatedHttpRequest
from plans import services
from plans.models import Plan, PlanItem, PlanMilestone, PlanProgress, Supervision

ITEM_CONTENT = ("task", "text", "lead_unit", "supporting_units", "due")


class OverdueFilter(admin.SimpleListFilter):
    title = _("是否逾期")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", _("逾期")), ("0", _("未逾期"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        overdue = queryset.model.objects.overdue_q()
        if self.value() == "1":
            return queryset.filter(overdue)
        if self.value() == "0":
            return queryset.exclude(overdue)
        return queryset


def _run(
    model_admin: admin.ModelAdmin,
    request: AuthenticatedHttpRequest,
    queryset: QuerySet[Any],
    service: Callable[[Any], Any],
    done_message: Any,
) -> None:
    """Call ``service`` on each chosen row; a refusal is a warning naming the row, and changes nothing."""
    done = 0
    for obj in queryset:
        try:
            service(obj)
            done += 1
        except (TransitionNotAllowed, NotPermitted) as exc:
            model_admin.message_user(request, f"{obj}: {exc.message}", messages.WARNING)
        except ValidationError as exc:
            model_admin.message_user(request, f"{obj}: {'；'.join(exc.messages)}", messages.WARNING)
    if done:
        model_admin.message_user(request, done_message % {"n": done}, messages.SUCCESS)


class ItemInline(admin.TabularInline):
    """The plan's items, read-only, each linked to its own admin page."""

    model = PlanItem
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("task", "number", "text", "lead_unit", "due", "status", "percent")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[PlanItem]:
        return super().get_queryset(request).select_related("task", "lead_unit")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ("title", "year", "region", "status", "published_at", "item_count")
    list_filter = ("year", "status", "region__level")
    search_fields = ("title", "region__name")
    list_select_related = ("region",)
    fields = ("title", "year", "region", "status", "published_at", "published_by", "created_by", "created_at")
    readonly_fields = ("year", "region", "status", "published_at", "published_by", "created_by", "created_at")
    inlines = [ItemInline]
    actions = ["publish"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Plan]:
        return super().get_queryset(request).annotate(n_items=Count("items"))

    @admin.display(description=_("事项数"), ordering="n_items")
    def item_count(self, plan: Plan) -> int:
        return getattr(plan, "n_items", 0)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # drafting goes through the page or the API, which check the office's level

    def save_model(self, request: Any, obj: Plan, form: Any, change: bool) -> None:
        if change and "title" in form.changed_data:
            services.plan_update(plan=obj, by=request.user, title=obj.title)

    @admin.action(description=_("印发所选工作要点"))
    def publish(self, request: AuthenticatedHttpRequest, queryset: QuerySet[Plan]) -> None:
        _run(
            self,
            request,
            queryset,
            lambda plan: services.plan_publish(plan=plan, by=request.user),
            _("已印发 %(n)s 份工作要点。"),
        )


class MilestoneInline(admin.TabularInline):
    model = PlanMilestone
    extra = 0
    fields = ("title", "due", "reached_at")
    readonly_fields = ("reached_at",)


class ProgressInline(admin.TabularInline):
    model = PlanProgress
    extra = 0
    can_delete = False
    fields = ("created_at", "unit", "by", "percent", "milestone", "text")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[PlanProgress]:
        return super().get_queryset(request).select_related("unit", "by", "milestone")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SupervisionInline(admin.TabularInline):
    model = Supervision
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("issued_at", "text", "due", "status", "answered_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PlanItemForm(forms.ModelForm):
    """Checks the content through the service before anything is saved: a refusal is a form error."""

    class Meta:
        model = PlanItem
        fields = ITEM_CONTENT

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        item: PlanItem = self.instance
        if self.errors or not self.has_changed():
            return data
        lead = data.get("lead_unit")
        services.validate_item(plan=item.plan, text=data.get("text", ""), lead_unit=lead, due=data.get("due"))
        if lead is not None:
            services.supporting_within(data.get("supporting_units") or [], item.plan, lead)
        return data


@admin.register(PlanItem)
class PlanItemAdmin(SimpleHistoryAdmin):
    form = PlanItemForm
    list_display = ("__str__", "task", "lead_unit", "due", "status", "overdue_mark", "plan")
    list_filter = ("year", "status", "task", "region__level", OverdueFilter)
    search_fields = ("text", "lead_unit__name", "lead_unit__short_name", "plan__title")
    list_select_related = ("task", "lead_unit", "plan")
    raw_id_fields = ("lead_unit",)
    filter_horizontal = ("supporting_units",)
    date_hierarchy = "due"
    actions = ["accept"]
    inlines = [MilestoneInline, ProgressInline, SupervisionInline]
    LIFECYCLE = (
        "plan_link",
        "number",
        "status",
        "percent",
        "done_at",
        "done_by",
        "done_summary",
        "accepted_at",
        "accepted_by",
        "returned_at",
        "return_reason",
        "next_alert_at",
        "region",
        "year",
        "created_at",
    )
    fields = (*ITEM_CONTENT, *LIFECYCLE)

    @admin.display(description=_("逾期"), boolean=True)
    def overdue_mark(self, item: PlanItem) -> bool:
        return item.overdue

    @admin.display(description=_("工作要点"))
    def plan_link(self, item: PlanItem) -> str:
        return format_html('<a href="{}">{}</a>', reverse("admin:plans_plan_change", args=[item.plan_id]), item.plan)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PlanItem]:
        return super().get_queryset(request).select_related("plan", "task", "lead_unit", "region")

    def get_readonly_fields(self, request: HttpRequest, obj: PlanItem | None = None) -> tuple[str, ...]:
        # Once reported done or accepted, the content is the record of what was done: read-only too.
        if obj is not None and not obj.is_working:
            return (*ITEM_CONTENT, *self.LIFECYCLE)
        return self.LIFECYCLE

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # items are added to a plan through the page or the API (numbered, stamped, notified)

    def save_model(self, request: Any, obj: PlanItem, form: Any, change: bool) -> None:
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in ITEM_CONTENT and f != "supporting_units"}
        supporting = form.cleaned_data["supporting_units"] if "supporting_units" in form.changed_data else None
        if changes or supporting is not None:
            services.item_update(item=obj, by=request.user, supporting_units=supporting, **changes)

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        # The supporting units were set by the service; only the milestones' formset is saved here.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("验收所选事项"))
    def accept(self, request: AuthenticatedHttpRequest, queryset: QuerySet[PlanItem]) -> None:
        _run(
            self,
            request,
            queryset,
            lambda item: services.item_accept(item=item, by=request.user),
            _("已验收 %(n)s 项。"),
        )


@admin.register(PlanMilestone)
class PlanMilestoneAdmin(SimpleHistoryAdmin):
    list_display = ("title", "item", "due", "reached_at")
    search_fields = ("title", "item__text")
    list_select_related = ("item",)
    raw_id_fields = ("item",)
    readonly_fields = ("reached_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PlanProgress)
class PlanProgressAdmin(admin.ModelAdmin):
    """Progress reports are the units' record: read-only; an administrator may correct a report's text."""

    inlines = [AttachmentInline]

    list_display = ("__str__", "item", "unit", "percent", "by", "created_at")
    list_filter = ("item__year",)
    search_fields = ("text", "item__text", "unit__name")
    list_select_related = ("item", "unit", "by")
    fields = ("item", "unit", "by", "created_at", "percent", "milestone", "text")
    readonly_fields = ("item", "unit", "by", "created_at", "percent", "milestone")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Supervision)
class SupervisionAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "item", "lead_unit", "due", "status", "overdue_mark", "issued_at")
    list_filter = ("status", "item__year", OverdueFilter)
    search_fields = ("text", "item__text", "item__lead_unit__name")
    list_select_related = ("item__lead_unit",)
    date_hierarchy = "due"
    fields = (
        "item",
        "text",
        "due",
        "status",
        "issued_at",
        "issued_by",
        "answer",
        "answered_at",
        "answered_by",
        "next_alert_at",
        "region",
    )
    readonly_fields = fields

    @admin.display(description=_("牵头单位"), ordering="item__lead_unit__name")
    def lead_unit(self, sup: Supervision) -> str:
        return str(sup.item.lead_unit)

    @admin.display(description=_("逾期"), boolean=True)
    def overdue_mark(self, sup: Supervision) -> bool:
        return sup.overdue

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued on the item's page or through the API, which check the office
