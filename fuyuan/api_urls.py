from rest_framework.routers import DefaultRouter

from cases.api.referrals import ReferralViewSet

router = DefaultRouter()
router.register("referrals", ReferralViewSet, basename="api-referral")

urlpatterns = router.urls
