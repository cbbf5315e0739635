"""The admin of the cases app: each feature registers its models in its own module."""

from cases.enforcement import admin as enforcement_admin
from cases.hearings import admin as hearings_admin
from cases.ipcases import admin as ipcases_admin
from cases.opinions import admin as opinions_admin
from cases.recommendations import admin as recommendations_admin
from cases.recommendations import bulletin_admin
from cases.referrals import admin as referrals_admin

__all__ = [
    "bulletin_admin",
    "enforcement_admin",
    "hearings_admin",
    "ipcases_admin",
    "opinions_admin",
    "recommendations_admin",
    "referrals_admin",
]
