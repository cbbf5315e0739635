"""Reads of judicial recommendations. The scope lives here, in one place (DESIGN.md promise 4).

Office staff, leaders and administrators see every recommendation; a court clerk sees their
court's; a liaison sees what was issued to their unit or copied to it, and, once escalated, what
their unit supervises. Every list, detail, export and API view starts from
:func:`recommendations_for`; anything outside it is 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import JudicialRecommendation
from members.models import MemberUnit, Notification, User
from members.roles import Role, can_read_all, has_role

Status = JudicialRecommendation.Status
CopyTo = JudicialRecommendation.copy_to.through


def recommendations_for(user: User) -> QuerySet[JudicialRecommendation]:
    """Every recommendation this user may read."""
    qs = JudicialRecommendation.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if can_read_all(user):
        return qs
    unit_id = user.unit_id
    if unit_id is None:
        return qs.none()
    scope = Q(pk__in=[])
    if has_role(user, Role.COURT_CLERK):
        scope |= Q(court_id=unit_id)
    if has_role(user, Role.LIAISON):
        # One index lookup per way a unit is involved, as a union: an OR of these (with the copy-to
        # EXISTS) would make PostgreSQL test every row of the table.
        # No ORDER BY inside the parts: SQLite (development) refuses it in a compound statement.
        issued = JudicialRecommendation.objects.filter(issued_at__isnull=False).order_by()
        involved = (
            issued.filter(addressee_id=unit_id)
            .values("pk")
            .union(CopyTo.objects.filter(memberunit_id=unit_id).order_by().values("judicialrecommendation_id"))
            .union(issued.filter(supervisor_id=unit_id, escalated_at__isnull=False).values("pk"))
        )
        scope |= Q(pk__in=involved, issued_at__isnull=False)
    return qs.filter(scope)


def with_overdue(qs: QuerySet[JudicialRecommendation], today: date | None = None) -> QuerySet[JudicialRecommendation]:
    today = today or timezone.localdate()
    return qs.annotate(
        overdue=Case(
            When(status__in=JudicialRecommendation.OPEN_STATUSES, reply_due__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


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


def _truthy(value: Any) -> bool | None:
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    return None


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


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


def filter_recommendations(
    qs: QuerySet[JudicialRecommendation], params: Mapping[str, Any], *, today: date | None = None
) -> QuerySet[JudicialRecommendation]:
    """The filters of the list page, the export and the API: status, court, addressee, task, year,
    overdue, escalated, and a search over 文号, 案号, title and the units' names."""
    today = today or timezone.localdate()
    status = params.get("status") or ""
    if status in Status.values:
        qs = qs.filter(status=status)
    for name in ("court", "addressee", "supervisor"):
        value = _int(params.get(name))
        if value is not None:
            qs = qs.filter(**{f"{name}_id": value})
    addressee_name = str(params.get("addressee_name") or "").strip()[:100]
    if addressee_name:
        qs = qs.filter(addressee__name__icontains=addressee_name)
    task = _int(params.get("task"))
    if task is not None:
        qs = qs.filter(Exists(JudicialRecommendation.tasks.through.objects.filter(
            judicialrecommendation_id=OuterRef("pk"), worktask_id=task)))  # fmt: skip
    year = _int(params.get("year"))
    if year is not None:
        qs = qs.filter(year=year)
    overdue = _truthy(params.get("overdue", ""))
    if overdue is True:
        qs = qs.filter(status__in=JudicialRecommendation.OPEN_STATUSES, reply_due__lt=today)
    elif overdue is False:
        qs = qs.exclude(status__in=JudicialRecommendation.OPEN_STATUSES, reply_due__lt=today)
    escalated = _truthy(params.get("escalated", ""))
    if escalated is not None:
        qs = qs.filter(escalated_at__isnull=not escalated)
    search = str(params.get("search") or params.get("q") or "").strip()[:100]
    if search:
        # Units matching the name first (a small table), so that every branch of the OR is an
        # index lookup (trigram indexes on 文号, 案号 and title; the foreign-key indexes).
        units = list(MemberUnit.objects.filter(name__icontains=search).values_list("pk", flat=True)[:2000])
        qs = qs.filter(
            Q(number__icontains=search)
            | Q(case_number__icontains=search)
            | Q(title__icontains=search)
            | Q(addressee_id__in=units)
            | Q(court_id__in=units)
        )
    return qs


def recommendation_list(
    user: User, params: Mapping[str, Any], *, sort: str = DEFAULT_SORT
) -> QuerySet[JudicialRecommendation]:
    """The user's recommendations, filtered and sorted, with what a list row shows joined in."""
    today = timezone.localdate()
    qs = filter_recommendations(recommendations_for(user), params, today=today)
    qs = with_overdue(qs, today).select_related("court", "addressee", "supervisor")
    return qs.order_by(*order_clause(sort))


def recommendation_ids(user: User, params: Mapping[str, Any]) -> QuerySet[JudicialRecommendation]:
    """The filtered scope without joins, to sort and page: OFFSET then walks an index, not joined rows."""
    return filter_recommendations(recommendations_for(user), params).only("pk")


def recommendation_rows(user: User, ids: list[int]) -> list[JudicialRecommendation]:
    """The list rows for one page of ids, with what a row shows joined in, in the page's order."""
    today = timezone.localdate()
    rows = with_overdue(recommendations_for(user).filter(pk__in=ids), today).select_related(
        "court", "addressee", "supervisor"
    )
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def recommendation_detail(user: User, pk: int) -> JudicialRecommendation:
    """One recommendation in the user's scope (raises DoesNotExist outside it: a 404)."""
    return (
        with_overdue(recommendations_for(user))
        .select_related("court", "addressee", "supervisor", "issued_by", "acknowledged_by", "replied_by", "created_by")
        .prefetch_related("copy_to", "tasks", "attachments")
        .get(pk=pk)
    )


def awaiting_reply(unit: MemberUnit | int | None) -> QuerySet[JudicialRecommendation]:
    """What a unit still has to acknowledge or answer, the most urgent first (the liaison's home page)."""
    unit_id = unit.pk if isinstance(unit, MemberUnit) else unit
    if unit_id is None:
        return JudicialRecommendation.objects.none()
    from django.db.models import F

    return (
        with_overdue(
            JudicialRecommendation.objects.filter(addressee_id=unit_id, status__in=JudicialRecommendation.OPEN_STATUSES)
        )
        .select_related("court")
        .order_by(F("reply_due").asc(nulls_first=True), "issued_on", "id")
    )


def year_choices() -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - 8, -1))


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
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count, Min

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
