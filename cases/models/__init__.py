"""Judicial recommendations and case referrals: one module per feature."""

from .recommendations import *  # noqa: F403
from .referrals import *  # noqa: F403
