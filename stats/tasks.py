"""Thin Celery tasks of the statistics."""

from __future__ import annotations

from celery import shared_task

from stats import drift, rollups
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


@shared_task(name="stats.flush_rollups")
def flush_rollups_task() -> int:
    """Take the changes saved since the last run into the rollups (a reader then seldom has any to take)."""
    return rollups.flush()


@shared_task(name="stats.check_rollups")
def check_rollups_task() -> dict[str, object]:
    """Nightly: recount every figure from the records, repair any drift, and record what was found."""
    found = drift.check()
    return {"drifted": found.drifted, "sources": found.sources, "records": found.records}
