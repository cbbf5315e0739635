from django.urls import path

from cases.recommendations import views as recommendation_views

urlpatterns = [
    path("recommendations/", recommendation_views.recommendation_list, name="recommendation-list"),
    path("recommendations/export.xlsx", recommendation_views.recommendation_export, name="recommendation-export"),
    path("recommendations/new/", recommendation_views.recommendation_create, name="recommendation-create"),
    path("recommendations/<int:pk>/", recommendation_views.recommendation_detail, name="recommendation-detail"),
    path("recommendations/<int:pk>/edit/", recommendation_views.recommendation_edit, name="recommendation-edit"),
    # Before the action pattern, which would take "receipt" for an action (and answer GET with 405).
    path(
        "recommendations/<int:pk>/receipt/", recommendation_views.recommendation_receipt, name="recommendation-receipt"
    ),
    path(
        "recommendations/<int:pk>/<str:action>/",
        recommendation_views.recommendation_action,
        name="recommendation-action",
    ),
    # 公文 (issue 18): the 司法建议书 and the 回复函, .docx and print view.
    path(
        "recommendations/<int:pk>/document.docx",
        recommendation_views.recommendation_official,
        {"name": "document", "as_docx": True},
        name="recommendation-document-docx",
    ),
    path(
        "recommendations/<int:pk>/document/print/",
        recommendation_views.recommendation_official,
        {"name": "document", "as_docx": False},
        name="recommendation-document",
    ),
    path(
        "recommendations/<int:pk>/reply-letter.docx",
        recommendation_views.recommendation_official,
        {"name": "reply-letter", "as_docx": True},
        name="recommendation-reply-letter-docx",
    ),
    path(
        "recommendations/<int:pk>/reply-letter/print/",
        recommendation_views.recommendation_official,
        {"name": "reply-letter", "as_docx": False},
        name="recommendation-reply-letter",
    ),
]
