"""Reads of joint meetings. ``visible_to`` is the scope: every page, export, picker and API view starts from it.

Office, leaders and administrators see every meeting; a liaison or a court clerk sees the meetings
their unit convenes or is invited to. Anything else is 404.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from django.db.models import Count, Exists, Model, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from meetings.decisions.models import Decision
from meetings.meetings.models import AgendaItem, Invitation, Meeting, TopicProposal
from members.models import User
from members.roles import can_read_all


def of_unit(unit_id: int) -> Q:
    """Meetings a unit convenes or is invited to (an index scan each way)."""
    return Q(convener_id=unit_id) | Q(Exists(Invitation.objects.filter(meeting=OuterRef("pk"), unit_id=unit_id)))


M = TypeVar("M", bound=Model)


def scope(qs: QuerySet[M], user: User, of_unit: Callable[[QuerySet[M], int], QuerySet[M]]) -> QuerySet[M]:
    """The rule every ``visible_to`` of the app follows: all for those who read everything, the unit's
    own (``of_unit``) for a unit's people, nothing for a user without a unit."""
    if can_read_all(user):
        return qs
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return qs.none()
    return of_unit(qs, unit_id)


def visible_to(user: User) -> QuerySet[Meeting]:
    """The meetings ``user`` may see."""
    return scope(Meeting.objects.all(), user, lambda qs, unit_id: qs.filter(of_unit(unit_id)))


def attach_reply_counts(meetings: list[Meeting]) -> list[Meeting]:
    """Set ``invited_count`` and ``replied_count`` on a page of meetings with one query."""
    counts: dict[int, Mapping[str, Any]] = {
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


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def meetings_in_month(*, user: User, year: int, month: int) -> QuerySet[Meeting]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (
        visible_to(user)
        .filter(starts_at__gte=day_start(first), starts_at__lt=day_start(nxt))
        .select_related("convener")
        .order_by("starts_at", "id")
    )


def meeting_detail(*, user: User, pk: int) -> Meeting:
    """One meeting in the user's scope with everything its page shows; Meeting.DoesNotExist otherwise."""
    return (
        visible_to(user)
        .select_related("convener", "region", "created_by", "minutes")
        .prefetch_related(
            "tasks",
            "minutes__confirmations__unit",
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


def upcoming(*, user: User, now: datetime, limit: int) -> list[Meeting]:
    """The next planned meetings for the home page: the unit's own, or all for the office and leaders."""
    qs = visible_to(user).filter(status=Meeting.Status.PLANNED, ends_at__gte=now)
    return list(qs.select_related("convener").order_by("starts_at", "id")[:limit])


def feed_meetings(*, unit_id: int | None, since: datetime) -> QuerySet[Meeting]:
    """The meetings of a unit for its calendar feed (convened or invited; recent and future)."""
    if unit_id is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(of_unit(unit_id), ends_at__gte=since).order_by("starts_at", "id")


def reference(user: Any) -> QuerySet[Meeting]:
    """The meetings a consultation or a decision may name: those in the user's scope, latest first."""
    return visible_to(user).order_by("-starts_at")
