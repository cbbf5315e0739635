"""The home page's meetings panel: the next meetings and the open decisions (see ``members.home``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from meetings.decisions import selectors as decision_selectors
from meetings.meetings import selectors as meeting_selectors
from meetings.meetings.confirmation import awaiting_confirmation
from members.home import Panel
from members.levels import reach_of
from members.models import User


def unit_home(*, user: User, now: datetime | None = None, limit: int = 5) -> dict[str, Any]:
    """Upcoming meetings and open decisions for ``meetings/_unit_home.html`` (pass it as ``panel``).

    A unit's people see their unit's meetings and the decisions it owns; the office and leaders
    see the next meetings of their scope (the mechanism's, or their region's) and the decisions most overdue.
    """
    reach = reach_of(user)
    if reach.everything:
        scope = "all"
    elif reach.region is not None:
        scope = "region"
    elif getattr(user, "unit_id", None) is not None:
        scope = "unit"
    else:
        return {"upcoming_meetings": [], "open_decisions": [], "minutes_to_confirm": [], "scope": "none"}
    now = now or timezone.now()
    return {
        "upcoming_meetings": meeting_selectors.upcoming(user=user, now=now, limit=limit),
        "open_decisions": decision_selectors.open_for_home(user=user, limit=limit),
        # The unit's to-do: minutes it is asked to confirm (the office sees the answers on the meeting).
        "minutes_to_confirm": list(awaiting_confirmation(user, limit=limit)) if scope == "unit" else [],
        "scope": scope,
        "region": reach.region,
    }


def home_panel(user: Any) -> Panel | None:
    data = unit_home(user=user)
    if data["scope"] == "none":
        return None
    return Panel(template="meetings/_unit_home.html", context=data, order=30)
