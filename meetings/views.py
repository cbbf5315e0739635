"""Pages of the meetings app. Every view starts from a scope selector; every write calls a service."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.listing import list_page
from fuyuan.lib.params import parse_day, parse_id
from fuyuan.lib.xlsx import rows_response
from meetings import forms, ical, selectors, services
from meetings.models import (
    AgendaItem,
    CalendarFeedToken,
    Consultation,
    Decision,
    Invitation,
    Meeting,
    Minutes,
    TopicProposal,
)
from members.models import MemberUnit, Region, WorkTask
from members.roles import Role, can_read_all, has_role, is_office

PAGE_SIZE = 20


# --- helpers ----------------------------------------------------------------------------------------------


MEETING_SORTS: dict[str, str | tuple[str, ...]] = {
    "starts_at": "starts_at",
    "title": "title",
    "kind": "kind",
    "status": "status",
}
DECISION_SORTS: dict[str, str | tuple[str, ...]] = {"due": "due", "status": ("status", "due"), "created": "created_at"}
CONSULTATION_SORTS: dict[str, str | tuple[str, ...]] = {
    "held_on": "held_on",
    "topic_kind": "topic_kind",
    "level": "level",
}


def _fetch_page(listing: Any, full: QuerySet[Any]) -> list[Any]:
    """Fetch the page's rows with their joins, after paging over the bare ids (see LeanPageMixin)."""
    page = listing.page
    ids = list(page.object_list.values_list("pk", flat=True))
    rows = {obj.pk: obj for obj in full.order_by().filter(pk__in=ids)}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page.object_list


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _int(value: str | None) -> int | None:
    return parse_id(value)


def _date(value: str | None) -> date | None:
    return parse_day(value)


def _meeting_or_404(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(selectors.meetings_for(request.user), pk=pk)


def _run(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Call a service; show its refusal as a message. True when it went through."""
    try:
        action()
    except (TransitionNotAllowed, NotPermitted) as exc:
        messages.error(request, exc.message)
        return False
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True


def _is_writer(user: Any) -> bool:
    return is_office(user) or (user.unit_id is not None and has_role(user, Role.LIAISON, Role.COURT_CLERK))


# --- meetings ---------------------------------------------------------------------------------------------


def _meeting_filters(request: HttpRequest) -> dict[str, Any]:
    g = request.GET
    return {
        "search": g.get("q", "").strip(),
        "kind": g.get("kind", ""),
        "status": g.get("status", ""),
        "convener": _int(g.get("convener")),
        "task": _int(g.get("task")),
        "region": _int(g.get("region")),
        "date_from": _date(g.get("from")),
        "date_to": _date(g.get("to")),
    }


CHOICES_CACHE_KEY = "meetings:filter-choices:v2"
CHOICES_CACHE_SECONDS = 300


def _reference_choices() -> dict[str, list[tuple[str, str]]]:
    """Units, tasks and regions for the filter drop-downs as (value, escaped label): cached reference data."""
    choices = cache.get(CHOICES_CACHE_KEY)
    if choices is None:
        choices = {
            "units": [
                (str(pk), escape(name)) for pk, name in MemberUnit.objects.filter(active=True).values_list("pk", "name")
            ],
            "tasks": [
                (str(pk), escape(f"{n}. {t}")) for pk, n, t in WorkTask.objects.values_list("pk", "number", "title")
            ],
            "regions": [(str(pk), escape(name)) for pk, name in Region.objects.values_list("pk", "name")],
        }
        cache.set(CHOICES_CACHE_KEY, choices, CHOICES_CACHE_SECONDS)
    return choices


def _options(items: list[tuple[str, str]], selected: str | None) -> str:
    """``<option>`` elements written directly: the unit list may hold thousands, too many for template loops."""
    return mark_safe(  # noqa: S308  # nosec B308 B703  # values are ids and labels were escaped above
        "".join(f'<option value="{v}"{" selected" if v == selected else ""}>{label}</option>' for v, label in items)
    )


def _filter_choices(request: HttpRequest, **fields: str) -> dict[str, Any]:
    """``fields`` maps a context name to (choice list, query parameter), e.g. unit_options="units:unit"."""
    choices = _reference_choices()
    out: dict[str, Any] = {"kinds": Meeting.Kind.choices, "statuses": Meeting.Status.choices}
    for name, spec in fields.items():
        source, param = spec.split(":")
        out[name] = _options(choices[source], request.GET.get(param))
    return out


@login_required
def meeting_list(request: HttpRequest, mine: bool = False) -> HttpResponse:
    filters = _meeting_filters(request)
    if mine:
        if request.user.unit_id is None:  # no unit of one's own: the full list is the answer
            return redirect("meeting-list")
        filters["unit"] = request.user.unit_id
    qs = selectors.meeting_list(user=request.user, **filters)
    listing = list_page(
        request, qs.select_related(None), sort_fields=MEETING_SORTS, default_sort="-starts_at", per_page=PAGE_SIZE
    )
    selectors.attach_reply_counts(_fetch_page(listing, qs))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "listing": listing,
            "mine": mine,
            "can_create": _is_writer(request.user),
            "f": request.GET,
            **_filter_choices(
                request, convener_options="units:convener", task_options="tasks:task", region_options="regions:region"
            ),
        },
    )


@login_required
def meeting_mine(request: HttpRequest) -> HttpResponse:
    return meeting_list(request, mine=True)


@login_required
def meeting_calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    by_day: dict[date, list[Meeting]] = {}
    for meeting in selectors.meetings_in_month(user=request.user, year=year, month=month):
        by_day.setdefault(timezone.localdate(meeting.starts_at), []).append(meeting)
    weeks = [
        [{"day": d, "in_month": d.month == month, "meetings": by_day.get(d, []), "today": d == today} for d in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    first = date(year, month, 1)
    prev_month = first - timedelta(days=1)
    next_month = first + timedelta(days=32)
    return render(
        request,
        "meetings/meeting_calendar.html",
        {
            "weeks": weeks,
            "month": first,
            "prev": f"{prev_month.year}-{prev_month.month:02d}",
            "next": f"{next_month.year}-{next_month.month:02d}",
            "weekdays": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")],
        },
    )


def _meeting_form_save(request: HttpRequest, form: forms.MeetingForm, meeting: Meeting | None) -> Meeting | None:
    data = dict(form.cleaned_data)
    invited = data.pop("invited_units")
    tasks = data.pop("tasks")
    try:
        if meeting is None:
            return services.meeting_create(by=request.user, invited_units=invited, tasks=tasks, **data)
        return services.meeting_update(meeting=meeting, by=request.user, invited_units=invited, tasks=tasks, **data)
    except ValidationError as exc:
        forms.apply_errors(form, exc)
    except (NotPermitted, TransitionNotAllowed) as exc:
        form.add_error(None, exc.message)
    return None


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    if not _is_writer(request.user):
        raise Http404
    form = forms.MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        meeting = _meeting_form_save(request, form, None)
        if meeting is not None:
            messages.success(request, _("会议已安排,已通知参会单位。"))
            return redirect("meeting-detail", pk=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": None})


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    if not services.can_manage(request.user, meeting):
        raise Http404
    form = forms.MeetingForm(request.POST or None, user=request.user, initial=forms.MeetingForm.initial_from(meeting))
    if request.method == "POST" and form.is_valid():
        saved = _meeting_form_save(request, form, meeting)
        if saved is not None:
            messages.success(request, _("会议已更新。"))
            return redirect("meeting-detail", pk=saved.pk)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


def _detail_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    user = request.user
    manage = services.can_manage(user, meeting)
    invitations = list(meeting.invitations.all())
    mine = next((i for i in invitations if i.unit_id == user.unit_id), None)
    agenda = list(meeting.agenda_items.all())
    total = sum(item.minutes for item in agenda)
    minutes = Minutes.objects.filter(meeting=meeting).prefetch_related("confirmations__unit").first()
    attending = [i for i in invitations if i.reply in (Invitation.Reply.ATTENDING, Invitation.Reply.DELEGATE)]
    confirmed_units = {c.unit_id for c in minutes.confirmations.all()} if minutes else set()
    now = timezone.now()
    cutoff = meeting.agenda_cutoff or meeting.starts_at
    counts = {code: 0 for code, _label in Invitation.Reply.choices}
    for inv in invitations:
        counts[inv.reply] += 1
    return {
        "meeting": meeting,
        "can_manage": manage,
        "invitations": invitations,
        "reply_counts": [(label, counts[code], code) for code, label in Invitation.Reply.choices],
        "my_invitation": mine,
        "can_reply": mine is not None
        and meeting.status == Meeting.Status.PLANNED
        and meeting.starts_at > now
        and services.can_act_for_unit(user, mine.unit_id),
        "reply_form": forms.ReplyForm(
            initial={"reply": mine.reply, "attendees": mine.attendees, "reason": mine.reason} if mine else None
        ),
        "agenda": agenda,
        "agenda_total": total,
        "agenda_over": total > meeting.duration_minutes,
        "agenda_editable": manage and meeting.status in (Meeting.Status.PLANNED, Meeting.Status.HELD),
        "agenda_form": forms.AgendaItemForm(),
        "proposals": list(meeting.proposals.all()),
        "can_propose": meeting.status == Meeting.Status.PLANNED
        and now < cutoff
        and user.unit_id is not None
        and has_role(user, Role.LIAISON, Role.COURT_CLERK)
        and (mine is not None or user.unit_id == meeting.convener_id),
        "proposal_form": forms.ProposalForm(),
        "minutes": minutes,
        "minutes_form": forms.MinutesForm(initial={"body": minutes.body if minutes else ""}),
        "circulate_form": forms.CirculateForm(),
        "issue_form": forms.IssueForm(),
        "confirm_form": forms.ConfirmForm(),
        "attending": attending,
        "confirmed_units": confirmed_units,
        "can_confirm": minutes is not None
        and minutes.status == Minutes.Status.CIRCULATED
        and user.unit_id in {i.unit_id for i in attending}
        and user.unit_id not in confirmed_units
        and has_role(user, Role.LIAISON, Role.COURT_CLERK),
        "decisions": list(meeting.decisions.all()),
        "decision_form": forms.DecisionForm(),
        "cancel_form": forms.CancelForm(),
        "agenda_form_errors": None,
    }


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        meeting = selectors.meeting_detail(user=request.user, pk=pk)
    except Meeting.DoesNotExist:
        raise Http404 from None
    return render(request, "meetings/meeting_detail.html", _detail_context(request, meeting))


@login_required
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(selectors.meetings_for(request.user).select_related("convener"), pk=pk)
    response = HttpResponse(ical.meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


def _transition(request: HttpRequest, pk: int, action: Callable[[Meeting], Any], success: str) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    _run(request, lambda: action(meeting), success)
    return redirect("meeting-detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_hold(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, lambda m: services.meeting_hold(meeting=m, by=request.user), _("已确认会议召开。"))


@login_required
@require_POST
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, lambda m: services.meeting_close(meeting=m, by=request.user), _("会议已办结。"))


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _transition(
        request,
        pk,
        lambda m: services.meeting_cancel(meeting=m, by=request.user, reason=reason),
        _("会议已取消,已通知参会单位。"),
    )


@login_required
@require_POST
def meeting_reply(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    form = forms.ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择答复。"))
        return redirect("meeting-detail", pk=meeting.pk)
    unit = request.user.unit
    if unit is None:
        raise Http404
    _run(
        request,
        lambda: services.invitation_reply(meeting=meeting, unit=unit, by=request.user, **form.cleaned_data),
        _("答复已提交。"),
    )
    return redirect("meeting-detail", pk=meeting.pk)


# --- agenda (plain POST forms; htmx swaps the agenda block when present) ----------------------------------


def _agenda_response(request: HttpRequest, meeting_id: int) -> HttpResponse:
    if getattr(request, "htmx", False):
        meeting = selectors.meeting_detail(user=request.user, pk=meeting_id)
        return render(request, "meetings/_agenda.html", _detail_context(request, meeting))
    return redirect(reverse("meeting-detail", args=[meeting_id]) + "#agenda")


@login_required
@require_POST
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    form = forms.AgendaItemForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.agenda_add(meeting=meeting, by=request.user, **form.cleaned_data),
            _("议题已添加。"),
        )
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return _agenda_response(request, meeting.pk)


def _item_or_404(request: HttpRequest, item_id: int) -> AgendaItem:
    item = get_object_or_404(AgendaItem, pk=item_id)
    _meeting_or_404(request, item.meeting_id)
    return item


@login_required
@require_POST
def agenda_move(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(request, item_id)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    try:
        services.agenda_move(item=item, by=request.user, direction=direction)
    except (NotPermitted, TransitionNotAllowed) as exc:
        messages.error(request, exc.message)
    return _agenda_response(request, item.meeting_id)


@login_required
@require_POST
def agenda_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    """The drag-and-drop order (``order=3,1,2``); the up/down buttons remain the way without JavaScript."""
    meeting = _meeting_or_404(request, pk)
    try:
        ids = [int(x) for x in request.POST.get("order", "").split(",") if x.strip()]
    except ValueError:
        ids = []
    try:
        services.agenda_reorder(meeting=meeting, by=request.user, item_ids=ids)
    except (NotPermitted, TransitionNotAllowed) as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _agenda_response(request, meeting.pk)


@login_required
@require_POST
def agenda_delete(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(request, item_id)
    meeting_id = item.meeting_id
    _run(request, lambda: services.agenda_remove(item=item, by=request.user), _("议题已删除。"))
    return _agenda_response(request, meeting_id)


@login_required
@require_POST
def proposal_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    form = forms.ProposalForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.proposal_submit(meeting=meeting, by=request.user, **form.cleaned_data),
            _("议题建议已提交召集单位。"),
        )
    else:
        messages.error(request, _("请填写建议议题和时长。"))
    return redirect(reverse("meeting-detail", args=[meeting.pk]) + "#agenda")


@login_required
@require_POST
def proposal_decide(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = get_object_or_404(TopicProposal, pk=proposal_id)
    _meeting_or_404(request, proposal.meeting_id)
    accept = request.POST.get("accept") == "1"
    _run(
        request,
        lambda: services.proposal_decide(proposal=proposal, by=request.user, accept=accept),
        _("已列入议程。") if accept else _("已标记为未采纳。"),
    )
    return redirect(reverse("meeting-detail", args=[proposal.meeting_id]) + "#agenda")


# --- minutes ---------------------------------------------------------------------------------------------


@login_required
@require_POST
def minutes_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    user = request.user
    if action == "save":
        form: Any = forms.MinutesForm(request.POST)
        call = lambda: services.minutes_save(meeting=meeting, by=user, **form.cleaned_data)  # noqa: E731
        done = _("纪要已保存。")
    elif action == "circulate":
        form = forms.CirculateForm(request.POST)
        call = lambda: services.minutes_circulate(meeting=meeting, by=user, **form.cleaned_data)  # noqa: E731
        done = _("纪要已送参会单位确认。")
    elif action == "confirm":
        form = forms.ConfirmForm(request.POST)
        call = lambda: services.minutes_confirm(meeting=meeting, by=user, **form.cleaned_data)  # noqa: E731
        done = _("已确认会议纪要。")
    elif action == "issue":
        form = forms.IssueForm(request.POST)
        call = lambda: services.minutes_issue(meeting=meeting, by=user, **form.cleaned_data)  # noqa: E731
        done = _("会议纪要已印发。")
    else:
        raise Http404
    if form.is_valid():
        _run(request, call, done)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(reverse("meeting-detail", args=[meeting.pk]) + "#minutes")


# --- decisions -------------------------------------------------------------------------------------------


@login_required
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    if not services.can_manage(request.user, meeting):
        raise Http404
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_add(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        except (NotPermitted, TransitionNotAllowed) as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("议定事项已添加,已通知牵头单位。"))
            return redirect(reverse("meeting-detail", args=[meeting.pk]) + "#decisions")
    return render(request, "meetings/decision_form.html", {"form": form, "meeting": meeting})


@login_required
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an open decision (its due date re-arms the reminders); the convener side only."""
    decision = get_object_or_404(selectors.decisions_for(request.user).select_related("meeting"), pk=pk)
    meeting = decision.meeting
    if not services.can_manage(request.user, meeting) or decision.status != Decision.Status.OPEN:
        raise Http404
    initial = {
        "text": decision.text,
        "owner_unit": decision.owner_unit_id,
        "supporting_units": list(decision.supporting_units.values_list("pk", flat=True)),
        "due": decision.due,
    }
    form = forms.DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_update(decision=decision, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        except (NotPermitted, TransitionNotAllowed) as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("议定事项已更新。"))
            return redirect("decision-detail", pk=decision.pk)
    return render(request, "meetings/decision_form.html", {"form": form, "meeting": meeting, "decision": decision})


@login_required
def decision_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    overdue = {"1": True, "0": False}.get(g.get("overdue", ""))
    qs = selectors.decision_list(
        user=request.user,
        search=g.get("q", "").strip(),
        status=g.get("status", "open" if "status" not in g else ""),
        owner=_int(g.get("owner")),
        overdue=overdue,
        meeting=_int(g.get("meeting")),
    )
    listing = list_page(request, qs.select_related(None), sort_fields=DECISION_SORTS, default_sort="due")
    _fetch_page(listing, qs)
    return render(
        request,
        "meetings/decision_list.html",
        {
            "listing": listing,
            "f": g,
            "status_value": g.get("status", "open" if "status" not in g else ""),
            "statuses": Decision.Status.choices,
            **_filter_choices(request, owner_options="units:owner"),
        },
    )


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(
        selectors.decisions_for(request.user)
        .select_related("meeting", "owner_unit", "done_by")
        .prefetch_related("supporting_units", "progress__unit", "progress__by"),
        pk=pk,
    )
    user = request.user
    units = {decision.owner_unit_id, *(u.pk for u in decision.supporting_units.all())}
    is_unit = user.unit_id is not None and has_role(user, Role.LIAISON, Role.COURT_CLERK)
    return render(
        request,
        "meetings/decision_detail.html",
        {
            "decision": decision,
            "can_progress": decision.status == Decision.Status.OPEN
            and (is_office(user) or (is_unit and user.unit_id in units)),
            "can_complete": decision.status == Decision.Status.OPEN
            and (is_office(user) or (is_unit and user.unit_id == decision.owner_unit_id)),
            "can_edit": decision.status == Decision.Status.OPEN and services.can_manage(user, decision.meeting),
            "progress_form": forms.NoteForm(label=_("进展情况")),
            "complete_form": forms.NoteForm(label=_("办结说明")),
        },
    )


@login_required
@require_POST
def decision_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    decision = get_object_or_404(selectors.decisions_for(request.user), pk=pk)
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写说明。"))
    elif action == "progress":
        _run(
            request,
            lambda: services.decision_add_progress(decision=decision, by=request.user, note=form.cleaned_data["note"]),
            _("进展已记录。"),
        )
    elif action == "complete":
        _run(
            request,
            lambda: services.decision_complete(decision=decision, by=request.user, note=form.cleaned_data["note"]),
            _("议定事项已办结。"),
        )
    else:
        raise Http404
    return redirect("decision-detail", pk=decision.pk)


# --- consultations --------------------------------------------------------------------------------------


def _consultation_filters(request: HttpRequest) -> dict[str, Any]:
    g = request.GET
    return {
        "search": g.get("q", "").strip(),
        "topic_kind": g.get("topic_kind", ""),
        "level": g.get("level", ""),
        "region": _int(g.get("region")),
        "unit": _int(g.get("unit")),
        "task": _int(g.get("task")),
        "date_from": _date(g.get("from")),
        "date_to": _date(g.get("to")),
    }


@login_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.consultation_list(user=request.user, **_consultation_filters(request))
    listing = list_page(request, qs.select_related(None), sort_fields=CONSULTATION_SORTS, default_sort="-held_on")
    _fetch_page(listing, qs)
    return render(
        request,
        "meetings/consultation_list.html",
        {
            "listing": listing,
            "query": _query_without_page(request),
            "f": request.GET,
            "topic_kinds": Consultation.TopicKind.choices,
            "levels": MemberUnit.Level.choices,
            "can_create": _is_writer(request.user),
            **_filter_choices(
                request, unit_options="units:unit", task_options="tasks:task", region_options="regions:region"
            ),
        },
    )


EXPORT_LIMIT = 100_000


@login_required
def consultation_export(request: HttpRequest) -> HttpResponse:
    qs = (
        selectors.consultation_list(user=request.user, **_consultation_filters(request))
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
            c.meeting.title if c.meeting else "",
            c.logging_unit.name if c.logging_unit else "",
        ]
        for c in qs[:EXPORT_LIMIT].iterator(chunk_size=2000)
    )
    return rows_response(
        sheet_title=_("会商"), header=header, rows=rows, filename=f"consultations-{timezone.localdate():%Y%m%d}.xlsx"
    )


def _consultation_save(
    request: HttpRequest, form: forms.ConsultationForm, consultation: Consultation | None
) -> Consultation | None:
    data = dict(form.cleaned_data)
    try:
        if consultation is None:
            return services.consultation_log(by=request.user, **data)
        return services.consultation_update(consultation=consultation, by=request.user, **data)
    except ValidationError as exc:
        forms.apply_errors(form, exc)
    except NotPermitted as exc:
        form.add_error(None, exc.message)
    return None


@login_required
def consultation_create(request: HttpRequest) -> HttpResponse:
    if not _is_writer(request.user):
        raise Http404
    initial = {"held_on": timezone.localdate()}
    unit = request.user.unit
    if unit is not None:
        initial.update({"units": [unit.pk], "level": unit.level, "region": unit.region_id})
    form = forms.ConsultationForm(
        request.POST or None, initial=initial, meetings=selectors.meetings_for(request.user).order_by("-starts_at")
    )
    if request.method == "POST" and form.is_valid():
        consultation = _consultation_save(request, form, None)
        if consultation is not None:
            messages.success(request, _("会商已登记。"))
            return redirect("consultation-detail", pk=consultation.pk)
    return render(request, "meetings/consultation_form.html", {"form": form, "consultation": None})


@login_required
def consultation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_object_or_404(selectors.consultations_for(request.user), pk=pk)
    if not services.can_act_for_unit(request.user, consultation.logging_unit_id):
        raise Http404
    form = forms.ConsultationForm(
        request.POST or None,
        initial=forms.ConsultationForm.initial_from(consultation),
        meetings=selectors.meetings_for(request.user).order_by("-starts_at"),
    )
    if request.method == "POST" and form.is_valid():
        saved = _consultation_save(request, form, consultation)
        if saved is not None:
            messages.success(request, _("会商记录已更新。"))
            return redirect("consultation-detail", pk=saved.pk)
    return render(request, "meetings/consultation_form.html", {"form": form, "consultation": consultation})


@login_required
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_object_or_404(
        selectors.consultations_for(request.user)
        .select_related("logging_unit", "logged_by", "region", "meeting")
        .prefetch_related("units", "tasks"),
        pk=pk,
    )
    return render(
        request,
        "meetings/consultation_detail.html",
        {
            "consultation": consultation,
            "can_edit": services.can_act_for_unit(request.user, consultation.logging_unit_id),
        },
    )


# --- calendar feed --------------------------------------------------------------------------------------


@login_required
def calendar_feed(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_token_revoke(user=user)
            messages.success(request, _("订阅地址已停用。"))
        else:
            services.feed_token_regenerate(user=user)
            messages.success(request, _("已生成新的订阅地址,旧地址立即失效。"))
        return redirect("calendar-feed")
    token = CalendarFeedToken.objects.filter(user=user).first()
    feed_url = request.build_absolute_uri(reverse("calendar-feed-ics", args=[token.token])) if token else ""
    return render(
        request,
        "meetings/calendar_feed.html",
        {"token": token, "feed_url": feed_url, "has_unit": user.unit_id is not None or can_read_all(user)},
    )


FEED_DAYS_BACK = 180
FEED_CACHE_SECONDS = 600


def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: no sign-in, the secret in the URL is the key. The meetings of the user's unit.

    Calendar clients poll it; the body is cached under a key that changes with any change to the
    unit's meetings (their number and latest update), and answered 304 when the client has it.
    """
    feed = (
        CalendarFeedToken.objects.select_related("user", "user__unit").filter(token=token, user__is_active=True).first()
    )
    if feed is None:
        raise Http404
    since = timezone.now() - timedelta(days=FEED_DAYS_BACK)
    meetings = selectors.feed_meetings(unit_id=feed.user.unit_id, since=since)
    state = meetings.aggregate(n=Count("pk"), last=Max("updated_at"))
    last = state["last"].timestamp() if state["last"] else 0
    etag = f'"{feed.user.unit_id}-{state["n"]}-{last:.6f}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304, headers={"ETag": etag})
    key = f"meetings:feed:{etag}"
    body = cache.get(key)
    if body is None:
        unit = feed.user.unit
        name = _("府院联动会议") + (f" · {unit.display_name}" if unit else "")
        body = ical.feed_ics(meetings.values(*ical.FEED_FIELDS), name=name)
        cache.set(key, body, FEED_CACHE_SECONDS)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=300"
    return response
