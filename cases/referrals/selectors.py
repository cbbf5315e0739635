"""Reads of case referrals: the ONE scope, the boxes of the lists, the rows they show, what awaits a unit.

Scope by level (``members.levels.reach_of``): administrators and the provincial office and leaders
read everything; the office and leaders of a 市州 or 县市区 what lives in their region or below; anyone
with a unit the referrals of their own unit — sent by it (drafts included), addressed to it (once
sent), or passed to it as the sub-unit handling it; a liaison also (read-only, no drafts) those of
their unit's sub-units, a court clerk those of the courts below, a High Court clerk those of every
court. Outside the scope is 404.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import BooleanField, F, Func, Q, QuerySet, TextField, Value
from django.http import Http404
from django.utils import timezone

from cases.referrals.models import Referral
from members.levels import reach_of
from members.models import MemberUnit, User

S = Referral.Status
BOXES = ("inbox", "sent", "all")


def local_datetime(day: date, at: time = time(0, 0)) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def day_after(day: date) -> datetime:
    return local_datetime(day + timedelta(days=1))


def visible_to(user: User) -> QuerySet[Referral]:
    """Every referral the user may read (the one place where scope is decided; by level, ``reach_of``)."""
    qs = Referral.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    reach = reach_of(user)
    if reach.everything:
        return qs
    own = getattr(user, "unit_id", None)
    scope = Q(pk__in=[])
    if reach.region is not None:
        # The office and leaders of a 市州 or 县市区: what lives in their region or below.
        scope |= reach.region_q()
    if own:
        scope |= _units_q([own], drafts=True)
    below = sorted({*reach.unit_ids, *reach.court_ids} - {own})
    if below:
        # A liaison's sub-units, a clerk's courts below: read-only, and never their drafts.
        scope |= _units_q(below, drafts=False)
    if reach.all_courts:
        scope |= (Q(sender__kind=MemberUnit.Kind.COURT) | Q(receiver__kind=MemberUnit.Kind.COURT)) & ~Q(status=S.DRAFT)
    return qs.filter(scope)


def _units_q(ids: list[int], *, drafts: bool) -> Q:
    sent = Q(sender_id__in=ids) if drafts else Q(sender_id__in=ids) & ~Q(status=S.DRAFT)
    return sent | (Q(receiver_id__in=ids) | Q(handler_id__in=ids)) & ~Q(status=S.DRAFT)


def referral_get(user: User, pk: Any) -> Referral:
    """One referral in the user's scope, or 404."""
    try:
        return (
            visible_to(user)
            .select_related("kind", "sender", "receiver", "handler", "created_by")
            .prefetch_related("tasks", "parties", "measures")
            .get(pk=int(pk))
        )
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def box_queryset(user: User, box: str) -> QuerySet[Referral]:
    """The base of a list: "inbox" (addressed to us), "sent" (sent by us) or "all" (office, leaders)."""
    unit = getattr(user, "unit_id", None)
    if box == "all":
        region = reach_of(user).region
        if region is not None:
            # An office or leader below the province: "all" is everything of their region, one index
            # range (city|region, -id). Their own unit's referrals living above it (sent to a
            # provincial department) are in the inbox and sent boxes, and readable (visible_to).
            return Referral.objects.filter(reach_of(user).region_q())
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


def reads_region(user: User) -> bool:
    """Office staff and leaders (of any level), and administrators: they read a region's referrals."""
    reach = reach_of(user)
    return reach.everything or reach.region is not None


def reads_beyond_unit(user: User) -> bool:
    """Whether the user reads more than their own unit's referrals (then the "all" box is theirs)."""
    reach = reach_of(user)
    return bool(
        reach.everything or reach.region is not None or reach.all_courts or len({*reach.unit_ids, *reach.court_ids}) > 1
    )


def default_box(user: User) -> str:
    if getattr(user, "unit_id", None) and not reads_region(user):
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
    return _ILike(text, Value(f"%{escaped}%"))


class _ILike(Func):
    """``a ILIKE b`` on PostgreSQL; SQLite (development without services) has LIKE, case-blind for ASCII,
    whose escape character must be named."""

    template = "%(expressions)s"
    arg_joiner = " ILIKE "
    output_field = BooleanField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, arg_joiner=" LIKE ", template="%(expressions)s ESCAPE '\\'", **extra)


def list_rows(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    """The columns a list page or API list shows, in one query (no N+1)."""
    return qs.select_related("kind", "sender", "receiver", "handler").order_by("-id")


#: What a row of the list page reads (``templates/cases/referrals/list.html``, ``Referral.light``): a third of the
#: columns of ``list_rows``, so a third of the SQL to build and of the values to read.
PAGE_COLUMNS = (
    *("kind_id", "sender_id", "receiver_id", "handler_id", "case_number", "subject", "status", "outcome"),
    *("sent_at", "due", "kind__name"),
    *(f"{unit}__{field}" for unit in ("sender", "receiver", "handler") for field in ("name", "short_name")),
)


def page_rows(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    """The list page's rows: :func:`list_rows` with only the columns the page shows."""
    return list_rows(qs).only(*PAGE_COLUMNS)


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
