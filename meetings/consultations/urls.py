"""Pages of consultations."""

from django.urls import path

from meetings.consultations import views

urlpatterns = [
    path("consultations/", views.consultation_list, name="consultation-list"),
    path("consultations/new/", views.consultation_create, name="consultation-create"),
    path("consultations/export.xlsx", views.consultation_export, name="consultation-export"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation-detail"),
    path("consultations/<int:pk>/edit/", views.consultation_edit, name="consultation-edit"),
]
