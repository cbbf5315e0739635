"""Pages of case referrals: the two lists, the detail with its timeline, the forms, export, bulk intake."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.referrals import intake, selectors, services
from cases.referrals.filters import ReferralFilter
from cases.referrals.forms import (
    ConcludeForm,
    ExtendForm,
    ForwardForm,
    ImportUploadForm,
    MeasureFormSet,
    OptionalReasonForm,
    PartyFormSet,
    ReasonForm,
    ReferralForm,
    measures_from,
    parties_from,
)
from cases.referrals.home import awaiting_context
from cases.referrals.measures import ENFORCEMENT_INQUIRY
from cases.referrals.models import Party, Referral, ReferralImport
from cases.referrals.privacy import mask_id_number, mask_name, mask_phone, party_views, sees_personal_data
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.forms import apply_service_errors, submit
from fuyuan.lib.listing import SEARCH_COUNT_CAP, list_page
from fuyuan.lib.xlsx import rows_response
from members.levels import filter_key
from members.types import AuthenticatedHttpRequest

PER_PAGE = 20
EXPORT_MAX_ROWS = 50000
SORT_FIELDS: dict[str, str | tuple[str, ...]] = {"id": "id"}


def _filtered(request: AuthenticatedHttpRequest, box: str) -> ReferralFilter:
    return ReferralFilter(request.GET, selectors.box_queryset(request.user, box), box=box)


def _box_of(request: AuthenticatedHttpRequest, box: str | None) -> str:
    box = box or selectors.default_box(request.user)
    if box not in selectors.BOXES:
        raise Http404
    if box == "all" and not selectors.reads_beyond_unit(request.user):
        raise Http404
    if box in ("inbox", "sent") and not request.user.unit_id:
        raise Http404
    return box


@login_required
def referral_list(request: AuthenticatedHttpRequest, box: str | None = None) -> HttpResponse:
    """ "Addressed to us" (inbox), "sent by us" (sent) and, for office and leaders, all referrals."""
    box = _box_of(request, box)
    filters = _filtered(request, box)
    listing = list_page(
        request,
        selectors.page_rows(filters.qs),
        sort_fields=SORT_FIELDS,
        default_sort="-id",
        per_page=PER_PAGE,
        count_cap=SEARCH_COUNT_CAP if filters.searching else None,
    )
    return render(
        request,
        "cases/referrals/list.html",
        {
            "box": box,
            "filters": filters.form,
            # The filter bar is a fragment (fuyuan.lib.fragments): its choices are read only when it is rendered.
            "filter_fields": lambda: filters.with_choices(request.user).page_fields(),
            "filter_key": filter_key(request.user, request.GET, ReferralFilter.PAGE_FIELDS, box),
            "listing": listing,
            "detail_prefix": reverse("referral-list"),
            "query": urlencode(listing.params),
            "can_read_all": selectors.reads_beyond_unit(request.user),
            "office_reads": selectors.reads_region(request.user),
            "has_unit": bool(request.user.unit_id),
            "can_import": intake.may_import(request.user.unit),
        },
    )


@login_required
def referral_export(request: AuthenticatedHttpRequest, box: str | None = None) -> HttpResponse:
    """The filtered list as XLSX. Parties' personal data is always masked in exports."""
    box = _box_of(request, box)
    rows: QuerySet[Referral] = selectors.list_rows(_filtered(request, box).qs).prefetch_related(
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
        r.handler.name if r.handler is not None else "",
        str(r.get_status_display()),
        timezone.localtime(r.sent_at).strftime("%Y-%m-%d %H:%M") if r.sent_at else "",
        timezone.localtime(r.acknowledged_at).strftime("%Y-%m-%d %H:%M") if r.acknowledged_at else "",
        r.due.isoformat() if r.due else "",
        _("是") if r.overdue else "",
        str(r.get_outcome_display()) if r.outcome else "",
        "、".join(str(t.number) for t in r.tasks.all()),
        parties,
    ]


@login_required
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    r = selectors.referral_get(request.user, pk)
    full = sees_personal_data(request.user, r)
    events = r.events.select_related("by", "unit").order_by("at", "id")
    acts = services.allowed_actions(r, request.user)
    return render(
        request,
        "cases/referrals/detail.html",
        {
            "r": r,
            "parties": party_views(list(r.parties.all()), full=full),
            "full": full,
            "events": events,
            "actions": acts,
            "return_form": ReasonForm(),
            "revoke_form": OptionalReasonForm(),
            "conclude_form": ConcludeForm(kind=r.kind) if "conclude" in acts else None,
            "measure_forms": MeasureFormSet(prefix="measures")
            if "conclude" in acts and r.kind.code == ENFORCEMENT_INQUIRY
            else None,
            "measures": list(r.measures.all()),
            "forward_form": ForwardForm(receiver=r.receiver) if "forward" in acts else None,
            "extend_form": ExtendForm() if "extend" in acts else None,
        },
    )


def _referral_fields(form: ReferralForm, parties: Any) -> dict[str, Any]:
    """What the create and edit forms both give the services."""
    d = form.cleaned_data
    fields = ("receiver", "case_number", "subject", "summary")
    return {**{name: d[name] for name in fields}, "parties": parties_from(parties)}


def _submitted(request: AuthenticatedHttpRequest, form: ReferralForm, save: Callable[[], Referral]) -> Referral | None:
    """Run the service: its ValidationError goes onto the form, a refusal into a message (then None)."""
    return submit(form, save, refused=lambda message: messages.error(request, message))


@login_required
def referral_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        services.writer_unit(request.user)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    form = ReferralForm(request.POST or None)
    parties = PartyFormSet(request.POST or None, prefix="parties")
    if request.method == "POST" and form.is_valid() and parties.is_valid():
        d = form.cleaned_data
        r = _submitted(
            request,
            form,
            lambda: services.referral_create(
                by=request.user,
                kind=d["kind"],
                tasks=d["tasks"] or None,
                **_referral_fields(form, parties),
            ),
        )
        if r is not None:
            messages.success(request, _("已保存为草稿,核对后请点击“移送”。"))
            return redirect("referral-detail", pk=r.pk)
    return render(request, "cases/referrals/form.html", {"form": form, "parties": parties, "r": None})


@login_required
def referral_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    r = selectors.referral_get(request.user, pk)
    if "edit" not in services.allowed_actions(r, request.user):
        raise PermissionDenied(services.edit_refusal(r, request.user))
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
        tasks = form.cleaned_data["tasks"]
        fields = _referral_fields(form, parties)
        saved = _submitted(
            request,
            form,
            lambda: services.referral_update(referral=r, by=request.user, tasks=tasks, **fields),
        )
        if saved is not None:
            messages.success(request, _("已保存。"))
        if saved is not None or not form.errors:  # saved, or refused (the message says why)
            return redirect("referral-detail", pk=r.pk)
    return render(request, "cases/referrals/form.html", {"form": form, "parties": parties, "r": r})


def _measures_posted(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """The measures of a conclusion's form (none when the form has no measure rows); the service validates them."""
    if "measures-TOTAL_FORMS" not in request.POST:
        return []
    formset = MeasureFormSet(request.POST, prefix="measures")
    if not formset.is_valid():
        raise ValidationError({"measures": [_("查控措施填写不正确,请检查措施和财产类型。")]})
    return measures_from(formset)


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
def referral_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
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
                referral=r,
                by=user,
                outcome=request.POST.get("outcome", ""),
                note=request.POST.get("note", ""),
                measures=_measures_posted(request),
            )
        elif action == "revoke":
            services.referral_revoke(referral=r, by=user, reason=request.POST.get("reason", ""))
        elif action == "forward":
            forward = ForwardForm(request.POST, receiver=r.receiver)
            if not forward.is_valid():
                raise ValidationError({"sub_unit": [_("请选择本单位的下级单位。")]})
            services.referral_forward(
                referral=r, by=user, sub_unit=forward.cleaned_data["sub_unit"], note=forward.cleaned_data["note"]
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
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, ACTION_MESSAGES[action])
    return redirect("referral-detail", pk=r.pk)


# --- bulk intake ---------------------------------------------------------------------------------


@login_required
def referral_import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    return intake.import_template_response()


@login_required
def referral_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a sheet: every row is checked and the errors shown row by row before anything is saved."""
    try:
        intake.import_sender(request.user)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "columns": intake.COLUMN_LABELS}
    if request.method == "POST" and form.is_valid():
        try:
            imp, check = intake.referral_import_prepare(by=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except NotPermitted as exc:
            messages.error(request, exc.message)
        else:
            context.update({"check": check, "imp": imp})
            return render(request, "cases/referrals/import_check.html", context)
    return render(request, "cases/referrals/import.html", context)


@login_required
@require_POST
def referral_import_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    imp = get_object_or_404(ReferralImport, pk=pk, uploaded_by=request.user)
    try:
        intake.referral_import_queue(imp=imp, by=request.user)
    except (TransitionNotAllowed, NotPermitted) as exc:
        messages.error(request, exc.message)
    return redirect("referral-import-progress", pk=imp.pk)


@login_required
def referral_import_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The progress page; htmx polls the same URL for the bar until the import has finished."""
    imp = get_object_or_404(ReferralImport, pk=pk, uploaded_by=request.user)
    template = "cases/referrals/_import_progress.html" if request.htmx else "cases/referrals/import_progress.html"
    return render(request, template, intake.import_progress(imp))


# --- the home-page snippet ---------------------------------------------------------------------


@login_required
def referral_awaiting(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The snippet alone (htmx can load it into any page)."""
    return render(request, "cases/referrals/_awaiting.html", awaiting_context(request.user))
