"""REST API v1 (API.md). Each app adds its viewsets with one ``router.register(...)`` line.

URL names live in the ``api`` namespace (``reverse("api:unit-list")``), so a viewset's names never
collide with the page of the same name (``unit-list``, ``recommendation-list`` …).
"""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from members.api import MeView, NotificationViewSet, TaskViewSet, TokenView, UnitViewSet, UserViewSet

app_name = "api"

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("tasks", TaskViewSet, basename="task")
router.register("users", UserViewSet, basename="user")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("me/", MeView.as_view(), name="me"),
    path("", include(router.urls)),
]
