"""The referral figures the office needs: mediation success, transfers opened as cases, on-time answers.

Mediation, tribunal and transfer counts are defined once, in :mod:`stats.figures` (the dashboard and
``stats/summary/`` use them too); the on-time rates are grouped per kind or per receiving unit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate

from cases.models import Referral
from cases.referrals.selectors import day_after, local_datetime
from stats.figures import ALL_TIME, rate, source_counts
from stats.scope import Scope

S = Referral.Status


def _period(qs: QuerySet[Referral], start: date | None, end: date | None) -> QuerySet[Referral]:
    if start:
        qs = qs.filter(sent_at__gte=local_datetime(start))
    if end:
        qs = qs.filter(sent_at__lt=day_after(end))
    return qs


def _scoped(start: date | None, end: date | None, region: Any, level: str = "") -> QuerySet[Referral]:
    qs = _period(Referral.objects.exclude(status__in=[S.DRAFT, S.REVOKED]), start, end)
    if region:
        qs = qs.filter(Scope(start or ALL_TIME[0], end or ALL_TIME[1], region, level=level).region_q())
    return qs


def referral_counts(
    *,
    start: date | None = None,
    end: date | None = None,
    region: Any = None,
    task: Any = None,
    unit: Any = None,
    level: str = "",
) -> dict[str, int]:
    """Every count of the referrals source (stats.figures, the one definition) for a scope, in one aggregate."""
    return source_counts("referrals", Scope(start or ALL_TIME[0], end or ALL_TIME[1], region, task, unit, level))


def mediation_figures(**where: Any) -> dict[str, Any]:
    """委派调解: delegated, resolved and the success rate (resolved ÷ delegated), in the region's subtree."""
    counts = referral_counts(**where)
    delegated, resolved = counts["mediation_delegated"], counts["mediation_resolved"]
    return {"delegated": delegated, "resolved": resolved, "success_rate": rate(resolved, delegated)}


def transfer_figures(**where: Any) -> dict[str, Any]:
    """两法衔接: transfers sent, decided, opened as criminal cases, and opened ÷ decided."""
    counts = referral_counts(**where)
    transferred, decided = counts["criminal_transfers"], counts["criminal_decided"]
    opened = counts["criminal_cases_opened"]
    return {"transferred": transferred, "decided": decided, "opened": opened, "opened_rate": rate(opened, decided)}


def tribunal_figures(**where: Any) -> dict[str, Any]:
    """人民法庭对接化解: concluded, resolved and the resolution rate (resolved ÷ concluded)."""
    counts = referral_counts(**where)
    concluded, resolved = counts["tribunal_concluded"], counts["tribunal_resolved"]
    return {"concluded": concluded, "resolved": resolved, "resolution_rate": rate(resolved, concluded)}


def on_time_rates(
    *,
    by: str = "kind",
    start: date | None = None,
    end: date | None = None,
    region: Any = None,
    level: str = "",
) -> list[dict[str, Any]]:
    """On-time answer rate per kind or per receiving unit: concluded on or before the due date ÷ concluded."""
    group = {"kind": ("kind_id", "kind__name"), "receiver": ("receiver_id", "receiver__name")}[by]
    rows = (
        _scoped(start, end, region, level)
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
