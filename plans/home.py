"""The home page's work-plan panel (``members.home``): what waits on the user in the year's plan.

* A unit's people (liaisons, court clerks): the items their unit leads that are still at work (推进中 or
  已退回; overdue first, then by due date) and its open 督办 with their reply deadlines.
* The office (and administrators): the items reported done awaiting acceptance and the overdue 督办 of its
  scope (``selectors.visible_to``: its region and below).

Two queries for each part shown, whatever the number of rows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from members.home import Panel
from members.models import User
from members.roles import is_office
from plans import selectors
from plans.models import Plan, PlanItem, Supervision
from plans.services import is_unit_staff

LIMIT = 8


def _url(name: str, query: str = "") -> str | None:
    """The address of a list page, when the pages define it."""
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return None


def _head(rows: list[Any], limit: int) -> tuple[list[Any], bool]:
    return rows[:limit], len(rows) > limit


def unit_todo(unit_id: int, *, today: date, limit: int = LIMIT) -> dict[str, Any]:
    """The unit's items at work (overdue ones first: the earliest due dates) and its open 督办."""
    items = (
        PlanItem.objects.filter(lead_unit_id=unit_id, status__in=PlanItem.WORKING, plan__status=Plan.Status.PUBLISHED)
        .select_related("task", "plan")
        .order_by("due", "id")
    )
    sups = (
        Supervision.objects.filter(item__lead_unit_id=unit_id, status=Supervision.Status.OPEN)
        .select_related("item__task")
        .order_by("due", "id")
    )
    led, led_more = _head(list(items[: limit + 1]), limit)
    open_sups, sups_more = _head(list(sups[: limit + 1]), limit)
    return {
        "led_items": led,
        "led_more": led_more,
        "open_supervisions": open_sups,
        "open_supervisions_more": sups_more,
        "items_url": _url("plan-item-list", f"?unit={unit_id}"),
        "supervisions_url": _url("supervision-list", f"?unit={unit_id}&status=open"),
    }


def office_todo(user: User, *, today: date, limit: int = LIMIT) -> dict[str, Any]:
    """Items reported done awaiting acceptance (the oldest report first) and the overdue 督办 of the scope."""
    done = (
        selectors.visible_to(user)
        .filter(status=PlanItem.Status.DONE)
        .select_related("task", "lead_unit")
        .order_by("done_at", "id")
    )
    late = (
        selectors.supervisions_visible_to(user)
        .filter(Supervision.objects.overdue_q(today))
        .select_related("item__lead_unit", "item__task")
        .order_by("due", "id")
    )
    to_accept, accept_more = _head(list(done[: limit + 1]), limit)
    overdue_sups, overdue_more = _head(list(late[: limit + 1]), limit)
    return {
        "to_accept": to_accept,
        "to_accept_more": accept_more,
        "overdue_supervisions": overdue_sups,
        "overdue_supervisions_more": overdue_more,
        "accept_url": _url("plan-item-list", "?status=done"),
        "overdue_url": _url("supervision-list", "?overdue=1"),
    }


def plan_todo(user: User, *, today: date | None = None, limit: int = LIMIT) -> dict[str, Any] | None:
    """The panel's context (``templates/plans/_home_panel.html``), or None when nothing concerns the user."""
    today = today or timezone.localdate()
    office, unit = is_office(user), is_unit_staff(user)
    if not (office or unit):
        return None
    context: dict[str, Any] = {"today": today, "office": office, "unit": unit}
    if unit and user.unit_id is not None:
        context |= unit_todo(user.unit_id, today=today, limit=limit)
    if office:
        context |= office_todo(user, today=today, limit=limit)
    return context


def home_panel(user: User) -> Panel | None:
    context = plan_todo(user)
    return None if context is None else Panel(template="plans/_home_panel.html", context=context, order=25)
