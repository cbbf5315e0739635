"""The admin of the meetings app: each feature registers its models in its own module."""

from meetings.consultations import admin as consultations_admin
from meetings.decisions import admin as decisions_admin
from meetings.meetings import admin as meetings_admin

__all__ = ["consultations_admin", "decisions_admin", "meetings_admin"]
