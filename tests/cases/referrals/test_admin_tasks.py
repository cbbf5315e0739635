"""The admin pages, the periodic task in the beat schedule, and the thin Celery tasks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_celery_beat.models import PeriodicTask

from cases.models import ReferralKind
from cases.tasks import scan_referral_alerts
from members.models import Notification
from tests.cases.referrals.support import sent
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_the_alert_scan_is_in_the_beat_schedule():
    task = PeriodicTask.objects.get(task="cases.scan_referral_alerts")
    assert task.enabled and task.interval.every == 300


def test_the_periodic_task_sends_due_alerts(cast):
    with time_machine.travel(datetime(2026, 3, 6, 10, 0, tzinfo=TZ), tick=False):
        sent(cast.clerk, cast.unit)
    with time_machine.travel(datetime(2026, 3, 10, 10, 5, tzinfo=TZ), tick=False):
        assert scan_referral_alerts() == 1
        assert scan_referral_alerts() == 0  # nothing left: one index lookup
    assert Notification.objects.filter(event="referral_unacknowledged").count() == 1


def test_admin_pages_of_referrals(cast):
    from members.roles import ensure_roles

    # On a fresh database members' post_migrate hook runs before the cases permissions exist
    # (reported to the lead); give the groups their permissions as a later migrate would.
    ensure_roles()
    cast.admin.__dict__.pop("_perm_cache", None)
    cast.admin.__dict__.pop("_group_perm_cache", None)
    r = sent(cast.clerk, cast.unit)
    c = client_for(cast.admin)
    for url in (
        "/admin/cases/referral/",
        f"/admin/cases/referral/{r.pk}/change/",
        f"/admin/cases/referral/{r.pk}/history/",
        "/admin/cases/referralkind/",
        f"/admin/cases/referralkind/{ReferralKind.objects.get(code='mediation').pk}/change/",
        "/admin/cases/referralimport/",
    ):
        assert c.get(url).status_code == 200, url
