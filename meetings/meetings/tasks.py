"""Thin Celery tasks of the meetings app: each calls one service and is safe to run twice.

The task names are the app's (``meetings.…``): the periodic tasks in the database refer to them.
"""

from __future__ import annotations

from celery import shared_task

from meetings.meetings import digest, reminders


@shared_task(name="meetings.scan_reminders")
def scan_reminders() -> dict[str, int]:
    """Meeting reminders, agenda cut-offs, minutes confirmations, decisions due soon and overdue."""
    return reminders.scan_reminders()


@shared_task(name="meetings.send_convener_digests")
def send_convener_digests() -> int:
    """One notice per meeting to its convener with the replies and agenda proposals since the last one."""
    return digest.send_convener_digests()
