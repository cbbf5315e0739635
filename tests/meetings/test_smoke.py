"""Every page of the app answers for the roles that may use it; the periodic task is scheduled."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from meetings.consultations import services as consultation_services
from meetings.decisions import services as decision_services
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_every_get_page_renders(cast, make_meeting):
    meeting = make_meeting(invited=[cast.unit])
    decision = decision_services.decision_add(
        meeting=meeting, by=cast.office, text="事项", owner_unit=cast.unit, due=timezone.localdate(meeting.starts_at)
    )
    consultation = consultation_services.consultation_log(
        by=cast.liaison, topic_kind="routine", held_on=timezone.localdate(), units=[cast.court], topic="会商"
    )
    pages = [
        reverse("meeting-list"),
        reverse("meeting-mine"),
        reverse("meeting-calendar"),
        reverse("meeting-create"),
        reverse("meeting-detail", args=[meeting.pk]),
        reverse("meeting-edit", args=[meeting.pk]),
        reverse("decision-create", args=[meeting.pk]),
        reverse("decision-list"),
        reverse("decision-detail", args=[decision.pk]),
        reverse("consultation-list"),
        reverse("consultation-create"),
        reverse("consultation-detail", args=[consultation.pk]),
        reverse("consultation-edit", args=[consultation.pk]),
        reverse("calendar-feed"),
    ]
    for user in (cast.office, cast.admin):
        client = client_for(user)
        for url in pages:
            expected = 302 if url == reverse("meeting-mine") and user.unit_id is None else 200
            assert client.get(url).status_code == expected, (user, url)
    liaison = client_for(cast.liaison)
    for url in pages:
        if ("edit" in url and "meetings" in url) or "decisions/new" in url:
            # The liaison sees the meeting (its unit is invited) but may not do this: the 403 page says why.
            response = liaison.get(url)
            assert response.status_code == 403, url
            assert "只有" in response.content.decode(), url
        else:
            assert liaison.get(url).status_code == 200, url


def test_pages_need_a_sign_in(client, cast, make_meeting):
    meeting = make_meeting()
    for url in (reverse("meeting-list"), reverse("meeting-detail", args=[meeting.pk]), reverse("consultation-export")):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_reminder_scan_is_scheduled(db):
    task = PeriodicTask.objects.get(task="meetings.scan_reminders")
    assert task.enabled and task.interval.every == 60


def test_the_task_runs_the_scan(cast, make_meeting):
    from meetings.tasks import scan_reminders

    make_meeting()
    assert scan_reminders() == {"meetings": 0, "decisions": 0}
