from django.urls import path

from cases.opinions import views

urlpatterns = [
    path("opinions/", views.opinion_list, name="opinion-list"),
    path("opinions/export.xlsx", views.opinion_export, name="opinion-export"),
    path("opinions/new/", views.opinion_create, name="opinion-create"),
    path("opinions/<int:pk>/", views.opinion_detail, name="opinion-detail"),
    path("opinions/<int:pk>/edit/", views.opinion_edit, name="opinion-edit"),
    path("opinions/<int:pk>/<str:action>/", views.opinion_action, name="opinion-action"),
]
