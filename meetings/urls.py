"""The pages of the meetings app: each feature's URLs, in this order."""

from meetings.consultations.urls import urlpatterns as consultation_urls
from meetings.decisions.urls import urlpatterns as decision_urls
from meetings.meetings.urls import urlpatterns as meeting_urls

urlpatterns = [*meeting_urls, *decision_urls, *consultation_urls]
