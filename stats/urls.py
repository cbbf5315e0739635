from django.urls import path

from stats import views

urlpatterns = [
    path("stats/", views.dashboard, name="dashboard"),
    path("stats/unit/", views.unit_dashboard, name="unit-dashboard"),
    path("stats/units/", views.league_table, name="stats-league"),
    path("stats/report/", views.report, name="stats-report"),
    path("stats/report.<str:fmt>", views.report_download, name="stats-report-download"),
    path("stats/reports/<int:pk>.docx", views.prepared_report, name="stats-prepared-report"),
    path("stats/freeze/", views.freeze, name="stats-freeze"),
    path("stats/snapshots/<int:pk>/unfreeze/", views.unfreeze, name="stats-unfreeze"),
    path("stats/definitions/", views.definitions, name="stats-definitions"),
    path("stats/targets/", views.target_list, name="stats-targets"),
    path("stats/targets/new/", views.target_create, name="stats-target-create"),
    path("stats/targets/<int:pk>/edit/", views.target_edit, name="stats-target-edit"),
    path("stats/targets/<int:pk>/delete/", views.target_delete, name="stats-target-delete"),
    path("tasks/<int:number>/", views.task_detail, name="task-detail"),
    path("referrals/figures/", views.referral_figures, name="referral-figures"),
]
