"""Pages of joint meetings. Every view starts from ``visible_to``; every write calls a service; what a
user may do comes from ``services.allowed_actions`` (the templates test ``"hold" in actions``)."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.forms import run
from fuyuan.lib.gongwen import official_response
from fuyuan.lib.listing import list_page
from meetings.meetings import agenda, attendance, documents, forms, ical, minutes, selectors, services
from meetings.meetings.confirmation import answer_rows, answers
from meetings.meetings.filters import MeetingPageFilter
from meetings.meetings.models import AgendaItem, CalendarFeedToken, Invitation, Meeting, Minutes, TopicProposal
from meetings.meetings.reminders import minutes_of
from meetings.pages import filter_choices, form_errors, form_page
from members.levels import reads_everything
from members.types import AuthenticatedHttpRequest

PAGE_SIZE = 20
MEETING_SORTS: dict[str, str | tuple[str, ...]] = {
    "starts_at": "starts_at",
    "title": "title",
    "kind": "kind",
    "status": "status",
}

# --- meetings ---------------------------------------------------------------------------------------------


def _meeting_or_404(request: AuthenticatedHttpRequest, pk: int) -> Meeting:
    return get_object_or_404(selectors.visible_to(request.user), pk=pk)


@login_required
def meeting_list(request: AuthenticatedHttpRequest, mine: bool = False) -> HttpResponse:
    qs = selectors.visible_to(request.user)
    if mine:
        if request.user.unit_id is None:  # no unit of one's own: the full list is the answer
            return redirect("meeting-list")
        qs = qs.filter(selectors.of_unit(request.user.unit_id))
    qs = MeetingPageFilter(request.GET, queryset=qs).qs.select_related("convener", "region")
    # The page's rows come with their joins; DeepPaginator pages over the bare ids underneath.
    listing = list_page(request, qs, sort_fields=MEETING_SORTS, default_sort="-starts_at", per_page=PAGE_SIZE)
    selectors.attach_reply_counts(listing.object_list)
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "listing": listing,
            "mine": mine,
            "can_create": services.can_create(request.user),
            "f": request.GET,
            **filter_choices(
                request,
                bar=("q", "kind", "status", "task", "convener", "level", "region", "from", "to"),
                convener_picker="units:convener",
                task_options="tasks:task",
                region_options="regions:region",
            ),
        },
    )


@login_required
def meeting_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    return meeting_list(request, mine=True)


@login_required
def meeting_calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
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


def _meeting_save(request: AuthenticatedHttpRequest, form: forms.MeetingForm, meeting: Meeting | None) -> Meeting:
    data = dict(form.cleaned_data)
    invited = data.pop("invited_units")
    tasks = data.pop("tasks")
    if isinstance(form, forms.RecordForm):
        return services.meeting_record(by=request.user, invited_units=invited, tasks=tasks, **data)
    if meeting is None:
        return services.meeting_create(by=request.user, invited_units=invited, tasks=tasks, **data)
    return services.meeting_update(meeting=meeting, by=request.user, invited_units=invited, tasks=tasks, **data)


def _form_page(
    request: AuthenticatedHttpRequest, form: forms.MeetingForm, meeting: Meeting | None, done: str
) -> HttpResponse:
    return form_page(
        request,
        form,
        lambda: _meeting_save(request, form, meeting),
        done=done,
        detail="meeting-detail",
        template="meetings/meeting_form.html",
        context={"meeting": meeting, "recording": isinstance(form, forms.RecordForm)},
    )


@login_required
def meeting_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not services.can_create(request.user):
        raise PermissionDenied(services.CREATE_REFUSAL)
    form = forms.MeetingForm(request.POST or None, user=request.user)
    return _form_page(request, form, None, _("会议已安排,已通知参会单位。"))


@login_required
def meeting_record(request: AuthenticatedHttpRequest) -> HttpResponse:
    """补录已召开会议: a meeting held offline, entered afterwards as held (no notices)."""
    if not services.can_create(request.user):
        raise Http404
    form = forms.RecordForm(request.POST or None, user=request.user)
    return _form_page(request, form, None, _("已补录会议,可登记签到、起草纪要和议定事项。"))


@login_required
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    if not services.can_manage(request.user, meeting):
        raise PermissionDenied(services.MANAGE_REFUSAL)
    form = forms.MeetingForm(request.POST or None, user=request.user, initial=forms.MeetingForm.initial_from(meeting))
    return _form_page(request, form, meeting, _("会议已更新。"))


def minutes_confirmation_context(meeting: Meeting, minutes: Minutes | None, user: Any) -> dict[str, Any]:
    """The minutes' confirmation table (每家单位: 已确认 / 有意见 / 未确认) and the unit's form with its answer."""
    mine = answers(minutes).get(user.unit_id) if minutes is not None and user.unit_id else None
    initial = {"verdict": mine.verdict, "comment": mine.comment} if mine is not None else None
    return {
        "answer_rows": answer_rows(meeting, minutes),
        "my_answer": mine,
        "confirm_form": forms.ConfirmForm(initial=initial),
    }


def _detail_context(request: AuthenticatedHttpRequest, meeting: Meeting) -> dict[str, Any]:
    invitations = list(meeting.invitations.all())
    mine = next((i for i in invitations if i.unit_id == request.user.unit_id), None)
    agenda_items = list(meeting.agenda_items.all())
    total = sum(item.minutes for item in agenda_items)
    meeting_minutes = minutes_of(meeting)
    counts = {code: 0 for code, _label in Invitation.Reply.choices}
    for inv in invitations:
        counts[inv.reply] += 1
    return {
        "meeting": meeting,
        "actions": services.allowed_actions(meeting, request.user),
        "invitations": invitations,
        "reply_counts": [(label, counts[code], code) for code, label in Invitation.Reply.choices],
        "my_invitation": mine,
        "reply_form": forms.ReplyForm(
            initial={"reply": mine.reply, "attendees": mine.attendees, "reason": mine.reason} if mine else None
        ),
        "agenda": agenda_items,
        "agenda_total": total,
        "agenda_over": total > meeting.duration_minutes,
        "agenda_form": forms.AgendaItemForm(),
        "proposals": list(meeting.proposals.all()),
        "proposal_form": forms.ProposalForm(),
        "minutes": meeting_minutes,
        "minutes_form": forms.MinutesForm(initial={"body": meeting_minutes.body if meeting_minutes else ""}),
        "circulate_form": forms.CirculateForm(),
        "issue_form": forms.IssueForm(),
        **minutes_confirmation_context(meeting, meeting_minutes, request.user),
        "decisions": list(meeting.decisions.all()),
        "cancel_form": forms.CancelForm(),
        "signed": [i for i in invitations if i.signed_at is not None],
        "attended_count": sum(1 for i in invitations if i.attended),
    }


@login_required
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        meeting = selectors.meeting_detail(user=request.user, pk=pk)
    except Meeting.DoesNotExist:
        raise Http404 from None
    return render(request, "meetings/meeting_detail.html", _detail_context(request, meeting))


@login_required
def meeting_ics(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(selectors.visible_to(request.user).select_related("convener"), pk=pk)
    response = HttpResponse(ical.meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


def _transition(
    request: AuthenticatedHttpRequest, pk: int, action: Callable[[Meeting], Any], success: str
) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    run(request, lambda: action(meeting), success)
    return redirect("meeting-detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_hold(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, lambda m: services.meeting_hold(meeting=m, by=request.user), _("已确认会议召开。"))


@login_required
@require_POST
def meeting_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, lambda m: services.meeting_close(meeting=m, by=request.user), _("会议已办结。"))


@login_required
@require_POST
def meeting_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _transition(
        request,
        pk,
        lambda m: services.meeting_cancel(meeting=m, by=request.user, reason=reason),
        _("会议已取消,已通知参会单位。"),
    )


@login_required
@require_POST
def meeting_reply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    form = forms.ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择答复。"))
        return redirect("meeting-detail", pk=meeting.pk)
    unit = request.user.unit
    if unit is None:
        raise Http404
    run(
        request,
        lambda: services.invitation_reply(meeting=meeting, unit=unit, by=request.user, **form.cleaned_data),
        _("答复已提交。"),
    )
    return redirect("meeting-detail", pk=meeting.pk)


@login_required
def meeting_attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """签到表: one form (a formset) for every invited unit; only the convener side, once the meeting is held."""
    meeting = _meeting_or_404(request, pk)
    if not services.can_manage(request.user, meeting):
        raise Http404
    invitations = list(meeting.invitations.select_related("unit"))
    initial = forms.sign_in_initial(invitations)
    formset = forms.SignInFormSet(request.POST or None, initial=initial)
    if request.method == "POST" and formset.is_valid():
        lines = [attendance.SignIn(d["unit"], d["attendance"], d["signed_names"]) for d in formset.cleaned_data]
        saved = run(
            request,
            lambda: attendance.attendance_record(meeting=meeting, by=request.user, lines=lines),
            _("签到表已保存。"),
        )
        if saved:
            return redirect(reverse("meeting-detail", args=[meeting.pk]) + "#attendance")
    elif request.method == "POST":
        messages.error(request, _("签到表填写有误,请检查后重新提交。"))
    if len(formset.forms) != len(invitations):  # a stale or altered form: start again from what is recorded
        formset = forms.SignInFormSet(initial=initial)
    rows = list(zip(invitations, formset.forms, strict=True))
    allowed = "record_attendance" in services.allowed_actions(meeting, request.user)
    return render(
        request,
        "meetings/meeting_attendance.html",
        {"meeting": meeting, "formset": formset, "rows": rows, "allowed": allowed},
    )


# --- agenda (plain POST forms; htmx swaps the agenda block when present) ----------------------------------


def _agenda_response(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    if getattr(request, "htmx", False):
        meeting = selectors.meeting_detail(user=request.user, pk=meeting_id)
        return render(request, "meetings/_agenda.html", _detail_context(request, meeting))
    return redirect(reverse("meeting-detail", args=[meeting_id]) + "#agenda")


@login_required
@require_POST
def agenda_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    form = forms.AgendaItemForm(request.POST)
    if form.is_valid():
        run(
            request,
            lambda: agenda.agenda_add(meeting=meeting, by=request.user, **form.cleaned_data),
            _("议题已添加。"),
        )
    else:
        messages.error(request, form_errors(form))
    return _agenda_response(request, meeting.pk)


def _item_or_404(request: AuthenticatedHttpRequest, item_id: int) -> AgendaItem:
    item = get_object_or_404(AgendaItem, pk=item_id)
    _meeting_or_404(request, item.meeting_id)
    return item


@login_required
@require_POST
def agenda_move(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(request, item_id)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    try:
        agenda.agenda_move(item=item, by=request.user, direction=direction)
    except (NotPermitted, TransitionNotAllowed) as exc:
        messages.error(request, exc.message)
    return _agenda_response(request, item.meeting_id)


@login_required
@require_POST
def agenda_reorder(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The drag-and-drop order (``order=3,1,2``); the up/down buttons remain the way without JavaScript."""
    meeting = _meeting_or_404(request, pk)
    try:
        ids = [int(x) for x in request.POST.get("order", "").split(",") if x.strip()]
    except ValueError:
        ids = []
    try:
        agenda.agenda_reorder(meeting=meeting, by=request.user, item_ids=ids)
    except (NotPermitted, TransitionNotAllowed) as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _agenda_response(request, meeting.pk)


@login_required
@require_POST
def agenda_delete(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(request, item_id)
    meeting_id = item.meeting_id
    run(request, lambda: agenda.agenda_remove(item=item, by=request.user), _("议题已删除。"))
    return _agenda_response(request, meeting_id)


@login_required
@require_POST
def proposal_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    form = forms.ProposalForm(request.POST)
    if form.is_valid():
        run(
            request,
            lambda: agenda.proposal_submit(meeting=meeting, by=request.user, **form.cleaned_data),
            _("议题建议已提交召集单位。"),
        )
    else:
        messages.error(request, _("请填写建议议题和时长。"))
    return redirect(reverse("meeting-detail", args=[meeting.pk]) + "#agenda")


@login_required
@require_POST
def proposal_decide(request: AuthenticatedHttpRequest, proposal_id: int) -> HttpResponse:
    proposal = get_object_or_404(TopicProposal, pk=proposal_id)
    _meeting_or_404(request, proposal.meeting_id)
    accept = request.POST.get("accept") == "1"
    run(
        request,
        lambda: agenda.proposal_decide(proposal=proposal, by=request.user, accept=accept),
        _("已列入议程。") if accept else _("已标记为未采纳。"),
    )
    return redirect(reverse("meeting-detail", args=[proposal.meeting_id]) + "#agenda")


# --- minutes ---------------------------------------------------------------------------------------------


MINUTES_ACTIONS: dict[str, tuple[type[Any], Callable[..., Any], Any]] = {
    "save": (forms.MinutesForm, minutes.minutes_save, gettext_lazy("纪要已保存。")),
    "circulate": (forms.CirculateForm, minutes.minutes_circulate, gettext_lazy("纪要已送参会单位确认。")),
    "confirm": (forms.ConfirmForm, minutes.minutes_confirm, gettext_lazy("本单位的意见已提交召集方。")),
    "issue": (forms.IssueForm, minutes.minutes_issue, gettext_lazy("会议纪要已印发。")),
}


@login_required
@require_POST
def minutes_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    if action not in MINUTES_ACTIONS:
        raise Http404
    form_class, service, done = MINUTES_ACTIONS[action]
    form = form_class(request.POST)
    if form.is_valid():
        run(request, lambda: service(meeting=meeting, by=request.user, **form.cleaned_data), str(done))
    else:
        messages.error(request, form_errors(form))
    return redirect(reverse("meeting-detail", args=[meeting.pk]) + "#minutes")


# --- calendar feed --------------------------------------------------------------------------------------


@login_required
def calendar_feed(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            ical.feed_token_revoke(user=user)
            messages.success(request, _("订阅地址已停用。"))
        else:
            ical.feed_token_regenerate(user=user)
            messages.success(request, _("已生成新的订阅地址,旧地址立即失效。"))
        return redirect("calendar-feed")
    token = CalendarFeedToken.objects.filter(user=user).first()
    feed_url = request.build_absolute_uri(reverse("calendar-feed-ics", args=[token.token])) if token else ""
    return render(
        request,
        "meetings/calendar_feed.html",
        {"token": token, "feed_url": feed_url, "has_unit": user.unit_id is not None or reads_everything(user)},
    )


FEED_DAYS_BACK = 180
FEED_CACHE_SECONDS = 600


def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: no sign-in, the secret in the URL is the key. The meetings of the user's unit.

    Calendar clients poll it; the body is cached under a key that changes with any change to the
    unit's meetings (their number and latest update), and answered 304 when the client has it.
    """
    feed = (
        CalendarFeedToken.objects.select_related("user", "user__unit__region")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    since = timezone.now() - timedelta(days=FEED_DAYS_BACK)
    meetings = selectors.feed_meetings(user=feed.user, since=since)
    state = meetings.aggregate(n=Count("pk"), last=Max("updated_at"))
    last = state["last"].timestamp() if state["last"] else 0
    # The feed is the user's scope (their unit's, or their region's for an office): keyed by the user.
    etag = f'"{feed.user.pk}-{state["n"]}-{last:.6f}"'
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


# --- 公文 (issue 18): the 会议通知 and the 会议纪要 as .docx and print view, for anyone who sees the meeting ---
@login_required
@require_GET
def meeting_official(request: AuthenticatedHttpRequest, pk: int, name: str, as_docx: bool) -> HttpResponse:
    """The 会议通知 (``name="notice"``) or the 会议纪要 (``"minutes"``), as .docx or as print view."""
    meeting = get_object_or_404(documents.queryset(request.user), pk=pk)
    try:
        doc = documents.meeting_minutes(meeting) if name == "minutes" else documents.meeting_notice(meeting)
    except documents.NoMinutes as exc:
        raise Http404(_("会议纪要尚未起草。")) from exc
    docx_url = reverse("meeting-minutes-docx" if name == "minutes" else "meeting-notice-docx", args=[pk])
    return official_response(
        request, doc, as_docx=as_docx, back_url=reverse("meeting-detail", args=[pk]), docx_url=docx_url
    )
