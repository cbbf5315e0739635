"""The models of the cases app (app label ``cases``): each feature's models, imported explicitly."""

import sys

from cases.recommendations import models as recommendations
from cases.recommendations.models import JudicialRecommendation, RecommendationAttachment, RecommendationPolicy
from cases.referrals.models import Outcome, Party, Referral, ReferralEvent, ReferralImport, ReferralKind

# Applied migration 0001 names the upload path function by its first home; keep that name importable.
sys.modules["cases.models.recommendations"] = recommendations

__all__ = [
    "JudicialRecommendation",
    "Outcome",
    "Party",
    "RecommendationAttachment",
    "RecommendationPolicy",
    "Referral",
    "ReferralEvent",
    "ReferralImport",
    "ReferralKind",
]
