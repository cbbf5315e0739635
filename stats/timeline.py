"""The timeline of a work task: every record tagged with it, newest first, in ONE query.

Meetings, consultations, judicial recommendations and referrals carry the task themselves (an M2M);
decisions through their meeting's tasks; plan items, their progress reports and their 督办 through the
item's task. Each kind starts from its own ``visible_to(user)`` (the one scope rule of its domain), keeps
the records of the year and of the region's subtree (their own ``region``/``city`` columns), and gives the
same columns: ``t_kind, t_id, t_link, t_at (a date), t_title, t_unit_a, t_unit_b``. The kinds are joined by a
``UNION ALL`` sorted by date and paged with LIMIT/OFFSET. On PostgreSQL each part is first cut to the rows
the page can need (its own ``ORDER BY date DESC LIMIT``, on the kind's indexed date column), so a page reads
a few rows per kind even with a million referrals; SQLite refuses ORDER BY inside a compound statement,
so there (a development database) the parts are not cut.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import CharField, DateField, Exists, F, OuterRef, QuerySet, TextField, Value
from django.db.models.functions import Substr, TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import JudicialRecommendation, Referral
from cases.recommendations import selectors as recommendation_selectors
from cases.referrals import selectors as referral_selectors
from meetings.consultations import selectors as consultation_selectors
from meetings.decisions import selectors as decision_selectors
from meetings.meetings import selectors as meeting_selectors
from meetings.models import Consultation, Meeting
from members.models import User
from plans import selectors as plan_selectors
from plans.models import PlanProgress
from stats.scope import SHANGHAI, Scope

PAGE_SIZE = 30
MAX_PAGE = 200  # a deeper page is a search, not a timeline
TITLE_CHARS = 120


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise
    url_name: str
    rows: Callable[[User, int, Scope], QuerySet]  # visible, tagged, in the scope; annotated columns
    order: tuple[str, ...]  # the kind's own date column (indexed), newest first


def _text(expression: Any) -> Any:
    return Substr(expression, 1, TITLE_CHARS, output_field=TextField())


NO_UNIT = Value(None, output_field=CharField())


def _columns(code: str, *, at: Any, title: Any, unit_a: Any, unit_b: Any = NO_UNIT, link: str = "pk") -> dict:
    return {
        "t_kind": Value(code, output_field=CharField()),
        "t_id": F("pk"),
        "t_link": F(link),
        "t_at": at,
        "t_title": title,
        "t_unit_a": unit_a,
        "t_unit_b": unit_b,
    }


def _day(field: str) -> Any:
    return TruncDate(field, tzinfo=SHANGHAI, output_field=DateField())


def _meetings(user: User, task: int, scope: Scope) -> QuerySet:
    tagged = Meeting.tasks.through.objects.filter(meeting_id=OuterRef("pk"), worktask_id=task)
    return (
        meeting_selectors.visible_to(user)
        .filter(Exists(tagged), scope.region_q(), starts_at__gte=scope.start_at, starts_at__lt=scope.end_before)
        .annotate(**_columns("meeting", at=_day("starts_at"), title=_text("title"), unit_a=F("convener__name")))
    )


def _consultations(user: User, task: int, scope: Scope) -> QuerySet:
    tagged = Consultation.tasks.through.objects.filter(consultation_id=OuterRef("pk"), worktask_id=task)
    return (
        consultation_selectors.visible_to(user)
        .filter(Exists(tagged), scope.region_q(), held_on__gte=scope.start, held_on__lte=scope.end)
        .annotate(**_columns("consultation", at=F("held_on"), title=_text("topic"), unit_a=F("logging_unit__name")))
    )


def _recommendations(user: User, task: int, scope: Scope) -> QuerySet:
    through = JudicialRecommendation.tasks.through
    tagged = through.objects.filter(judicialrecommendation_id=OuterRef("pk"), worktask_id=task)
    return (
        recommendation_selectors.visible_to(user)
        .filter(Exists(tagged), scope.region_q(), issued_on__gte=scope.start, issued_on__lte=scope.end)
        .annotate(
            **_columns(
                "recommendation",
                at=F("issued_on"),
                title=_text("title"),
                unit_a=F("court__name"),
                unit_b=F("addressee__name"),
            )
        )
    )


def _referrals(user: User, task: int, scope: Scope) -> QuerySet:
    tagged = Referral.tasks.through.objects.filter(referral_id=OuterRef("pk"), worktask_id=task)
    return (
        referral_selectors.visible_to(user)
        .filter(Exists(tagged), scope.region_q(), sent_at__gte=scope.start_at, sent_at__lt=scope.end_before)
        .annotate(
            **_columns(
                "referral",
                at=_day("sent_at"),
                title=_text("subject"),
                unit_a=F("sender__name"),
                unit_b=F("receiver__name"),
            )
        )
    )


def _decisions(user: User, task: int, scope: Scope) -> QuerySet:
    tagged = Meeting.tasks.through.objects.filter(meeting_id=OuterRef("meeting_id"), worktask_id=task)
    return (
        decision_selectors.visible_to(user)
        .filter(Exists(tagged), scope.region_q(), created_at__gte=scope.start_at, created_at__lt=scope.end_before)
        .annotate(**_columns("decision", at=_day("created_at"), title=_text("text"), unit_a=F("owner_unit__name")))
    )


def _plan_items(user: User, task: int, scope: Scope) -> QuerySet:
    return (
        plan_selectors.visible_to(user)
        .filter(scope.region_q(), task_id=task, created_at__gte=scope.start_at, created_at__lt=scope.end_before)
        .annotate(**_columns("plan_item", at=_day("created_at"), title=_text("text"), unit_a=F("lead_unit__name")))
    )


def _progress(user: User, task: int, scope: Scope) -> QuerySet:
    items = plan_selectors.visible_to(user).filter(task_id=task).filter(scope.region_q())
    return PlanProgress.objects.filter(
        item__in=items.values("pk"), created_at__gte=scope.start_at, created_at__lt=scope.end_before
    ).annotate(
        **_columns("plan_progress", at=_day("created_at"), title=_text("text"), unit_a=F("unit__name"), link="item_id")
    )


def _supervisions(user: User, task: int, scope: Scope) -> QuerySet:
    return (
        plan_selectors.supervisions_visible_to(user)
        .filter(scope.region_q(), item__task_id=task, issued_at__gte=scope.start_at, issued_at__lt=scope.end_before)
        .annotate(
            **_columns(
                "supervision",
                at=_day("issued_at"),
                title=_text("text"),
                unit_a=F("item__lead_unit__name"),
                link="item_id",
            )
        )
    )


KINDS: dict[str, Kind] = {
    k.code: k
    for k in [
        Kind("meeting", _("会议"), "meeting-detail", _meetings, ("-starts_at", "-id")),
        Kind("consultation", _("会商"), "consultation-detail", _consultations, ("-held_on", "-id")),
        Kind("recommendation", _("司法建议"), "recommendation-detail", _recommendations, ("-issued_on", "-id")),
        Kind("referral", _("案件移送"), "referral-detail", _referrals, ("-sent_at", "-id")),
        Kind("decision", _("议定事项"), "decision-detail", _decisions, ("-created_at", "-id")),
        Kind("plan_item", _("工作要点"), "plan-item-detail", _plan_items, ("-created_at", "-id")),
        Kind("plan_progress", _("工作要点进展"), "plan-item-detail", _progress, ("-created_at", "-id")),
        Kind("supervision", _("督办"), "plan-item-detail", _supervisions, ("-issued_at", "-id")),
    ]
}
COLUMNS = ("t_kind", "t_id", "t_link", "t_at", "t_title", "t_unit_a", "t_unit_b")


@dataclass(frozen=True)
class Entry:
    kind: str
    label: Promise
    at: date
    title: str
    units: tuple[str, ...]
    url: str


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    number: int
    has_next: bool


def timeline_query(
    user: User, task: int, scope: Scope, *, offset: int, limit: int, cut: bool | None = None
) -> QuerySet:
    """ONE query: the rows ``offset``…``offset + limit`` of the task's timeline for ``user``. ``cut``: whether
    each part is ordered and limited first (by default when the database allows it: PostgreSQL, not SQLite)."""
    if cut is None:
        cut = connection.features.supports_slicing_ordering_in_compound
    parts = []
    for kind in KINDS.values():
        part = kind.rows(user, task, scope).values(*COLUMNS)
        part = part.order_by(*kind.order)[: offset + limit] if cut else part.order_by()
        parts.append(part)
    union = parts[0].union(*parts[1:], all=True)
    return union.order_by("-t_at", "t_kind", "-t_id")[offset : offset + limit]


def _url(kind: Kind, pk: int) -> str:
    try:
        return reverse(kind.url_name, args=[pk])
    except NoReverseMatch:  # a page not installed: the entry is shown without a link
        return ""


def timeline_page(user: User, task: int, scope: Scope, *, page: int = 1) -> Page:
    """One page of the timeline (``PAGE_SIZE`` entries) and whether there is a next one."""
    page = min(max(page, 1), MAX_PAGE)
    offset = (page - 1) * PAGE_SIZE
    rows = list(timeline_query(user, task, scope, offset=offset, limit=PAGE_SIZE + 1))
    entries = []
    for row in rows[:PAGE_SIZE]:
        kind = KINDS[row["t_kind"]]
        units = tuple(u for u in (row["t_unit_a"], row["t_unit_b"]) if u)
        entries.append(
            Entry(kind.code, kind.label, row["t_at"], row["t_title"] or "", units, _url(kind, row["t_link"]))
        )
    return Page(entries=entries, number=page, has_next=len(rows) > PAGE_SIZE and page < MAX_PAGE)


__all__ = ["KINDS", "PAGE_SIZE", "Entry", "Page", "timeline_page", "timeline_query"]
