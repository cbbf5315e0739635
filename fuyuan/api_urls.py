from rest_framework.routers import DefaultRouter

from cases.api.recommendations import RecommendationViewSet

router = DefaultRouter()
router.register("recommendations", RecommendationViewSet, basename="api-recommendation")

urlpatterns: list = [*router.urls]
