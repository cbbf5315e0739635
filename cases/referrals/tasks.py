"""Thin Celery tasks of case referrals: each calls one service and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from cases.referrals.alerts import referral_scan_alerts
from cases.referrals.intake import referral_import_run


@shared_task(name="cases.scan_referral_alerts")
def scan_referral_alerts() -> int:
    """Send the reminders and overdue alerts of referrals whose time has come."""
    return referral_scan_alerts()


@shared_task(name="cases.run_referral_import")
def run_referral_import(import_id: int) -> str:
    return referral_import_run(import_id=import_id).status
