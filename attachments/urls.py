from django.urls import path

from attachments import views

urlpatterns = [
    path("attachments/<int:pk>/", views.download, name="attachment-download"),
    path("attachments/<int:pk>/delete/", views.remove, name="attachment-remove"),
    path("attachments/add/<int:record_type>/<int:record_id>/", views.add, name="attachment-add"),
]
