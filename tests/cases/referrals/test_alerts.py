"""Deadline alerts through the one alert engine, with frozen time: each stage once per recipient."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import Referral
from cases.referrals import alerts, services
from members.models import Notification
from tests.cases.referrals.support import ID, PHONE, sent

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def notices(stage_prefix: str) -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(stage__startswith=stage_prefix).values_list("recipient__username", "event")
    )


def scan(when: datetime) -> int:
    with time_machine.travel(when, tick=False):
        return alerts.referral_scan_alerts()


def test_unacknowledged_after_two_working_days_reminds_the_receiver(cast):
    friday = datetime(2026, 3, 6, 10, 0, tzinfo=TZ)
    with time_machine.travel(friday, tick=False):
        r = sent(cast.clerk, cast.unit)
    # Two working days after a Friday morning: Tuesday morning.
    assert r.next_alert_at == datetime(2026, 3, 10, 10, 0, tzinfo=TZ)
    scan(datetime(2026, 3, 9, 18, 0, tzinfo=TZ))
    assert notices("unacknowledged") == []
    scan(datetime(2026, 3, 10, 10, 1, tzinfo=TZ))
    assert notices("unacknowledged") == [("liaison", "referral_unacknowledged")]
    scan(datetime(2026, 3, 11, 10, 1, tzinfo=TZ))  # once per stage and recipient
    assert len(notices("unacknowledged")) == 1
    assert Referral.objects.get(pk=r.pk).next_alert_at is None


def test_acknowledging_in_time_sends_nothing(cast):
    with time_machine.travel(datetime(2026, 3, 6, 10, 0, tzinfo=TZ), tick=False):
        r = sent(cast.clerk, cast.unit)
        services.referral_acknowledge(referral=r, by=cast.liaison)
    scan(datetime(2026, 3, 10, 11, 0, tzinfo=TZ))
    assert notices("unacknowledged") == []


def test_due_soon_then_overdue_to_receiver_sender_and_office(cast):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=TZ), tick=False):
        r = sent(cast.clerk, cast.unit, code="criminal_transfer", number="移-7")
        services.referral_acknowledge(referral=r, by=cast.liaison)
    assert r.due.isoformat() == "2026-03-05"
    # due in two days: 3 March 09:00
    scan(datetime(2026, 3, 3, 8, 59, tzinfo=TZ))
    assert notices("due_soon") == []
    scan(datetime(2026, 3, 3, 9, 0, tzinfo=TZ))
    assert notices("due_soon") == [("liaison", "referral_due_soon")]
    scan(datetime(2026, 3, 4, 9, 0, tzinfo=TZ))
    assert len(notices("due_soon")) == 1
    assert notices("overdue") == []
    scan(datetime(2026, 3, 6, 0, 1, tzinfo=TZ))  # the day after the due date
    assert notices("overdue") == [
        ("clerk", "referral_overdue"),
        ("liaison", "referral_overdue"),
        ("office", "referral_overdue"),
    ]
    scan(datetime(2026, 3, 9, 0, 1, tzinfo=TZ))
    assert len(notices("overdue")) == 3
    assert len(notices("due_soon")) == 1
    # What remains is the escalation (升级督办), 30 days after the due date at 09:00.
    assert Referral.objects.get(pk=r.pk).next_alert_at == datetime(2026, 4, 4, 9, 0, tzinfo=TZ)


def test_a_missed_scan_sends_the_current_stage_not_the_closed_one(cast):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=TZ), tick=False):
        r = sent(cast.clerk, cast.unit, code="criminal_transfer", number="移-8")
        services.referral_acknowledge(referral=r, by=cast.liaison)
    scan(datetime(2026, 3, 7, 12, 0, tzinfo=TZ))  # the worker was down until after the due date
    assert notices("due_soon") == []
    assert len(notices("overdue")) == 3


def test_concluding_disarms_the_alerts(cast):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=TZ), tick=False):
        r = sent(cast.clerk, cast.unit, code="criminal_transfer", number="移-9")
        services.referral_acknowledge(referral=r, by=cast.liaison)
        services.referral_accept(referral=r, by=cast.liaison)
        services.referral_conclude(referral=r, by=cast.liaison, outcome="case_opened")
    assert Referral.objects.get(pk=r.pk).next_alert_at is None
    scan(datetime(2026, 3, 9, 0, 1, tzinfo=TZ))
    assert notices("overdue") == []


def test_extension_rearms_due_soon_for_the_new_date(cast):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=TZ), tick=False):
        r = sent(cast.clerk, cast.unit)
        services.referral_acknowledge(referral=r, by=cast.liaison)
    scan(datetime(2026, 3, 30, 9, 0, tzinfo=TZ))
    assert len(notices("due_soon")) == 1
    with time_machine.travel(datetime(2026, 3, 30, 10, 0, tzinfo=TZ), tick=False):
        services.referral_extend(referral=r, by=cast.liaison, both_parties_consent=True, consent_note="双方同意")
    scan(datetime(2026, 4, 29, 9, 0, tzinfo=TZ))
    assert len(notices("due_soon")) == 2  # one per due date


def test_notices_carry_no_personal_data_and_link_to_the_record(cast):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=TZ), tick=False):
        r = sent(cast.clerk, cast.unit, code="criminal_transfer", number="移-10")
        services.referral_acknowledge(referral=r, by=cast.liaison)
    scan(datetime(2026, 3, 7, 12, 0, tzinfo=TZ))
    rows = list(Notification.objects.filter(object_id=r.pk))
    assert rows
    for n in rows:
        text = n.subject + n.body
        assert "张三丰" not in text and ID not in text and PHONE not in text and "张" not in text
        assert n.url == f"/referrals/{r.pk}/"


def test_sending_notifies_the_receiver(cast):
    r = sent(cast.clerk, cast.unit)
    assert list(
        Notification.objects.filter(object_id=r.pk, event="referral_update").values_list(
            "recipient__username", flat=True
        )
    ) == ["liaison"]
