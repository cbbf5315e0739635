"""The admin of the cases app: each feature registers its models in its own module."""

from cases.recommendations import admin as recommendations_admin
from cases.referrals import admin as referrals_admin

__all__ = ["recommendations_admin", "referrals_admin"]
