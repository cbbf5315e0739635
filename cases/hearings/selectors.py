"""Reads of hearings. The scope lives here (DESIGN.md promise 4): every list, detail, export and API view starts
from :func:`visible_to`; anything outside it is 404.

Administrators and the provincial office and leaders read every hearing; the office and leaders of a 市州 or
县市区 what lives in their region or below; a court clerk their court's hearings (drafts too) and, read-only,
the notified ones of the courts below; a liaison the notified hearings of their unit (or a sub-unit) as the
defendant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Min, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.hearings.models import Hearing
from members.levels import reach_of
from members.models import Notification, User

Status = Hearing.Status


def visible_to(user: User) -> QuerySet[Hearing]:
    """Every hearing this user may read (scope by level: ``members.levels.reach_of``)."""
    qs = Hearing.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    reach = reach_of(user)
    if reach.everything:
        return qs
    if reach.nothing:
        return qs.none()
    scope = Q(pk__in=[])
    sent = ~Q(status=Status.DRAFT)
    if reach.region is not None:
        scope |= reach.region_q()
    if reach.all_courts:
        scope |= Q(court_id=user.unit_id) | sent
    elif reach.court_ids:
        below = [pk for pk in reach.court_ids if pk != user.unit_id]
        scope |= Q(court_id=user.unit_id) | (Q(court_id__in=below) & sent) if below else Q(court_id=user.unit_id)
    if reach.unit_ids:
        scope |= Q(defendant_id__in=reach.unit_ids) & sent
    return qs.filter(scope)


def list_rows(qs: QuerySet[Hearing]) -> QuerySet[Hearing]:
    """What a list row shows, joined in."""
    return qs.select_related("court", "defendant")


def rows_in_order(user: User, ids: list[int]) -> list[Hearing]:
    by_id = {row.pk: row for row in list_rows(visible_to(user).filter(pk__in=ids))}
    return [by_id[pk] for pk in ids if pk in by_id]


def hearing_detail(user: User, pk: int) -> Hearing:
    """One hearing in the user's scope (DoesNotExist outside it: a 404)."""
    return (
        visible_to(user)
        .select_related(
            "court", "defendant", "defendant__supervisor", "notified_by", "answered_by", "recorded_by", "created_by"
        )
        .prefetch_related("tasks")
        .get(pk=pk)
    )


def to_answer(unit_id: int | None, now: datetime) -> QuerySet[Hearing]:
    """The notified hearings a unit has still to answer before they begin, the soonest first (the liaison's
    home panel)."""
    if unit_id is None:
        return Hearing.objects.none()
    return (
        Hearing.objects.filter(defendant_id=unit_id, status=Status.NOTIFIED, hearing_at__gt=now)
        .select_related("court")
        .order_by("hearing_at", "id")
    )


def to_record(court_id: int | None, now: datetime) -> QuerySet[Hearing]:
    """The court's hearings whose time has come and whose appearance is not recorded (the clerk's home panel)."""
    if court_id is None:
        return Hearing.objects.none()
    return (
        Hearing.objects.filter(court_id=court_id, status__in=Hearing.OPEN_STATUSES, hearing_at__lte=now)
        .select_related("defendant")
        .order_by("hearing_at", "id")
    )


# --- The timeline of one record -------------------------------------------------------------------

REASON_LABELS = {
    "created": gettext_lazy("登记"),
    "updated": gettext_lazy("修改草稿"),
    "notified": gettext_lazy("发出出庭通知"),
    "answered": gettext_lazy("回复出庭人员"),
    "recorded": gettext_lazy("登记出庭情况"),
    "cancelled": gettext_lazy("取消"),
}
EVENT_LABELS = {
    "hearing.notified": gettext_lazy("通知被告行政机关"),
    "hearing.answered": gettext_lazy("通知法院:已回复"),
    "hearing.reminder": gettext_lazy("未回复提醒"),
    "hearing.reported": gettext_lazy("通报主管部门"),
    "hearing.cancelled": gettext_lazy("通知被告行政机关:已取消"),
}


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # "action" or "notice"
    label: str
    who: str = ""
    detail: str = ""


def _detail(h: object, reason: str) -> str:
    if reason == "answered":
        responsible = _("负责人出庭") if getattr(h, "answer_responsible", False) else _("非负责人出庭")
        return f"{getattr(h, 'answer_name', '')} {getattr(h, 'answer_post', '')} · {responsible}".strip()
    if reason == "recorded":
        code = getattr(h, "appeared", "")
        label = str(Hearing.Appeared(code).label) if code in Hearing.Appeared.values else ""
        return f"{label} {getattr(h, 'appeared_name', '')}".strip()
    if reason == "cancelled":
        return str(getattr(h, "cancel_reason", ""))
    return ""


def hearing_timeline(hearing: Hearing) -> list[TimelineEntry]:
    """Everything that happened, oldest first: the audit trail's actions and the notices sent."""
    entries: list[TimelineEntry] = []
    history = (
        hearing.history.filter(history_change_reason__in=list(REASON_LABELS))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    for h in history:
        reason = h.history_change_reason or ""
        who = h.history_user.display_name if h.history_user else _("系统")
        entries.append(
            TimelineEntry(at=h.history_date, kind="action", label=str(REASON_LABELS[reason]), who=who,
                          detail=_detail(h, reason))
        )  # fmt: skip
    notices = (
        Notification.objects.filter(content_type=ContentType.objects.get_for_model(Hearing), object_id=hearing.pk)
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
