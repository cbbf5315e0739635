"""Pages of case referrals: the two lists, the detail with its timeline, the forms, export, bulk intake."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.forms.referrals import (
    ConcludeForm,
    ExtendForm,
    ForwardForm,
    ImportUploadForm,
    OptionalReasonForm,
    PartyFormSet,
    ReasonForm,
    ReferralFilterForm,
    ReferralForm,
    parties_from,
)
from cases.lib_referrals import DeepPaginator, mask_id_number, mask_name, mask_phone
from cases.models import Party, Referral, ReferralImport
from cases.selectors import referrals as selectors
from cases.services import referrals as services
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.params import parse_id
from fuyuan.lib.xlsx import rows_response
from members.roles import can_read_all, is_office
from stats.periods import MIN_YEAR

PER_PAGE = 20
SEARCH_COUNT_CAP = 1000
EXPORT_MAX_ROWS = 50000
S = Referral.Status


def _error_text(exc: ValidationError) -> str:
    return ";".join(exc.messages)


def _list_queryset(request: HttpRequest, box: str) -> tuple[Any, ReferralFilterForm, dict[str, Any]]:
    form = ReferralFilterForm(request.GET or None)
    params = form.params() if request.GET else {}
    qs = selectors.box_queryset(request.user, box)
    qs = selectors.filter_referrals(qs, params, box=box)
    return qs, form, params


def _box_of(request: HttpRequest, box: str | None) -> str:
    box = box or selectors.default_box(request.user)
    if box not in selectors.BOXES:
        raise Http404
    if box == "all" and not can_read_all(request.user):
        raise Http404
    if box in ("inbox", "sent") and not request.user.unit_id:
        raise Http404
    return box


def _options(choices: list[tuple[Any, str]], selected: Any) -> str:
    selected = str(selected) if selected not in (None, "") else None
    return mark_safe(  # noqa: S308  # nosec B308 B703  # every value and label is escaped here
        "".join(
            f'<option value="{escape(value)}"{" selected" if str(value) == selected else ""}>{escape(label)}</option>'
            for value, label in choices
        )
    )


def _filter_options_html(params: dict[str, Any]) -> dict[str, str]:
    options = selectors.filter_options()
    return {
        "kinds": _options(options["kinds"], params.get("kind")),
        "statuses": _options(options["statuses"], params.get("status")),
        "units": _options(options["units"], params.get("counterpart")),
        "tasks": _options([(pk, f"{n}. {title}") for pk, n, title in options["tasks"]], params.get("task")),
    }


@login_required
def referral_list(request: HttpRequest, box: str | None = None) -> HttpResponse:
    """ "Addressed to us" (inbox), "sent by us" (sent) and, for office and leaders, all referrals."""
    box = _box_of(request, box)
    qs, form, params = _list_queryset(request, box)
    paginator = DeepPaginator(
        selectors.list_rows(qs), PER_PAGE, count_cap=SEARCH_COUNT_CAP if params.get("search") else None
    )
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        page = paginator.page(paginator.num_pages)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/referrals/list.html",
        {
            "box": box,
            "form": form,
            "current": params,
            "detail_prefix": reverse("referral-list"),
            "options": _filter_options_html(params),
            "page": page,
            "rows": page.object_list,
            "query": query.urlencode(),
            "can_read_all": can_read_all(request.user),
            "has_unit": bool(request.user.unit_id),
            "today": timezone.localdate(),
        },
    )


@login_required
def referral_export(request: HttpRequest, box: str | None = None) -> HttpResponse:
    """The filtered list as XLSX. Parties' personal data is always masked in exports."""
    box = _box_of(request, box)
    qs, _form, _params = _list_queryset(request, box)
    rows = selectors.list_rows(qs).prefetch_related(
        "tasks", Prefetch("parties", queryset=Party.objects.order_by("id"))
    )[:EXPORT_MAX_ROWS]
    header = [
        _("类别"),
        _("案号/编号"),
        _("事项"),
        _("移送单位"),
        _("接收单位"),
        _("承办下级单位"),
        _("状态"),
        _("移送时间"),
        _("签收时间"),
        _("办理期限"),
        _("是否逾期"),
        _("办理结果"),
        _("工作任务"),
        _("当事人"),
    ]
    return rows_response(
        sheet_title=_("案件移送"),
        header=header,
        rows=(_export_row(r) for r in rows.iterator(chunk_size=2000)),
        filename=f"referrals-{box}-{date.today():%Y%m%d}.xlsx",
    )


def _export_row(r: Referral) -> list[Any]:
    parties = "；".join(
        f"{mask_name(p.name)} {mask_id_number(p.id_number)} {mask_phone(p.phone)}".strip() for p in r.parties.all()
    )
    return [
        r.kind.name,
        r.case_number,
        r.subject,
        r.sender.name,
        r.receiver.name,
        r.handler.name if r.handler_id else "",
        str(r.get_status_display()),
        timezone.localtime(r.sent_at).strftime("%Y-%m-%d %H:%M") if r.sent_at else "",
        timezone.localtime(r.acknowledged_at).strftime("%Y-%m-%d %H:%M") if r.acknowledged_at else "",
        r.due.isoformat() if r.due else "",
        _("是") if r.overdue else "",
        str(r.get_outcome_display()) if r.outcome else "",
        "、".join(str(t.number) for t in r.tasks.all()),
        parties,
    ]


def _actions_for(user: Any, r: Referral) -> list[str]:
    """The transitions this user may offer on this referral now (the services check again)."""
    unit = user.unit_id
    acts: list[str] = []
    if unit and unit == r.sender_id:
        if r.status == S.DRAFT:
            acts += ["edit", "send"]
        if r.status == S.RETURNED:
            acts += ["edit"] + (["send"] if r.kind.resend_allowed else [])
        if r.status in (S.DRAFT, S.SENT, S.ACKNOWLEDGED, S.RETURNED):
            acts.append("revoke")
    if unit and unit in (r.receiver_id, r.handler_id):
        if r.status == S.SENT:
            acts += ["acknowledge", "return"]
        if r.status == S.ACKNOWLEDGED:
            acts += ["accept", "return"]
        if r.status == S.ACCEPTED:
            acts.append("conclude")
        if r.status in (S.ACKNOWLEDGED, S.ACCEPTED) and r.kind.extension_days and r.extended_at is None:
            acts.append("extend")
        if unit == r.receiver_id and r.status in (S.SENT, S.ACKNOWLEDGED, S.ACCEPTED):
            acts.append("forward")
    return acts


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    r = selectors.referral_get(request.user, pk)
    full = selectors.sees_personal_data(request.user, r)
    events = r.events.select_related("by", "unit").order_by("at", "id")
    acts = _actions_for(request.user, r)
    return render(
        request,
        "cases/referrals/detail.html",
        {
            "r": r,
            "parties": selectors.party_views(list(r.parties.all()), full=full),
            "full": full,
            "events": events,
            "actions": acts,
            "return_form": ReasonForm(),
            "revoke_form": OptionalReasonForm(),
            "conclude_form": ConcludeForm(kind=r.kind) if "conclude" in acts else None,
            "forward_form": ForwardForm(receiver=r.receiver) if "forward" in acts else None,
            "extend_form": ExtendForm() if "extend" in acts else None,
        },
    )


@login_required
def referral_create(request: HttpRequest) -> HttpResponse:
    if not request.user.unit_id:
        raise Http404
    form = ReferralForm(request.POST or None)
    parties = PartyFormSet(request.POST or None, prefix="parties")
    if request.method == "POST" and form.is_valid() and parties.is_valid():
        d = form.cleaned_data
        try:
            r = services.referral_create(
                by=request.user,
                kind=d["kind"],
                receiver=d["receiver"],
                case_number=d["case_number"],
                subject=d["subject"],
                summary=d["summary"],
                tasks=d["tasks"] or None,
                parties=parties_from(parties),
            )
        except ValidationError as exc:
            _attach(form, exc)
        except NotPermitted as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存为草稿,核对后请点击“移送”。"))
            return redirect("referral-detail", pk=r.pk)
    return render(request, "cases/referrals/form.html", {"form": form, "parties": parties, "r": None})


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def referral_edit(request: HttpRequest, pk: int) -> HttpResponse:
    r = selectors.referral_get(request.user, pk)
    if request.user.unit_id != r.sender_id or r.status not in (S.DRAFT, S.RETURNED):
        messages.error(request, _("只有移送单位可以修改草稿或被退回的移送。"))
        return redirect("referral-detail", pk=r.pk)
    initial = {
        "kind": r.kind,
        "receiver": r.receiver,
        "case_number": r.case_number,
        "subject": r.subject,
        "summary": r.summary,
        "tasks": list(r.tasks.all()),
    }
    form = ReferralForm(request.POST or None, initial=initial, editing=True)
    parties = PartyFormSet(
        request.POST or None,
        prefix="parties",
        initial=[{"role": p.role, "name": p.name, "id_number": p.id_number, "phone": p.phone} for p in r.parties.all()],
    )
    if request.method == "POST" and form.is_valid() and parties.is_valid():
        d = form.cleaned_data
        try:
            services.referral_update(
                referral=r,
                by=request.user,
                receiver=d["receiver"],
                case_number=d["case_number"],
                subject=d["subject"],
                summary=d["summary"],
                tasks=d["tasks"],
                parties=parties_from(parties),
            )
        except ValidationError as exc:
            _attach(form, exc)
        except (NotPermitted, TransitionNotAllowed) as exc:
            messages.error(request, exc.message)
            return redirect("referral-detail", pk=r.pk)
        else:
            messages.success(request, _("已保存。"))
            return redirect("referral-detail", pk=r.pk)
    return render(request, "cases/referrals/form.html", {"form": form, "parties": parties, "r": r})


ACTION_MESSAGES = {
    "send": gettext_lazy("已移送。"),
    "acknowledge": gettext_lazy("已签收,办理期限开始计算。"),
    "accept": gettext_lazy("已受理。"),
    "return": gettext_lazy("已退回移送单位。"),
    "conclude": gettext_lazy("已办结。"),
    "revoke": gettext_lazy("已撤回。"),
    "forward": gettext_lazy("已转交下级单位办理。"),
    "extend": gettext_lazy("已延长办理期限。"),
}


@login_required
@require_POST
def referral_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One transition from the detail page's forms; refused transitions come back as a message."""
    r = selectors.referral_get(request.user, pk)
    user = request.user
    try:
        if action == "send":
            services.referral_send(referral=r, by=user)
        elif action == "acknowledge":
            services.referral_acknowledge(referral=r, by=user)
        elif action == "accept":
            services.referral_accept(referral=r, by=user)
        elif action == "return":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise ValidationError({"reason": [_("请填写退回理由。")]})
            services.referral_return(referral=r, by=user, reason=form.cleaned_data["reason"])
        elif action == "conclude":
            services.referral_conclude(
                referral=r, by=user, outcome=request.POST.get("outcome", ""), note=request.POST.get("note", "")
            )
        elif action == "revoke":
            services.referral_revoke(referral=r, by=user, reason=request.POST.get("reason", ""))
        elif action == "forward":
            form = ForwardForm(request.POST, receiver=r.receiver)
            if not form.is_valid():
                raise ValidationError({"sub_unit": [_("请选择本单位的下级单位。")]})
            services.referral_forward(
                referral=r, by=user, sub_unit=form.cleaned_data["sub_unit"], note=form.cleaned_data["note"]
            )
        elif action == "extend":
            services.referral_extend(
                referral=r,
                by=user,
                both_parties_consent=request.POST.get("both_parties_consent") in ("on", "true", "1"),
                consent_note=request.POST.get("consent_note", ""),
            )
        else:
            raise Http404
    except (TransitionNotAllowed, NotPermitted) as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, ACTION_MESSAGES[action])
    return redirect("referral-detail", pk=r.pk)


# --- bulk intake ---------------------------------------------------------------------------------


@login_required
def referral_import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        services.import_template(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="mediation-delegations-template.xlsx"'
    return response


@login_required
def referral_import(request: HttpRequest) -> HttpResponse:
    """Upload a sheet: every row is checked and the errors shown row by row before anything is saved."""
    if not request.user.unit_id:
        raise Http404
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "columns": [label for _k, label in services.IMPORT_COLUMNS]}
    if request.method == "POST" and form.is_valid():
        try:
            imp, check = services.referral_import_prepare(by=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            _attach(form, exc)
        except NotPermitted as exc:
            messages.error(request, exc.message)
        else:
            context.update({"check": check, "imp": imp})
            return render(request, "cases/referrals/import_check.html", context)
    return render(request, "cases/referrals/import.html", context)


@login_required
@require_POST
def referral_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    imp = get_object_or_404(ReferralImport, pk=pk, uploaded_by=request.user)
    try:
        services.referral_import_queue(imp=imp, by=request.user)
    except (TransitionNotAllowed, NotPermitted) as exc:
        messages.error(request, exc.message)
    return redirect("referral-import-progress", pk=imp.pk)


def _progress(imp: ReferralImport) -> dict[str, Any]:
    from cases.lib_referrals import _cache_get

    state = _cache_get(services.import_progress_key(imp.pk)) or {}
    total = state.get("total", imp.new_rows) or 0
    done = imp.created_count if imp.status == ReferralImport.Status.DONE else state.get("done", 0)
    percent = 100 if imp.status == ReferralImport.Status.DONE else int(done * 100 / total) if total else 0
    return {"imp": imp, "done": done, "total": total, "percent": percent, "finished": imp.status in ("done", "failed")}


@login_required
def referral_import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress page; htmx polls the same URL for the bar until the import has finished."""
    imp = get_object_or_404(ReferralImport, pk=pk, uploaded_by=request.user)
    template = "cases/referrals/_import_progress.html" if request.htmx else "cases/referrals/import_progress.html"
    return render(request, template, _progress(imp))


# --- figures and the home-page snippet ---------------------------------------------------------


@login_required
def referral_figures(request: HttpRequest) -> HttpResponse:
    """Figures the office needs: mediation success rate, transfers opened as cases, on-time answers."""
    if not can_read_all(request.user):
        raise Http404
    from members.models import Region

    today = timezone.localdate()
    year = parse_id(request.GET.get("year"))
    if year is None or not MIN_YEAR <= year <= today.year + 1:
        year = today.year
    region = parse_id(request.GET.get("region"))
    start, end = date(year, 1, 1), date(year, 12, 31)
    return render(
        request,
        "cases/referrals/figures.html",
        {
            "year": year,
            "years": list(range(today.year, today.year - 6, -1)),
            "region": region,
            "regions": Region.objects.all(),
            "mediation": selectors.mediation_figures(start=start, end=end, region=region),
            "transfers": selectors.transfer_figures(start=start, end=end, region=region),
            "by_kind": selectors.on_time_rates(by="kind", start=start, end=end, region=region),
            "by_receiver": selectors.on_time_rates(by="receiver", start=start, end=end, region=region),
            "is_office": is_office(request.user),
        },
    )


def awaiting_context(user: Any) -> dict[str, Any]:
    """Context of ``cases/referrals/_awaiting.html`` for the unit home page."""
    rows, total = selectors.referrals_awaiting(user)
    return {
        "awaiting_referrals": rows,
        "awaiting_referrals_total": total,
        "referral_inbox_url": reverse("referral-inbox"),
    }


@login_required
def referral_awaiting(request: HttpRequest) -> HttpResponse:
    """The snippet alone (htmx can load it into any page)."""
    return render(request, "cases/referrals/_awaiting.html", awaiting_context(request.user))
