"""The referral scan in bulk (issue 19): its cost does not grow with the due rows, and each notice is written once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases.models import Referral
from cases.referrals import alerts
from members.models import Notification
from members.roles import Role
from tests.cases.referrals.support import sent
from tests.factories import make_user

TZ = ZoneInfo("Asia/Shanghai")
FRIDAY = datetime(2026, 3, 6, 10, 0, tzinfo=TZ)
TUESDAY = datetime(2026, 3, 10, 10, 1, tzinfo=TZ)  # two working days later: the unacknowledged reminder is due
NEXT_FRIDAY = datetime(2026, 3, 13, 10, 0, tzinfo=TZ)
NEXT_TUESDAY = datetime(2026, 3, 17, 10, 1, tzinfo=TZ)


def send_many(cast, count: int, when: datetime, receiver=None) -> list[Referral]:
    receiver = receiver or cast.unit
    numbers = [f"(2026)甘01民诉前调{when:%d}-{receiver.pk}-{i}号" for i in range(count)]
    with time_machine.travel(when, tick=False):
        return [sent(cast.clerk, receiver, number=number) for number in numbers]


def scan(when: datetime) -> int:
    with time_machine.travel(when, tick=False):
        return alerts.referral_scan_alerts()


def counted_scan(when: datetime) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        done = scan(when)
    return done, len(ctx.captured_queries)


def unacknowledged() -> Counter[str]:
    rows = Notification.objects.filter(event="referral_unacknowledged").values_list("recipient__username", flat=True)
    return Counter(rows)


@pytest.mark.django_db
def test_the_scan_with_nothing_due_is_one_query(cast, django_assert_num_queries):
    send_many(cast, 2, FRIDAY)  # armed, not yet due
    with time_machine.travel(datetime(2026, 3, 9, 18, 0, tzinfo=TZ), tick=False), django_assert_num_queries(1) as ctx:
        # the due rows' units: next_alert_at <= now on the partial index referral_alert_due; nothing, so no more
        assert alerts.referral_scan_alerts() == 0
    assert '"next_alert_at" <=' in ctx.captured_queries[0]["sql"]


@pytest.mark.django_db
def test_the_cost_of_a_scan_does_not_grow_with_the_due_rows(cast):
    ContentType.objects.get_for_model(Referral)  # the content type cache is warm in a worker
    send_many(cast, 3, FRIDAY)
    done_3, queries_3 = counted_scan(TUESDAY)
    send_many(cast, 30, NEXT_FRIDAY)
    done_30, queries_30 = counted_scan(NEXT_TUESDAY)
    assert (done_3, done_30) == (3, 30)
    # The units' people once, then per batch: the claim, one insert of the notices, the read of the notices
    # whose email is to be queued, one update of next_alert_at (plus the transaction's savepoint in a test).
    assert queries_30 == queries_3
    assert queries_3 <= 8
    assert unacknowledged() == {"liaison": 33}


@pytest.mark.django_db
def test_a_scan_run_twice_writes_each_notice_once(cast):
    rows = send_many(cast, 5, FRIDAY)
    assert scan(TUESDAY) == 5
    Referral.objects.filter(pk__in=[r.pk for r in rows]).update(next_alert_at=TUESDAY)  # a lost acknowledgement
    assert scan(TUESDAY) == 5
    assert unacknowledged() == {"liaison": 5}
    assert Notification.objects.filter(event="referral_unacknowledged").values("object_id").distinct().count() == 5


@pytest.mark.django_db
def test_each_unit_hears_of_its_own_referrals_primary_and_backup_liaison(cast):
    backup = make_user(Role.LIAISON, cast.unit, username="backup_liaison")
    send_many(cast, 2, FRIDAY)
    send_many(cast, 3, FRIDAY, receiver=cast.other_unit)
    assert scan(TUESDAY) == 5
    assert unacknowledged() == {"liaison": 2, backup.username: 2, "other_liaison": 3}
    mine = Notification.objects.filter(recipient=cast.other_liaison).values_list("object_id", flat=True)
    assert set(Referral.objects.filter(pk__in=mine).values_list("receiver_id", flat=True)) == {cast.other_unit.pk}


@pytest.mark.django_db
def test_a_unit_without_a_liaison_hears_nothing_and_the_ladder_moves_on(cast):
    cast.other_liaison.is_active = False  # away for good: no one of the unit hears
    cast.other_liaison.save(update_fields=["is_active"])
    rows = send_many(cast, 2, FRIDAY, receiver=cast.other_unit)
    send_many(cast, 1, FRIDAY)
    assert scan(TUESDAY) == 3
    assert unacknowledged() == {"liaison": 1}  # as before: the unacknowledged reminder goes to the receiver only
    assert not Referral.objects.filter(pk__in=[r.pk for r in rows], next_alert_at__lte=TUESDAY).exists()


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_never_take_the_same_row(cast):
    rows = send_many(cast, 3, FRIDAY)
    held, release = threading.Event(), threading.Event()

    def other_scan_holding_two_rows() -> None:
        try:
            with transaction.atomic():
                list(Referral.objects.select_for_update().filter(pk__in=[rows[0].pk, rows[1].pk]))
                held.set()
                release.wait(10)
        finally:
            connection.close()

    if connection.vendor == "postgresql":  # SQLite has no row locks (one writer at a time): no second scan to race
        other = threading.Thread(target=other_scan_holding_two_rows)
        other.start()
        assert held.wait(10)
        try:
            assert scan(TUESDAY) == 1  # the locked rows are skipped, not waited for
        finally:
            release.set()
            other.join(10)
        assert scan(TUESDAY) == 2  # released: the other two
    else:
        assert scan(TUESDAY) == 3
    assert scan(TUESDAY) == 0
    assert unacknowledged() == {"liaison": 3}
    assert not Referral.objects.filter(next_alert_at__lte=TUESDAY).exists()
