"""Fault: Redis (the broker) is down while alert stages of recommendations, referrals and meetings
come due; each app's periodic scan runs through the outage and after it."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from members.models import Notification
from members.tasks import deliver_due_notifications
from tests.conftest import Cast
from tests.faults.conftest import celery_broker
from tests.faults.servers import PrivateRedis

pytestmark = pytest.mark.django_db(transaction=True)
TZ = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc]


@dataclass(frozen=True)
class Ladder:
    """An object of one app, its scan, and three moments: a stage due while Redis is down (the
    scan runs), a later stage due while it is still down (no scan: beat cannot queue it), and
    the moment Redis is back (the scan runs late)."""

    create: Callable[[Cast], Any]
    scan: Callable[[], Any]
    created_at: datetime
    due_during_outage: datetime
    missed: datetime
    back: datetime
    first_stage: str  # stage names (prefixes) of the two rungs
    missed_stage: str


def _recommendation(cast: Cast) -> Any:
    from cases.recommendations import services as recommendations
    from tests.cases.recommendations.support import make_issued

    rec = make_issued(cast)
    with time_machine.travel(at(2025, 3, 10, 10), tick=False):
        recommendations.recommendation_acknowledge(recommendation=rec, by=cast.liaison)
    return rec  # reply due 10 May 2025: "due in 14 days" on 26 April, "in 3 days" on 7 May


def _scan_recommendations() -> Any:
    from cases.tasks import scan_recommendation_alerts

    return scan_recommendation_alerts()


def _referral_kinds() -> None:
    """The kinds come from a data migration, which a transactional test's flush removed: load them again."""
    import importlib
    import pkgutil

    from django.apps import apps

    import cases.migrations

    for module in pkgutil.iter_modules(cases.migrations.__path__):
        migration = importlib.import_module(f"cases.migrations.{module.name}")
        if hasattr(migration, "KINDS") and hasattr(migration, "create"):
            migration.create(apps, None)
            return
    raise AssertionError("no data migration of referral kinds found")


def _referral(cast: Cast) -> Any:
    from cases.referrals import services as referrals
    from tests.cases.referrals.support import sent

    _referral_kinds()
    r = sent(cast.clerk, cast.unit, code="criminal_transfer", number="移-故障")
    return referrals.referral_acknowledge(referral=r, by=cast.liaison)  # due 5 March 2026


def _scan_referrals() -> Any:
    from cases.tasks import scan_referral_alerts

    return scan_referral_alerts()


MEETING_START = at(2026, 12, 10, 10)


def _meeting(cast: Cast) -> Any:
    from meetings.meetings import services as meeting_services
    from meetings.models import Meeting

    return meeting_services.meeting_create(
        by=cast.office,
        kind=Meeting.Kind.JOINT_MEETING,
        title="联席会议(故障测试)",
        convener=cast.office.unit,  # type: ignore[arg-type]
        starts_at=MEETING_START,
        ends_at=MEETING_START + timedelta(hours=2),
        invited_units=[cast.unit, cast.court],
        location="省司法厅三楼会议室",
    )  # reminders three days and two hours before


def _scan_meetings() -> Any:
    from meetings.tasks import scan_reminders

    return scan_reminders()


LADDERS = {
    "recommendation": Ladder(
        _recommendation,
        _scan_recommendations,
        created_at=at(2025, 3, 3, 10),
        due_during_outage=at(2025, 4, 26, 9, 1),
        missed=at(2025, 5, 7, 9, 1),
        back=at(2025, 5, 8, 15),
        first_stage="due_14",
        missed_stage="due_3",
    ),
    "referral": Ladder(
        _referral,
        _scan_referrals,
        created_at=at(2026, 3, 2, 10),
        due_during_outage=at(2026, 3, 3, 9, 1),
        missed=at(2026, 3, 6, 0, 1),
        back=at(2026, 3, 6, 10),
        first_stage="due_soon",
        missed_stage="overdue",
    ),
    "meeting": Ladder(
        _meeting,
        _scan_meetings,
        created_at=at(2026, 12, 1, 9),
        due_during_outage=MEETING_START - timedelta(days=3),
        missed=MEETING_START - timedelta(hours=2),
        back=MEETING_START - timedelta(hours=1),
        first_stage="before-4320m",
        missed_stage="before-120m",
    ),
}


def stages(prefix: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(stage__startswith=prefix).values_list("stage", "recipient__username"))


@pytest.mark.parametrize("app", list(LADDERS))
def test_alert_stages_due_while_redis_is_down_are_sent_each_once(
    app: str, cast: Cast, private_redis: PrivateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    """What was lost: nothing; nothing was sent twice. The scan that runs while the broker is down
    writes its inbox notices and leaves their emails "pending" in the database; the stage that
    came due with no scan at all is sent by the first scan after Redis returns; the sweeper then
    sends every waiting email once, and scanning and sweeping again send nothing more."""
    ladder = LADDERS[app]
    with celery_broker(private_redis.url):
        with time_machine.travel(ladder.created_at, tick=False):
            ladder.create(cast)
            deliver_due_notifications()  # what creating the object sent (invitations, …)
        before = set(Notification.objects.values_list("pk", flat=True))
        assert stages(ladder.first_stage) == []

        private_redis.stop()
        with caplog.at_level(logging.WARNING), time_machine.travel(ladder.due_during_outage, tick=False):
            ladder.scan()
        first = stages(ladder.first_stage)
        assert first, "the scan during the outage wrote no inbox notice"
        assert "could not queue delivery" in caplog.text
        assert set(
            Notification.objects.filter(stage__startswith=ladder.first_stage).values_list("email_status", flat=True)
        ) <= {"pending", "skipped"}
        assert stages(ladder.missed_stage) == []
        # ladder.missed passes with no scan: beat cannot queue the scan while the broker is down

        private_redis.start()
        with time_machine.travel(ladder.back, tick=False):
            ladder.scan()
            missed = stages(ladder.missed_stage)
            assert missed, "the stage missed during the outage was not sent when Redis returned"
            deliver_due_notifications()
            ladder.scan()
            assert deliver_due_notifications() == 0
        with time_machine.travel(ladder.back + timedelta(minutes=30), tick=False):
            ladder.scan()
            assert deliver_due_notifications() == 0

    assert stages(ladder.first_stage) == first and stages(ladder.missed_stage) == missed  # none twice
    new = Notification.objects.exclude(pk__in=before)
    emailed = [n for n in new if n.email_status != "skipped"]
    assert emailed and all(n.email_status == "sent" for n in emailed)
    sent = Counter(m.extra_headers["Message-ID"] for m in mail.outbox)
    assert all(sent[f"<notification-{n.pk}@fuyuan>"] == 1 for n in emailed)  # each email once
    assert max(sent.values()) == 1
