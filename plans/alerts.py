"""The alerts of the work plan through the one alert engine (``fuyuan.lib.alerts``).

An item still at work (推进中, or 已退回) reminds its lead unit ``FUYUAN_PLAN_DUE_SOON_DAYS`` (7) days before
its due date at 09:00; the day after, the lead unit and the office of the plan's level hear that it is
overdue. A 督办 reminds the lead unit one day before its reply deadline; the day after, the lead unit and
the office hear that it is unanswered; ``FUYUAN_SUPERVISION_ESCALATE_WORKING_DAYS`` (3) working days after
the deadline, still unanswered, it escalates: the unit's supervising authority (主管部门) and the office one
level up hear of it (a provincial plan has none above: its office hears again). Each stage is keyed by the
due date it was computed from, so a changed deadline starts a fresh ladder and a repeated scan sends nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from fuyuan.lib.alerts import AlertStage, due_probe, next_alert_time, scan_due
from fuyuan.lib.workdays import add_working_days
from members.models import User
from members.selectors import ContactDirectory
from members.services import NoticeItem, notify_many
from plans.models import Plan, PlanItem, Supervision

ALERT_HOUR = time(9, 0)


def due_soon_days() -> int:
    return int(getattr(settings, "FUYUAN_PLAN_DUE_SOON_DAYS", 7))


def escalate_working_days() -> int:
    return int(getattr(settings, "FUYUAN_SUPERVISION_ESCALATE_WORKING_DAYS", 3))


def at_hour(day: date, at: time = ALERT_HOUR) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def plan_url(plan: Plan) -> str:
    return reverse("plan-detail", args=[plan.pk])


def item_url(item: PlanItem) -> str:
    return reverse("plan-item-detail", args=[item.pk])


def supervision_url(supervision: Supervision) -> str:
    return reverse("plan-item-detail", args=[supervision.item_id]) + f"#supervision-{supervision.pk}"


def _send_item(item: PlanItem, people: ContactDirectory, event: str, stage: str, *, office: bool) -> NoticeItem:
    to: list[User] = people.contacts([item.lead_unit_id])
    to += people.office_for(item.region_id) if office else []
    return NoticeItem(event, item, stage, to, item_url(item), {"item": item})


def item_stages(item: PlanItem, people: ContactDirectory | None = None) -> list[AlertStage]:
    """The ladder of an item in its current state (the engine's ``stages_of``); none once it is reported
    done, accepted, or while its plan is a draft."""
    if not item.is_working or item.plan.status != item.plan.Status.PUBLISHED:
        return []
    people = people or ContactDirectory()
    soon, late = f"due-soon@{item.due:%Y%m%d}", f"overdue@{item.due:%Y%m%d}"
    overdue_at = at_hour(item.due + timedelta(days=1))
    return [
        AlertStage(
            soon,
            at_hour(item.due - timedelta(days=due_soon_days())),
            at_hour(item.due + timedelta(days=1), time.min),
            send=partial(_send_item, item, people, "plan_item_due", soon, office=False),
        ),
        AlertStage(late, overdue_at, send=partial(_send_item, item, people, "plan_item_overdue", late, office=True)),
    ]


def _send_supervision(sup: Supervision, people: ContactDirectory, event: str, stage: str, *, level: int) -> NoticeItem:
    """``level`` 0: the lead unit; 1: and the office of the plan's level; 2 (escalation): the unit's
    supervising authority, the office and the office one level up."""
    unit = sup.item.lead_unit
    to: list[User] = people.contacts([unit.pk])
    if level >= 1:
        to += people.office_for(sup.region_id)
    if level >= 2:
        to += people.contacts([unit.supervisor_id]) + people.office_above(sup.region_id)
    context = {"supervision": sup, "item": sup.item, "days": escalate_working_days()}
    return NoticeItem(event, sup, stage, to, supervision_url(sup), context)


def supervision_stages(sup: Supervision, people: ContactDirectory | None = None) -> list[AlertStage]:
    if sup.status != Supervision.Status.OPEN:
        return []
    people = people or ContactDirectory()
    key = f"{sup.due:%Y%m%d}"
    overdue_at = at_hour(sup.due + timedelta(days=1))
    up_at = at_hour(add_working_days(sup.due, escalate_working_days()))
    send = partial(_send_supervision, sup, people)
    return [
        AlertStage(
            f"due-soon@{key}",
            at_hour(sup.due - timedelta(days=1)),
            at_hour(sup.due + timedelta(days=1), time.min),
            send=partial(send, "supervision_due", f"due-soon@{key}", level=0),
        ),
        AlertStage(f"overdue@{key}", overdue_at, send=partial(send, "supervision_overdue", f"overdue@{key}", level=1)),
        AlertStage(f"escalated@{key}", up_at, send=partial(send, "supervision_escalated", f"escalated@{key}", level=2)),
    ]


def arm_item(item: PlanItem, now: datetime) -> None:
    """Store when the item's next stage is due, after any change (no notice is sent here)."""
    item.next_alert_at = next_alert_time(item_stages(item), now)
    PlanItem.objects.filter(pk=item.pk).update(next_alert_at=item.next_alert_at)


def arm_supervision(sup: Supervision, now: datetime) -> None:
    sup.next_alert_at = next_alert_time(supervision_stages(sup), now)
    Supervision.objects.filter(pk=sup.pk).update(next_alert_at=sup.next_alert_at)


def scan_alerts(*, now: datetime | None = None) -> int:
    """The periodic scan of items and 督办: send every stage that has come, once. With nothing due it
    costs one query, with no join: both tables' partial indexes on ``next_alert_at`` probed in one UNION ALL."""
    now = now or timezone.now()
    due = list(_due_units(now))
    if not due:
        return 0
    people = ContactDirectory()
    people.preload(unit for kind, unit in due if kind == ITEM)
    if any(kind == SUPERVISION for kind, _item in due):
        units = Supervision.objects.filter(next_alert_at__lte=now).values_list(
            "item__lead_unit_id", "item__lead_unit__supervisor_id"
        )
        people.preload(unit for row in units for unit in row)
    done = 0
    if any(kind == ITEM for kind, _unit in due):
        items = PlanItem.objects.select_related("plan", "lead_unit", "task")
        done += scan_due(items, now=now, stages_of=partial(item_stages, people=people), deliver=notify_many)
    if any(kind == SUPERVISION for kind, _item in due):
        sups = Supervision.objects.select_related("item__lead_unit", "item__task", "item__plan")
        done += scan_due(sups, now=now, stages_of=partial(supervision_stages, people=people), deliver=notify_many)
    return done


ITEM, SUPERVISION = 1, 2


def _due_units(now: datetime) -> QuerySet[Any, tuple[int, Any]]:
    """(ITEM, its lead unit) of each due item and (SUPERVISION, its item) of each due 督办, in one query."""
    return due_probe(
        now, (ITEM, PlanItem.objects.all(), "lead_unit_id"), (SUPERVISION, Supervision.objects.all(), "item_id")
    )
