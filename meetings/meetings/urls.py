"""Pages of joint meetings: lists, calendar, the meeting and its agenda, minutes, replies, iCal feed."""

from django.urls import path

from meetings.meetings import views

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/mine/", views.meeting_mine, name="meeting-mine"),
    path("meetings/calendar/", views.meeting_calendar, name="meeting-calendar"),
    path("meetings/new/", views.meeting_create, name="meeting-create"),
    path("meetings/record/", views.meeting_record, name="meeting-record"),
    path("meetings/calendar-feed/", views.calendar_feed, name="calendar-feed"),
    path("meetings/feed/<str:token>.ics", views.calendar_feed_ics, name="calendar-feed-ics"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/ics", views.meeting_ics, name="meeting-ics"),
    path("meetings/<int:pk>/hold/", views.meeting_hold, name="meeting-hold"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="meeting-close"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:pk>/reply/", views.meeting_reply, name="meeting-reply"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting-attendance"),
    path("meetings/<int:pk>/agenda/", views.agenda_add, name="agenda-add"),
    path("meetings/<int:pk>/agenda/order/", views.agenda_reorder, name="agenda-reorder"),
    path("meetings/agenda/<int:item_id>/move/", views.agenda_move, name="agenda-move"),
    path("meetings/agenda/<int:item_id>/delete/", views.agenda_delete, name="agenda-delete"),
    path("meetings/<int:pk>/proposals/", views.proposal_add, name="proposal-add"),
    path("meetings/proposals/<int:proposal_id>/decide/", views.proposal_decide, name="proposal-decide"),
    path("meetings/<int:pk>/minutes/<str:action>/", views.minutes_action, name="minutes-action"),
    # 公文 (issue 18): 会议通知 and 会议纪要, .docx and print view.
    path(
        "meetings/<int:pk>/notice.docx",
        views.meeting_official,
        {"name": "notice", "as_docx": True},
        name="meeting-notice-docx",
    ),
    path(
        "meetings/<int:pk>/notice/print/",
        views.meeting_official,
        {"name": "notice", "as_docx": False},
        name="meeting-notice",
    ),
    path(
        "meetings/<int:pk>/minutes.docx",
        views.meeting_official,
        {"name": "minutes", "as_docx": True},
        name="meeting-minutes-docx",
    ),
    path(
        "meetings/<int:pk>/minutes-print/",
        views.meeting_official,
        {"name": "minutes", "as_docx": False},
        name="meeting-minutes",
    ),
]
