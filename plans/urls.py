"""Pages of the work plan (年度工作要点): plans, items, 督办."""

from django.urls import path

from plans import views

urlpatterns = [
    path("plans/", views.plan_list, name="plan-list"),
    path("plans/new/", views.plan_create, name="plan-create"),
    path("plans/items/", views.item_list, name="plan-item-list"),
    path("plans/items/export.xlsx", views.item_export, name="plan-item-export"),
    path("plans/items/<int:pk>/", views.item_detail, name="plan-item-detail"),
    path("plans/items/<int:pk>/edit/", views.item_edit, name="plan-item-edit"),
    path("plans/items/<int:pk>/<str:action>/", views.item_action, name="plan-item-action"),
    path("plans/supervisions/", views.supervision_list, name="supervision-list"),
    path("plans/supervisions/export.xlsx", views.supervision_export, name="supervision-export"),
    path("plans/supervisions/<int:pk>/answer/", views.supervision_answer, name="supervision-answer"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/export.xlsx", views.plan_export, name="plan-export"),
    path("plans/<int:pk>/items/new/", views.item_create, name="plan-item-create"),
    path("plans/<int:pk>/<str:action>/", views.plan_action, name="plan-action"),
    # 公文 (issue 18): 督办通知, .docx and print view.
    path(
        "plans/supervisions/<int:pk>/notice.docx",
        views.supervision_notice,
        {"as_docx": True},
        name="supervision-notice-docx",
    ),
    path(
        "plans/supervisions/<int:pk>/notice/print/",
        views.supervision_notice,
        {"as_docx": False},
        name="supervision-notice",
    ),
]
