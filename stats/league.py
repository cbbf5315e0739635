"""The unit league table (who answers, who is late), the court table (recommendations issued, replies obtained) and
the agency table (agency heads in court; the follow-through of the recommendations addressed to the agency).

Three grouped aggregates build the unit table (one per kind of item a unit must answer: judicial
recommendations addressed to it, referrals it received, decisions it owns), one builds the court
table; the rows are merged and sorted in Python (a few dozen units).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stats.figures import FIGURES_BY_KEY, Scope, count_columns, list_url, rate
from stats.scope import SHANGHAI
from stats.sources import (
    ALL_SOURCES,
    COUNT_SOURCE,
    HEARINGS,
    SOURCES,
    decision_overdue_q,
    recommendation_overdue_q,
    referral_overdue_q,
)

UNIT_COLUMNS = [
    ("name", _("单位")),
    ("received", _("收到事项")),
    ("answered", _("已答复/办结")),
    ("on_time", _("按期答复")),
    ("on_time_rate", _("按期率(%)")),
    ("overdue", _("当前逾期")),
    ("avg_days", _("平均答复天数")),
]
COURT_COLUMNS = [
    ("name", _("法院")),
    ("issued", _("发出司法建议")),
    ("replied", _("获得回复")),
    ("reply_rate", _("回复率(%)")),
    ("on_time", _("按期回复")),
    ("overdue", _("逾期未复")),
    ("escalated", _("通报主管部门")),
]
AGENCY_COLUMNS = [
    ("name", _("行政机关")),
    ("held", _("开庭件数")),
    ("head_appeared", _("负责人出庭")),
    ("appearance_rate", _("出庭率(%)")),
    ("reported", _("通报主管部门")),
    # 司法建议 addressed to the agency (issue 17), by the figures' definitions (stats.figures).
    ("adoption_rate", _("司法建议采纳率(%)")),
    ("rectification_due", _("应整改")),
    ("rectified", _("已整改")),
    ("rectification_rate", _("整改率(%)")),
    ("not_rectified", _("回访未整改")),
    ("recurrences", _("问题复发")),
]
#: The agency table's recommendation columns: the counts of the figures, per addressee (column → count name).
AGENCY_COUNTS = {
    "replied": "recommendations_replied",
    "adopted": "recommendations_adopted",
    "rectification_due": "recommendations_due_for_rectification",
    "rectified": "recommendations_rectified",
    "not_rectified": "recommendations_not_rectified",
    "recurrences": "recommendation_recurrences",
}
#: The figure whose list a column's number opens (filtered to the agency).
AGENCY_LINKS = {
    "adoption_rate": "recommendation_adoption_rate",
    "rectification_rate": "recommendation_rectification_rate",
    "not_rectified": "recommendations_not_rectified",
    "recurrences": "recommendation_recurrences",
}


def _grouped(
    source_key: str, scope: Scope, unit: str, answered: Q, on_time: Q, overdue: Q, days: Any, **extra: Any
) -> Any:
    return (
        SOURCES[source_key]
        .in_scope(scope)
        .annotate(**extra)
        .values(unit_id=F(f"{unit}_id"), unit_name=F(f"{unit}__name"))
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=answered),
            on_time=Count("pk", filter=on_time),
            overdue=Count("pk", filter=overdue),
            days=Sum(days, filter=answered),
        )
        .order_by()
    )


def _avg_days(total: timedelta | None, answered: int) -> Decimal | None:
    if not answered or total is None:
        return None
    return (Decimal(total.total_seconds()) / 86400 / answered).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def unit_league(scope: Scope, *, today: date | None = None, sort: str = "-overdue") -> list[dict[str, Any]]:
    today = today or timezone.localdate()
    recs = _grouped(
        "recommendations",
        scope,
        "addressee",
        Q(replied_at__isnull=False),
        Q(replied_at__isnull=False, reply_due__isnull=False, replied_on__lte=F("reply_due")),
        recommendation_overdue_q(today),
        F("replied_at") - F("issued_at"),
    )
    refs = _grouped(
        "referrals",
        scope,
        "receiver",
        Q(status="concluded"),
        Q(status="concluded", due__isnull=False, concluded_on__lte=F("due")) | Q(status="concluded", due__isnull=True),
        referral_overdue_q(today),
        F("concluded_at") - F("sent_at"),
        concluded_on=TruncDate("concluded_at", tzinfo=SHANGHAI),
    )
    decs = _grouped(
        "decisions",
        scope,
        "owner_unit",
        Q(status="done"),
        Q(status="done", done_on__lte=F("due")),
        decision_overdue_q(today),
        F("done_at") - F("meeting__starts_at"),
        done_on=TruncDate("done_at", tzinfo=SHANGHAI),
    )
    rows: dict[int, dict[str, Any]] = {}
    for row in [*recs, *refs, *decs]:
        entry = rows.setdefault(
            row["unit_id"],
            {
                "id": row["unit_id"],
                "name": row["unit_name"],
                "received": 0,
                "answered": 0,
                "on_time": 0,
                "overdue": 0,
                "_days": timedelta(0),
            },
        )
        for key in ("received", "answered", "on_time", "overdue"):
            entry[key] += row[key]
        if row["days"] is not None:
            entry["_days"] += row["days"]
    out = []
    for entry in rows.values():
        entry["on_time_rate"] = rate(entry["on_time"], entry["answered"])
        entry["avg_days"] = _avg_days(entry.pop("_days"), entry["answered"])
        out.append(entry)
    return sort_rows(out, sort, [c for c, _label in UNIT_COLUMNS], default="-overdue")


def court_table(scope: Scope, *, today: date | None = None, sort: str = "-issued") -> list[dict[str, Any]]:
    today = today or timezone.localdate()
    rows = (
        SOURCES["recommendations"]
        .in_scope(scope)
        .values(court_pk=F("court_id"), court_name=F("court__name"))
        .annotate(
            issued=Count("pk"),
            replied=Count("pk", filter=Q(replied_at__isnull=False)),
            on_time=Count("pk", filter=Q(replied_at__isnull=False, replied_on__lte=F("reply_due"))),
            overdue=Count("pk", filter=recommendation_overdue_q(today)),
            escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
        )
        .order_by()
    )
    out = [
        {
            "id": r["court_pk"],
            "name": r["court_name"],
            "issued": r["issued"],
            "replied": r["replied"],
            "reply_rate": rate(r["replied"], r["issued"]),
            "on_time": r["on_time"],
            "overdue": r["overdue"],
            "escalated": r["escalated"],
        }
        for r in rows
    ]
    return sort_rows(out, sort, [c for c, _label in COURT_COLUMNS], default="-issued")


def _addressee_counts(scope: Scope, today: date) -> Any:
    """ONE query: the agency table's recommendation counts per addressee, from each source that holds some
    (issued: replies, adoptions, recurrences; rectification deadlines; visits) — a UNION ALL, as the figures."""
    names: dict[str, list[str]] = {}
    for name in AGENCY_COUNTS.values():
        names.setdefault(COUNT_SOURCE[name], []).append(name)
    width = max(len(n) for n in names.values())
    parts = [
        ALL_SOURCES[key]
        .in_scope(scope)
        .annotate(src=Value(key), unit_pk=F("addressee_id"), unit_name=F("addressee__name"))
        .values("src", "unit_pk", "unit_name")
        .annotate(**count_columns(ALL_SOURCES[key], today, counted, width))
        .order_by()
        for key, counted in names.items()
    ]
    rows: dict[int, dict[str, Any]] = {}
    for row in parts[0].union(*parts[1:], all=True):
        entry = rows.setdefault(row["unit_pk"], {"name": row["unit_name"], **dict.fromkeys(AGENCY_COUNTS.values(), 0)})
        for i, name in enumerate(names[row["src"]]):
            entry[name] += int(row[f"c{i}"] or 0)
    return rows


def _agency_links(scope: Scope) -> dict[str, str]:
    """The lists behind the columns, for every agency: ``&addressee=<id>`` is appended per row."""
    return {
        column: list_url(FIGURES_BY_KEY[key].source, scope, FIGURES_BY_KEY[key].link)
        for column, key in AGENCY_LINKS.items()
    }


def agency_table(scope: Scope, *, today: date | None = None, sort: str = "appearance_rate") -> list[dict[str, Any]]:
    """By agency: 负责人出庭应诉 as the defendant (one grouped aggregate over the held hearings of the scope), and
    the follow-through of the recommendations addressed to it (one query, ``_addressee_counts``): adoption rate,
    rectification rate, not rectified at the visit, recurrences. An agency with only one of the two has "—" in
    the other's rates."""
    today = today or timezone.localdate()
    hearings = (
        HEARINGS.in_scope(scope)
        .values(unit_pk=F("defendant_id"), unit_name=F("defendant__name"))
        .annotate(
            held=Count("pk"),
            head_appeared=Count("pk", filter=HEARINGS.counts["agency_head_appearances"](today)),
            reported=Count("pk", filter=Q(reported_at__isnull=False)),
        )
        .order_by()
    )
    rows: dict[int, dict[str, Any]] = {}
    for r in hearings:
        rows[r["unit_pk"]] = {
            "id": r["unit_pk"],
            "name": r["unit_name"],
            "held": r["held"],
            "head_appeared": r["head_appeared"],
            "appearance_rate": rate(r["head_appeared"], r["held"]),
            "reported": r["reported"],
        }
    for unit, counts in _addressee_counts(scope, today).items():
        entry = rows.setdefault(
            unit,
            {"id": unit, "name": counts["name"], "held": 0, "head_appeared": 0, "appearance_rate": None, "reported": 0},
        )
        entry.update({column: counts[name] for column, name in AGENCY_COUNTS.items()})
    out, links = [], _agency_links(scope)
    for entry in rows.values():
        for column in AGENCY_COUNTS:
            entry.setdefault(column, 0)
        entry["adoption_rate"] = rate(entry["adopted"], entry["replied"])
        entry["rectification_rate"] = rate(entry["rectified"], entry["rectification_due"])
        entry["links"] = {column: f"{url}&addressee={entry['id']}" for column, url in links.items() if url}
        out.append(entry)
    return sort_rows(out, sort, [c for c, _label in AGENCY_COLUMNS], default="appearance_rate")


def sort_rows(rows: list[dict[str, Any]], sort: str, allowed: list[str], *, default: str) -> list[dict[str, Any]]:
    """Sort by a column (``-`` for descending); empty values (no answers yet) go last either way; name breaks ties."""
    if sort.lstrip("-") not in allowed:
        sort = default
    key, descending = sort.lstrip("-"), sort.startswith("-")
    rows = sorted(rows, key=lambda r: r["name"] or "")
    present = [r for r in rows if r.get(key) is not None]
    missing = [r for r in rows if r.get(key) is None]
    present.sort(key=lambda r: r[key], reverse=descending)
    return present + missing
