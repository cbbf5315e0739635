from django.urls import path

from meetings import views

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/mine/", views.meeting_mine, name="meeting-mine"),
    path("meetings/calendar/", views.meeting_calendar, name="meeting-calendar"),
    path("meetings/new/", views.meeting_create, name="meeting-create"),
    path("meetings/calendar-feed/", views.calendar_feed, name="calendar-feed"),
    path("meetings/feed/<str:token>.ics", views.calendar_feed_ics, name="calendar-feed-ics"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/ics", views.meeting_ics, name="meeting-ics"),
    path("meetings/<int:pk>/hold/", views.meeting_hold, name="meeting-hold"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="meeting-close"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:pk>/reply/", views.meeting_reply, name="meeting-reply"),
    path("meetings/<int:pk>/agenda/", views.agenda_add, name="agenda-add"),
    path("meetings/agenda/<int:item_id>/move/", views.agenda_move, name="agenda-move"),
    path("meetings/agenda/<int:item_id>/delete/", views.agenda_delete, name="agenda-delete"),
    path("meetings/<int:pk>/proposals/", views.proposal_add, name="proposal-add"),
    path("meetings/proposals/<int:proposal_id>/decide/", views.proposal_decide, name="proposal-decide"),
    path("meetings/<int:pk>/minutes/<str:action>/", views.minutes_action, name="minutes-action"),
    path("meetings/<int:pk>/decisions/new/", views.decision_create, name="decision-create"),
    path("decisions/", views.decision_list, name="decision-list"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("decisions/<int:pk>/<str:action>/", views.decision_action, name="decision-action"),
    path("consultations/", views.consultation_list, name="consultation-list"),
    path("consultations/new/", views.consultation_create, name="consultation-create"),
    path("consultations/export.xlsx", views.consultation_export, name="consultation-export"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation-detail"),
    path("consultations/<int:pk>/edit/", views.consultation_edit, name="consultation-edit"),
]
