"""The REST API v1 (API.md). Each app registers its viewsets on the one router."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from meetings import api as meetings_api

router = DefaultRouter()
meetings_api.register(router)

urlpatterns: list = [
    # API.md spells it without the trailing slash.
    path("meetings/<int:pk>/ics", meetings_api.MeetingIcsView.as_view({"get": "ics"}), name="meeting-api-ics"),
    *router.urls,
]
