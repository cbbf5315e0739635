"""Reads of decisions. ``visible_to`` is the scope: every page, export and API view starts from it.

Office, leaders and administrators see every decision; a liaison or a court clerk sees those their
unit owns or supports, or took at a meeting it convened. Anything else is 404.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from meetings.decisions.models import Decision
from meetings.meetings.selectors import scope
from members.models import User
from members.roles import can_read_all


def _of_unit(qs: QuerySet[Decision], unit_id: int) -> QuerySet[Decision]:
    supports = Decision.supporting_units.through.objects.filter(decision=OuterRef("pk"), memberunit_id=unit_id)
    # The convening unit follows up the decisions of its own meetings too.
    return qs.filter(Q(owner_unit_id=unit_id) | Exists(supports) | Q(meeting__convener_id=unit_id))


def visible_to(user: User) -> QuerySet[Decision]:
    return scope(Decision.objects.all(), user, _of_unit)


def open_for_home(*, user: User, limit: int) -> list[Decision]:
    """Open decisions for the home page: the unit's own, or the most overdue of all for the office and leaders."""
    qs = Decision.objects.filter(status=Decision.Status.OPEN)
    if not can_read_all(user):
        qs = qs.filter(owner_unit_id=user.unit_id)
    return list(qs.select_related("owner_unit").order_by("due", "id")[:limit])
