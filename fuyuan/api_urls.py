"""REST API v1 (API.md). Each app adds its viewsets with one ``router.register(...)`` line."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from members.api import MeView, NotificationViewSet, TaskViewSet, TokenView, UnitViewSet, UserViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("tasks", TaskViewSet, basename="task")
router.register("users", UserViewSet, basename="user")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
]
