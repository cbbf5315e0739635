"""REST API v1 (API.md). Each app adds its viewsets with one ``router.register(...)`` line.

URL names live in the ``api`` namespace (``reverse("api:unit-list")``), so a viewset's names never
collide with the page of the same name (``unit-list``, ``recommendation-list`` …).
"""

from typing import Any

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from cases.enforcement import api as enforcement_api
from cases.hearings import api as hearings_api
from cases.ipcases import api as ipcases_api
from cases.opinions.api import OpinionViewSet
from cases.recommendations import bulletin_api
from cases.recommendations.api import RecommendationViewSet
from cases.referrals.api import ReferralViewSet
from library import api as library_api
from meetings.consultations import api as consultations_api
from meetings.decisions import api as decisions_api
from meetings.meetings import api as meetings_api
from members.api import (
    MeView,
    NotificationViewSet,
    RegionViewSet,
    TaskViewSet,
    TokenRevokeView,
    TokenView,
    UnitViewSet,
    UserViewSet,
)
from plans import api as plans_api
from search.api import SearchView
from stats import api as stats_api
from stats.api import SummaryView as StatsSummaryView

app_name = "api"


class Router(DefaultRouter):
    """Object ids are integers (API.md): ``units/abc/`` matches no route, a JSON 404 (never a redirect to a slash)."""

    def get_lookup_regex(self, viewset: Any, lookup_prefix: str = "") -> str:
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
        lookup_value = getattr(viewset, "lookup_value_regex", "[0-9]+")
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>{lookup_value})"


router = Router()
router.register("regions", RegionViewSet, basename="region")
router.register("units", UnitViewSet, basename="unit")
router.register("tasks", TaskViewSet, basename="task")
router.register("users", UserViewSet, basename="user")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("recommendations", RecommendationViewSet, basename="recommendation")
bulletin_api.register(router)
router.register("opinions", OpinionViewSet, basename="opinion")
meetings_api.register(router)
consultations_api.register(router)
decisions_api.register(router)
plans_api.register(router)
ipcases_api.register(router)
hearings_api.register(router)
enforcement_api.register(router)
library_api.register(router)
stats_api.register(router)

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="token-revoke"),
    path("me/", MeView.as_view(), name="me"),
    # API.md spells it without the trailing slash.
    path("meetings/<int:pk>/ics", meetings_api.MeetingIcsViewSet.as_view({"get": "ics"}), name="meeting-api-ics"),
    path("stats/summary/", StatsSummaryView.as_view(), name="stats-summary"),
    path("search/", SearchView.as_view(), name="search"),
    path("", include(router.urls)),
]
