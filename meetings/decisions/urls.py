"""Pages of decisions (the form to add one hangs under its meeting)."""

from django.urls import path

from meetings.decisions import views

urlpatterns = [
    path("meetings/<int:pk>/decisions/new/", views.decision_create, name="decision-create"),
    path("decisions/", views.decision_list, name="decision-list"),
    path("decisions/export.xlsx", views.decision_export, name="decision-export"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("decisions/<int:pk>/edit/", views.decision_edit, name="decision-edit"),
    path("decisions/<int:pk>/<str:action>/", views.decision_action, name="decision-action"),
]
