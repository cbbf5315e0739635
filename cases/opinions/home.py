"""The opinions' panels on the home page: a court clerk's "opinions to answer", a liaison's "answers received"."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cases.opinions.alerts import due_soon_days
from cases.opinions.selectors import answers_received, to_answer
from members.home import Panel
from members.models import MemberUnit, User
from members.roles import Role, has_role

LIMIT = 8
RECENT_DAYS = 30


def to_answer_panel(user: User) -> Panel | None:
    """A court clerk: the opinions their court still has to answer, the soonest due first."""
    unit = user.unit if user.unit_id else None
    if unit is None or unit.kind != MemberUnit.Kind.COURT or not has_role(user, Role.COURT_CLERK):
        return None
    rows = list(to_answer(unit.pk)[: LIMIT + 1])
    context = {"rows": rows[:LIMIT], "more": len(rows) > LIMIT, "unit_id": unit.pk, "soon_days": due_soon_days()}
    return Panel(template="cases/opinions/_to_answer.html", context=context, order=16)


def answers_received_panel(user: User) -> Panel | None:
    """A requester's liaison: the answers their unit received in the last 30 days."""
    if user.unit_id is None or not has_role(user, Role.LIAISON):
        return None
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    rows = list(answers_received(user.unit_id).filter(answered_at__gte=since)[: LIMIT + 1])
    if not rows:
        return None
    context = {"rows": rows[:LIMIT], "more": len(rows) > LIMIT, "unit_id": user.unit_id}
    return Panel(template="cases/opinions/_answers.html", context=context, order=17)
