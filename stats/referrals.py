"""The referral figures the office needs: mediation success, transfers opened as cases, on-time answers.

Mediation and transfer counts are defined once, in :mod:`stats.figures` (the dashboard and
``stats/summary/`` use them too); the on-time rates are grouped per kind or per receiving unit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate

from cases.models import Referral
from cases.referrals.selectors import day_after, local_datetime
from stats.figures import mediation_counts, rate, transfer_counts

S = Referral.Status


def _period(qs: QuerySet[Referral], start: date | None, end: date | None) -> QuerySet[Referral]:
    if start:
        qs = qs.filter(sent_at__gte=local_datetime(start))
    if end:
        qs = qs.filter(sent_at__lt=day_after(end))
    return qs


def _scoped(start: date | None, end: date | None, region: Any) -> QuerySet[Referral]:
    qs = _period(Referral.objects.exclude(status__in=[S.DRAFT, S.REVOKED]), start, end)
    if region:
        qs = qs.filter(sender__region_id=region)
    return qs


def mediation_figures(
    *, start: date | None = None, end: date | None = None, region: Any = None, task: Any = None
) -> dict[str, Any]:
    """委派调解: delegated, resolved and the success rate (resolved ÷ delegated), by the sending court's region."""
    return mediation_counts(start=start, end=end, region=region, task=task)


def transfer_figures(
    *, start: date | None = None, end: date | None = None, region: Any = None, task: Any = None
) -> dict[str, Any]:
    """两法衔接: transfers sent, decided, and opened as criminal cases."""
    return transfer_counts(start=start, end=end, region=region, task=task)


def on_time_rates(
    *, by: str = "kind", start: date | None = None, end: date | None = None, region: Any = None
) -> list[dict[str, Any]]:
    """On-time answer rate per kind or per receiving unit: concluded on or before the due date ÷ concluded."""
    group = {"kind": ("kind_id", "kind__name"), "receiver": ("receiver_id", "receiver__name")}[by]
    rows = (
        _scoped(start, end, region)
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
