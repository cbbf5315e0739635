"""Thin Celery tasks of the statistics."""

from __future__ import annotations

from celery import shared_task

from stats.services import prepare_quarterly_report, warm_dashboard_cache


@shared_task(name="stats.prepare_quarterly_report")
def prepare_quarterly_report_task() -> int | None:
    """On the first working day of a quarter: the report on the quarter just ended, and a notice to the office."""
    report = prepare_quarterly_report()
    return report.pk if report else None


@shared_task(name="stats.warm_dashboard_cache")
def warm_dashboard_cache_task() -> int:
    """Keep the most-opened periods counted, so the dashboard answers from the cache."""
    return warm_dashboard_cache()
