"""The recommendations' panel on the home page: a liaison's "awaiting our reply" list."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from cases.recommendations.alerts import due_soon_days
from cases.recommendations.selectors import awaiting_reply
from members.home import Panel
from members.models import User
from members.roles import Role, has_role


def awaiting_context(unit: Any, *, limit: int = 10) -> dict[str, Any]:
    """Context for ``cases/recommendations/_awaiting.html`` on the liaison's home page."""
    rows = list(awaiting_reply(unit)[: limit + 1])
    today: date = timezone.localdate()
    return {
        "awaiting": rows[:limit],
        "awaiting_more": len(rows) > limit,
        "awaiting_unit_id": getattr(unit, "pk", unit),
        "soon_days": due_soon_days()[0],
        "today": today,
    }


def awaiting_reply_panel(user: User) -> Panel | None:
    """A liaison's "awaiting our reply" list of judicial recommendations."""
    if not has_role(user, Role.LIAISON) or user.unit_id is None:
        return None
    return Panel(template="cases/recommendations/_awaiting.html", context=awaiting_context(user.unit_id), order=10)
