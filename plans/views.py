"""Pages of the work plan: the plans, a plan with its items under the ten tasks, the item forms, an item with
its progress and 督办, the lists of items and of 督办, and their XLSX exports.

Every page starts from the scope (``plans.selectors``: outside it is 404); every write calls a service
(``plans.services``), whose refusal becomes a message and whose ValidationError lands on the form's
fields; what a user may do comes from ``plan_actions`` / ``allowed_actions`` / ``supervision_actions``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fuyuan.lib.forms import run, submit
from fuyuan.lib.gongwen import official_response
from fuyuan.lib.listing import list_page
from fuyuan.lib.params import parse_id
from fuyuan.lib.xlsx import rows_response
from members.levels import province
from members.models import MemberUnit, WorkTask
from members.roles import is_office
from members.types import AuthenticatedHttpRequest
from plans import documents, filter_bars, forms, selectors, services
from plans.filters import PlanItemPageFilter, PlanPageFilter, SupervisionPageFilter
from plans.models import Plan, PlanItem, Supervision

PLAN_SORTS: dict[str, str | tuple[str, ...]] = {"year": "year", "region": "region__code", "status": "status"}
ITEM_SORTS: dict[str, str | tuple[str, ...]] = {
    "due": "due",
    "task": ("task__number", "number"),
    "status": ("status", "due"),
    "percent": "percent",
    "year": ("year", "task__number", "number"),
}
#: What a row of the item list reads (``templates/plans/item_list.html``, ``PlanItem.light``/``overdue``): a third of
#: the columns of the items with their plan, task, unit and region.
ITEM_PAGE_COLUMNS = (
    *("task__number", "task__title", "number", "text", "lead_unit__name", "lead_unit__short_name", "year"),
    *("region__name", "due", "percent", "status"),
)
SUPERVISION_SORTS: dict[str, str | tuple[str, ...]] = {"issued": "issued_at", "due": "due", "status": ("status", "due")}
EXPORT_LIMIT = 100_000


def _refused(request: AuthenticatedHttpRequest) -> Callable[[str], object]:
    return lambda message: messages.error(request, message)


def _yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# --- Filter bars -------------------------------------------------------------------------------------


# --- Plans -------------------------------------------------------------------------------------------


COUNT_KEYS = ("total", "working", "done", "accepted", "overdue")


def _item_counts(user: Any, plan_ids: list[int]) -> dict[int, dict[str, int]]:
    """For each plan, how many of its items (those the reader may read) there are: in all, at work (推进中 or
    已退回), reported done, accepted, overdue. One query."""
    S = PlanItem.Status
    rows = (
        selectors.visible_to(user)
        .filter(plan_id__in=plan_ids)
        .order_by()
        .values("plan_id")
        .annotate(
            n_total=Count("id"),
            n_working=Count("id", filter=Q(status__in=PlanItem.WORKING)),
            n_done=Count("id", filter=Q(status=S.DONE)),
            n_accepted=Count("id", filter=Q(status=S.ACCEPTED)),
            n_overdue=Count("id", filter=PlanItem.objects.overdue_q()),
        )
        .values_list("plan_id", "n_total", "n_working", "n_done", "n_accepted", "n_overdue")
    )
    counts = {pk: dict.fromkeys(COUNT_KEYS, 0) for pk in plan_ids}
    for plan_id, *numbers in rows:
        counts[plan_id] = dict(zip(COUNT_KEYS, numbers, strict=True))
    return counts


@login_required
def plan_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = PlanPageFilter(request.GET, queryset=selectors.plans_visible_to(request.user)).qs.select_related("region")
    listing = list_page(request, qs, sort_fields=PLAN_SORTS, default_sort="-year")
    plans = list(listing.object_list)
    counts = _item_counts(request.user, [p.pk for p in plans])
    return render(
        request,
        "plans/plan_list.html",
        filter_bars.filter_context(
            request,
            bar=("q", "year", "status", "level", "region"),
            listing=listing,
            rows=[(p, counts[p.pk]) for p in plans],
            statuses=Plan.Status.choices,
            can_create=is_office(request.user),
        ),
    )


@login_required
def plan_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """起草工作要点: the office picks the year and its region (by default its own) or one below it."""
    if not is_office(request.user):
        raise PermissionDenied(services.OFFICE_ONLY)
    own = services.office_region(request.user) or province()
    initial = {"year": timezone.localdate().year, "region": own.pk}
    form = forms.PlanForm(request.POST or None, initial=initial, region=filter_bars.reach_region(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        plan = submit(
            form,
            lambda: services.plan_create(by=request.user, year=d["year"], region=d["region"], title=d["title"]),
            refused=_refused(request),
        )
        if plan is not None:
            messages.success(request, _("工作要点草稿已创建,请添加事项,核对后印发。"))
            return redirect("plan-detail", pk=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "plan": None})


def _plan_of(request: AuthenticatedHttpRequest, pk: int) -> Plan:
    return get_object_or_404(selectors.plans_visible_to(request.user).select_related("region"), pk=pk)


@login_required
def plan_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan_of(request, pk)
    if "edit" not in services.plan_actions(plan, request.user):
        raise PermissionDenied(services.OFFICE_ONLY)
    form = forms.PlanTitleForm(request.POST or None, initial={"title": plan.title})
    if request.method == "POST" and form.is_valid():
        saved = submit(
            form,
            lambda: services.plan_update(plan=plan, by=request.user, title=form.cleaned_data["title"]),
            refused=_refused(request),
        )
        if saved is not None:
            messages.success(request, _("标题已修改。"))
            return redirect("plan-detail", pk=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan})


def _plan_items(request: AuthenticatedHttpRequest, plan: Plan) -> tuple[QuerySet[PlanItem], int | None, bool]:
    """The plan's items the reader may read, filtered; the unit to highlight (``?unit=``, the link in the
    publication notice) and whether the list is narrowed to it (``only=1``)."""
    data = request.GET.copy()
    unit = parse_id(data.get("unit"))
    only = data.get("only") == "1"
    if not only:
        data.pop("unit", None)
    qs = PlanItemPageFilter(data, queryset=selectors.visible_to(request.user).filter(plan=plan)).qs
    return qs, unit, only


def _tasks_with_items(items: Iterable[tuple[PlanItem, str]], *, all_tasks: bool) -> list[dict[str, Any]]:
    """The items under their tasks, in task order (every task, even empty, while the office drafts)."""
    groups: dict[int, dict[str, Any]] = {}
    if all_tasks:
        for task in WorkTask.objects.order_by("number"):
            groups[task.pk] = {"task": task, "items": []}
    for item, role in items:
        groups.setdefault(item.task_id, {"task": item.task, "items": []})["items"].append((item, role))
    return sorted(groups.values(), key=lambda g: g["task"].number)


@login_required
def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan_of(request, pk)
    qs, unit_id, only = _plan_items(request, plan)
    items = list(
        qs.select_related("task", "lead_unit").prefetch_related("supporting_units").order_by("task__number", "number")
    )
    rows = []
    for item in items:
        item.plan = plan
        supporting = {u.pk for u in item.supporting_units.all()}
        rows.append((item, "lead" if item.lead_unit_id == unit_id else "support" if unit_id in supporting else ""))
    actions = services.plan_actions(plan, request.user)
    filtering = any(request.GET.get(k) for k in ("task", "status", "overdue", "q", "lead")) or only
    unit = MemberUnit.objects.filter(pk=unit_id).first() if unit_id else None
    return render(
        request,
        "plans/plan_detail.html",
        filter_bars.filter_context(
            request,
            bar=("q", "task", "status", "overdue", "lead"),
            more=(unit_id or "", only),  # the bar keeps the unit highlighted (hidden fields)
            plan=plan,
            groups=_tasks_with_items(rows, all_tasks="add_item" in actions and not filtering),
            count=len(items),
            actions=actions,
            unit=unit,
            only=only,
            highlighted=sum(1 for _item, role in rows if role),
            statuses=PlanItem.Status.choices,
            pickers=filter_bars.pickers(request.GET),
        ),
    )


PLAN_ACTIONS: dict[str, tuple[Callable[..., Any], Any]] = {
    "publish": (services.plan_publish, gettext_lazy("工作要点已印发,已通知各牵头单位和配合单位。")),
    "delete": (services.plan_delete, gettext_lazy("工作要点草稿已删除。")),
}


@login_required
@require_POST
def plan_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """印发 or 删除 a draft plan (both behind a confirmation dialog on the page)."""
    if action not in PLAN_ACTIONS:
        raise Http404
    plan = _plan_of(request, pk)
    call, done = PLAN_ACTIONS[action]
    if run(request, lambda: call(plan=plan, by=request.user), str(done)) and action == "delete":
        return redirect("plan-list")
    return redirect("plan-detail", pk=plan.pk)


# --- Items -------------------------------------------------------------------------------------------


def _item_of(request: AuthenticatedHttpRequest, pk: int) -> PlanItem:
    return get_object_or_404(
        selectors.visible_to(request.user)
        .select_related("plan__region", "task", "lead_unit", "region")
        .prefetch_related("supporting_units", "milestones"),
        pk=pk,
    )


def _item_form_page(
    request: AuthenticatedHttpRequest, plan: Plan, item: PlanItem | None, save: Callable[..., PlanItem]
) -> HttpResponse:
    if item is None:
        task = WorkTask.objects.filter(number=parse_id(request.GET.get("task")) or 0).first()
        initial: dict[str, Any] = {"task": task}
    else:
        initial = {
            "task": item.task,
            "text": item.text,
            "lead_unit": item.lead_unit_id,
            "supporting_units": [u.pk for u in item.supporting_units.all()],
            "due": item.due,
        }
    form = forms.ItemForm(request.POST or None, initial=initial, plan=plan)
    milestones = forms.MilestoneFormSet(request.POST or None, prefix="ms")
    if request.method == "POST" and form.is_valid() and milestones.is_valid():
        d = form.cleaned_data
        saved = submit(
            form,
            lambda: save(
                task=d["task"],
                text=d["text"],
                lead_unit=d["lead_unit"],
                supporting_units=d["supporting_units"],
                due=d["due"],
                milestones=forms.milestones_from(milestones),
            ),
            refused=_refused(request),
        )
        if saved is not None:
            messages.success(request, _("事项已保存。") if item else _("事项已添加。"))
            return redirect(reverse("plan-detail", args=[plan.pk]) + f"#item-{saved.pk}")
    return render(request, "plans/item_form.html", {"form": form, "milestones": milestones, "plan": plan, "item": item})


@login_required
def item_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan_of(request, pk)
    if "add_item" not in services.plan_actions(plan, request.user):
        raise PermissionDenied(services.OFFICE_ONLY)
    return _item_form_page(request, plan, None, lambda **d: services.item_add(plan=plan, by=request.user, **d))


@login_required
def item_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item_of(request, pk)
    if "edit" not in services.allowed_actions(item, request.user):
        raise PermissionDenied(_("只有本级领导小组办公室可以修改推进中的事项。"))
    return _item_form_page(request, item.plan, item, lambda **d: services.item_update(item=item, by=request.user, **d))


def _timeline(request: AuthenticatedHttpRequest, item: PlanItem, bound: dict[str, Any]) -> list[dict[str, Any]]:
    """Progress reports and 督办, oldest first; a 督办 with what the reader may do with it (答复) and its form."""
    entries = [{"at": p.created_at, "kind": "progress", "r": p} for p in selectors.progress_of(item)]
    for sup in item.supervisions.select_related("issued_by", "answered_by").order_by("issued_at", "id"):
        sup.item = item
        prefix = f"answer-{sup.pk}"
        entries.append(
            {
                "at": sup.issued_at,
                "kind": "supervision",
                "r": sup,
                "actions": services.supervision_actions(sup, request.user),
                "form": bound.get(prefix) or forms.AnswerForm(prefix=prefix),
            }
        )
    return sorted(entries, key=lambda e: (e["at"], e["kind"]))


def _item_context(request: AuthenticatedHttpRequest, item: PlanItem, bound: dict[str, Any]) -> dict[str, Any]:
    actions = services.allowed_actions(item, request.user)
    return {
        "item": item,
        "plan": item.plan,
        "actions": actions,
        "timeline": _timeline(request, item, bound),
        "progress_form": bound.get("progress") or forms.ProgressForm(item=item, prefix="progress"),
        "complete_form": bound.get("complete") or forms.SummaryForm(prefix="complete"),
        "return_form": bound.get("return") or forms.ReasonForm(prefix="return"),
        "supervise_form": bound.get("supervise") or forms.SuperviseForm(prefix="supervise"),
    }


@login_required
def item_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item_of(request, pk)
    return render(request, "plans/item_detail.html", _item_context(request, item, {}))


ITEM_DONE = {
    "progress": gettext_lazy("进展已填报。"),
    "complete": gettext_lazy("已报完成,已通知办公室验收。"),
    "accept": gettext_lazy("事项已验收。"),
    "return": gettext_lazy("事项已退回牵头单位。"),
    "supervise": gettext_lazy("督办通知已发出,已通知牵头单位。"),
    "delete": gettext_lazy("事项已删除。"),
}


def _item_call(request: AuthenticatedHttpRequest, item: PlanItem, action: str) -> tuple[Any, Callable[[], Any]]:
    """The form of ``action`` bound to the POST, and the service call it makes."""
    user, post = request.user, request.POST
    if action == "progress":
        form: Any = forms.ProgressForm(post, request.FILES, item=item, prefix="progress")
        return form, lambda: services.progress_report(item=item, by=user, **form.cleaned_data)
    if action == "complete":
        form = forms.SummaryForm(post, prefix="complete")
        return form, lambda: services.item_complete(item=item, by=user, **form.cleaned_data)
    if action == "return":
        form = forms.ReasonForm(post, prefix="return")
        return form, lambda: services.item_return(item=item, by=user, **form.cleaned_data)
    if action == "supervise":
        form = forms.SuperviseForm(post, prefix="supervise")
        return form, lambda: services.supervision_issue(item=item, by=user, **form.cleaned_data)
    form = djforms.Form(post)
    if action == "accept":
        return form, lambda: services.item_accept(item=item, by=user)
    if action == "delete":
        return form, lambda: services.item_delete(item=item, by=user)
    raise Http404


@login_required
@require_POST
def item_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """One transition of an item from its page. Bad input shows the page again with the form's errors;
    a refusal (not yours to do, or not now) comes back as a message, nothing changed."""
    item = _item_of(request, pk)
    form, call = _item_call(request, item, action)
    if form.is_valid():
        done = submit(form, call, refused=_refused(request))
        if done is not None:
            messages.success(request, str(ITEM_DONE[action]))
            if action == "delete":
                return redirect("plan-detail", pk=item.plan_id)
            anchor = f"#supervision-{done.pk}" if action == "supervise" else ""
            return redirect(reverse("plan-item-detail", args=[item.pk]) + anchor)
        if not form.errors:  # refused: the message says why
            return redirect("plan-item-detail", pk=item.pk)
    messages.error(request, _("请检查填写的内容。"))
    item = _item_of(request, pk)  # as it is now, not as the refused call left it in memory
    return render(request, "plans/item_detail.html", _item_context(request, item, {action: form}))


@login_required
@require_POST
def supervision_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sup = get_object_or_404(selectors.supervisions_visible_to(request.user).select_related("item"), pk=pk)
    prefix = f"answer-{sup.pk}"
    form = forms.AnswerForm(request.POST, prefix=prefix)
    if form.is_valid():
        done = submit(
            form,
            lambda: services.supervision_answer(supervision=sup, by=request.user, text=form.cleaned_data["text"]),
            refused=_refused(request),
        )
        if done is not None:
            messages.success(request, _("督办已答复,已通知办公室。"))
        if done is not None or not form.errors:
            return redirect(reverse("plan-item-detail", args=[sup.item_id]) + f"#supervision-{sup.pk}")
    messages.error(request, _("请检查填写的内容。"))
    item = _item_of(request, sup.item_id)
    return render(request, "plans/item_detail.html", _item_context(request, item, {prefix: form}))


# --- The lists across plans ------------------------------------------------------------------------------


def _items_filtered(request: AuthenticatedHttpRequest) -> QuerySet[PlanItem]:
    """The items the list (and its export) shows: a unit's people see their unit's by default (``unit=`` clears it)."""
    data = request.GET.copy()
    # (Not when the scope is that unit's items already: the same condition twice cost 4 ms of planning.)
    if "unit" not in data and services.is_unit_staff(request.user) and not selectors.reads_only_own_unit(request.user):
        data["unit"] = str(request.user.unit_id)
    return PlanItemPageFilter(data, queryset=selectors.visible_to(request.user)).qs.select_related(
        "plan", "task", "lead_unit", "region"
    )


@login_required
def item_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = _items_filtered(request).select_related(None).select_related("task", "lead_unit", "region")
    listing = list_page(request, rows.only(*ITEM_PAGE_COLUMNS), sort_fields=ITEM_SORTS, default_sort="due")
    unit = request.GET.get("unit", str(request.user.unit_id or "") if services.is_unit_staff(request.user) else "")
    return render(
        request,
        "plans/item_list.html",
        filter_bars.filter_context(
            request,
            bar=("q", "year", "task", "status", "overdue", "level", "region", "lead"),
            more=(unit,),  # a unit's people see their unit's items unless they clear it
            listing=listing,
            statuses=PlanItem.Status.choices,
            pickers=filter_bars.pickers({"lead": request.GET.get("lead", ""), "unit": unit}),
            export_query=request.GET.urlencode(),
        ),
    )


ITEM_HEADER = [
    gettext_lazy("年度"),
    gettext_lazy("层级区划"),
    gettext_lazy("工作任务"),
    gettext_lazy("序号"),
    gettext_lazy("工作内容"),
    gettext_lazy("牵头单位"),
    gettext_lazy("配合单位"),
    gettext_lazy("完成时限"),
    gettext_lazy("状态"),
    gettext_lazy("完成进度(%)"),
    gettext_lazy("是否逾期"),
    gettext_lazy("进度节点"),
    gettext_lazy("完成情况"),
]


def _item_rows(qs: QuerySet[PlanItem]) -> Iterable[list[Any]]:
    today = timezone.localdate()
    for item in qs.prefetch_related("supporting_units", "milestones")[:EXPORT_LIMIT]:
        yield [
            item.year,
            item.region.name,
            f"{item.task.number}. {item.task.short_title}",
            f"{item.task.number}.{item.number}",
            item.text,
            item.lead_unit.name,
            "、".join(u.name for u in item.supporting_units.all()),
            item.due,
            str(item.get_status_display()),
            item.percent,
            _yes_no(item.overdue_on(today)),
            ";".join(
                f"{m.title}{'(' + str(m.due) + ')' if m.due else ''}{_('已完成') if m.reached_at else ''}"
                for m in item.milestones.all()
            ),
            item.done_summary,
        ]


def _items_xlsx(qs: QuerySet[PlanItem], filename: str) -> HttpResponse:
    return rows_response(
        sheet_title=_("工作要点事项"),
        header=ITEM_HEADER,
        rows=_item_rows(qs.select_related("task", "lead_unit", "region")),
        filename=filename,
    )


@login_required
def item_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = _items_filtered(request).order_by("year", "task__number", "number", "id")
    return _items_xlsx(qs, f"plan-items-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def plan_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _plan_of(request, pk)
    qs, _unit, _only = _plan_items(request, plan)
    return _items_xlsx(qs.order_by("task__number", "number", "id"), f"plan-{plan.year}-{plan.region.code}.xlsx")


def _supervisions_filtered(request: AuthenticatedHttpRequest) -> QuerySet[Supervision]:
    qs = SupervisionPageFilter(request.GET, queryset=selectors.supervisions_visible_to(request.user)).qs
    return qs.select_related("item__task", "item__lead_unit", "item__plan", "region")


@login_required
def supervision_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    listing = list_page(request, _supervisions_filtered(request), sort_fields=SUPERVISION_SORTS, default_sort="-issued")
    return render(
        request,
        "plans/supervision_list.html",
        filter_bars.filter_context(
            request,
            bar=("q", "year", "task", "status", "overdue", "lead"),
            listing=listing,
            statuses=Supervision.Status.choices,
            pickers=filter_bars.pickers(request.GET),
            export_query=request.GET.urlencode(),
        ),
    )


@login_required
def supervision_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = _supervisions_filtered(request).order_by("issued_at", "id")[:EXPORT_LIMIT]
    today = timezone.localdate()
    header = [_("督办时间"), _("工作任务"), _("事项"), _("牵头单位"), _("督办内容"), _("答复时限"), _("状态")]
    header += [_("是否逾期"), _("答复内容"), _("答复时间"), _("所在区划")]
    rows = (
        [
            _when(s.issued_at),
            f"{s.item.task.number}. {s.item.task.short_title}",
            f"{s.item.task.number}.{s.item.number} {s.item.text}",
            s.item.lead_unit.name,
            s.text,
            s.due,
            str(s.get_status_display()),
            _yes_no(s.overdue_on(today)),
            s.answer,
            _when(s.answered_at),
            s.region.name,
        ]
        for s in qs.iterator(chunk_size=2000)
    )
    return rows_response(sheet_title=_("督办"), header=header, rows=rows, filename=f"supervisions-{today:%Y%m%d}.xlsx")


# --- 公文 (issue 18): the 督办通知 as .docx and print view, for anyone who sees the 督办 ---
@login_required
@require_GET
def supervision_notice(request: AuthenticatedHttpRequest, pk: int, as_docx: bool) -> HttpResponse:
    sup = get_object_or_404(documents.queryset(request.user), pk=pk)
    back = reverse("plan-item-detail", args=[sup.item_id]) + f"#supervision-{sup.pk}"
    docx_url = reverse("supervision-notice-docx", args=[pk])
    return official_response(
        request, documents.supervision_notice(sup), as_docx=as_docx, back_url=back, docx_url=docx_url
    )
