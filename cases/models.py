"""The models of the cases app (app label ``cases``): each feature's models, imported explicitly."""

import sys

from cases.enforcement.models import EnforcementCase
from cases.hearings.models import Hearing
from cases.ipcases.models import IPCase
from cases.opinions.models import Opinion
from cases.recommendations import models as recommendations
from cases.recommendations.bulletin_models import BulletinEntry, RecommendationBulletin
from cases.recommendations.models import JudicialRecommendation, RecommendationPolicy
from cases.referrals.models import (
    EnforcementMeasure,
    Outcome,
    Party,
    Referral,
    ReferralEvent,
    ReferralImport,
    ReferralKind,
)

# Applied migration 0001 names the upload path function by its first home; keep that name importable.
sys.modules["cases.models.recommendations"] = recommendations

__all__ = [
    "BulletinEntry",
    "EnforcementCase",
    "EnforcementMeasure",
    "Hearing",
    "IPCase",
    "JudicialRecommendation",
    "Opinion",
    "Outcome",
    "Party",
    "RecommendationBulletin",
    "RecommendationPolicy",
    "Referral",
    "ReferralEvent",
    "ReferralImport",
    "ReferralKind",
]
