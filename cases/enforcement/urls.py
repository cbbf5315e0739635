from django.urls import path

from cases.enforcement import views

urlpatterns = [
    path("enforcement/", views.case_list, name="enforcement-case-list"),
    path("enforcement/export/", views.case_export, name="enforcement-case-export"),
    path("enforcement/new/", views.case_create, name="enforcement-case-create"),
    path("enforcement/<int:pk>/", views.case_detail, name="enforcement-case-detail"),
    path("enforcement/<int:pk>/edit/", views.case_edit, name="enforcement-case-edit"),
    path("enforcement/<int:pk>/delete/", views.case_delete, name="enforcement-case-delete"),
]
