"""The recommendations' panels on the home page: a liaison's "awaiting our reply" and "to rectify" lists, and a
court clerk's to-do (drafts awaiting their signature, adopted recommendations due for a follow-up visit)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from cases.recommendations.alerts import due_soon_days
from cases.recommendations.selectors import awaiting_reply, awaiting_signature, rectifying, visit_due
from cases.recommendations.services import can_sign
from members.home import Panel
from members.models import User
from members.roles import Role, has_role


def _first(rows: Any, limit: int) -> tuple[list[Any], bool]:
    """The first ``limit`` rows, and whether there are more (one query)."""
    found = list(rows[: limit + 1])
    return found[:limit], len(found) > limit


def awaiting_context(unit: Any, *, limit: int = 10) -> dict[str, Any]:
    """Context for ``cases/recommendations/_awaiting.html`` on the liaison's home page."""
    awaiting, awaiting_more = _first(awaiting_reply(unit), limit)
    to_rectify, to_rectify_more = _first(rectifying(unit), limit)
    today: date = timezone.localdate()
    return {
        "awaiting": awaiting,
        "awaiting_more": awaiting_more,
        "awaiting_unit_id": getattr(unit, "pk", unit),
        "rectifying": to_rectify,
        "rectifying_more": to_rectify_more,
        "soon_days": due_soon_days()[0],
        "today": today,
    }


def awaiting_reply_panel(user: User) -> Panel | None:
    """A liaison's "awaiting our reply" list of judicial recommendations, and what their unit is rectifying."""
    if not has_role(user, Role.LIAISON) or user.unit_id is None:
        return None
    return Panel(template="cases/recommendations/_awaiting.html", context=awaiting_context(user.unit_id), order=10)


def court_todo_panel(user: User, *, limit: int = 10) -> Panel | None:
    """A court clerk's recommendations to act on: to sign (a signer only) and to visit. Two queries at most."""
    if not has_role(user, Role.COURT_CLERK) or user.unit_id is None:
        return None
    today = timezone.localdate()
    context: dict[str, Any] = {"today": today}
    if can_sign(user, user.unit_id):
        context["to_sign"], context["to_sign_more"] = _first(awaiting_signature(user), limit)
    context["to_visit"], context["to_visit_more"] = _first(visit_due(user.unit_id, today), limit)
    return Panel(template="cases/recommendations/_court_todo.html", context=context, order=11)
