"""Reads of case referrals: the ONE scope, the boxes of the lists, the rows they show, what awaits a unit.

Scope: office, leaders and administrators read everything; anyone else reads the referrals of
their own unit — sent by it (drafts included), addressed to it (once sent), or passed to it as
the sub-unit handling it. Outside the scope is 404.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import BooleanField, F, Func, Q, QuerySet, TextField, Value
from django.http import Http404
from django.utils import timezone

from cases.referrals.models import Referral
from members.models import User
from members.roles import can_read_all

S = Referral.Status
BOXES = ("inbox", "sent", "all")


def local_datetime(day: date, at: time = time(0, 0)) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def day_after(day: date) -> datetime:
    return local_datetime(day + timedelta(days=1))


def visible_to(user: User) -> QuerySet[Referral]:
    """Every referral the user may read (the one place where scope is decided)."""
    qs = Referral.objects.all()
    if can_read_all(user):
        return qs
    if not getattr(user, "unit_id", None):
        return qs.none()
    unit = user.unit_id
    return qs.filter(Q(sender_id=unit) | (Q(receiver_id=unit) | Q(handler_id=unit)) & ~Q(status=S.DRAFT))


def referral_get(user: User, pk: Any) -> Referral:
    """One referral in the user's scope, or 404."""
    try:
        return (
            visible_to(user)
            .select_related("kind", "sender", "receiver", "handler", "created_by")
            .prefetch_related("tasks", "parties")
            .get(pk=int(pk))
        )
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def box_queryset(user: User, box: str) -> QuerySet[Referral]:
    """The base of a list: "inbox" (addressed to us), "sent" (sent by us) or "all" (office, leaders)."""
    unit = getattr(user, "unit_id", None)
    if box == "all":
        return visible_to(user)
    if not unit:
        return Referral.objects.none()
    if box == "sent":
        return Referral.objects.filter(sender_id=unit)
    qs = Referral.objects.exclude(status=S.DRAFT)
    # Only a unit that handles referrals passed down to it needs the OR (which the (receiver, id)
    # index cannot order); for every other unit the inbox is one index range.
    if Referral.objects.filter(handler_id=unit).exists():
        return qs.filter(Q(receiver_id=unit) | Q(handler_id=unit))
    return qs.filter(receiver_id=unit)


def default_box(user: User) -> str:
    if getattr(user, "unit_id", None) and not can_read_all(user):
        return "inbox"
    return "all"


def search_condition(term: str) -> Func:
    """``(case_number || ' ' || subject) ILIKE '%term%'``: the expression the trigram index covers.

    Built from column references (not raw SQL) so that it also holds inside the id subquery of
    deep pages, where the table has another alias.
    """
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    text = Func(
        F("case_number"), F("subject"), template="(%(expressions)s)", arg_joiner=" || ' ' || ", output_field=TextField()
    )
    return Func(
        text, Value(f"%{escaped}%"), template="%(expressions)s", arg_joiner=" ILIKE ", output_field=BooleanField()
    )


def list_rows(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    """The columns a list page or API list shows, in one query (no N+1)."""
    return qs.select_related("kind", "sender", "receiver", "handler").order_by("-id")


def referrals_awaiting(user: User, *, limit: int = 8) -> tuple[list[Referral], int]:
    """What awaits the user's unit: referrals to acknowledge, accept or conclude, and its own returned ones."""
    unit = getattr(user, "unit_id", None)
    if not unit:
        return [], 0
    # addressed to us and still open, or sent by us and returned for correction
    # Written as three OR-ed arms, each matching a partial index (referral_open_receiver, …).
    qs = Referral.objects.filter(
        Q(receiver_id=unit, status__in=Referral.OPEN_STATUSES)
        | Q(handler_id=unit, status__in=Referral.OPEN_STATUSES)
        | Q(sender_id=unit, status=S.RETURNED)
    )
    rows = list(qs.select_related("kind", "sender").order_by(F("due").asc(nulls_last=True), "id")[:limit])
    total = len(rows) if len(rows) < limit else qs.count()
    return rows, total
