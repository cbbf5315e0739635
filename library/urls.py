from django.urls import path

from library import views

urlpatterns = [
    path("library/", views.document_list, name="library-list"),
    path("library/export.xlsx", views.document_export, name="library-export"),
    path("library/new/", views.document_create, name="library-create"),
    path("library/<int:pk>/", views.document_detail, name="library-detail"),
    path("library/<int:pk>/edit/", views.document_edit, name="library-edit"),
    path("library/<int:pk>/<str:action>/", views.document_action, name="library-action"),
]
