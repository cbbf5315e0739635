"""The pages of the quarterly bulletins (``/recommendations/bulletins/``)."""

from django.urls import path

from cases.recommendations import bulletin_views as views

urlpatterns = [
    path("recommendations/bulletins/", views.bulletin_list, name="recommendation-bulletin-list"),
    path("recommendations/bulletins/export.xlsx", views.bulletin_export, name="recommendation-bulletin-export"),
    path("recommendations/bulletins/generate/", views.bulletin_generate, name="recommendation-bulletin-generate"),
    path("recommendations/bulletins/<int:pk>/", views.bulletin_detail, name="recommendation-bulletin-detail"),
    path("recommendations/bulletins/<int:pk>/print/", views.bulletin_print, name="recommendation-bulletin-print"),
    path(
        "recommendations/bulletins/<int:pk>/export.xlsx",
        views.bulletin_entries_export,
        name="recommendation-bulletin-entries-export",
    ),
]
