from django.urls import path

from cases.hearings import views

urlpatterns = [
    path("hearings/", views.hearing_list, name="hearing-list"),
    path("hearings/export.xlsx", views.hearing_export, name="hearing-export"),
    path("hearings/new/", views.hearing_create, name="hearing-create"),
    path("hearings/<int:pk>/", views.hearing_detail, name="hearing-detail"),
    path("hearings/<int:pk>/edit/", views.hearing_edit, name="hearing-edit"),
    path("hearings/<int:pk>/<str:action>/", views.hearing_action, name="hearing-action"),
]
