"""The Celery tasks of the cases app (names ``cases.*`` are kept: the periodic tasks in the database use them)."""

from cases.hearings.tasks import scan_hearing_alerts
from cases.opinions.tasks import scan_opinion_alerts
from cases.recommendations.bulletin_tasks import generate_recommendation_bulletins
from cases.recommendations.tasks import scan_recommendation_alerts
from cases.referrals.tasks import run_referral_import, scan_referral_alerts

__all__ = [
    "generate_recommendation_bulletins",
    "run_referral_import",
    "scan_hearing_alerts",
    "scan_opinion_alerts",
    "scan_recommendation_alerts",
    "scan_referral_alerts",
]
