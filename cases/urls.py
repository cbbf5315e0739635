"""The pages of the cases app: each feature's URLs."""

from cases.recommendations import urls as recommendation_urls
from cases.referrals import urls as referral_urls

urlpatterns = [*recommendation_urls.urlpatterns, *referral_urls.urlpatterns]
