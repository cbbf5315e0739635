"""Thin Celery tasks of legal opinions: each calls one service and is safe to run twice. The name
(``cases.…``) is the one the periodic task in the database refers to."""

from __future__ import annotations

from celery import shared_task

from cases.opinions.alerts import scan_alerts


@shared_task(name="cases.scan_opinion_alerts")
def scan_opinion_alerts() -> int:
    """Opinions due soon, overdue and escalated: send every stage that has come, once."""
    return scan_alerts()
