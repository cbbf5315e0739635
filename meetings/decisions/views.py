"""Pages of decisions. Every view starts from ``visible_to``; every write calls a service; what a user may
do comes from ``services.allowed_actions``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.lib.forms import run, submit
from fuyuan.lib.listing import list_page
from fuyuan.lib.xlsx import rows_response
from meetings.decisions import forms, selectors, services
from meetings.decisions.filters import DecisionPageFilter
from meetings.decisions.models import Decision
from meetings.meetings import selectors as meeting_selectors
from meetings.meetings.services import MANAGE_REFUSAL, can_manage
from meetings.pages import filter_choices, form_page
from members.types import AuthenticatedHttpRequest

DECISION_SORTS: dict[str, str | tuple[str, ...]] = {"due": "due", "status": ("status", "due"), "created": "created_at"}


@login_required
def decision_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(meeting_selectors.visible_to(request.user), pk=pk)
    if not can_manage(request.user, meeting):
        raise PermissionDenied(MANAGE_REFUSAL)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = submit(form, lambda: services.decision_add(meeting=meeting, by=request.user, **form.cleaned_data))
        if saved is not None:
            messages.success(request, _("议定事项已添加,已通知牵头单位。"))
            return redirect(reverse("meeting-detail", args=[meeting.pk]) + "#decisions")
    return render(request, "meetings/decision_form.html", {"form": form, "meeting": meeting})


@login_required
def decision_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change an open decision (its due date re-arms the reminders); the convener side only."""
    decision = get_object_or_404(selectors.visible_to(request.user).select_related("meeting"), pk=pk)
    if "edit" not in services.allowed_actions(decision, request.user):
        raise PermissionDenied(services.edit_refusal(decision, request.user))
    initial = {
        "text": decision.text,
        "owner_unit": decision.owner_unit_id,
        "supporting_units": list(decision.supporting_units.values_list("pk", flat=True)),
        "due": decision.due,
    }
    form = forms.DecisionForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        lambda: services.decision_update(decision=decision, by=request.user, **form.cleaned_data),
        done=_("议定事项已更新。"),
        detail="decision-detail",
        template="meetings/decision_form.html",
        context={"meeting": decision.meeting, "decision": decision},
    )


def _filtered(request: AuthenticatedHttpRequest) -> tuple[QuerySet[Decision], str]:
    """The decisions the list (and its export) shows, with the status it filters on: the open ones unless the
    user asked for another status (or all, ``status=``)."""
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = Decision.Status.OPEN
    qs = DecisionPageFilter(data, queryset=selectors.visible_to(request.user)).qs
    return selectors.with_meeting_shown(qs.select_related("owner_unit", "meeting"), request.user), str(data["status"])


@login_required
def decision_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs, status = _filtered(request)
    listing = list_page(request, qs, sort_fields=DECISION_SORTS, default_sort="due")
    return render(
        request,
        "meetings/decision_list.html",
        {
            "listing": listing,
            "f": request.GET,
            "status_value": status,
            "export_query": request.GET.urlencode(),
            **filter_choices(
                request,
                bar=("q", "overdue", "owner", "level", "region"),
                more=(status,),  # the status filtered on: the open decisions when the query string names none
                owner_picker="units:owner",
                region_options="regions:region",
            ),
            "statuses": Decision.Status.choices,  # after filter_choices, whose "statuses" are the meetings'
        },
    )


EXPORT_LIMIT = 100_000


@login_required
def decision_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The list as XLSX, with the list's filters (open decisions by default), in the order of their due dates."""
    qs, _status = _filtered(request)
    qs = qs.select_related("region").prefetch_related("supporting_units").order_by("due", "id")
    today = timezone.localdate()
    header = [
        _("议定事项"),
        _("会议"),
        _("牵头落实单位"),
        _("配合单位"),
        _("完成时限"),
        _("状态"),
        _("是否逾期"),
        _("办结时间"),
        _("办结说明"),
        _("所在区划"),
    ]
    rows = (
        [
            d.text,
            d.meeting.title if getattr(d, "meeting_shown", False) else "",
            d.owner_unit.name,
            "、".join(u.name for u in d.supporting_units.all()),
            d.due,
            str(d.get_status_display()),
            _("是") if d.overdue_on(today) else _("否"),
            timezone.localtime(d.done_at).strftime("%Y-%m-%d %H:%M") if d.done_at else "",
            d.done_note,
            d.region.name if d.region else "",
        ]
        for d in qs[:EXPORT_LIMIT].iterator(chunk_size=2000)
    )
    return rows_response(sheet_title=_("议定事项"), header=header, rows=rows, filename=f"decisions-{today:%Y%m%d}.xlsx")


@login_required
def decision_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(
        selectors.with_meeting_shown(selectors.visible_to(request.user), request.user)
        .select_related("meeting", "owner_unit", "done_by")
        .prefetch_related("supporting_units", "progress__unit", "progress__by", "progress__attachments"),
        pk=pk,
    )
    return render(
        request,
        "meetings/decision_detail.html",
        {
            "decision": decision,
            "actions": services.allowed_actions(decision, request.user),
            "progress_form": forms.ProgressForm(label=_("进展情况")),
            "complete_form": forms.NoteForm(label=_("办结说明")),
        },
    )


@login_required
@require_POST
def decision_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    decision = get_object_or_404(selectors.visible_to(request.user), pk=pk)
    form = (forms.ProgressForm if action == "progress" else forms.NoteForm)(request.POST, request.FILES)
    if not form.is_valid():
        problems = ([_("请填写说明。")] if "note" in form.errors else []) + list(form.errors.get("attachments", []))
        for message in problems:
            messages.error(request, str(message))
    elif action == "progress":
        data = form.cleaned_data
        run(
            request,
            lambda: services.decision_add_progress(
                decision=decision, by=request.user, note=data["note"], attachments=data["attachments"]
            ),
            _("进展已记录。"),
        )
    elif action == "complete":
        run(
            request,
            lambda: services.decision_complete(decision=decision, by=request.user, note=form.cleaned_data["note"]),
            _("议定事项已办结。"),
        )
    else:
        raise Http404
    return redirect("decision-detail", pk=decision.pk)
