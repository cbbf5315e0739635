"""The pages of the cases app: each feature's URLs."""

from cases.enforcement import urls as enforcement_urls
from cases.hearings import urls as hearing_urls
from cases.ipcases import urls as ipcase_urls
from cases.opinions import urls as opinion_urls
from cases.recommendations import bulletin_urls
from cases.recommendations import urls as recommendation_urls
from cases.referrals import urls as referral_urls

urlpatterns = [
    *bulletin_urls.urlpatterns,
    *recommendation_urls.urlpatterns,
    *referral_urls.urlpatterns,
    *opinion_urls.urlpatterns,
    *hearing_urls.urlpatterns,
    *enforcement_urls.urlpatterns,
    *ipcase_urls.urlpatterns,
]
