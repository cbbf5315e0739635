from django.urls import path

from cases.recommendations import views as recommendation_views

urlpatterns = [
    path("recommendations/", recommendation_views.recommendation_list, name="recommendation-list"),
    path("recommendations/export.xlsx", recommendation_views.recommendation_export, name="recommendation-export"),
    path("recommendations/new/", recommendation_views.recommendation_create, name="recommendation-create"),
    path("recommendations/<int:pk>/", recommendation_views.recommendation_detail, name="recommendation-detail"),
    path("recommendations/<int:pk>/edit/", recommendation_views.recommendation_edit, name="recommendation-edit"),
    # Before the action pattern, which would take "receipt" for an action (and answer GET with 405).
    path(
        "recommendations/<int:pk>/receipt/", recommendation_views.recommendation_receipt, name="recommendation-receipt"
    ),
    path(
        "recommendations/<int:pk>/<str:action>/",
        recommendation_views.recommendation_action,
        name="recommendation-action",
    ),
]
