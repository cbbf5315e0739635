from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("联席会议与会商")

    def ready(self) -> None:
        # Not a cycle but Django's load order: apps.py is imported before the models exist, and
        # meetings.home reads them; ready() is the first moment it may be imported.
        from meetings.home import home_panel
        from members.home import register_panel

        register_panel(home_panel)
        _register_attachments()


def _register_attachments() -> None:
    """The records of this app that carry files (:mod:`attachments.registry`): who may add which part when."""
    from attachments import registry
    from meetings.consultations import selectors as consultation_selectors
    from meetings.consultations import services as consultation_services
    from meetings.consultations.models import Consultation
    from meetings.decisions import selectors as decision_selectors
    from meetings.decisions import services as decision_services
    from meetings.decisions.models import DecisionProgress
    from meetings.meetings import selectors as meeting_selectors
    from meetings.meetings import services as meeting_services
    from meetings.meetings.models import Meeting, Minutes

    registry.register(
        Meeting,
        visible=meeting_selectors.visible_to,
        part_for=meeting_services.meeting_attachment_part,
        parts=meeting_services.MEETING_PARTS,
    )
    registry.register(
        Minutes,
        visible=meeting_selectors.minutes_visible_to,
        part_for=meeting_services.minutes_attachment_part,
        parts=meeting_services.MINUTES_PARTS,
    )
    registry.register(
        Consultation,
        visible=consultation_selectors.visible_to,
        part_for=consultation_services.attachment_part,
        parts=consultation_services.ATTACHMENT_PARTS,
    )
    registry.register(
        DecisionProgress,
        visible=decision_selectors.progress_visible_to,
        part_for=decision_services.progress_attachment_part,
        parts=decision_services.PROGRESS_PARTS,
    )
