"""Judicial recommendations and case referrals: one module per feature."""

from .recommendations import *  # noqa: F403
from .recommendations import __all__ as _recommendations_all
from .referrals import *  # noqa: F403
from .referrals import __all__ as _referrals_all

__all__ = [*_recommendations_all, *_referrals_all]
