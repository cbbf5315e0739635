from django.urls import path

from members import views

urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.unit_list, name="unit-list"),
    path("units/search/", views.unit_search, name="unit-search"),
    path("units/import/", views.unit_import, name="unit-import"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("units/<int:pk>/tribunals/add/", views.tribunal_add, name="tribunal-add"),
    path("units/<int:pk>/liaisons/add/", views.liaison_add, name="liaison-add"),
    path("units/<int:pk>/liaisons/<int:user_id>/retire/", views.liaison_retire, name="liaison-retire"),
    path(
        "units/<int:pk>/liaisons/<int:user_id>/reset-password/",
        views.liaison_password_reset,
        name="liaison-password-reset",
    ),
    path("tasks/", views.task_list, name="task-list"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_mark_read, name="inbox-read"),
    path("inbox/<int:pk>/open/", views.inbox_open, name="inbox-open"),
    path("profile/", views.profile, name="profile"),
]
