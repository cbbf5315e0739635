"""Two scans at once (two beats, two workers): each due reminder gives exactly one notice per person."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from meetings import services
from meetings.models import Meeting
from members.models import Notification
from tests.meetings.conftest import local


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_scans_at_once_send_one_notice_each(cast, make_meeting, time_machine):
    time_machine.move_to(local(2026, 12, 1, 9, 0), tick=False)
    start = local(2026, 12, 10, 10, 0)
    meetings = [make_meeting(starts_at=start, title=f"会议{i}", invited=[cast.unit, cast.court]) for i in range(30)]
    time_machine.move_to(start + timedelta(minutes=-120), tick=False)  # every 2-hour reminder is due

    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def scan() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(services.scan_reminders())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sum(r["meetings"] for r in results) == 30  # each row claimed by exactly one scan
    reminders = Notification.objects.filter(event="meeting_reminder")
    assert reminders.count() == 30 * 2  # liaison + clerk per meeting, once
    for user in (cast.liaison, cast.clerk):
        stages = list(reminders.filter(recipient=user).values_list("object_id", "stage"))
        assert len(stages) == len(set(stages)) == 30
    assert not Meeting.objects.filter(pk__in=[m.pk for m in meetings], next_alert_at__isnull=False).exists()
    # A third scan right after finds nothing.
    assert services.scan_reminders() == {"meetings": 0, "decisions": 0}
