"""The alert ladder of judicial recommendations, run by the one alert engine, with frozen time.

Issued Monday 3 March 2025, acknowledged Monday 10 March → reply due Saturday 10 May 2025:
ack reminder 8 March 09:00 · due in 14 days 26 April · in 3 days 7 May · overdue 11 May ·
escalation 9 June (30 days overdue).
"""

from __future__ import annotations

import smtplib
import threading
from collections import Counter
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection

from cases.models import JudicialRecommendation
from cases.recommendations import alerts, services
from cases.tasks import scan_recommendation_alerts
from members.models import Notification
from members.services import notification_deliver
from tests.cases.recommendations.support import make_draft, make_issued
from tests.factories import UnitFactory, make_user

TZ = ZoneInfo("Asia/Shanghai")
ISSUED = datetime(2025, 3, 3, 10, 0, tzinfo=TZ)
ACKNOWLEDGED = datetime(2025, 3, 10, 10, 0, tzinfo=TZ)


def at(day: str, hour: int = 9, minute: int = 0) -> datetime:
    y, m, d = (int(p) for p in day.split("-"))
    return datetime(y, m, d, hour, minute, tzinfo=TZ)


def notices(stage: str | None = None) -> list[tuple[str, str, str]]:
    qs = Notification.objects.filter(event__startswith="recommendation.")
    if stage:
        qs = qs.filter(stage=stage)
    return sorted(qs.values_list("event", "stage", "recipient__username"))


def scan(when: datetime) -> int:
    with time_machine.travel(when, tick=False):
        return scan_recommendation_alerts()


@pytest.fixture
def world(cast):
    """The cast, plus a supervising authority with its liaison, and a second clerk of the court."""
    supervisor = UnitFactory(name="测试主管厅")
    cast.unit.supervisor = supervisor
    cast.unit.save()
    cast.supervisor_liaison = make_user("liaison", supervisor, username="supervisor_liaison")
    cast.second_clerk = make_user("court_clerk", cast.court, username="second_clerk")
    return cast


def issue_and_acknowledge(cast) -> JudicialRecommendation:
    with time_machine.travel(ISSUED, tick=False):
        rec = make_issued(cast)
    with time_machine.travel(ACKNOWLEDGED, tick=False):
        services.recommendation_acknowledge(recommendation=rec, by=cast.liaison)
    rec.refresh_from_db()
    assert rec.reply_due == date(2025, 5, 10)
    return rec


@pytest.mark.django_db
class TestLadder:
    def test_not_acknowledged_after_5_days_reminds_the_addressee_and_the_clerk(self, world):
        with time_machine.travel(ISSUED, tick=False):
            rec = make_issued(world)
        assert rec.next_alert_at == at("2025-03-08")
        assert scan(at("2025-03-08", 8, 59)) == 0
        assert notices("ack_reminder") == []
        assert scan(at("2025-03-08")) == 1
        assert notices("ack_reminder") == [
            ("recommendation.ack_reminder", "ack_reminder", "clerk"),
            ("recommendation.ack_reminder", "ack_reminder", "liaison"),
        ]
        rec.refresh_from_db()
        assert rec.next_alert_at is None  # nothing more until acknowledged (no due date yet)

    def test_each_stage_once_at_its_time_to_its_recipients(self, world):
        rec = issue_and_acknowledge(world)
        assert rec.next_alert_at == at("2025-04-26")
        # Too early: nothing.
        scan(at("2025-04-26", 8, 0))
        assert notices("due_14") == []
        # 14 days before the due date: the addressee.
        scan(at("2025-04-26"))
        assert notices("due_14") == [("recommendation.due_soon", "due_14", "liaison")]
        # 3 days before.
        scan(at("2025-05-07", 9, 5))
        assert notices("due_3") == [("recommendation.due_soon", "due_3", "liaison")]
        # The due date itself is not overdue yet.
        scan(at("2025-05-10", 23, 59))
        assert notices("overdue") == []
        rec.refresh_from_db()
        assert not rec.escalated_at
        # The day after: overdue to the addressee, every clerk of the court and the office.
        scan(at("2025-05-11"))
        assert notices("overdue") == [
            ("recommendation.overdue", "overdue", "clerk"),
            ("recommendation.overdue", "overdue", "liaison"),
            ("recommendation.overdue", "overdue", "office"),
            ("recommendation.overdue", "overdue", "second_clerk"),
        ]
        rec.refresh_from_db()
        assert rec.next_alert_at == at("2025-06-09")
        assert rec.escalated_at is None
        # 30 days overdue: the supervising authority's liaisons and the office; the record shows it.
        scan(at("2025-06-09", 9, 30))
        assert notices("escalated") == [
            ("recommendation.escalated", "escalated", "office"),
            ("recommendation.escalated", "escalated", "supervisor_liaison"),
        ]
        rec.refresh_from_db()
        assert rec.escalated_at == at("2025-06-09", 9, 30)
        assert rec.next_alert_at is None
        # Scanning again changes nothing: one notice per stage and recipient.
        before = notices()
        scan(at("2025-06-20"))
        assert notices() == before
        reasons = list(rec.history.values_list("history_change_reason", flat=True))
        assert "escalated" in reasons

    def test_the_supervisor_reads_the_record_only_once_escalated(self, world):
        from cases.recommendations.selectors import visible_to

        rec = issue_and_acknowledge(world)
        assert not visible_to(world.supervisor_liaison).filter(pk=rec.pk).exists()
        scan(at("2025-06-09"))
        assert visible_to(world.supervisor_liaison).filter(pk=rec.pk).exists()

    def test_replying_stops_the_ladder(self, world):
        rec = issue_and_acknowledge(world)
        scan(at("2025-04-26"))
        with time_machine.travel(at("2025-04-28", 15), tick=False):
            services.recommendation_reply(
                recommendation=rec, by=world.liaison, outcome="not_adopted", content="不予采纳", reason="已有规定"
            )
        rec.refresh_from_db()
        assert rec.next_alert_at is None
        scan(at("2025-05-11"))
        scan(at("2025-06-09"))
        assert [n[1] for n in notices() if n[0] != "recommendation.issued"] == [
            "acknowledged",
            "due_14",
            "replied",
        ]

    def test_withdrawing_stops_the_ladder(self, world):
        rec = issue_and_acknowledge(world)
        with time_machine.travel(at("2025-04-01"), tick=False):
            services.recommendation_withdraw(recommendation=rec, by=world.clerk)
        scan(at("2025-05-11"))
        assert notices("overdue") == []

    def test_a_late_scan_sends_the_current_stage_not_the_superseded_one(self, world):
        """Missed scans are caught up from the database; a reminder overtaken by the next is skipped."""
        issue_and_acknowledge(world)
        scan(at("2025-05-08"))  # the first scan after 26 April
        assert notices("due_14") == []
        assert notices("due_3") == [("recommendation.due_soon", "due_3", "liaison")]

    def test_a_very_late_scan_sends_overdue_and_escalation_together(self, world):
        rec = issue_and_acknowledge(world)
        scan(at("2025-07-01"))
        assert {n[1] for n in notices()} >= {"overdue", "escalated"}
        rec.refresh_from_db()
        assert rec.escalated_at == at("2025-07-01")

    def test_every_delay_is_a_setting(self, world, settings):
        settings.FUYUAN_RECOMMENDATION_ACK_REMINDER_DAYS = 2
        settings.FUYUAN_RECOMMENDATION_DUE_SOON_DAYS = (7,)
        settings.FUYUAN_RECOMMENDATION_ESCALATE_DAYS = 10
        settings.FUYUAN_RECOMMENDATION_ALERT_HOUR = 8
        with time_machine.travel(ISSUED, tick=False):
            rec = make_issued(world)
        assert rec.next_alert_at == at("2025-03-05", 8)
        with time_machine.travel(ACKNOWLEDGED, tick=False):
            services.recommendation_acknowledge(recommendation=rec, by=world.liaison)
        stages = [(s.name, s.at) for s in alerts.stages_of(rec)]
        assert stages == [
            ("due_7", at("2025-05-03", 8)),
            ("overdue", at("2025-05-11", 8)),
            ("escalated", at("2025-05-20", 8)),
        ]

    def test_no_supervisor_escalates_to_the_office(self, world):
        world.unit.supervisor = None
        world.unit.save()
        with time_machine.travel(ISSUED, tick=False):
            rec = make_draft(world)
            services.recommendation_issue(recommendation=rec, by=world.clerk)
        with time_machine.travel(ACKNOWLEDGED, tick=False):
            services.recommendation_acknowledge(recommendation=rec, by=world.liaison)
        scan(at("2025-06-09"))
        assert [n[2] for n in notices("escalated")] == ["office"]

    def test_a_scan_with_nothing_due_is_one_query(self, world, django_assert_num_queries):
        issue_and_acknowledge(world)
        with time_machine.travel(at("2025-04-01"), tick=False), django_assert_num_queries(1) as captured:
            assert scan_recommendation_alerts() == 0
        assert "next_alert_at" in captured.captured_queries[0]["sql"]

    def test_manual_reminders_do_not_disturb_the_ladder(self, world):
        rec = issue_and_acknowledge(world)
        with time_machine.travel(at("2025-04-01"), tick=False):
            services.recommendation_remind(recommendation=rec, by=world.office)
        rec.refresh_from_db()
        assert rec.next_alert_at == at("2025-04-26")


# --- Exactly once: a retried task, a retried delivery, two scans at once -----------------------------


@pytest.mark.django_db
def test_a_scan_that_dies_half_way_is_retried_without_duplicates(world):
    """A worker dies in the middle of a batch: its transaction rolls back, the retry sends each notice once."""
    recs = []
    with time_machine.travel(ISSUED, tick=False):
        for _ in range(3):
            recs.append(make_issued(world))
    real_notify_many = alerts.notify_many

    def dying_notify_many(items):
        real_notify_many(items)  # the batch's notices are written, then the worker dies before moving on
        raise SystemExit("worker killed")

    with mock.patch.object(alerts, "notify_many", side_effect=dying_notify_many), pytest.raises(SystemExit):
        scan(at("2025-03-08"))
    assert notices("ack_reminder") == []  # nothing half-done is kept
    assert JudicialRecommendation.objects.filter(next_alert_at=at("2025-03-08")).count() == 3
    # The task is delivered again (acks_late) and runs to the end; and once more for good measure.
    assert scan(at("2025-03-08", 9, 1)) == 3
    assert scan(at("2025-03-08", 9, 2)) == 0
    sent = Counter((n[2]) for n in notices("ack_reminder"))
    assert sent == {"liaison": 3, "clerk": 3}


@pytest.mark.django_db
def test_a_stage_sent_twice_gives_one_notice(world):
    """The task ran, but its acknowledgement to the broker was lost: the stage is sent again."""
    with time_machine.travel(ISSUED, tick=False):
        rec = make_issued(world)
    scan(at("2025-03-08"))
    JudicialRecommendation.objects.filter(pk=rec.pk).update(next_alert_at=at("2025-03-08"))
    scan(at("2025-03-08", 9, 5))
    assert len(notices("ack_reminder")) == 2  # liaison and clerk, once each


@pytest.mark.django_db
def test_a_failed_email_is_retried_and_sent_once(world, settings):
    with time_machine.travel(ISSUED, tick=False):
        make_issued(world)
    scan(at("2025-03-08"))
    notice = Notification.objects.get(stage="ack_reminder", recipient=world.liaison)
    assert notice.email_status == Notification.EmailStatus.PENDING
    mail.outbox.clear()
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=smtplib.SMTPServerDisconnected("gone")):
        assert notification_deliver(notification_id=notice.pk, now=at("2025-03-08", 9, 1)) == "retry"
    notice.refresh_from_db()
    assert notice.email_attempts == 1
    assert "SMTPServerDisconnected" in notice.email_last_error
    assert mail.outbox == []
    # Too early for the retry (backoff): nothing.
    assert notification_deliver(notification_id=notice.pk, now=at("2025-03-08", 9, 1)) == "skipped-claim"
    assert notification_deliver(notification_id=notice.pk, now=at("2025-03-08", 9, 3)) == "sent"
    assert notification_deliver(notification_id=notice.pk, now=at("2025-03-08", 9, 10)) == "skipped-claim"
    notice.refresh_from_db()
    assert notice.email_status == Notification.EmailStatus.SENT
    assert notice.email_attempts == 2
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.liaison.email]
    assert "请签收司法建议" in mail.outbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_give_one_notice_each(world):
    """Two beats fire together: two threads, each with its own database connection."""
    with time_machine.travel(ISSUED, tick=False):
        recs = [make_issued(world) for _ in range(12)]
    with time_machine.travel(ACKNOWLEDGED, tick=False):
        for rec in recs[:6]:
            services.recommendation_acknowledge(recommendation=rec, by=world.liaison)
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(alerts.recommendation_scan_alerts(now=at("2025-05-11")))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    with mock.patch("members.notices._queue_deliveries"):  # no broker traffic from this test
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not errors
    assert sum(results) == 12  # each row processed by exactly one of the scans
    per_key = Counter(
        Notification.objects.filter(stage__in=["ack_reminder", "overdue"]).values_list(
            "object_id", "stage", "recipient"
        )
    )
    assert per_key and set(per_key.values()) == {1}
    # 6 unacknowledged: liaison + clerk each; 6 overdue: liaison, 2 clerks, office each.
    assert Notification.objects.filter(stage="ack_reminder").count() == 12
    assert Notification.objects.filter(stage="overdue").count() == 24
