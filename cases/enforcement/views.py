"""Pages of enforcement cases concluded through linkage: the list (filters, sorting, paging, totals, XLSX), the
detail with its timeline (the history: who recorded and corrected what), the form, delete."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.enforcement import selectors, services
from cases.enforcement.filters import EnforcementCaseFilter
from cases.enforcement.forms import EnforcementCaseForm
from cases.enforcement.models import EnforcementCase
from fuyuan.lib.forms import run, submit
from fuyuan.lib.listing import list_page
from fuyuan.lib.xlsx import rows_response
from members.levels import Reach, reach_of, unit_region_q
from members.models import MemberUnit, Region
from members.types import AuthenticatedHttpRequest

SORTS: dict[str, str | tuple[str, ...]] = {
    "concluded_on": "concluded_on",
    "court": "court__name",
    "recovered": "amount_recovered",
    "paid": "amount_paid",
}
EXPORT_LIMIT = 50000


def _filtered(request: AuthenticatedHttpRequest) -> QuerySet[EnforcementCase]:
    return EnforcementCaseFilter(request.GET, queryset=selectors.visible_to(request.user)).qs


CHOICES_SECONDS = 60


def _filter_choices(user: Any) -> dict[str, list[tuple[int, str]]]:
    """The filter bar's regions and courts in the reader's reach, kept a minute in the cache (the directory
    changes rarely; a list page then costs no query for them)."""
    reach = reach_of(user)
    key = (
        f"enforcement-filter-choices:{reach.everything}:{reach.region.pk if reach.region else ''}:"
        f"{reach.all_courts}:{','.join(map(str, reach.court_ids))}:{','.join(map(str, reach.unit_ids))}"
    )
    choices = cache.get(key)
    if choices is None:
        choices = {"regions": _regions(reach), "courts": _courts(user, reach)}
        cache.set(key, choices, CHOICES_SECONDS)
    return choices


def _regions(reach: Reach) -> list[tuple[int, str]]:
    qs = Region.objects.order_by("code")
    region = None if reach.everything else reach.region
    if region is not None and region.level == Region.Level.CITY:
        qs = qs.filter(pk=region.pk) | qs.filter(parent_id=region.pk)
    elif region is not None and region.level == Region.Level.COUNTY:
        qs = qs.filter(pk=region.pk)
    return list(qs.values_list("pk", "name"))


def _courts(user: Any, reach: Reach) -> list[tuple[int, str]]:
    """The courts whose cases the reader may see: every court, a region's, a clerk's and those below, or (a
    liaison) the courts of the cases their unit worked on."""
    courts = MemberUnit.objects.filter(kind=MemberUnit.Kind.COURT)
    if reach.everything or reach.all_courts:
        pass
    elif reach.region is not None or reach.court_ids:
        courts = courts.filter(unit_region_q(reach.region) if reach.region else Q(pk__in=reach.court_ids))
    else:
        courts = courts.filter(pk__in=selectors.visible_to(user).order_by().values("court_id"))
    return list(courts.order_by("name").values_list("pk", "name"))


@login_required
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = _filtered(request)
    listing = list_page(request, selectors.list_rows(qs), sort_fields=SORTS, default_sort="-concluded_on")
    return render(
        request,
        "cases/enforcement/list.html",
        {
            "listing": listing,
            "f": request.GET,
            "totals": selectors.totals(qs),
            **_filter_choices(request.user),
            "levels": Region.Level.choices,
            "can_create": services.may_create(request.user),
            "export_query": request.GET.urlencode(),
        },
    )


HEADER = [
    gettext_lazy("执行法院"),
    gettext_lazy("执行案号"),
    gettext_lazy("结案日期"),
    gettext_lazy("到位金额(元)"),
    gettext_lazy("发放案款(元)"),
    gettext_lazy("协作单位"),
    gettext_lazy("所在区划"),
    gettext_lazy("备注"),
]


def _rows(qs: QuerySet[EnforcementCase], totals: dict[str, Any]) -> Iterable[list[Any]]:
    for c in qs.select_related("region")[:EXPORT_LIMIT]:
        yield [
            c.court.name,
            c.case_number,
            c.concluded_on,
            c.amount_recovered,
            c.amount_paid,
            "、".join(u.name for u in c.partner_units.all()),
            c.region.name if c.region_id else "",
            c.note,
        ]
    yield [
        _("合计(%(n)s 件)") % {"n": totals["cases"]},
        "",
        "",
        totals["amount_recovered"],
        totals["amount_paid"],
        "",
        "",
        "",
    ]


@login_required
def case_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = _filtered(request)
    ordered = selectors.list_rows(qs).order_by("-concluded_on", "-id")
    return rows_response(
        sheet_title=_("执行联动结案"),
        header=HEADER,
        rows=_rows(ordered, selectors.totals(qs)),
        filename=f"enforcement-cases-{timezone.localdate():%Y%m%d}.xlsx",
    )


def _label(name: str) -> str:
    return str(getattr(EnforcementCase._meta.get_field(name), "verbose_name", name))


#: One write saves the row, then its lists (partner units, tasks); each list writes a history record of its own.
#: Records of the same user this close together are one step of the timeline.
SAME_STEP = timedelta(seconds=5)


def _timeline(case: EnforcementCase) -> list[dict[str, Any]]:
    """Who recorded and corrected the case, oldest first, with the fields each correction touched."""
    records = list(case.history.select_related("history_user").order_by("history_date", "history_id"))
    steps: list[dict[str, Any]] = []
    previous = None
    for record in records:
        changed: list[str] = []
        if previous is not None:
            changed = [_label(c.field) for c in record.diff_against(previous).changes]
        last = steps[-1] if steps else None
        if (
            last is not None
            and record.history_type == "~"
            and record.history_user_id == last["by_id"]
            and record.history_date - last["at"] <= SAME_STEP
        ):
            if last["kind"] == "~":  # the lists of a correction: more of what it touched
                last["changed"] = list(dict.fromkeys([*last["changed"], *changed]))
        else:
            steps.append(
                {
                    "at": record.history_date,
                    "by": record.history_user,
                    "by_id": record.history_user_id,
                    "kind": record.history_type,
                    "action": {"+": _("登记"), "~": _("修改"), "-": _("删除")}[record.history_type],
                    "changed": changed,
                }
            )
        previous = record
    return [{**step, "changed": "、".join(step["changed"])} for step in steps]


@login_required
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, pk)
    return render(
        request,
        "cases/enforcement/detail.html",
        {"case": case, "actions": services.allowed_actions(case, request.user), "timeline": _timeline(case)},
    )


def _fields(form: EnforcementCaseForm) -> dict[str, Any]:
    d = form.cleaned_data
    names = ("case_number", "concluded_on", "amount_recovered", "amount_paid", "referrals", "partner_units", "note")
    return {**{n: d[n] for n in names}, "tasks": d["tasks"] or None}


@login_required
def case_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    court = services.clerk_court(request.user)
    if court is None:
        raise PermissionDenied(_("只有法院工作人员可以登记执行联动结案。"))
    form = EnforcementCaseForm(request.POST or None, court=court)
    if request.method == "POST" and form.is_valid():
        case = submit(form, lambda: services.enforcement_case_create(by=request.user, **_fields(form)))
        if case is not None:
            messages.success(request, _("已登记。"))
            return redirect("enforcement-case-detail", pk=case.pk)
    return render(request, "cases/enforcement/form.html", {"form": form, "case": None})


@login_required
def case_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, pk)
    if "edit" not in services.allowed_actions(case, request.user):
        raise PermissionDenied(
            _("只有本案执行法院的工作人员在登记后 %(days)s 天内可以修改。") % {"days": services.EDIT_DAYS}
        )
    initial = {
        "case_number": case.case_number,
        "concluded_on": case.concluded_on,
        "amount_recovered": f"{case.amount_recovered:.2f}",
        "amount_paid": f"{case.amount_paid:.2f}",
        "partner_units": list(case.partner_units.all()),
        "referrals": list(case.referrals.all()),
        "tasks": list(case.tasks.all()),
        "note": case.note,
    }
    form = EnforcementCaseForm(request.POST or None, initial=initial, court=case.court)
    if request.method == "POST" and form.is_valid():
        fields = _fields(form)
        fields["tasks"] = form.cleaned_data["tasks"]
        saved = submit(form, lambda: services.enforcement_case_update(case=case, by=request.user, **fields))
        if saved is not None:
            messages.success(request, _("已保存。"))
            return redirect("enforcement-case-detail", pk=case.pk)
    return render(request, "cases/enforcement/form.html", {"form": form, "case": case})


@login_required
@require_POST
def case_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, pk)
    if run(request, lambda: services.enforcement_case_delete(case=case, by=request.user), _("已删除。")):
        return redirect("enforcement-case-list")
    return redirect("enforcement-case-detail", pk=case.pk)
