"""Reads of legal opinions. ``visible_to`` is the ONE scope: every list, detail, export, picker and API view
starts from it; outside it is 404.

Scope by level (``members.levels.reach_of``): administrators and the provincial office and leaders read every
opinion; the office and leaders of a 市州 or 县市区 those living in their region or below; a liaison those of
their unit (as requester) and, read-only, of its sub-units; a court clerk their court's, and read-only those of
the courts below it (the High Court's clerks every court's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Min, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.opinions.models import Opinion
from members.levels import reach_of
from members.models import Notification, User


def visible_to(user: User) -> QuerySet[Opinion]:
    """Every opinion ``user`` may read."""
    qs = Opinion.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    reach = reach_of(user)
    if reach.everything or reach.all_courts:
        # A High Court clerk reads every court's opinions: every opinion is addressed to a court.
        return qs
    if reach.nothing:
        return qs.none()
    scope = Q(pk__in=[])
    if reach.region is not None:
        scope |= reach.region_q()
    if reach.unit_ids:
        scope |= Q(requester_id__in=reach.unit_ids)
    if reach.court_ids:
        scope |= reach.courts_q("court")
    return qs.filter(scope)


def list_rows(qs: QuerySet[Opinion]) -> QuerySet[Opinion]:
    """What a list row (and an API row) shows, joined in."""
    return qs.select_related("requester", "court")


def rows_in_order(user: User, ids: list[int]) -> list[Opinion]:
    """The rows of one page of ids, with what a row shows joined in, in the page's order."""
    by_id = {row.pk: row for row in list_rows(visible_to(user).filter(pk__in=ids))}
    return [by_id[pk] for pk in ids if pk in by_id]


def opinion_detail(user: User, pk: int) -> Opinion:
    """One opinion in the user's scope (``Opinion.DoesNotExist`` outside it: a 404)."""
    return (
        visible_to(user)
        .select_related("requester", "court", "requested_by", "answered_by")
        .prefetch_related("tasks")
        .get(pk=pk)
    )


def to_answer(court_id: int | None) -> QuerySet[Opinion]:
    """What a court still has to answer, the soonest due first (the clerk's home panel)."""
    if court_id is None:
        return Opinion.objects.none()
    return (
        Opinion.objects.filter(court_id=court_id, status=Opinion.Status.REQUESTED)
        .select_related("requester")
        .order_by("due", "id")
    )


def answers_received(unit_id: int | None) -> QuerySet[Opinion]:
    """The answers a requester has received, the newest first (the liaison's home panel)."""
    if unit_id is None:
        return Opinion.objects.none()
    return (
        Opinion.objects.filter(requester_id=unit_id, status=Opinion.Status.ANSWERED)
        .select_related("court")
        .order_by(F("answered_at").desc(), "-id")
    )


# --- The timeline of one opinion -------------------------------------------------------------------------

REASON_LABELS = {
    "requested": gettext_lazy("提出咨询"),
    "offered": gettext_lazy("法院主动提供意见"),
    "updated": gettext_lazy("修改咨询"),
    "answered": gettext_lazy("答复"),
    "withdrawn": gettext_lazy("撤回"),
}
EVENT_LABELS = {
    "opinion_requested": gettext_lazy("通知法院:收到咨询"),
    "opinion_answered": gettext_lazy("通知咨询单位:已答复"),
    "opinion_withdrawn": gettext_lazy("通知法院:已撤回"),
    "opinion_due_soon": gettext_lazy("答复期限临近提醒"),
    "opinion_overdue": gettext_lazy("逾期未答复警示"),
    "opinion_escalated": gettext_lazy("逾期升级督办"),
}


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # "action" or "notice"
    label: str
    who: str = ""
    detail: str = ""


def timeline(opinion: Opinion) -> list[TimelineEntry]:
    """Everything that happened, oldest first: the audit trail's actions and the notices sent (two queries)."""
    entries: list[TimelineEntry] = []
    history = (
        opinion.history.filter(history_change_reason__in=list(REASON_LABELS))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    for h in history:
        reason = h.history_change_reason or ""
        user = h.history_user
        entries.append(
            TimelineEntry(
                at=h.history_date,
                kind="action",
                label=str(REASON_LABELS[reason]),
                who=user.display_name if user else _("系统"),
                detail=h.withdraw_reason if reason == "withdrawn" else "",
            )
        )
    notices = (
        Notification.objects.filter(content_type=ContentType.objects.get_for_model(Opinion), object_id=opinion.pk)
        .values("event", "stage")
        .annotate(first=Min("created_at"), people=Count("id"))
        .order_by("first")
    )
    for n in notices:
        entries.append(
            TimelineEntry(
                at=n["first"],
                kind="notice",
                label=str(EVENT_LABELS.get(n["event"], n["event"])),
                detail=_("已通知 %(n)s 人") % {"n": n["people"]},
            )
        )
    entries.sort(key=lambda e: (e.at, e.kind != "action"))
    return entries
