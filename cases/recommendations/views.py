"""Pages of judicial recommendations: list (filters, search, sort, paging, export), detail, forms.

Every view starts from the scope of :mod:`cases.recommendations.selectors`; outside it is 404.
State changes go through :mod:`cases.recommendations.services`, whose ``allowed_actions`` says
what the page offers; a refused transition becomes a message on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.recommendations import approval, documents, followup, recurrence, selectors, services
from cases.recommendations.alerts import due_soon_days
from cases.recommendations.filters import RecommendationFilter, recurs_q
from cases.recommendations.forms import ACTION_FORMS, RecommendationForm
from cases.recommendations.models import AttachmentPart, JudicialRecommendation
from fuyuan.lib.deadlines import light
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.forms import apply_service_errors
from fuyuan.lib.gongwen import official_response
from fuyuan.lib.listing import list_page
from fuyuan.lib.xlsx import rows_response
from members.levels import filter_key
from members.models import User
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
#: The query parameters the list's filter bar shows (its fragment's key, with the sort it keeps).
FILTER_BAR = (
    *("q", "status", "court", "addressee_name", "addressee", "task", "year", "overdue", "escalated"),
    *("rectification_overdue", "recurrence", "to_sign", "region", "level"),
)
Status = JudicialRecommendation.Status


def _get(request: AuthenticatedHttpRequest, pk: int) -> JudicialRecommendation:
    try:
        return selectors.recommendation_detail(request.user, pk)
    except JudicialRecommendation.DoesNotExist as exc:
        raise Http404(_("没有找到这份司法建议。")) from exc


@login_required
@require_GET
def recommendation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = RecommendationFilter(request.GET, selectors.visible_to(request.user), user=request.user)
    # Sort and page the bare ids (an index walk at any page), then read the page's 20 rows with joins.
    listing = list_page(
        request,
        filters.qs.only("pk"),
        sort_fields=SORT_FIELDS,
        default_sort=DEFAULT_SORT,
        per_page=PER_PAGE,
        tiebreak="id",
    )
    can_sign = services.can_sign(request.user, request.user.unit_id)
    listing.page.object_list = selectors.rows_in_order(
        request.user,
        [row.pk for row in listing.page.object_list],
    )
    return render(
        request,
        "cases/recommendations/list.html",
        {
            "listing": listing,
            # The filter bar is a fragment (fuyuan.lib.fragments): its choices are read only when it is rendered.
            "filters": SimpleLazyObject(lambda: filters.with_choices(request.user).form),
            "filter_key": filter_key(request.user, request.GET, FILTER_BAR, can_sign, listing.sort, filters.today.year),
            "can_draft": services.can_draft(request.user),
            "can_sign": can_sign,
            "soon_days": due_soon_days()[0],
            "today": timezone.localdate(),
            "export_query": request.GET.urlencode(),
        },
    )


# Column titles are marked for the catalogue here and translated when the workbook is written.
EXPORT_COLUMNS: list[tuple[str, Callable[[JudicialRecommendation], Any]]] = [
    (gettext_noop("文号"), lambda r: r.number),
    (gettext_noop("发出法院"), lambda r: r.court.name),
    (gettext_noop("案号"), lambda r: r.case_number),
    (gettext_noop("收文单位"), lambda r: r.addressee.name),
    (gettext_noop("主管部门"), lambda r: r.supervisor.name if r.supervisor else ""),
    (gettext_noop("标题"), lambda r: r.title),
    (gettext_noop("类别"), lambda r: str(r.get_category_display())),
    (gettext_noop("状态"), lambda r: str(r.get_status_display())),
    (gettext_noop("发出日期"), lambda r: r.issued_on),
    (gettext_noop("签收时间"), lambda r: _local(r.acknowledged_at)),
    (gettext_noop("送达方式"), lambda r: str(r.get_delivery_display()) if r.delivery else ""),
    (gettext_noop("送达日期"), lambda r: r.delivered_on),
    (gettext_noop("回复期限"), lambda r: r.reply_due),
    (gettext_noop("是否逾期"), lambda r: _("是") if r.overdue else _("否")),
    (gettext_noop("采纳情况"), lambda r: str(r.get_reply_outcome_display()) if r.reply_outcome else ""),
    (gettext_noop("回复时间"), lambda r: _local(r.replied_at)),
    (gettext_noop("整改期限"), lambda r: r.rectification_due),
    (gettext_noop("是否整改逾期"), lambda r: _("是") if r.rectification_overdue() else _("否")),
    (gettext_noop("整改完成报告时间"), lambda r: _local(r.rectified_at)),
    (gettext_noop("回访日期"), lambda r: r.visited_on),
    (gettext_noop("回访结果"), lambda r: str(r.get_visit_result_display()) if r.visit_result else ""),
    (gettext_noop("问题复发"), lambda r: _("是") if getattr(r, "recurs", False) else _("否")),
    (gettext_noop("通报主管部门时间"), lambda r: _local(r.escalated_at)),
]


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


@login_required
@require_GET
def recommendation_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered list (in its sort order) as an XLSX workbook."""
    rows = selectors.list_rows(selectors.filtered(request.user, request.GET)).annotate(recurs=recurs_q())
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


# The action forms of the detail page, in the order of the record's life (the services say which apply;
# editing is its own page).
ACTIONS_ORDER = tuple(action for action in services.ACTIONS if action != "edit")

ACTION_DONE = {
    "submit": gettext_lazy("已提交核稿,等待本院签发人签发。"),
    "approve": gettext_lazy("已签发。起草人现在可以发出。"),
    "send_back": gettext_lazy("已退回起草人修改。"),
    "issue": gettext_lazy("司法建议已发出。"),
    "mark_delivered": gettext_lazy("已登记纸质送达。回复期限自送达日期起算。"),
    "acknowledge": gettext_lazy("已签收。请在回复期限内书面回复。"),
    "reply": gettext_lazy("回复已提交。"),
    "rectified": gettext_lazy("已报告整改完成。"),
    "schedule_visit": gettext_lazy("已安排回访。"),
    "visit": gettext_lazy("已登记回访结果。"),
    "close": gettext_lazy("已办结。"),
    "withdraw": gettext_lazy("已撤回。"),
    "remind": gettext_lazy("督办提醒已发送。"),
}


def _text(data: dict[str, Any], name: str) -> str:
    return str(data.get(name) or "")


def _call(rec: JudicialRecommendation, user: User, action: str, data: dict[str, Any]) -> None:
    """The service of ``action`` with the form's data (a missing value passes as empty: the service says why)."""
    files = data.get("attachments") or []
    calls: dict[str, Callable[[], object]] = {
        "submit": lambda: approval.recommendation_submit(recommendation=rec, by=user),
        "approve": lambda: approval.recommendation_approve(recommendation=rec, by=user, comment=_text(data, "comment")),
        "send_back": lambda: approval.recommendation_send_back(
            recommendation=rec, by=user, comment=_text(data, "comment")
        ),
        "issue": lambda: services.recommendation_issue(recommendation=rec, by=user, issued_on=data.get("issued_on")),
        "mark_delivered": lambda: followup.recommendation_mark_delivered(
            recommendation=rec, by=user, delivered_on=data.get("delivered_on"), signer=_text(data, "signer")
        ),
        "acknowledge": lambda: services.recommendation_acknowledge(recommendation=rec, by=user),
        "reply": lambda: services.recommendation_reply(
            recommendation=rec,
            by=user,
            outcome=_text(data, "outcome"),
            content=_text(data, "content"),
            measures=_text(data, "measures"),
            reason=_text(data, "reason"),
            rectification_due=data.get("rectification_due"),
            attachments=files,
        ),
        "rectified": lambda: followup.recommendation_rectified(
            recommendation=rec, by=user, note=_text(data, "note"), attachments=files
        ),
        "schedule_visit": lambda: followup.recommendation_schedule_visit(
            recommendation=rec, by=user, planned_on=data.get("planned_on")
        ),
        "visit": lambda: followup.recommendation_visit(
            recommendation=rec,
            by=user,
            result=_text(data, "result"),
            note=_text(data, "note"),
            visited_on=data.get("visited_on"),
            early=bool(data.get("early")),
            attachments=files,
        ),
        "close": lambda: services.recommendation_close(
            recommendation=rec, by=user, assessment=_text(data, "assessment")
        ),
        "withdraw": lambda: services.recommendation_withdraw(recommendation=rec, by=user, reason=_text(data, "reason")),
        "remind": lambda: services.recommendation_remind(recommendation=rec, by=user),
    }
    calls[action]()


@login_required
@require_POST
def recommendation_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """One action of the detail page. Who may act, and when, come before what was typed: an action the
    user may not take now goes to the service whatever the input, so that its refusal is the answer —
    403 with the reason for the wrong person, a message for the wrong moment; nothing is saved."""
    rec = _get(request, pk)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, request.FILES, prefix=action)
    valid = form.is_valid()
    if valid or action not in services.allowed_actions(rec, request.user):
        try:
            _call(rec, request.user, action, dict(form.cleaned_data))
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return redirect(rec)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, str(ACTION_DONE[action]))
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
    today = timezone.localdate()
    context = {
        "rec": rec,
        "actions": actions,
        "forms": forms,
        "timeline": selectors.recommendation_timeline(rec),
        "soon_days": due_soon_days()[0],
        "today": today,
        "days_left": (rec.reply_due - today).days if rec.reply_due else None,
    }
    context.update(_sections(rec, request.user, today))
    return render(request, "cases/recommendations/detail.html", context, status=status)


def _sections(rec: JudicialRecommendation, user: User, today: date) -> dict[str, Any]:
    """What the detail page's sections show beside the record: its files by part, the approval, the
    rectification clock and the earlier recommendations it repeats (those this user may see)."""
    Part = AttachmentPart
    attachments = list(rec.attachments.all())  # prefetched by the selector
    files = {part: [a for a in attachments if a.part == part] for part in Part.values}
    earlier = list(rec.recurrence_of.values_list("pk", flat=True))
    shown = (
        list(selectors.visible_to(user).filter(pk__in=earlier).select_related("court").order_by("-replied_at", "-id"))
        if earlier
        else []
    )
    rectifying = rec.status == Status.RECTIFYING
    return {
        "court_files": files[Part.RECOMMENDATION],
        "reply_files": files[Part.REPLY],
        "rectification_files": files[Part.RECTIFICATION],
        "visit_files": files[Part.VISIT],
        # 核稿: the review comment is the court's own business; a draft sent back shows it to the clerk first.
        "court_user": services.is_clerk_of(user, rec.court_id),
        "sent_back": rec.status == Status.DRAFT and bool(rec.review_comment),
        "approval_shown": rec.submitted_at is not None,
        "adopted": rec.reply_outcome in JudicialRecommendation.ADOPTING,
        "rectification_light": light(kind="recommendation", due=rec.rectification_due, is_open=rectifying, today=today),
        "rectification_overdue": rec.rectification_overdue(today),
        "rectification_days_overdue": (today - rec.rectification_due).days if rec.rectification_due else 0,
        "visit_shown": bool(rec.visit_planned_on or rec.visited_on),
        "recurrence": shown,
        "recurrence_hidden": len(earlier) - len(shown),
        "recurrence_issued": not rec.is_draft,
        "recurrence_months": recurrence.window_months(),
        "receipt": rec.delivered_on is not None,
    }


@login_required
@require_GET
def recommendation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(request, pk))


@login_required
@require_GET
def recommendation_receipt(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """送达回证: the printable receipt of a delivered recommendation, for anyone who may see the record."""
    rec = _get(request, pk)
    if rec.delivered_on is None:
        raise Http404(_("这份司法建议尚未送达,还没有送达回证。"))
    paper = rec.delivery == JudicialRecommendation.Delivery.PAPER
    if paper:
        signer, deliverer = rec.receipt_signer, rec.delivery_recorded_by or rec.issued_by
    else:
        signer, deliverer = (rec.acknowledged_by.display_name if rec.acknowledged_by else ""), rec.issued_by
    return render(
        request,
        "cases/recommendations/receipt.html",
        {
            "rec": rec,
            "paper": paper,
            "signer": signer,
            "deliverer": deliverer.display_name if deliverer else "",
        },
    )


# --- 公文 (issue 18): the 司法建议书 and the 回复函 as .docx and as print view, for anyone who sees the record ---
@login_required
@require_GET
def recommendation_official(request: AuthenticatedHttpRequest, pk: int, name: str, as_docx: bool) -> HttpResponse:
    """The 司法建议书 (``name="document"``) or the 回复函 (``"reply-letter"``), as .docx or as print view."""
    rec = get_object_or_404(documents.queryset(request.user), pk=pk)
    try:
        doc = documents.reply_letter(rec) if name == "reply-letter" else documents.recommendation_document(rec)
    except documents.NoReply as exc:
        raise Http404(_("收文单位尚未回复,还没有回复函。")) from exc
    docx_name = "recommendation-reply-letter-docx" if name == "reply-letter" else "recommendation-document-docx"
    return official_response(
        request, doc, as_docx=as_docx, back_url=rec.get_absolute_url(), docx_url=reverse(docx_name, args=[pk])
    )
