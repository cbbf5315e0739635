"""Pages of the statistics: the dashboard, a unit's own view, the league table, the report, the definitions."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from fuyuan.lib.dbrouter import replica_reads
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.forms import run, submit
from fuyuan.lib.params import parse_id
from fuyuan.lib.xlsx import XLSX_CONTENT_TYPE
from members.levels import is_within, reach_of
from members.models import Region, WorkTask
from members.roles import Role, can_read_all, has_role, is_office
from members.types import AuthenticatedHttpRequest
from stats import league, referrals, selectors, services, targets, taskpage, transcript
from stats.definitions import rows as definitions_rows
from stats.forms import TargetForm
from stats.models import PreparedReport, Snapshot, Target
from stats.periods import KINDS, MIN_YEAR
from stats.report import report_context, report_docx, report_xlsx
from stats.sources import SOURCES

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _require_read_all(request: AuthenticatedHttpRequest) -> None:
    """The office's pages: office staff and leaders at every level (each its region's subtree), administrators."""
    if not selectors.reads_figures(request.user):
        raise Http404


def _query(request: AuthenticatedHttpRequest, **overrides: Any) -> str:
    params = {k: v for k, v in request.GET.items() if v not in ("", None) and k != "sort"}
    params.update({k: v for k, v in overrides.items() if v is not None})
    return urlencode(params)


def _page_context(request: AuthenticatedHttpRequest, req: selectors.Request, *, unit_view: bool) -> dict[str, Any]:
    board = selectors.dashboard(req.scope, top=reach_of(request.user).region, regions=req.regions, every_unit=False)
    return {
        "period": req.period,
        "scope": req.scope,
        "kinds": KINDS,
        "years": _years(req.period.year),
        "quarters": [1, 2, 3, 4],
        "months": list(range(1, 13)),
        "board": board,
        "unit_view": unit_view,
        "unit_name": selectors.unit_name(req.scope.unit),
        "can_freeze": has_role(request.user, Role.OFFICE, Role.ADMIN),
        "query": _query(request),
        "drill_query": urlencode({k: v for k, v in request.GET.items() if v and k not in ("sort", "region")}),
        **selectors.filter_choices(req.regions),
    }


def _years(selected: int) -> list[int]:
    this = timezone.localdate().year
    return sorted({*range(this - 6, this + 1), selected}, reverse=True)


@login_required
@replica_reads
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The office's dashboard (office, leaders, administrators)."""
    _require_read_all(request)
    req = selectors.read_request(request.user, request.GET)
    context = _page_context(request, req, unit_view=False)
    # The level's targets of the period's year, with their lights (the whole list: /stats/targets/).
    context["targets"] = targets.target_rows(
        year=req.period.year, region=req.region, task=req.scope.task, regions=req.regions
    )
    context["transcript"] = transcript.table(req.scope, context["board"]["counts"])
    return render(request, "stats/dashboard.html", context)


@login_required
@replica_reads
def unit_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The same figures for one unit: a liaison's (or clerk's) own; the office picks any with ?unit=."""
    req = selectors.read_request(request.user, request.GET, unit_view=True)
    if req.scope.unit is None:  # the office without a unit chosen: the whole dashboard
        return redirect(f"{reverse('dashboard')}?{_query(request)}")
    return render(request, "stats/dashboard.html", _page_context(request, req, unit_view=True))


@login_required
@replica_reads
def league_table(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_read_all(request)
    req = selectors.read_request(request.user, request.GET)
    unit_sort = request.GET.get("sort", "-overdue")
    court_sort = request.GET.get("csort", "-issued")
    return render(
        request,
        "stats/league.html",
        {
            "period": req.period,
            "scope": req.scope,
            "kinds": KINDS,
            "years": _years(req.period.year),
            "quarters": [1, 2, 3, 4],
            "months": list(range(1, 13)),
            "units": league.unit_league(req.scope, sort=unit_sort),
            "courts": league.court_table(req.scope, sort=court_sort),
            "agencies": league.agency_table(req.scope),
            "agency_columns": league.AGENCY_COLUMNS,
            "unit_columns": league.UNIT_COLUMNS,
            "court_columns": league.COURT_COLUMNS,
            "unit_sort": unit_sort,
            "court_sort": court_sort,
            "query": _query(request),
            "query_no_csort": urlencode({k: v for k, v in request.GET.items() if k not in ("sort", "csort") and v}),
            **selectors.filter_choices(req.regions),
        },
    )


@login_required
@replica_reads
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_read_all(request)
    req = selectors.read_request(request.user, request.GET)
    ctx = report_context(req.scope)
    ctx.update(
        {"period": req.period, "query": _query(request), "prepared": PreparedReport.objects.order_by("-start")[:8]}
    )
    return render(request, "stats/report.html", ctx)


@login_required
@replica_reads
def report_download(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    _require_read_all(request)
    req = selectors.read_request(request.user, request.GET)
    name = f"report-{req.scope.start:%Y%m%d}-{req.scope.end:%Y%m%d}"
    if fmt == "docx":
        response = HttpResponse(report_docx(req.scope), content_type=DOCX)
    elif fmt == "xlsx":
        response = HttpResponse(report_xlsx(req.scope), content_type=XLSX_CONTENT_TYPE)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def prepared_report(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The Word document the quarterly task prepared: the province's, so for provincial readers only."""
    if not can_read_all(request.user):
        raise Http404
    report = get_object_or_404(PreparedReport, pk=pk)
    response = FileResponse(report.document.open("rb"), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="report-{report.start:%Y%m%d}-{report.end:%Y%m%d}.docx"'
    return response


@login_required
@require_POST
def freeze(request: AuthenticatedHttpRequest) -> HttpResponse:
    unit_view = request.POST.get("unit_view") == "1"
    req = selectors.read_request(request.user, request.POST, unit_view=unit_view)
    try:
        services.snapshot_freeze(
            scope=req.scope, by=request.user, label=req.period.label, note=request.POST.get("note", "")[:500]
        )
        messages.success(request, _("已冻结 {period} 的统计数据。").format(period=req.period.label))
    except (TransitionNotAllowed, NotPermitted) as exc:
        messages.error(request, exc.message)
    target = "unit-dashboard" if unit_view else "dashboard"
    return redirect(f"{reverse(target)}?{urlencode(_period_params(request.POST))}")


@login_required
@require_POST
def unfreeze(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not has_role(request.user, Role.OFFICE, Role.ADMIN):
        raise Http404
    snapshot = get_object_or_404(Snapshot, pk=pk)
    if not is_within(snapshot.region, reach_of(request.user).region) and not can_read_all(request.user):
        raise Http404  # a 市州 or 县市区 office unfreezes only the figures of its own region
    try:
        services.snapshot_unfreeze(snapshot=snapshot, by=request.user)
        messages.success(request, _("已解除冻结。"))
    except NotPermitted as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('dashboard')}?{urlencode(_period_params(request.POST))}")


def _period_params(data: Any) -> dict[str, Any]:
    keys = ("period", "year", "quarter", "month", "from", "to", "region", "task", "unit")
    return {k: data.get(k) for k in keys if data.get(k)}


@login_required
def definitions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How each figure is counted, generated from the registry (stats.figures)."""
    rows = definitions_rows()
    return render(request, "stats/definitions.html", {"rows": rows, "sources": SOURCES.values()})


@login_required
@replica_reads
def referral_figures(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Figures the office needs on referrals: mediation success rate, transfers opened as cases, on-time answers."""
    _require_read_all(request)
    today = timezone.localdate()
    year = parse_id(request.GET.get("year"))
    if year is None or not MIN_YEAR <= year <= today.year + 1:
        year = today.year
    choices = selectors.reachable_regions(request.user)
    place = selectors.scope_region(request.user, request.GET.get("region"), choices)
    region, level = (place.pk, str(place.level)) if place is not None else (None, "")
    start, end = date(year, 1, 1), date(year, 12, 31)
    where: dict[str, Any] = {"start": start, "end": end, "region": region, "level": level}
    return render(
        request,
        "stats/referrals.html",
        {
            "year": year,
            "years": list(range(today.year, today.year - 6, -1)),
            "region": region,
            "regions": selectors.filter_choices(choices)["regions"],
            "mediation": referrals.mediation_figures(**where),
            "transfers": referrals.transfer_figures(**where),
            "tribunal": referrals.tribunal_figures(**where),
            "by_kind": referrals.on_time_rates(by="kind", **where),
            "by_receiver": referrals.on_time_rates(by="receiver", **where),
            "is_office": is_office(request.user),
        },
    )


# --- Targets (指标) -------------------------------------------------------------------------------------------


def _target_year(value: Any) -> int:
    year = parse_id(value)
    this = timezone.localdate().year
    return year if year is not None and targets.MIN_YEAR <= year <= this + 5 else this


def _target_list_url(year: int, region: Region | None, task: int | None = None) -> str:
    params = {"year": year, "region": region.pk if region else None, "task": task}
    return f"{reverse('stats-targets')}?{urlencode({k: v for k, v in params.items() if v})}"


@login_required
@replica_reads
def target_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The targets of a year and a level (the user's own by default), actual against target, per region below."""
    _require_read_all(request)
    year = _target_year(request.GET.get("year"))
    regions = selectors.reachable_regions(request.user)
    region = selectors.scope_region(request.user, request.GET.get("region"), regions)
    tasks = list(WorkTask.objects.order_by("number"))
    task = parse_id(request.GET.get("task"))
    if task is not None and not any(t.pk == task for t in tasks):
        task = None
    rows = targets.target_rows(year=year, region=region, task=task)
    for row in rows:
        assert row.target is not None
        row.actions = targets.target_actions(row.target, request.user)
    return render(
        request,
        "stats/targets.html",
        {
            "year": year,
            "years": sorted({*_years(year), timezone.localdate().year + 1}, reverse=True),
            "region": region,
            "level_name": region.name if region else _("全省"),
            "regions": selectors.filter_choices(regions)["regions"],
            "tasks": tasks,
            "task": task,
            "targets": rows,
            "can_set": targets.can_set_targets(request.user),
        },
    )


def _target_form_page(request: AuthenticatedHttpRequest, target: Target | None) -> HttpResponse:
    regions = selectors.reachable_regions(request.user)
    if target is not None:
        initial: dict[str, Any] = {
            "year": target.year,
            "region": target.region_id,
            "task": target.task_id,
            "figure": target.figure,
            "comparator": target.comparator,
            "value": target.value,
        }
    else:
        region = selectors.scope_region(request.user, request.GET.get("region"), regions)
        province = next((r for r in regions if r.level == Region.Level.PROVINCE), None)
        initial = {
            "year": _target_year(request.GET.get("year")),
            "region": region.pk if region else (province.pk if province else None),
            "task": parse_id(request.GET.get("task")),
            "comparator": Target.Comparator.GTE,
        }
    form = TargetForm(request.POST or None, initial=initial, regions=regions)
    if request.method == "POST" and form.is_valid():
        saved = submit(form, lambda: targets.target_set(by=request.user, target=target, **form.cleaned_data))
        if saved is not None:
            messages.success(request, _("指标已保存。"))
            region = None if saved.region.level == Region.Level.PROVINCE else saved.region
            return redirect(_target_list_url(saved.year, region))
    return render(request, "stats/target_form.html", {"form": form, "target": target})


@login_required
def target_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_read_all(request)
    if not targets.can_set_targets(request.user):
        raise PermissionDenied(targets.OFFICE_ONLY)
    return _target_form_page(request, None)


@login_required
def target_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(targets.targets_visible_to(request.user).select_related("region"), pk=pk)
    if "edit" not in targets.target_actions(target, request.user):
        raise PermissionDenied(targets.OFFICE_ONLY)
    return _target_form_page(request, target)


@login_required
@require_POST
def target_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(targets.targets_visible_to(request.user).select_related("region"), pk=pk)
    run(request, lambda: targets.target_delete(target=target, by=request.user), _("指标已删除。"))
    region = None if target.region.level == Region.Level.PROVINCE else target.region
    return redirect(_target_list_url(target.year, region))


@login_required
@require_safe
@replica_reads
def task_detail(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    """The page of one work task, for every signed-in role within their scope; htmx asks for the next page of
    its timeline only."""
    ctx = taskpage.task_page(request.user, number, request.GET)
    if request.htmx and request.GET.get("page"):
        return render(request, "stats/_timeline_page.html", ctx)
    return render(request, "stats/task_detail.html", ctx)
