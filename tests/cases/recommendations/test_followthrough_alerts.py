"""The rectification and visit stages of the alert ladder, with frozen time (the one alert engine).

Replied 采纳 Monday 17 March 2025 with a rectification deadline of Wednesday 30 April 2025:
due in 7 days 23 April 09:00 · in 1 day 29 April · overdue 1 May (or, reported done, the court's
reminder to visit) · a planned visit's reminder that morning.
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from cases.recommendations import followup
from cases.tasks import scan_recommendation_alerts
from members.models import Notification
from tests.cases.recommendations.test_followthrough import adopted, at
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def notices(prefix: str) -> list[tuple[str, str]]:
    qs = Notification.objects.filter(stage__startswith=prefix)
    return sorted(qs.values_list("stage", "recipient__username"))


def scan(day: str, hour: int = 9, minute: int = 0) -> int:
    with time_machine.travel(at(day, hour, minute), tick=False):
        return scan_recommendation_alerts()


@pytest.fixture
def world(cast):  # type: ignore[no-untyped-def]
    cast.second_clerk = make_user("court_clerk", cast.court, username="second_clerk")
    return cast


def test_rectification_reminders_and_the_overdue_alert_once_each(world):
    rec = adopted(world)
    assert rec.next_alert_at == at("2025-04-23")
    scan("2025-04-23", 8, 59)
    assert notices("rectification") == []
    scan("2025-04-23")
    scan("2025-04-23", 15)  # a second scan the same day sends nothing again
    assert notices("rectification") == [("rectification_due_7", "liaison")]
    scan("2025-04-29")
    assert notices("rectification_due_1") == [("rectification_due_1", "liaison")]
    scan("2025-04-30", 23, 59)  # the deadline day itself is not overdue
    assert notices("rectification_overdue") == []
    scan("2025-05-01")
    scan("2025-05-02")
    assert notices("rectification_overdue") == [
        ("rectification_overdue", "clerk"),
        ("rectification_overdue", "liaison"),
        ("rectification_overdue", "office"),
        ("rectification_overdue", "second_clerk"),
    ]
    assert Notification.objects.filter(event="recommendation.rectification_overdue").count() == 4
    rec.refresh_from_db()
    assert rec.next_alert_at is None  # nothing more until the visit


def test_a_late_scan_sends_only_the_stage_still_open(world):
    adopted(world)
    scan("2025-04-30")  # the 7-day reminder's window closed when the 1-day one opened
    assert notices("rectification") == [("rectification_due_1", "liaison")]


def test_reporting_rectified_stops_the_reminders_and_reminds_the_court_to_visit(world):
    rec = adopted(world)
    scan("2025-04-23")
    with time_machine.travel(at("2025-04-25", 10), tick=False):
        followup.recommendation_rectified(recommendation=rec, by=world.liaison, note="已整改。")
    rec.refresh_from_db()
    assert rec.next_alert_at == at("2025-05-01")
    scan("2025-04-29")
    scan("2025-05-01")
    assert notices("rectification") == [("rectification_due_7", "liaison")]  # no 1-day reminder, no overdue
    assert notices("visit_due") == [("visit_due", "clerk"), ("visit_due", "second_clerk")]
    scan("2025-05-02")
    assert Notification.objects.filter(event="recommendation.visit_due").count() == 2


def test_a_planned_visit_reminds_the_clerks_that_morning_and_a_visit_ends_the_ladder(world):
    rec = adopted(world)
    with time_machine.travel(at("2025-04-20", 10), tick=False):
        followup.recommendation_schedule_visit(recommendation=rec, by=world.clerk, planned_on=date(2025, 5, 8))
    scan("2025-05-08", 8)
    assert notices("visit_2025") == []
    scan("2025-05-08")
    scan("2025-05-08", 11)
    assert notices("visit_2025") == [("visit_20250508", "clerk"), ("visit_20250508", "second_clerk")]
    with time_machine.travel(at("2025-05-08", 16), tick=False):
        followup.recommendation_visit(recommendation=rec, by=world.clerk, result="rectified")
    rec.refresh_from_db()
    assert rec.next_alert_at is None
    before = Notification.objects.count()
    scan("2025-06-30")
    assert Notification.objects.count() == before
