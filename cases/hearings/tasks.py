"""Thin Celery task of hearings; its name (``cases.…``) is the one the periodic task in the database uses."""

from __future__ import annotations

from celery import shared_task

from cases.hearings.alerts import scan_alerts


@shared_task(name="cases.scan_hearing_alerts")
def scan_hearing_alerts() -> int:
    """Unanswered hearings 7 days and 1 day ahead: send every reminder that has come, once."""
    return scan_alerts()
