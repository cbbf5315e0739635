"""Reads of case referrals: the ONE scope, the lists and their filters, the figures, the personal data.

Scope: office, leaders and administrators read everything; anyone else reads the referrals of
their own unit — sent by it (drafts included), addressed to it (once sent), or passed to it as
the sub-unit handling it. Outside the scope is 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import BooleanField, Count, F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from cases.lib_referrals import day_after, local_datetime, mask_id_number, mask_name, mask_phone
from cases.models import Party, Referral
from fuyuan.lib.params import is_id
from members.models import User
from members.roles import can_read_all, is_office
from stats.figures import rate as figures_rate

S = Referral.Status
OPEN = (S.SENT, S.ACKNOWLEDGED, S.ACCEPTED)
BOXES = ("inbox", "sent", "all")


def referrals_visible_to(user: User) -> QuerySet[Referral]:
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
            referrals_visible_to(user)
            .select_related("kind", "sender", "receiver", "handler", "created_by")
            .prefetch_related("tasks", "parties")
            .get(pk=int(pk))
        )
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def sees_personal_data(user: User, referral: Referral) -> bool:
    """Sender, receiver (and its handling sub-unit) and office staff see parties in full."""
    if is_office(user):
        return True
    unit = getattr(user, "unit_id", None)
    return unit is not None and unit in (referral.sender_id, referral.receiver_id, referral.handler_id)


@dataclass(frozen=True)
class PartyView:
    role: str
    role_label: str
    name: str
    id_number: str
    phone: str


def party_views(parties: list[Party], *, full: bool) -> list[PartyView]:
    return [
        PartyView(
            role=p.role,
            role_label=str(p.get_role_display()),
            name=p.name if full else mask_name(p.name),
            id_number=p.id_number if full else mask_id_number(p.id_number),
            phone=p.phone if full else mask_phone(p.phone),
        )
        for p in parties
    ]


def box_queryset(user: User, box: str) -> QuerySet[Referral]:
    """The base of a list: "inbox" (addressed to us), "sent" (sent by us) or "all" (office, leaders)."""
    unit = getattr(user, "unit_id", None)
    if box == "all":
        return referrals_visible_to(user)
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


def overdue_q(today: date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(status__in=[S.ACKNOWLEDGED, S.ACCEPTED], due__lt=today)


def filter_referrals(qs: QuerySet[Referral], params: dict[str, Any], *, box: str = "all") -> QuerySet[Referral]:
    """Apply the list filters: kind, status, counterpart, task, overdue, period (from/to), search."""
    if kind := params.get("kind"):
        qs = qs.filter(kind_id=kind) if is_id(kind) else qs.filter(kind__code=kind)
    if status := params.get("status"):
        qs = qs.filter(status=status)
    if counterpart := params.get("counterpart"):
        if is_id(counterpart):
            if box == "sent":
                qs = qs.filter(receiver_id=counterpart)
            elif box == "inbox":
                qs = qs.filter(sender_id=counterpart)
            else:
                qs = qs.filter(Q(sender_id=counterpart) | Q(receiver_id=counterpart))
    for field in ("sender", "receiver"):
        if is_id(value := params.get(field)):
            qs = qs.filter(**{f"{field}_id": value})
    if is_id(task := params.get("task")):
        qs = qs.filter(tasks__id=task)
    overdue = str(params.get("overdue") or "").lower()
    if overdue in ("1", "true", "yes", "on"):
        qs = qs.filter(overdue_q())
    elif overdue in ("0", "false", "no"):
        qs = qs.exclude(overdue_q())
    if start := _as_date(params.get("from")):
        qs = qs.filter(sent_at__gte=local_datetime(start))
    if end := _as_date(params.get("to")):
        qs = qs.filter(sent_at__lt=day_after(end))
    term = str(params.get("search") or params.get("q") or "").strip()
    if term:
        qs = qs.filter(search_condition(term[:100]))
    return qs


def _as_date(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


FILTER_OPTIONS_SECONDS = 60


def filter_options() -> dict[str, list[Any]]:
    """The choices of the list filters as plain tuples (three small queries, kept a minute in the cache)."""
    from cases.lib_referrals import _cache_get, _cache_set

    key = f"referral-filter-options:{get_language()}"
    options = _cache_get(key)
    if options is None:
        options = _filter_options()
        _cache_set(key, options, FILTER_OPTIONS_SECONDS)
    return options


def _filter_options() -> dict[str, list[Any]]:
    from cases.models import ReferralKind
    from members.models import MemberUnit, WorkTask

    return {
        "kinds": list(ReferralKind.objects.values_list("code", "name")),
        "statuses": [(code, str(label)) for code, label in S.choices],
        "units": list(MemberUnit.objects.filter(active=True).values_list("pk", "name")),
        "tasks": list(WorkTask.objects.values_list("pk", "number", "title")),
    }


def list_rows(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    """The columns a list page or API list shows, in one query (no N+1)."""
    return qs.select_related("kind", "sender", "receiver", "handler").order_by("-id")


def referrals_awaiting(user: User, *, limit: int = 8) -> tuple[list[Referral], int]:
    """What awaits the user's unit: referrals to acknowledge, accept or conclude, and its own returned ones."""
    unit = getattr(user, "unit_id", None)
    if not unit:
        return [], 0
    # addressed to us and still open, or sent by us and returned for correction
    qs = Referral.objects.filter(
        (Q(receiver_id=unit) | Q(handler_id=unit)) & Q(status__in=OPEN) | Q(sender_id=unit, status=S.RETURNED)
    )
    rows = list(qs.select_related("kind", "sender").order_by(F("due").asc(nulls_last=True), "id")[:limit])
    total = len(rows) if len(rows) < limit else qs.count()
    return rows, total


# --- figures ------------------------------------------------------------------------------------


# The one rounding rule of every rate (two decimals, half up; None for 0 ÷ 0) lives with the figures.
rate = figures_rate


def _period(qs: QuerySet[Referral], start: date | None, end: date | None) -> QuerySet[Referral]:
    if start:
        qs = qs.filter(sent_at__gte=local_datetime(start))
    if end:
        qs = qs.filter(sent_at__lt=day_after(end))
    return qs


def _scoped(start: date | None, end: date | None, region: Any, task: Any) -> QuerySet[Referral]:
    qs = _period(Referral.objects.exclude(status__in=[S.DRAFT, S.REVOKED]), start, end)
    if region:
        qs = qs.filter(sender__region_id=region)
    if task:
        qs = qs.filter(tasks__id=task)
    return qs


def mediation_figures(
    *, start: date | None = None, end: date | None = None, region: Any = None, task: Any = None
) -> dict[str, Any]:
    """委派调解: delegated, resolved and the success rate (resolved ÷ delegated), by the sending court's region.

    The definition lives once, in stats.figures (the dashboard and stats/summary/ use it too).
    """
    from stats.figures import mediation_counts

    return mediation_counts(start=start, end=end, region=region, task=task)


def transfer_figures(
    *, start: date | None = None, end: date | None = None, region: Any = None, task: Any = None
) -> dict[str, Any]:
    """两法衔接: transfers sent, decided, and opened as criminal cases (defined once, in stats.figures)."""
    from stats.figures import transfer_counts

    return transfer_counts(start=start, end=end, region=region, task=task)


def on_time_rates(
    *, by: str = "kind", start: date | None = None, end: date | None = None, region: Any = None
) -> list[dict[str, Any]]:
    """On-time answer rate per kind or per receiving unit: concluded on or before the due date ÷ concluded."""
    group = {"kind": ("kind_id", "kind__name"), "receiver": ("receiver_id", "receiver__name")}[by]
    rows = (
        _scoped(start, end, region, None)
        .filter(status=S.CONCLUDED, due__isnull=False)
        .annotate(concluded_on=TruncDate("concluded_at"))
        .values(*group)
        .annotate(answered=Count("id"), on_time=Count("id", filter=Q(concluded_on__lte=F("due"))))
        .order_by(group[1])
    )
    return [
        {
            "id": r[group[0]],
            "name": r[group[1]],
            "answered": r["answered"],
            "on_time": r["on_time"],
            "rate": rate(r["on_time"], r["answered"]),
        }
        for r in rows
    ]


def overdue_count(*, region: Any = None) -> int:
    qs = Referral.objects.filter(overdue_q())
    if region:
        qs = qs.filter(sender__region_id=region)
    return qs.count()


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def light_counts(rows: list[Referral]) -> dict[str, int]:
    counts: dict[str, int] = {"red": 0, "yellow": 0, "green": 0, "grey": 0}
    for r in rows:
        counts[r.light] += 1
    return counts


__all__ = [
    "BOXES",
    "box_queryset",
    "default_box",
    "filter_referrals",
    "list_rows",
    "mediation_figures",
    "on_time_rates",
    "overdue_count",
    "party_views",
    "rate",
    "referral_get",
    "referrals_awaiting",
    "referrals_visible_to",
    "sees_personal_data",
    "transfer_figures",
]
