"""The hearings' home panel: a liaison's hearings to answer, a clerk's hearings to record. Two queries at most."""

from __future__ import annotations

from django.utils import timezone

from cases.hearings.selectors import to_answer, to_record
from members.home import Panel
from members.models import User
from members.roles import Role, has_role

LIMIT = 8


def hearings_panel(user: User) -> Panel | None:
    if user.unit_id is None:
        return None
    liaison, clerk = has_role(user, Role.LIAISON), has_role(user, Role.COURT_CLERK)
    if not (liaison or clerk):
        return None
    context: dict[str, object] = {}
    if liaison:
        rows = list(to_answer(user.unit_id, timezone.now())[: LIMIT + 1])
        context |= {"to_answer": rows[:LIMIT], "to_answer_more": len(rows) > LIMIT}
    if clerk:
        rows = list(to_record(user.unit_id, timezone.now())[: LIMIT + 1])
        context |= {"to_record": rows[:LIMIT], "to_record_more": len(rows) > LIMIT}
    return Panel(template="cases/hearings/_home_panel.html", context=context, order=12)
