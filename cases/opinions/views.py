"""Pages of legal opinions: the list (filters, search, sorting, paging, XLSX export), an opinion with its
timeline and the court's answer, the request/offer and edit forms, and the actions (answer, withdraw).

Every page starts from the scope (``cases.opinions.selectors.visible_to``: outside it is 404); every write calls
a service, whose refusal becomes a message and whose ValidationError lands on the form; what the page offers
comes from ``services.allowed_actions``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import levels
from cases.opinions import selectors, services
from cases.opinions.alerts import due_soon_days
from cases.opinions.filters import OpinionFilter
from cases.opinions.forms import ACTION_FORMS, OpinionForm
from cases.opinions.models import Opinion
from fuyuan.lib.forms import submit
from fuyuan.lib.listing import list_page
from fuyuan.lib.params import parse_id
from fuyuan.lib.xlsx import rows_response
from members.levels import reach_of, unit_region_q
from members.models import MemberUnit, WorkTask
from members.roles import Role, has_role
from members.types import AuthenticatedHttpRequest

SORT_FIELDS: dict[str, str | tuple[str, ...]] = {
    "requested": "requested_on",
    "due": "due",
    "status": "status",
    "kind": "kind",
    "court": "court__name",
    "requester": "requester__name",
    "subject": "subject",
}
DEFAULT_SORT = "-requested"
PER_PAGE = 20
ACTIONS_ORDER = ("answer", "withdraw")
ACTION_DONE = {"answer": gettext_lazy("答复已提交。"), "withdraw": gettext_lazy("已撤回。")}


def _get(request: AuthenticatedHttpRequest, pk: int) -> Opinion:
    try:
        return selectors.opinion_detail(request.user, pk)
    except Opinion.DoesNotExist as exc:
        raise Http404(_("没有找到这件咨询。")) from exc


def _courts(user: Any, chosen: int | None) -> list[tuple[int, str]]:
    """The courts the filter offers: within the reader's reach (the High Court and the intermediate courts for
    the province; a basic court by ``?court=`` or the search)."""
    units = MemberUnit.objects.filter(active=True, kind=MemberUnit.Kind.COURT)
    top = levels.reach_region(user)
    if top is None:
        units = units.filter(Q(level__in=[MemberUnit.Level.PROVINCE, MemberUnit.Level.CITY]) | Q(pk=chosen))
    else:
        units = units.filter(unit_region_q(top))
    return list(units.order_by("order", "id").values_list("pk", "name"))


@login_required
@require_GET
def opinion_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = OpinionFilter(request.GET, queryset=selectors.visible_to(request.user))
    # Sort and page the bare ids (an index walk at any page), then read the page's rows with their joins.
    listing = list_page(
        request,
        filters.qs.only("pk"),
        sort_fields=SORT_FIELDS,
        default_sort=DEFAULT_SORT,
        per_page=PER_PAGE,
        tiebreak="id",
    )
    listing.page.object_list = selectors.rows_in_order(request.user, [row.pk for row in listing.page.object_list])
    requester, task = parse_id(request.GET.get("requester")), parse_id(request.GET.get("task"))
    reach = reach_of(request.user)
    return render(
        request,
        "cases/opinions/list.html",
        {
            "listing": listing,
            "f": request.GET,
            "statuses": Opinion.Status.choices,
            "kinds": Opinion.Kind.choices,
            "courts": _courts(request.user, parse_id(request.GET.get("court"))),
            "requester_name": MemberUnit.objects.filter(pk=requester).values_list("name", flat=True).first()
            if requester
            else "",
            # A task (a figure's link) and a requester are shown when asked for: no query for them otherwise.
            "task_label": WorkTask.objects.filter(pk=task).values_list("short_title", flat=True).first()
            if task
            else "",
            # The region and level filters are for those who read by region (office, leaders, administrators).
            "regions": levels.region_choices(request.user) if reach.everything or reach.region else [],
            "level_choices": levels.LEVEL_CHOICES,
            "can_request": services.can_request(request.user),
            "can_offer": services.can_offer(request.user),
            "export_query": request.GET.urlencode(),
        },
    )


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (_("是") if value else _("否"))


EXPORT_COLUMNS: list[tuple[Any, Any]] = [
    (gettext_lazy("咨询日期"), lambda o: o.requested_on),
    (gettext_lazy("咨询单位"), lambda o: o.requester.name),
    (gettext_lazy("答复法院"), lambda o: o.court.name),
    (gettext_lazy("类别"), lambda o: str(o.get_kind_display())),
    (gettext_lazy("法院主动提供"), lambda o: _yes_no(o.offered)),
    (gettext_lazy("事项"), lambda o: o.subject),
    (gettext_lazy("文件(决策)名称"), lambda o: o.document_title),
    (gettext_lazy("文件编号"), lambda o: o.document_number),
    (gettext_lazy("答复期限"), lambda o: o.due),
    (gettext_lazy("状态"), lambda o: str(o.get_status_display())),
    (gettext_lazy("是否逾期"), lambda o: _yes_no(o.overdue)),
    (gettext_lazy("答复时间"), lambda o: _local(o.answered_at)),
    (gettext_lazy("按期答复"), lambda o: _yes_no(o.answered_on_time)),
]


@login_required
@require_GET
def opinion_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered list, in its sort order, as an XLSX workbook."""
    qs = selectors.list_rows(OpinionFilter(request.GET, queryset=selectors.visible_to(request.user)).qs)
    listing = list_page(request, qs, sort_fields=SORT_FIELDS, default_sort=DEFAULT_SORT, tiebreak="id")
    return rows_response(
        sheet_title=_("咨询意见"),
        header=[str(title) for title, _getter in EXPORT_COLUMNS],
        rows=([getter(o) for _title, getter in EXPORT_COLUMNS] for o in listing.ordered.iterator(chunk_size=2000)),
        filename=f"opinions-{timezone.localdate():%Y%m%d}.xlsx",
    )


def _mode(user: Any) -> str | None:
    if services.can_offer(user):
        return "offer"
    if has_role(user, Role.OFFICE, Role.ADMIN):
        return "office"
    return "request" if services.can_request(user) else None


def _create_call(request: AuthenticatedHttpRequest, mode: str, data: dict[str, Any]) -> Any:
    common = {
        "by": request.user,
        "kind": data["kind"],
        "subject": data["subject"],
        "question": data["question"],
        "document_title": data.get("document_title") or "",
        "document_number": data.get("document_number") or "",
        "due": data.get("due"),
        "tasks": data.get("tasks") or None,
    }
    if mode == "offer":
        return lambda: services.opinion_offer(requester=data["requester"], answer=data.get("answer") or "", **common)
    return lambda: services.opinion_request(court=data["court"], requester=data.get("requester"), **common)


@login_required
@require_http_methods(["GET", "POST"])
def opinion_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A liaison or the office asks a court; a court's clerk offers an opinion."""
    mode = _mode(request.user)
    if mode is None:
        raise PermissionDenied(_("只有成员单位联络员、领导小组办公室或法院工作人员可以提出或提供咨询意见。"))
    form = OpinionForm(request.POST or None, mode=mode)
    if request.method == "POST" and form.is_valid():
        opinion = submit(form, _create_call(request, mode, form.cleaned_data))
        if opinion is not None:
            messages.success(request, _("咨询意见已提供。") if mode == "offer" else _("咨询已提出,已通知法院。"))
            return redirect(opinion)
    return render(request, "cases/opinions/form.html", {"form": form, "opinion": None, "mode": mode})


@login_required
@require_http_methods(["GET", "POST"])
def opinion_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opinion = _get(request, pk)
    if "edit" not in services.allowed_actions(opinion, request.user):
        raise PermissionDenied(services.edit_refusal(opinion, request.user))
    mode = "offer" if opinion.offered else "request"
    initial = OpinionForm.initial_from(opinion)
    form = OpinionForm(request.POST or None, initial=initial, mode=mode, editing=True)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k in (*services.EDITABLE_FIELDS, "tasks")}
        changes["due"] = changes.get("due") or opinion.due
        saved = submit(
            form,
            lambda: services.opinion_update(opinion=opinion, by=request.user, changes=changes),
            refused=lambda message: messages.error(request, message),
        )
        if saved is not None:
            messages.success(request, _("咨询已修改。"))
            return redirect(opinion)
    return render(request, "cases/opinions/form.html", {"form": form, "opinion": opinion, "mode": mode})


def _run(request: AuthenticatedHttpRequest, opinion: Opinion, action: str, data: dict[str, Any]) -> Any:
    if action == "answer":
        return lambda: services.opinion_answer(opinion=opinion, by=request.user, answer=data["answer"])
    return lambda: services.opinion_withdraw(opinion=opinion, by=request.user, reason=data.get("reason", ""))


@login_required
@require_POST
def opinion_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    opinion = _get(request, pk)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, prefix=action)
    refused: list[str] = []
    if form.is_valid():
        done = submit(form, _run(request, opinion, action, dict(form.cleaned_data)), refused=refused.append)
        if done is not None:
            messages.success(request, str(ACTION_DONE[action]))
            return redirect(opinion)
        if refused:
            messages.error(request, refused[0])
            return redirect(opinion)
    messages.error(request, _("提交的内容有误,请按提示修改。"))
    return _detail(request, opinion, bound={action: form}, status=400)


def _detail(
    request: AuthenticatedHttpRequest, opinion: Opinion, *, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    actions = services.allowed_actions(opinion, request.user)
    forms = {name: ACTION_FORMS[name](prefix=name) for name in ACTIONS_ORDER if name in actions}
    forms.update(bound or {})
    today = timezone.localdate()
    return render(
        request,
        "cases/opinions/detail.html",
        {
            "opinion": opinion,
            "actions": actions,
            "forms": forms,
            "timeline": selectors.timeline(opinion),
            "soon_days": due_soon_days(),
            "days_left": (opinion.due - today).days if opinion.is_open else None,
        },
        status=status,
    )


@login_required
@require_GET
def opinion_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(request, pk))
