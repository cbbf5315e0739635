"""The Celery tasks of the meetings app, found here by Celery's autodiscovery; each feature defines its own."""

from meetings.meetings.tasks import scan_reminders, send_convener_digests

__all__ = ["scan_reminders", "send_convener_digests"]
