"""Pages of judicial recommendations: list (filters, search, sort, paging, export), detail, forms.

Every view starts from the scope of :mod:`cases.recommendations.selectors`; outside it is 404.
State changes go through :mod:`cases.recommendations.services`, whose ``allowed_actions`` says
what the page offers; a refused transition becomes a message on the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.recommendations import selectors, services
from cases.recommendations.alerts import due_soon_days
from cases.recommendations.filters import RecommendationFilter
from cases.recommendations.forms import ACTION_FORMS, RecommendationForm
from cases.recommendations.models import JudicialRecommendation, RecommendationAttachment
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.forms import apply_service_errors
from fuyuan.lib.listing import list_page
from fuyuan.lib.xlsx import rows_response
from members.types import AuthenticatedHttpRequest

SORT_FIELDS: dict[str, str | tuple[str, ...]] = {
    "issued_on": "issued_on",
    "reply_due": "reply_due",
    "number": "number",
    "status": "status",
    "court": "court__name",
    "addressee": "addressee__name",
    "title": "title",
}
DEFAULT_SORT = "-issued_on"
PER_PAGE = 20


def _get(request: AuthenticatedHttpRequest, pk: int) -> JudicialRecommendation:
    try:
        return selectors.recommendation_detail(request.user, pk)
    except JudicialRecommendation.DoesNotExist as exc:
        raise Http404(_("没有找到这份司法建议。")) from exc


@login_required
@require_GET
def recommendation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = RecommendationFilter(request.GET, selectors.visible_to(request.user)).with_choices(request.user)
    # Sort and page the bare ids (an index walk at any page), then read the page's 20 rows with joins.
    listing = list_page(
        request,
        filters.qs.only("pk"),
        sort_fields=SORT_FIELDS,
        default_sort=DEFAULT_SORT,
        per_page=PER_PAGE,
        tiebreak="id",
    )
    listing.page.object_list = selectors.rows_in_order(
        request.user,
        [row.pk for row in listing.page.object_list],
    )
    return render(
        request,
        "cases/recommendations/list.html",
        {
            "listing": listing,
            "filters": filters.form,
            "can_draft": services.can_draft(request.user),
            "soon_days": due_soon_days()[0],
            "today": timezone.localdate(),
            "export_query": request.GET.urlencode(),
        },
    )


EXPORT_COLUMNS = [
    ("文号", lambda r: r.number),
    ("发出法院", lambda r: r.court.name),
    ("案号", lambda r: r.case_number),
    ("收文单位", lambda r: r.addressee.name),
    ("主管部门", lambda r: r.supervisor.name if r.supervisor_id else ""),
    ("标题", lambda r: r.title),
    ("类别", lambda r: str(r.get_category_display())),
    ("状态", lambda r: str(r.get_status_display())),
    ("发出日期", lambda r: r.issued_on),
    ("签收时间", lambda r: _local(r.acknowledged_at)),
    ("回复期限", lambda r: r.reply_due),
    ("是否逾期", lambda r: "是" if r.overdue else "否"),
    ("采纳情况", lambda r: str(r.get_reply_outcome_display()) if r.reply_outcome else ""),
    ("回复时间", lambda r: _local(r.replied_at)),
    ("通报主管部门时间", lambda r: _local(r.escalated_at)),
]


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


@login_required
@require_GET
def recommendation_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered list (in its sort order) as an XLSX workbook."""
    rows = selectors.list_rows(selectors.filtered(request.user, request.GET))
    listing = list_page(request, rows, sort_fields=SORT_FIELDS, default_sort=DEFAULT_SORT, tiebreak="id")
    queryset = listing.ordered
    return rows_response(
        sheet_title=_("司法建议"),
        header=[_(title) for title, _getter in EXPORT_COLUMNS],
        rows=([getter(rec) for _title, getter in EXPORT_COLUMNS] for rec in queryset.iterator(chunk_size=2000)),
        filename=f"recommendations-{timezone.localdate():%Y%m%d}.xlsx",
    )


def _form_context(form: RecommendationForm, rec: JudicialRecommendation | None) -> dict[str, Any]:
    return {"form": form, "rec": rec}


def _service_kwargs(form: RecommendationForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["number"] = data.get("number") or ""
    data["case_number"] = data.get("case_number") or ""
    data["problem"] = data.get("problem") or ""
    data["recommendation"] = data.get("recommendation") or ""
    return data


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not services.can_draft(request.user):
        raise PermissionDenied(_("只有人民法院的工作人员可以起草司法建议。"))
    form = RecommendationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = _service_kwargs(form)
        try:
            rec = services.recommendation_create(by=request.user, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("草稿已保存。"))
            return redirect(rec)
    return render(request, "cases/recommendations/form.html", _form_context(form, None))


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rec = _get(request, pk)
    if "edit" not in services.allowed_actions(rec, request.user):
        raise PermissionDenied(services.edit_refusal(rec, request.user))
    if request.method == "POST":
        form = RecommendationForm(request.POST, request.FILES)
    else:
        form = RecommendationForm(initial=RecommendationForm.initial_from(rec))
    if request.method == "POST" and form.is_valid():
        data = _service_kwargs(form)
        attachments = data.pop("attachments")
        if data.get("supervisor") is None:
            data["supervisor"] = data["addressee"].supervisor
        try:
            services.recommendation_update(
                recommendation=rec,
                by=request.user,
                changes=data,
                attachments=attachments,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except (TransitionNotAllowed, NotPermitted) as exc:
            messages.error(request, exc.message)
            return redirect(rec)
        else:
            messages.success(request, _("草稿已更新。"))
            return redirect(rec)
    return render(request, "cases/recommendations/form.html", _form_context(form, rec))


ACTIONS_ORDER = ("issue", "acknowledge", "reply", "close", "remind", "withdraw")

ACTION_DONE = {
    "issue": _("司法建议已发出。"),
    "acknowledge": _("已签收。请在回复期限内书面回复。"),
    "reply": _("回复已提交。"),
    "close": _("已办结。"),
    "withdraw": _("已撤回。"),
    "remind": _("督办提醒已发送。"),
}


def _run_action(
    request: AuthenticatedHttpRequest, rec: JudicialRecommendation, action: str, data: dict[str, Any]
) -> None:
    user = request.user
    if action == "issue":
        services.recommendation_issue(recommendation=rec, by=user, issued_on=data.get("issued_on"))
    elif action == "acknowledge":
        services.recommendation_acknowledge(recommendation=rec, by=user)
    elif action == "reply":
        services.recommendation_reply(recommendation=rec, by=user, **data)
    elif action == "close":
        services.recommendation_close(recommendation=rec, by=user, assessment=data.get("assessment", ""))
    elif action == "withdraw":
        services.recommendation_withdraw(recommendation=rec, by=user, reason=data.get("reason", ""))
    elif action == "remind":
        services.recommendation_remind(recommendation=rec, by=user)
    else:  # pragma: no cover - the URL pattern allows only the actions above
        raise Http404


@login_required
@require_POST
def recommendation_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    rec = _get(request, pk)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, request.FILES, prefix=action)
    if form.is_valid():
        try:
            _run_action(request, rec, action, dict(form.cleaned_data))
        except (TransitionNotAllowed, NotPermitted) as exc:
            messages.error(request, exc.message)
            return redirect(rec)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, ACTION_DONE[action])
            return redirect(rec)
    messages.error(request, _("提交的内容有误,请按提示修改。"))
    return _detail(request, rec, bound={action: form}, status=400)


def _detail(
    request: AuthenticatedHttpRequest,
    rec: JudicialRecommendation,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    actions = services.allowed_actions(rec, request.user)
    forms = {name: ACTION_FORMS[name](prefix=name) for name in ACTIONS_ORDER if name in actions}
    forms.update(bound or {})
    attachments = list(rec.attachments.all())
    today = timezone.localdate()
    return render(
        request,
        "cases/recommendations/detail.html",
        {
            "rec": rec,
            "actions": actions,
            "forms": forms,
            "timeline": selectors.recommendation_timeline(rec),
            "court_files": [a for a in attachments if a.part == RecommendationAttachment.Part.RECOMMENDATION],
            "reply_files": [a for a in attachments if a.part == RecommendationAttachment.Part.REPLY],
            "soon_days": due_soon_days()[0],
            "today": today,
            "days_left": (rec.reply_due - today).days if rec.reply_due else None,
        },
        status=status,
    )


@login_required
@require_GET
def recommendation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(request, pk))


@login_required
@require_GET
def recommendation_attachment(request: AuthenticatedHttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """Files are served only here, to users whose scope includes the recommendation."""
    rec = _get(request, pk)
    try:
        attachment = rec.attachments.get(pk=attachment_id)
    except RecommendationAttachment.DoesNotExist as exc:
        raise Http404 from exc
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
