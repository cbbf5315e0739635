"""Pages of hearings: list (filters, search, sort, paging, export), detail with its timeline, forms.

Every view starts from :func:`cases.hearings.selectors.visible_to` (outside: 404); state changes go through
:mod:`cases.hearings.services`, whose ``allowed_actions`` says what the page offers; a refusal is a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.hearings import selectors, services
from cases.hearings.filters import HearingFilter
from cases.hearings.forms import ACTION_FORMS, HearingForm
from cases.hearings.models import Hearing
from fuyuan.lib.forms import submit
from fuyuan.lib.listing import list_page
from fuyuan.lib.xlsx import rows_response
from members.types import AuthenticatedHttpRequest

SORT_FIELDS: dict[str, str | tuple[str, ...]] = {
    "hearing_at": "hearing_at",
    "case_number": "case_number",
    "status": "status",
    "court": "court__name",
    "defendant": "defendant__name",
}
DEFAULT_SORT = "-hearing_at"
PER_PAGE = 20


def _get(request: AuthenticatedHttpRequest, pk: int) -> Hearing:
    try:
        return selectors.hearing_detail(request.user, pk)
    except Hearing.DoesNotExist as exc:
        raise Http404(_("没有找到这件出庭应诉案件。")) from exc


@login_required
@require_GET
def hearing_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = HearingFilter(request.GET, selectors.visible_to(request.user)).with_choices(request.user)
    listing = list_page(
        request, filters.qs.only("pk"), sort_fields=SORT_FIELDS, default_sort=DEFAULT_SORT, per_page=PER_PAGE,
        tiebreak="id",
    )  # fmt: skip
    listing.page.object_list = selectors.rows_in_order(request.user, [row.pk for row in listing.page.object_list])
    return render(
        request,
        "cases/hearings/list.html",
        {
            "listing": listing,
            "filters": filters.form,
            "can_create": services.can_create(request.user),
            "export_query": request.GET.urlencode(),
        },
    )


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


EXPORT_COLUMNS = [
    ("案号", lambda h: h.case_number),
    ("审理法院", lambda h: h.court.name),
    ("被告行政机关", lambda h: h.defendant.name),
    ("开庭时间", lambda h: _local(h.hearing_at)),
    ("开庭地点", lambda h: h.place),
    ("状态", lambda h: str(h.get_status_display())),
    ("拟出庭人员", lambda h: h.answer_name),
    ("拟出庭人员职务", lambda h: h.answer_post),
    ("是否负责人出庭(回复)", lambda h: _yes_no(h.answer_responsible)),
    ("不能出庭理由", lambda h: h.answer_reason),
    ("实际出庭", lambda h: str(h.get_appeared_display()) if h.appeared else ""),
    ("出庭人员", lambda h: h.appeared_name),
    ("出庭人员职务", lambda h: h.appeared_post),
    ("负责人出庭", lambda h: _yes_no(h.head_appeared)),
    ("通报主管部门时间", lambda h: _local(h.reported_at)),
]


@login_required
@require_GET
def hearing_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered list (in its sort order) as an XLSX workbook."""
    rows = selectors.list_rows(HearingFilter(request.GET, selectors.visible_to(request.user)).qs)
    queryset = list_page(request, rows, sort_fields=SORT_FIELDS, default_sort=DEFAULT_SORT, tiebreak="id").ordered
    return rows_response(
        sheet_title=_("负责人出庭应诉"),
        header=[_(title) for title, _getter in EXPORT_COLUMNS],
        rows=([getter(h) for _title, getter in EXPORT_COLUMNS] for h in queryset.iterator(chunk_size=2000)),
        filename=f"hearings-{timezone.localdate():%Y%m%d}.xlsx",
    )


def _form_data(form: HearingForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["place"] = data.get("place") or ""
    data["summary"] = data.get("summary") or ""
    data["tasks"] = list(data.get("tasks") or [])
    return data


@login_required
@require_http_methods(["GET", "POST"])
def hearing_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not services.can_create(request.user):
        raise PermissionDenied(_("只有人民法院的工作人员可以登记出庭应诉案件。"))
    form = HearingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        hearing = submit(form, lambda: services.hearing_create(by=request.user, **_form_data(form)))
        if hearing is not None:
            messages.success(request, _("已保存草稿。核对无误后请发出出庭通知。"))
            return redirect(hearing)
    return render(request, "cases/hearings/form.html", {"form": form, "hearing": None})


@login_required
@require_http_methods(["GET", "POST"])
def hearing_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hearing = _get(request, pk)
    if "edit" not in services.allowed_actions(hearing, request.user):
        raise PermissionDenied(_("只有审理法院的工作人员可以修改草稿。"))
    form = HearingForm(request.POST or None, initial=None if request.POST else HearingForm.initial_from(hearing))
    if request.method == "POST" and form.is_valid():
        done = submit(
            form,
            lambda: services.hearing_update(hearing=hearing, by=request.user, changes=_form_data(form)),
            refused=lambda message: messages.error(request, message),
        )
        if done is not None:
            messages.success(request, _("草稿已更新。"))
            return redirect(hearing)
    return render(request, "cases/hearings/form.html", {"form": form, "hearing": hearing})


ACTIONS_ORDER = ("notify", "answer", "record", "cancel")
ACTION_DONE = {
    "notify": gettext_lazy("出庭通知已发出。"),
    "answer": gettext_lazy("已回复出庭人员。开庭前可以修改。"),
    "record": gettext_lazy("已登记出庭情况。"),
    "cancel": gettext_lazy("已取消。"),
}


def _call(hearing: Hearing, user: Any, action: str, data: dict[str, Any]) -> Hearing:
    if action == "notify":
        return services.hearing_notify(hearing=hearing, by=user)
    if action == "answer":
        return services.hearing_answer(hearing=hearing, by=user, **data)
    if action == "record":
        return services.hearing_record(hearing=hearing, by=user, **data)
    return services.hearing_cancel(hearing=hearing, by=user, reason=data.get("reason", ""))


@login_required
@require_POST
def hearing_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    hearing = _get(request, pk)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, prefix=action)
    if form.is_valid():
        refusals: list[str] = []
        done = submit(form, lambda: _call(hearing, request.user, action, dict(form.cleaned_data)),
                      refused=refusals.append)  # fmt: skip
        if done is not None or refusals:
            if refusals:
                messages.error(request, refusals[0])
            else:
                messages.success(request, str(ACTION_DONE[action]))
            return redirect(hearing)
    messages.error(request, _("提交的内容有误,请按提示修改。"))
    return _detail(request, hearing, bound={action: form}, status=400)


def _detail(
    request: AuthenticatedHttpRequest, hearing: Hearing, *, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    actions = services.allowed_actions(hearing, request.user)
    forms = {name: ACTION_FORMS[name](prefix=name) for name in ACTIONS_ORDER if name in actions}
    forms.update(bound or {})
    return render(
        request,
        "cases/hearings/detail.html",
        {"hearing": hearing, "actions": actions, "forms": forms, "timeline": selectors.hearing_timeline(hearing)},
        status=status,
    )


@login_required
@require_GET
def hearing_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(request, pk))
