"""The pages of the work plan (the pages stream fills these in)."""

from django.urls import path

from plans import views

urlpatterns = [
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/items/<int:pk>/", views.item_detail, name="plan-item-detail"),
]
