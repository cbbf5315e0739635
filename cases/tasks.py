"""The Celery tasks of the cases app (names ``cases.*`` are kept: the periodic tasks in the database use them)."""

from cases.recommendations.tasks import scan_recommendation_alerts
from cases.referrals.tasks import run_referral_import, scan_referral_alerts

__all__ = ["run_referral_import", "scan_recommendation_alerts", "scan_referral_alerts"]
