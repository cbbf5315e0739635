from django.urls import path

from cases.referrals import views

urlpatterns = [
    path("referrals/", views.referral_list, name="referral-list"),
    path("referrals/inbox/", views.referral_list, {"box": "inbox"}, name="referral-inbox"),
    path("referrals/sent/", views.referral_list, {"box": "sent"}, name="referral-sent"),
    path("referrals/all/", views.referral_list, {"box": "all"}, name="referral-all"),
    path("referrals/export/", views.referral_export, name="referral-export"),
    path("referrals/inbox/export/", views.referral_export, {"box": "inbox"}, name="referral-export-inbox"),
    path("referrals/sent/export/", views.referral_export, {"box": "sent"}, name="referral-export-sent"),
    path("referrals/all/export/", views.referral_export, {"box": "all"}, name="referral-export-all"),
    path("referrals/new/", views.referral_create, name="referral-create"),
    path("referrals/awaiting/", views.referral_awaiting, name="referral-awaiting"),
    path("referrals/import/", views.referral_import, name="referral-import"),
    path("referrals/import/template.xlsx", views.referral_import_template, name="referral-import-template"),
    path("referrals/import/<int:pk>/confirm/", views.referral_import_confirm, name="referral-import-confirm"),
    path("referrals/import/<int:pk>/", views.referral_import_progress, name="referral-import-progress"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral-detail"),
    path("referrals/<int:pk>/edit/", views.referral_edit, name="referral-edit"),
    path("referrals/<int:pk>/<str:action>/", views.referral_action, name="referral-action"),
]
