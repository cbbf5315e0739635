"""Thin Celery tasks of the work plan, found by Celery's autodiscovery: each calls one service and is safe to
run twice. The name (``plans.…``) is the one the periodic task in the database refers to."""

from __future__ import annotations

from celery import shared_task

from plans.alerts import scan_alerts


@shared_task(name="plans.scan_plan_alerts")
def scan_plan_alerts() -> int:
    """Items due soon and overdue, 督办 due, unanswered and escalated: send every stage that has come, once."""
    return scan_alerts()
