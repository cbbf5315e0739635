"""Pages of IP cases: the list and its XLSX export, the record with its timeline, the form, the bulk import.
Every view starts from ``visible_to``; every write calls a service; what a user may do comes from
``services.allowed_actions``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cases import levels
from cases.ipcases import intake, selectors, services
from cases.ipcases.filters import IPCasePageFilter
from cases.ipcases.forms import ImportForm, IPCaseForm
from cases.ipcases.models import IPCase
from fuyuan.lib.errors import NotPermitted
from fuyuan.lib.forms import apply_service_errors, run, submit
from fuyuan.lib.listing import list_page
from fuyuan.lib.xlsx import rows_response
from members.types import AuthenticatedHttpRequest

SORTS: dict[str, str | tuple[str, ...]] = {
    "concluded_on": "concluded_on",
    "case_number": "case_number",
    "court": "court__name",
    "kind": "kind",
    "outcome": "outcome",
}
EXPORT_LIMIT = 100_000


def _filtered(request: AuthenticatedHttpRequest) -> QuerySet[IPCase]:
    return IPCasePageFilter(request.GET, queryset=selectors.visible_to(request.user)).qs


@login_required
@require_safe
def ipcase_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    listing = list_page(
        request, selectors.list_rows(_filtered(request)), sort_fields=SORTS, default_sort="-concluded_on"
    )
    return render(
        request,
        "cases/ipcases/list.html",
        {
            "listing": listing,
            "query": urlencode(listing.params),
            "f": request.GET,
            "kinds": IPCase.Kind.choices,
            "outcomes": IPCase.Outcome.choices,
            "courts": selectors.court_choices(request.user),
            "regions": levels.region_choices(request.user),
            "levels": levels.LEVEL_CHOICES,
            "can_record": services.can_record(request.user),
            "can_import": services.clerk_court(request.user) is not None,
        },
    )


@login_required
@require_safe
def ipcase_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = (
        selectors.list_rows(_filtered(request))
        .prefetch_related("tasks")
        .order_by("-concluded_on", "-id")[:EXPORT_LIMIT]
    )
    header = [
        _("案号"),
        _("承办法院"),
        _("案件类型"),
        _("结案日期"),
        _("结案方式"),
        _("调解组织"),
        _("所在区划"),
        _("工作任务"),
        _("备注"),
    ]
    rows = (
        [
            c.case_number,
            c.court.name,
            str(c.get_kind_display()),
            c.concluded_on,
            str(c.get_outcome_display()),
            c.mediated_by.name if c.mediated_by is not None else "",
            c.region.name,
            "、".join(str(t.number) for t in c.tasks.all()),
            c.note,
        ]
        for c in qs.iterator(chunk_size=2000)
    )
    return rows_response(
        sheet_title=_("知识产权案件"), header=header, rows=rows, filename=f"ip-cases-{timezone.localdate():%Y%m%d}.xlsx"
    )


@login_required
@require_safe
def ipcase_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(
        selectors.list_rows(selectors.visible_to(request.user)).select_related("created_by").prefetch_related("tasks"),
        pk=pk,
    )
    return render(
        request,
        "cases/ipcases/detail.html",
        {
            "case": case,
            "actions": services.allowed_actions(case, request.user),
            "timeline": selectors.history_of(case),
        },
    )


def _form_page(request: AuthenticatedHttpRequest, case: IPCase | None) -> HttpResponse:
    office_courts = None
    if case is None and services.clerk_court(request.user) is None:
        office_courts = selectors.court_choices(request.user)
    if case is None:
        initial: dict[str, Any] = {
            "concluded_on": timezone.localdate(),
            "tasks": [t.pk for t in services.default_tasks()],
        }
    else:
        initial = IPCaseForm.initial_from(case)
    form = IPCaseForm(request.POST or None, initial=initial, courts=office_courts)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if case is None:
            saved = submit(form, lambda: services.ipcase_record(by=request.user, **data))
        else:
            saved = submit(form, lambda: services.ipcase_update(case=case, by=request.user, **data))
        if saved is not None:
            messages.success(request, _("知识产权案件已登记。") if case is None else _("知识产权案件已修改。"))
            return redirect("ipcase-detail", pk=saved.pk)
    return render(request, "cases/ipcases/form.html", {"form": form, "case": case})


@login_required
def ipcase_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not services.can_record(request.user):
        raise PermissionDenied(services.WRITE_REFUSAL)
    return _form_page(request, None)


@login_required
def ipcase_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(selectors.visible_to(request.user).select_related("court"), pk=pk)
    if "edit" not in services.allowed_actions(case, request.user):
        raise PermissionDenied(services.EDIT_REFUSAL)
    return _form_page(request, case)


@login_required
@require_POST
def ipcase_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(selectors.visible_to(request.user), pk=pk)
    if run(request, lambda: services.ipcase_delete(case=case, by=request.user), _("知识产权案件已删除。")):
        return redirect("ipcase-list")
    return redirect("ipcase-detail", pk=case.pk)


@login_required
@require_safe
def ipcase_import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    return intake.template_response()


@login_required
def ipcase_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a sheet: every row is checked; when all are valid the new cases are saved at once."""
    try:
        intake.import_court(request.user)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "columns": intake.LABELS}
    if request.method == "POST" and form.is_valid():
        try:
            check = intake.ipcase_import(by=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            context["check"] = check
    return render(request, "cases/ipcases/import.html", context)
