"""Thin Celery task of the quarterly bulletins; its name (``cases.…``) is the one the periodic task in the database
uses (migration 0115)."""

from __future__ import annotations

from celery import shared_task

from cases.recommendations.bulletins import run_scheduled


@shared_task(name="cases.generate_recommendation_bulletins")
def generate_recommendation_bulletins() -> int | None:
    """Every morning; on the first working day of a quarter, the previous quarter's bulletins (sent once).
    Returns how many bulletins the quarter has, or None on any other day."""
    result = run_scheduled()
    return None if result is None else len(result.bulletins)
