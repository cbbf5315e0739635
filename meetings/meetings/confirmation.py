"""Who has answered a meeting's minutes, who may answer now, and when issuing them needs an explicit override.

Who is asked is ``reminders.confirming_unit_ids`` (every invited unit that has not declined; its
docstring says why), the one rule the notices, the page, the unit's to-do and the issue gate share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet

from meetings.meetings.models import Invitation, Meeting, Minutes, MinutesConfirmation
from meetings.meetings.reminders import confirming_unit_ids, minutes_of
from members.models import MemberUnit, User


def answers(minutes: Minutes) -> dict[int, MinutesConfirmation]:
    """The units' answers by unit id (read from the prefetch when the page loaded one)."""
    return {c.unit_id: c for c in minutes.confirmations.all()}


def unanswered_unit_ids(meeting: Meeting, minutes: Minutes) -> list[int]:
    answered = answers(minutes)
    return [unit_id for unit_id in confirming_unit_ids(meeting) if unit_id not in answered]


def may_confirm(meeting: Meeting, unit_id: int | None) -> bool:
    """Whether ``unit_id`` may answer the minutes now: they are circulated and the unit is asked."""
    minutes = minutes_of(meeting)
    return (
        minutes is not None
        and minutes.status == Minutes.Status.CIRCULATED
        and unit_id is not None
        and unit_id in confirming_unit_ids(meeting)
    )


def needs_override(meeting: Meeting, minutes: Minutes, now: datetime) -> bool:
    """Issuing now needs an explicit override with a reason: some asked unit has not answered and the
    confirmation deadline has not passed (or the minutes were never sent for confirmation)."""
    if not unanswered_unit_ids(meeting, minutes):
        return False
    deadline = minutes.confirm_deadline if minutes.status == Minutes.Status.CIRCULATED else None
    return deadline is None or now < deadline


@dataclass(frozen=True)
class UnitAnswer:
    """One row of the confirmation table on the meeting page."""

    unit: MemberUnit
    answer: MinutesConfirmation | None

    @property
    def state(self) -> str:
        """``confirmed``, ``comments`` or ``waiting`` (the page's icon and words)."""
        if self.answer is None:
            return "waiting"
        return "comments" if self.answer.has_comments else "confirmed"


def answer_rows(meeting: Meeting, minutes: Minutes | None) -> list[UnitAnswer]:
    """Each asked unit with its answer, in the invitations' order (from the page's prefetches, no query)."""
    if minutes is None:
        return []
    by_unit = answers(minutes)
    asked = set(confirming_unit_ids(meeting))
    return [UnitAnswer(i.unit, by_unit.get(i.unit_id)) for i in meeting.invitations.all() if i.unit_id in asked]


def awaiting_confirmation(user: User, *, limit: int = 5) -> QuerySet[Meeting]:
    """The unit's to-do: meetings whose circulated minutes the user's unit is asked to confirm and has not."""
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return Meeting.objects.none()
    asked = Invitation.objects.filter(meeting=OuterRef("pk"), unit_id=unit_id).exclude(reply=Invitation.Reply.DECLINED)
    answered = MinutesConfirmation.objects.filter(minutes__meeting=OuterRef("pk"), unit_id=unit_id)
    return (
        Meeting.objects.filter(Exists(asked), minutes__status=Minutes.Status.CIRCULATED)
        .exclude(Exists(answered))
        .select_related("minutes", "convener")
        .order_by("minutes__confirm_by", "pk")[:limit]
    )
