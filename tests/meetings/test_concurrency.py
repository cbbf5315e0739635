"""Two scans at once (two beats, two workers): each due reminder gives exactly one notice per person.

The scans need committed rows, so everything here runs in threads of its own, each with its own
database connection in autocommit, and the test deletes what it made at the end. It does not use
``transaction=True``: the flush after such a test would also empty the organisation data and the
content types that the other tests rely on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from meetings.meetings import reminders as meeting_reminders
from meetings.meetings import services as meeting_services
from meetings.models import Invitation, Meeting
from members.models import Liaison, MemberUnit, Notification, User
from members.roles import Role
from tests.factories import CourtFactory, UnitFactory, make_user
from tests.meetings.conftest import local

pytestmark = pytest.mark.django_db


def in_thread(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` on a connection of its own (committed at once), and return its result."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:
            out["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if "error" in out:
        raise out["error"]
    return out.get("value")


def _make_world() -> dict[str, Any]:
    unit = UnitFactory(name="并发测试局", short_name="并发局")
    court = CourtFactory(name="并发测试中级人民法院", short_name="并发中院")
    return {
        "unit": unit,
        "court": court,
        "office": make_user(Role.OFFICE, unit, username="concurrency_office"),
        "liaison": make_user(Role.LIAISON, unit, username="concurrency_liaison"),
        "clerk": make_user(Role.COURT_CLERK, court, username="concurrency_clerk"),
    }


def _remove_world(w: dict[str, Any]) -> None:
    unit_ids = [w["unit"].pk, w["court"].pk]
    user_ids = [w["office"].pk, w["liaison"].pk, w["clerk"].pk]
    meeting_ids = list(Meeting.objects.filter(convener_id=w["unit"].pk).values_list("pk", flat=True))
    Notification.objects.filter(
        content_type=ContentType.objects.get_for_model(Meeting), object_id__in=meeting_ids
    ).delete()
    Notification.objects.filter(recipient_id__in=user_ids).delete()
    Invitation.history.model.objects.filter(unit_id__in=unit_ids).delete()
    Meeting.history.model.objects.filter(convener_id=w["unit"].pk).delete()
    Meeting.objects.filter(pk__in=meeting_ids).delete()
    Liaison.objects.filter(user_id__in=user_ids).delete()
    User.objects.filter(pk__in=user_ids).delete()
    MemberUnit.objects.filter(pk__in=unit_ids).delete()
    MemberUnit.history.model.objects.filter(id__in=unit_ids).delete()


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    w = in_thread(_make_world)
    yield w
    in_thread(lambda: _remove_world(w))


def test_two_scans_at_once_send_one_notice_each(world, time_machine):
    w = world
    time_machine.move_to(local(2026, 12, 1, 9, 0), tick=False)
    start = local(2026, 12, 10, 10, 0)

    def make_meetings() -> list[int]:
        return [
            meeting_services.meeting_create(
                by=w["office"],
                kind="joint_meeting",
                title=f"并发会议{i}",
                convener=w["unit"],
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                invited_units=[w["unit"], w["court"]],
                location="会议室",
            ).pk
            for i in range(30)
        ]

    ids = in_thread(make_meetings)
    time_machine.move_to(start - timedelta(minutes=120), tick=False)  # every 2-hour reminder is due

    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def scan() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(meeting_reminders.scan_reminders())
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

    reminders = Notification.objects.filter(event="meeting_reminder", object_id__in=ids)
    assert reminders.count() == 30 * 2  # the unit's liaison and the court's clerk, once per meeting
    for user in (w["liaison"], w["clerk"]):
        stages = list(reminders.filter(recipient=user).values_list("object_id", "stage"))
        assert len(stages) == len(set(stages)) == 30
    assert not Meeting.objects.filter(pk__in=ids, next_alert_at__isnull=False).exists()
    assert in_thread(meeting_reminders.scan_reminders)["meetings"] == 0  # a third scan right after finds nothing
