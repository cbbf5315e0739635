"""Reads of judicial recommendations. The scope lives here, in one place (DESIGN.md promise 4).

Administrators and the provincial office and leaders see every recommendation; the office and
leaders of a 市州 or 县市区 what lives in their region or below; a court clerk their court's, and
read-only the issued ones of the courts below; a liaison what was issued to their unit (or a
sub-unit) or copied to it, and what it supervises once it has been told of it (``supervisor_informed_at``).
Every list, detail, export and API view starts from :func:`visible_to`; anything outside it is 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Min, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.recommendations.filters import RecommendationFilter, awaiting_signature_q, recurs_q
from cases.recommendations.models import JudicialRecommendation
from members.levels import Reach, reach_of
from members.models import MemberUnit, Notification, User

CopyTo = JudicialRecommendation.copy_to.through


def visible_to(user: User) -> QuerySet[JudicialRecommendation]:
    """Every recommendation this user may read (scope by level: ``members.levels.reach_of``)."""
    qs = JudicialRecommendation.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    reach = reach_of(user)
    if reach.everything:
        return qs
    if reach.nothing:
        return qs.none()
    scope = Q(pk__in=[])
    if reach.region is not None:
        # The office and leaders of a 市州 or 县市区: what lives in their region or below.
        scope |= reach.region_q()
    if reach.all_courts or reach.court_ids:
        scope |= _court_scope(user, reach)
    if reach.unit_ids:
        scope |= _liaison_scope(reach.unit_ids)
    return qs.filter(scope)


def _court_scope(user: User, reach: Reach) -> Q:
    """A clerk: their own court's recommendations (drafts too), and the issued ones of the courts below."""
    own = Q(court_id=user.unit_id)
    issued = Q(issued_at__isnull=False)
    if reach.all_courts:
        return own | issued
    below = [pk for pk in reach.court_ids if pk != user.unit_id]
    return own | (Q(court_id__in=below) & issued) if below else own


def _liaison_scope(unit_ids: tuple[int, ...]) -> Q:
    """A liaison: what was issued to their unit or a sub-unit, copied to one, or escalated to one."""
    # One index lookup per way a unit is involved, as a union: an OR of these (with the copy-to
    # EXISTS) would make PostgreSQL test every row of the table.
    # No ORDER BY inside the parts: SQLite (development) refuses it in a compound statement.
    issued = JudicialRecommendation.objects.filter(issued_at__isnull=False).order_by()
    ids = list(unit_ids)
    involved = (
        issued.filter(addressee_id__in=ids)
        .values("pk")
        .union(CopyTo.objects.filter(memberunit_id__in=ids).order_by().values("judicialrecommendation_id"))
        .union(issued.filter(supervisor_id__in=ids, supervisor_informed_at__isnull=False).values("pk"))
    )
    return Q(pk__in=involved, issued_at__isnull=False)


SORTS = {
    "issued_on": ("issued_on", "id"),
    "reply_due": ("reply_due", "id"),
    "number": ("number", "id"),
    "status": ("status", "id"),
    "court": ("court__name", "id"),
    "addressee": ("addressee__name", "id"),
    "title": ("title", "id"),
    "created_at": ("created_at", "id"),
}
DEFAULT_SORT = "-issued_on"


def order_clause(sort: str) -> list[str]:
    """``sort`` is a key of SORTS, "-" first for descending; the id breaks ties so paging is stable.

    Plain ``ORDER BY … DESC`` (NULLs first, as PostgreSQL's indexes keep them) lets the default
    order, newest issue first, walk the ``recommendation_list_order`` index at any page.
    """
    key = sort.lstrip("-")
    if key not in SORTS:
        key, sort = DEFAULT_SORT.lstrip("-"), DEFAULT_SORT
    prefix = "-" if sort.startswith("-") else ""
    return [f"{prefix}{field}" for field in SORTS[key]]


def filtered(user: User, params: Mapping[str, Any]) -> QuerySet[JudicialRecommendation]:
    """The user's recommendations through the list's filters (the page, the export and the API)."""
    return RecommendationFilter(params, visible_to(user), user=user).qs


def list_rows(qs: QuerySet[JudicialRecommendation]) -> QuerySet[JudicialRecommendation]:
    """What a list row shows, joined in."""
    return qs.select_related("court", "addressee", "supervisor")


def rows_in_order(user: User, ids: list[int]) -> list[JudicialRecommendation]:
    """The list rows for one page of ids, with what a row shows joined in (and whether it recurs), in order."""
    by_id = {row.pk: row for row in list_rows(visible_to(user).filter(pk__in=ids)).annotate(recurs=recurs_q())}
    return [by_id[pk] for pk in ids if pk in by_id]


def recommendation_detail(user: User, pk: int) -> JudicialRecommendation:
    """One recommendation in the user's scope (raises DoesNotExist outside it: a 404)."""
    return (
        visible_to(user)
        .select_related(
            "court",
            "addressee",
            "supervisor",
            "issued_by",
            "acknowledged_by",
            "replied_by",
            "created_by",
            "submitted_by",
            "approved_by",
            "delivery_recorded_by",
            "rectified_by",
            "visited_by",
        )
        .prefetch_related("copy_to", "tasks", "attachments")
        .get(pk=pk)
    )


def awaiting_reply(unit: MemberUnit | int | None) -> QuerySet[JudicialRecommendation]:
    """What a unit still has to acknowledge or answer, the most urgent first (the liaison's home page)."""
    unit_id = unit.pk if isinstance(unit, MemberUnit) else unit
    if unit_id is None:
        return JudicialRecommendation.objects.none()
    return (
        JudicialRecommendation.objects.filter(addressee_id=unit_id, status__in=JudicialRecommendation.OPEN_STATUSES)
        .select_related("court")
        .order_by(F("reply_due").asc(nulls_first=True), "issued_on", "id")
    )


def rectifying(unit: MemberUnit | int | None) -> QuerySet[JudicialRecommendation]:
    """What a unit adopted and has still to report rectified, the nearest deadline first (the liaison's home page)."""
    unit_id = unit.pk if isinstance(unit, MemberUnit) else unit
    if unit_id is None:
        return JudicialRecommendation.objects.none()
    return (
        JudicialRecommendation.objects.filter(addressee_id=unit_id, status=JudicialRecommendation.Status.RECTIFYING)
        .select_related("court")
        .order_by(F("rectification_due").asc(nulls_last=True), "id")
    )


def awaiting_signature(user: User) -> QuerySet[JudicialRecommendation]:
    """The drafts a signer may approve now, the longest waiting first (the signer's home page)."""
    return (
        JudicialRecommendation.objects.filter(awaiting_signature_q(user))
        .select_related("submitted_by")
        .order_by("submitted_at", "id")
    )


def visit_due(court_id: int | None, today: date) -> QuerySet[JudicialRecommendation]:
    """A court's adopted recommendations whose rectification deadline has passed and that are not yet visited
    (the clerk's home page), the oldest deadline first."""
    if court_id is None:
        return JudicialRecommendation.objects.none()
    return (
        JudicialRecommendation.objects.filter(
            court_id=court_id,
            status__in=JudicialRecommendation.RECTIFICATION_STATUSES,
            rectification_due__lt=today,
        )
        .select_related("addressee")
        .order_by("rectification_due", "id")
    )


# --- The timeline of one record -------------------------------------------------------------------

REASON_LABELS = {
    "created": gettext_lazy("起草"),
    "updated": gettext_lazy("修改草稿"),
    "issued": gettext_lazy("发出"),
    "acknowledged": gettext_lazy("签收"),
    "replied": gettext_lazy("回复"),
    "closed": gettext_lazy("办结"),
    "withdrawn": gettext_lazy("撤回"),
    "reminded": gettext_lazy("办公室督办"),
    "escalated": gettext_lazy("逾期通报主管部门"),
    "submitted": gettext_lazy("提交核稿"),
    "approved": gettext_lazy("签发"),
    "sent_back": gettext_lazy("退回修改"),
    "delivered": gettext_lazy("登记纸质送达"),
    "rectified": gettext_lazy("报告整改完成"),
    "visit_scheduled": gettext_lazy("安排回访"),
    "visited": gettext_lazy("登记回访"),
}

EVENT_LABELS = {
    "recommendation.issued": gettext_lazy("通知收文单位与抄送单位"),
    "recommendation.acknowledged": gettext_lazy("通知法院:已签收"),
    "recommendation.replied": gettext_lazy("通知法院:已回复"),
    "recommendation.closed": gettext_lazy("通知收文单位:已办结"),
    "recommendation.withdrawn": gettext_lazy("通知收文单位:已撤回"),
    "recommendation.ack_reminder": gettext_lazy("提醒签收"),
    "recommendation.due_soon": gettext_lazy("回复期限临近提醒"),
    "recommendation.overdue": gettext_lazy("逾期未回复警示"),
    "recommendation.escalated": gettext_lazy("通报主管部门"),
    "recommendation.remind": gettext_lazy("督办提醒"),
    "recommendation.submitted": gettext_lazy("通知签发人:待签发"),
    "recommendation.approved": gettext_lazy("通知起草人:已签发"),
    "recommendation.sent_back": gettext_lazy("通知起草人:退回修改"),
    "recommendation.delivered": gettext_lazy("通知收文单位:已登记送达"),
    "recommendation.rectified": gettext_lazy("通知法院:整改完成"),
    "recommendation.recurrence": gettext_lazy("问题复发通报主管部门"),
    "recommendation.not_rectified": gettext_lazy("未整改通报主管部门"),
    "recommendation.rectification_due": gettext_lazy("整改期限临近提醒"),
    "recommendation.rectification_overdue": gettext_lazy("整改逾期警示"),
    "recommendation.visit_due": gettext_lazy("提醒法院回访"),
    "recommendation.visit_planned": gettext_lazy("回访当日提醒"),
}


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # "action" or "notice"
    label: str
    who: str = ""
    detail: str = ""


def recommendation_timeline(rec: JudicialRecommendation) -> list[TimelineEntry]:
    """Everything that happened, oldest first: the audit trail's actions and the notices sent."""
    entries: list[TimelineEntry] = []
    history = (
        rec.history.filter(history_change_reason__in=list(REASON_LABELS))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    for h in history:
        reason = h.history_change_reason or ""
        detail = ""
        if reason == "replied" and h.reply_outcome:
            detail = str(JudicialRecommendation.Outcome(h.reply_outcome).label)
        elif reason == "visited" and h.visit_result:
            detail = str(JudicialRecommendation.VisitResult(h.visit_result).label)
        elif reason == "withdrawn":
            detail = h.withdraw_reason
        user = h.history_user
        entries.append(
            TimelineEntry(
                at=h.history_date,
                kind="action",
                label=str(REASON_LABELS[reason]),
                who=(user.display_name if user else _("系统")),
                detail=detail,
            )
        )
    notices = (
        Notification.objects.filter(
            content_type=ContentType.objects.get_for_model(JudicialRecommendation), object_id=rec.pk
        )
        .values("event", "stage")
        .annotate(first=Min("created_at"), people=Count("id"))
        .order_by("first")
    )
    for n in notices:
        label = str(EVENT_LABELS.get(n["event"], n["event"]))
        entries.append(
            TimelineEntry(at=n["first"], kind="notice", label=label, detail=_("已通知 %(n)s 人") % {"n": n["people"]})
        )
    entries.sort(key=lambda e: (e.at, e.kind != "action"))
    return entries
