"""Reads of the meetings app. Scope lives here, ONE function per model: every view starts from it.

Office, leaders and administrators see everything; a liaison or a court clerk sees the meetings
their unit convenes or is invited to, the consultations their unit took part in or logged, and
the decisions their unit owns or supports (or took at a meeting it convened). Anything else is 404.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from meetings.models import AgendaItem, Consultation, Decision, Invitation, Meeting, TopicProposal
from members.models import User
from members.roles import can_read_all


def _unit_id(user: Any) -> int | None:
    return getattr(user, "unit_id", None)


def meetings_for(user: User) -> QuerySet[Meeting]:
    """The meetings ``user`` may see."""
    qs = Meeting.objects.all()
    if can_read_all(user):
        return qs
    unit_id = _unit_id(user)
    if unit_id is None:
        return qs.none()
    invited = Invitation.objects.filter(meeting=OuterRef("pk"), unit_id=unit_id)
    return qs.filter(Q(convener_id=unit_id) | Exists(invited))


def consultations_for(user: User) -> QuerySet[Consultation]:
    qs = Consultation.objects.all()
    if can_read_all(user):
        return qs
    unit_id = _unit_id(user)
    if unit_id is None:
        return qs.none()
    # A UNION of two index scans: "logged OR took part" as OR EXISTS made PostgreSQL scan every row.
    # Neither part is ordered (Consultation's default ordering is cleared): SQLite refuses an ORDER BY
    # inside a compound statement, and the union's order means nothing to ``pk IN (...)`` anyway.
    logged = Consultation.objects.filter(logging_unit_id=unit_id).order_by().values("pk")
    took_part = Consultation.units.through.objects.filter(memberunit_id=unit_id).order_by().values("consultation_id")
    return qs.filter(pk__in=logged.union(took_part))


def decisions_for(user: User) -> QuerySet[Decision]:
    qs = Decision.objects.all()
    if can_read_all(user):
        return qs
    unit_id = _unit_id(user)
    if unit_id is None:
        return qs.none()
    supports = Decision.supporting_units.through.objects.filter(decision=OuterRef("pk"), memberunit_id=unit_id)
    # The convening unit follows up the decisions of its own meetings too.
    return qs.filter(Q(owner_unit_id=unit_id) | Exists(supports) | Q(meeting__convener_id=unit_id))


# --- Lists ------------------------------------------------------------------------------------


def meeting_list(
    *,
    user: User,
    search: str = "",
    kind: str = "",
    status: str = "",
    convener: int | str | None = None,
    task: int | str | None = None,
    region: int | str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    unit: int | None = None,
) -> QuerySet[Meeting]:
    qs = meetings_for(user).select_related("convener", "region")
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(location__icontains=search))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if convener:
        qs = qs.filter(convener_id=convener)
    if task:
        qs = qs.filter(tasks__id=task)
    if region:
        qs = qs.filter(region_id=region)
    if date_from:
        qs = qs.filter(starts_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(starts_at__lt=_day_start(date_to + timedelta(days=1)))
    if unit:
        invited = Invitation.objects.filter(meeting=OuterRef("pk"), unit_id=unit)
        qs = qs.filter(Q(convener_id=unit) | Exists(invited))
    return qs.order_by("-starts_at", "-id")


def attach_reply_counts(meetings: list[Meeting]) -> list[Meeting]:
    """Set ``invited_count`` and ``replied_count`` on a page of meetings with one query."""
    counts = {
        row["meeting_id"]: row
        for row in Invitation.objects.filter(meeting_id__in=[m.pk for m in meetings])
        .values("meeting_id")
        .annotate(invited=Count("id"), replied=Count("id", filter=~Q(reply=Invitation.Reply.PENDING)))
    }
    for m in meetings:
        row = counts.get(m.pk, {})
        m.invited_count = row.get("invited", 0)
        m.replied_count = row.get("replied", 0)
    return meetings


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def meetings_in_month(*, user: User, year: int, month: int) -> QuerySet[Meeting]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (
        meetings_for(user)
        .filter(starts_at__gte=_day_start(first), starts_at__lt=_day_start(nxt))
        .select_related("convener")
        .order_by("starts_at", "id")
    )


def meeting_detail(*, user: User, pk: int) -> Meeting:
    """One meeting in the user's scope with everything its page shows; Meeting.DoesNotExist otherwise."""
    return (
        meetings_for(user)
        .select_related("convener", "region", "created_by")
        .prefetch_related(
            "tasks",
            Prefetch("invitations", queryset=Invitation.objects.select_related("unit", "replied_by")),
            Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("presenter_unit")),
            Prefetch("proposals", queryset=TopicProposal.objects.select_related("unit")),
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("owner_unit").prefetch_related("supporting_units"),
            ),
        )
        .get(pk=pk)
    )


def agenda_total(meeting: Meeting) -> int:
    return meeting.agenda_items.aggregate(total=Sum("minutes"))["total"] or 0


def decision_list(
    *,
    user: User,
    search: str = "",
    status: str = "",
    owner: int | str | None = None,
    overdue: bool | None = None,
    meeting: int | str | None = None,
    today: date | None = None,
) -> QuerySet[Decision]:
    today = today or timezone.localdate()
    qs = decisions_for(user).select_related("owner_unit", "meeting")
    if search:
        qs = qs.filter(text__icontains=search)
    if status:
        qs = qs.filter(status=status)
    if owner:
        qs = qs.filter(owner_unit_id=owner)
    if meeting:
        qs = qs.filter(meeting_id=meeting)
    if overdue is True:
        qs = qs.filter(status=Decision.Status.OPEN, due__lt=today)
    elif overdue is False:
        qs = qs.exclude(status=Decision.Status.OPEN, due__lt=today)
    return qs.order_by("status", "due", "id")


def consultation_list(
    *,
    user: User,
    search: str = "",
    topic_kind: str = "",
    level: str = "",
    region: int | str | None = None,
    unit: int | str | None = None,
    task: int | str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Consultation]:
    qs = consultations_for(user).select_related("logging_unit", "region", "meeting")
    if search:
        qs = qs.filter(Q(topic__icontains=search) | Q(case_number__icontains=search))
    if topic_kind:
        qs = qs.filter(topic_kind=topic_kind)
    if level:
        qs = qs.filter(level=level)
    if region:
        qs = qs.filter(region_id=region)
    if unit:
        took_part = Consultation.units.through.objects.filter(consultation=OuterRef("pk"), memberunit_id=unit)
        qs = qs.filter(Exists(took_part))
    if task:
        in_task = Consultation.tasks.through.objects.filter(consultation=OuterRef("pk"), worktask_id=task)
        qs = qs.filter(Exists(in_task))
    if date_from:
        qs = qs.filter(held_on__gte=date_from)
    if date_to:
        qs = qs.filter(held_on__lte=date_to)
    return qs.order_by("-held_on", "-id")


# --- The unit's home --------------------------------------------------------------------------


def unit_home(*, user: User, now: datetime | None = None, limit: int = 5) -> dict[str, Any]:
    """Upcoming meetings and open decisions for ``meetings/_unit_home.html`` (pass it as ``panel``).

    A unit's people see their unit's meetings and the decisions it owns; the office and leaders
    see the next meetings of the mechanism and the decisions most overdue.
    """
    now = now or timezone.now()
    upcoming = Meeting.objects.filter(status=Meeting.Status.PLANNED, ends_at__gte=now)
    open_decisions = Decision.objects.filter(status=Decision.Status.OPEN)
    if can_read_all(user):
        scope = "all"
    else:
        unit_id = _unit_id(user)
        if unit_id is None:
            return {"upcoming_meetings": [], "open_decisions": [], "scope": "none"}
        invited = Invitation.objects.filter(meeting=OuterRef("pk"), unit_id=unit_id)
        upcoming = upcoming.filter(Q(convener_id=unit_id) | Exists(invited))
        open_decisions = open_decisions.filter(owner_unit_id=unit_id)
        scope = "unit"
    return {
        "upcoming_meetings": list(upcoming.select_related("convener").order_by("starts_at", "id")[:limit]),
        "open_decisions": list(open_decisions.select_related("owner_unit").order_by("due", "id")[:limit]),
        "scope": scope,
    }


def feed_meetings(*, unit_id: int | None, since: datetime) -> QuerySet[Meeting]:
    """The meetings of a unit for its calendar feed (convened or invited; recent and future)."""
    if unit_id is None:
        return Meeting.objects.none()
    invited = Invitation.objects.filter(meeting=OuterRef("pk"), unit_id=unit_id)
    return Meeting.objects.filter(Q(convener_id=unit_id) | Exists(invited), ends_at__gte=since).order_by(
        "starts_at", "id"
    )
