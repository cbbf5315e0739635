"""The models of the meetings app, one module per feature (see ``meetings/__init__.py``)."""

from meetings.consultations.models import Consultation
from meetings.decisions.models import Decision, DecisionProgress
from meetings.meetings.models import (
    DEFAULT_REMINDER_OFFSETS,
    AgendaItem,
    CalendarFeedToken,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingKindSetting,
    Minutes,
    MinutesConfirmation,
    TopicProposal,
    new_feed_token,
)

__all__ = [
    "DEFAULT_REMINDER_OFFSETS",
    "AgendaItem",
    "CalendarFeedToken",
    "Consultation",
    "Decision",
    "DecisionProgress",
    "Invitation",
    "Meeting",
    "MeetingKind",
    "MeetingKindSetting",
    "Minutes",
    "MinutesConfirmation",
    "TopicProposal",
    "new_feed_token",
]
