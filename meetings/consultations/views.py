"""Pages of consultations: the list and its XLSX export, the quick form, the record. Every view starts from
``visible_to``; every write calls a service; what a user may do comes from ``services.allowed_actions``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.lib.listing import list_page
from fuyuan.lib.xlsx import rows_response
from meetings.consultations import forms, selectors, services
from meetings.consultations.filters import ConsultationPageFilter
from meetings.consultations.models import Consultation
from meetings.meetings import selectors as meeting_selectors
from meetings.meetings.services import CREATE_REFUSAL, can_create
from meetings.pages import filter_choices, form_page
from members.models import MemberUnit
from members.types import AuthenticatedHttpRequest

CONSULTATION_SORTS: dict[str, str | tuple[str, ...]] = {
    "held_on": "held_on",
    "topic_kind": "topic_kind",
    "level": "level",
}


def _filtered(request: AuthenticatedHttpRequest) -> QuerySet[Consultation]:
    qs = ConsultationPageFilter(request.GET, queryset=selectors.visible_to(request.user)).qs
    return selectors.with_meeting_shown(qs, request.user)


@login_required
def consultation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = _filtered(request).select_related("logging_unit", "region", "meeting")
    listing = list_page(request, qs, sort_fields=CONSULTATION_SORTS, default_sort="-held_on")
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "meetings/consultation_list.html",
        {
            "listing": listing,
            "query": params.urlencode(),
            "f": request.GET,
            "topic_kinds": Consultation.TopicKind.choices,
            "levels": MemberUnit.Level.choices,
            "can_create": can_create(request.user),
            **filter_choices(
                request,
                bar=("q", "topic_kind", "level", "region", "unit", "task", "from", "to"),
                unit_picker="units:unit",
                task_options="tasks:task",
                region_options="regions:region",
            ),
        },
    )


EXPORT_LIMIT = 100_000


@login_required
def consultation_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = (
        _filtered(request)
        .order_by("-held_on", "-id")
        .prefetch_related("units", "tasks")
        .select_related("logging_unit", "region", "meeting")
    )
    header = [
        _("会商日期"),
        _("会商类型"),
        _("会商议题"),
        _("参与单位"),
        _("层级"),
        _("市州"),
        _("相关案号"),
        _("工作任务"),
        _("会商结果"),
        _("后续议定事项"),
        _("关联会议"),
        _("登记单位"),
    ]
    rows = (
        [
            c.held_on,
            str(c.get_topic_kind_display()),
            c.topic,
            "、".join(u.name for u in c.units.all()),
            str(c.get_level_display()),
            c.region.name if c.region else "",
            c.case_number,
            "、".join(str(t.number) for t in c.tasks.all()),
            c.outcome,
            c.follow_up,
            c.meeting.title if c.meeting is not None and getattr(c, "meeting_shown", False) else "",
            c.logging_unit.name if c.logging_unit else "",
        ]
        for c in qs[:EXPORT_LIMIT].iterator(chunk_size=2000)
    )
    return rows_response(
        sheet_title=_("会商"), header=header, rows=rows, filename=f"consultations-{timezone.localdate():%Y%m%d}.xlsx"
    )


def _consultation_save(
    request: AuthenticatedHttpRequest, form: forms.ConsultationForm, consultation: Consultation | None
) -> Consultation:
    data = dict(form.cleaned_data)
    if consultation is None:
        return services.consultation_log(by=request.user, **data)
    return services.consultation_update(consultation=consultation, by=request.user, **data)


def _form_page(
    request: AuthenticatedHttpRequest, form: forms.ConsultationForm, consultation: Consultation | None, done: str
) -> HttpResponse:
    return form_page(
        request,
        form,
        lambda: _consultation_save(request, form, consultation),
        done=done,
        detail="consultation-detail",
        template="meetings/consultation_form.html",
        context={"consultation": consultation},
    )


@login_required
def consultation_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_create(request.user):
        raise PermissionDenied(CREATE_REFUSAL)
    initial: dict[str, Any] = {"held_on": timezone.localdate()}
    unit = request.user.unit
    if unit is not None:
        initial["units"] = [unit.pk]
    form = forms.ConsultationForm(
        request.POST or None, initial=initial, meetings=meeting_selectors.reference(request.user)
    )
    return _form_page(request, form, None, _("会商已登记。"))


@login_required
def consultation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    consultation = get_object_or_404(selectors.visible_to(request.user), pk=pk)
    if "edit" not in services.allowed_actions(consultation, request.user):
        raise PermissionDenied(services.EDIT_REFUSAL)
    form = forms.ConsultationForm(
        request.POST or None,
        initial=forms.ConsultationForm.initial_from(consultation),
        meetings=meeting_selectors.reference(request.user),
    )
    return _form_page(request, form, consultation, _("会商记录已更新。"))


@login_required
def consultation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    consultation = get_object_or_404(
        selectors.with_meeting_shown(selectors.visible_to(request.user), request.user)
        .select_related("logging_unit", "logged_by", "region", "meeting")
        .prefetch_related("units", "tasks"),
        pk=pk,
    )
    return render(
        request,
        "meetings/consultation_detail.html",
        {"consultation": consultation, "actions": services.allowed_actions(consultation, request.user)},
    )
