"""Thin Celery tasks of judicial recommendations: each calls one service and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from cases.recommendations.alerts import recommendation_scan_alerts


@shared_task(name="cases.scan_recommendation_alerts")
def scan_recommendation_alerts() -> int:
    """The alert ladder of judicial recommendations: send every stage that has come due."""
    return recommendation_scan_alerts()
