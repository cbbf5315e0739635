"""Reads of joint meetings. ``visible_to`` is the scope: every page, export, picker and API view starts from it.

The scope follows the levels (``members.levels.reach_of``): administrators and the provincial office
and leaders see every meeting; the office and leaders of a 市州 or 县市区 the meetings that live in their
region or below (a meeting lives in its convener's region); a liaison the meetings their unit or one of
its sub-units convenes or is invited to; a court clerk those of their court and the courts below it.
Anything else is 404.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from django.db.models import Count, Exists, Model, OuterRef, Prefetch, Q, QuerySet, Sum

from fuyuan.lib.workdays import day_start
from meetings.decisions.models import Decision
from meetings.meetings.models import AgendaItem, Invitation, Meeting, Minutes, TopicProposal
from members.levels import Reach, reach_of
from members.models import MemberUnit, User


def of_unit(unit_id: int) -> Q:
    """Meetings a unit convenes or is invited to (an index scan each way)."""
    return of_units((unit_id,))


def of_units(unit_ids: tuple[int, ...]) -> Q:
    """Meetings one of ``unit_ids`` convenes or is invited to."""
    invited = Invitation.objects.filter(meeting=OuterRef("pk"), unit_id__in=unit_ids)
    return Q(convener_id__in=unit_ids) | Q(Exists(invited))


def of_courts() -> Q:
    """Meetings a court convenes or is invited to (the High Court's clerks read every court's records)."""
    invited = Invitation.objects.filter(meeting=OuterRef("pk"), unit__kind=MemberUnit.Kind.COURT)
    return Q(convener__kind=MemberUnit.Kind.COURT) | Q(Exists(invited))


M = TypeVar("M", bound=Model)
UnitsQ = Callable[[QuerySet[M], tuple[int, ...] | None], QuerySet[M]]


def unit_ids_of(user: User, reach: Reach) -> tuple[int, ...]:
    """The units whose records a unit's people read: a liaison's unit and sub-units, a clerk's court and the
    courts below it; a user of a unit with none of these roles, their unit (today's rule). The office and
    leaders of a region read by region alone: one indexed equality, no OR to plan around."""
    own = (user.unit_id,) if reach.nothing and getattr(user, "unit_id", None) else ()
    return tuple(sorted({*own, *reach.unit_ids, *reach.court_ids}))


def scope(qs: QuerySet[M], user: User, of_units: UnitsQ[M], *, region_field: str = "region") -> QuerySet[M]:
    """The rule every ``visible_to`` of the app follows (``members.levels``): all for those who read
    everything; the records living in the region (``region``/``city`` columns) for the office and leaders
    of a 市州 or 县市区; what involves the user's units (``of_units(qs, ids)``; ``None`` asks for every
    court's records, for a High Court clerk) for a unit's people; nothing for a user without any."""
    reach = reach_of(user)
    if reach.everything:
        return qs
    ids = unit_ids_of(user, reach)
    parts: list[QuerySet[M]] = []
    if reach.region is not None:
        city_field = region_field.replace("region", "city")
        parts.append(qs.filter(reach.region_q(region_field=region_field, city_field=city_field)))
    if reach.all_courts:
        parts.append(of_units(qs, None))
    if ids:
        parts.append(of_units(qs, ids))
    if not parts:
        return qs.none()
    if len(parts) == 1:
        return parts[0]
    combined = parts[0]
    for part in parts[1:]:
        combined = combined | part
    return combined


def _meetings_of(qs: QuerySet[Meeting], unit_ids: tuple[int, ...] | None) -> QuerySet[Meeting]:
    return qs.filter(of_courts() if unit_ids is None else of_units(unit_ids))


def visible_to(user: User) -> QuerySet[Meeting]:
    """The meetings ``user`` may see."""
    return scope(Meeting.objects.all(), user, _meetings_of)


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
        .select_related("convener", "region", "created_by", "minutes", "minutes__override_by")
        .prefetch_related(
            "tasks",
            "minutes__confirmations__unit",
            Prefetch("invitations", queryset=Invitation.objects.select_related("unit", "replied_by", "signed_by")),
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


def feed_meetings(*, since: datetime, user: User | None = None, unit_id: int | None = None) -> QuerySet[Meeting]:
    """The meetings of the user's calendar feed: those in their scope (``visible_to``), recent and future.

    ``unit_id`` alone (the benchmark's older call) reads one unit's meetings, convened or invited.
    """
    if user is not None:
        qs = visible_to(user)
    elif unit_id is not None:
        qs = Meeting.objects.filter(of_unit(unit_id))
    else:
        return Meeting.objects.none()
    return qs.filter(ends_at__gte=since).order_by("starts_at", "id")


def reference(user: Any) -> QuerySet[Meeting]:
    """The meetings a consultation or a decision may name: those in the user's scope, latest first."""
    return visible_to(user).order_by("-starts_at")


def minutes_visible_to(user: User) -> QuerySet[Minutes]:
    """The minutes of the meetings ``user`` may see (their attachments' scope)."""
    return Minutes.objects.filter(meeting__in=visible_to(user))
