"""Pages of IP cases (知识产权案件)."""

from django.urls import path

from cases.ipcases import views

urlpatterns = [
    path("ip-cases/", views.ipcase_list, name="ipcase-list"),
    path("ip-cases/new/", views.ipcase_create, name="ipcase-create"),
    path("ip-cases/export.xlsx", views.ipcase_export, name="ipcase-export"),
    path("ip-cases/import/", views.ipcase_import, name="ipcase-import"),
    path("ip-cases/import/template.xlsx", views.ipcase_import_template, name="ipcase-import-template"),
    path("ip-cases/<int:pk>/", views.ipcase_detail, name="ipcase-detail"),
    path("ip-cases/<int:pk>/edit/", views.ipcase_edit, name="ipcase-edit"),
    path("ip-cases/<int:pk>/delete/", views.ipcase_delete, name="ipcase-delete"),
]
