"""What is late now on the dashboard and in the report: overdue recommendations, referrals and decisions.

Not limited to the period: late is late now. Each source says what overdue means through the one rule
(``fuyuan.lib.deadlines.OverdueQuerySet``), read along its partial index on the due date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, F, QuerySet, Value
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from stats import tally
from stats.figures import list_url
from stats.scope import Scope
from stats.sources import SOURCES, decision_overdue_q, recommendation_overdue_q, referral_overdue_q

LATE = {
    # source: (condition, title, unit that must act, due date)
    "recommendations": (recommendation_overdue_q, "title", "addressee", "reply_due"),
    "referrals": (referral_overdue_q, "subject", "receiver", "due"),
    "decisions": (decision_overdue_q, "text", "owner_unit", "due"),
}


def late_query(scope: Scope, today: date, *, limit: int = 10) -> Iterable[dict[str, Any]]:
    """ONE query: the most overdue recommendations, referrals and decisions (up to ``limit`` of each),
    each read along its partial index on the due date. Not limited to the period: late is late now."""
    parts = []
    for key, (condition, title, unit, due) in LATE.items():
        parts.append(
            SOURCES[key]
            .in_scope(scope, period=False)
            .filter(condition(today))
            .annotate(src=Value(key), item_title=Substr(title, 1, 80), unit_name=F(f"{unit}__name"), due_on=F(due))
            .values("src", "pk", "item_title", "unit_name", "due_on")
            .order_by("due_on", "pk")[:limit]
        )
    if not connection.features.supports_slicing_ordering_in_compound:  # SQLite (make run): one query each
        return [row for part in parts for row in part]
    return parts[0].union(*parts[1:], all=True)


def late_totals_query(scope: Scope, today: date) -> QuerySet:
    """ONE query: how many of each are late now."""
    parts = [
        SOURCES[key]
        .in_scope(scope, period=False)
        .filter(condition(today))
        .annotate(src=Value(key))
        .values("src")
        .annotate(total=Count("pk"))
        .order_by()
        for key, (condition, *_rest) in LATE.items()
    ]
    return parts[0].union(*parts[1:], all=True)


#: The figures' own count of what is overdue now, for each source of the panel (the same rule, ``overdue_q``).
LATE_COUNTS = {
    "recommendations": "recommendations_overdue",
    "referrals": "referrals_overdue",
    "decisions": "decisions_overdue",
}

DETAIL_URLS = {
    "recommendations": "recommendation-detail",
    "referrals": "referral-detail",
    "decisions": "decision-detail",
}


def late_items(scope: Scope, *, today: date | None = None, limit: int = 10) -> dict[str, Any]:
    today = today or timezone.localdate()
    groups: dict[str, dict[str, Any]] = {
        key: {"label": SOURCES[key].label, "total": 0, "rows": [], "url": list_url(SOURCES[key], scope, {})}
        for key in DETAIL_URLS
    }
    overdue_params = {"recommendations": {"overdue": "true"}, "referrals": {"overdue": "true"}}
    overdue_params["decisions"] = {"status": "open", "overdue": "1"}
    for key in groups:
        base = list_url(SOURCES[key], Scope(scope.start, scope.end, scope.region, scope.task), {})
        if base:
            base = base.split("?")[0]
            params = {k: v for k, v in scope.params(period=False).items()}
            groups[key]["url"] = f"{base}?{urlencode({**params, **overdue_params[key]})}"
    if scope.unit:  # a unit's own view counts the records that involve it
        for row in late_totals_query(scope, today):
            groups[row["src"]]["total"] = row["total"]
    else:  # the rollups' yearly rows, less what is not yet due: however many are late, a few rows are read
        for key, total in tally.counts_of_all_time(scope, today, LATE_COUNTS).items():
            groups[key]["total"] = total
    for row in late_query(scope, today, limit=limit):
        group = groups[row["src"]]
        group["rows"].append(
            {
                "id": row["pk"],
                "title": row["item_title"],
                "unit": row["unit_name"],
                "due": row["due_on"],
                "days_late": (today - row["due_on"]).days,
                "url": reverse(DETAIL_URLS[row["src"]], args=[row["pk"]]),
            }
        )
    for group in groups.values():
        group["rows"].sort(key=lambda r: (-r["days_late"], r["id"]))
    return groups
