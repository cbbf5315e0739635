"""End to end on a real Celery worker and Redis: the beat's scan task finds an overdue recommendation,
the inbox notice is written and its email is delivered by the worker (locmem backend in the worker)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import dj_database_url
import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cases.models import JudicialRecommendation
from cases.recommendations import services
from cases.tasks import scan_recommendation_alerts
from members.models import Notification
from tests.cases.recommendations.support import make_issued

REPO = Path(__file__).resolve().parents[3]


def _worker_env() -> dict[str, str]:
    """The worker uses the test database (committed rows: transaction=True) and the same Redis."""
    env = dict(os.environ)
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env["DATABASE_URL"] = (
        f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )
    assert dj_database_url.parse(env["DATABASE_URL"])["NAME"].startswith("test_")
    env["REDIS_URL"] = settings.REDIS_URL
    env["DJANGO_SETTINGS_MODULE"] = "fuyuan.settings_test"
    env["PYTHONPATH"] = str(REPO)
    return env


def _celery() -> str:
    candidate = Path(sys.executable).with_name("celery")
    return str(candidate) if candidate.exists() else (shutil.which("celery") or "celery")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_scan_task_on_a_real_worker_sends_the_overdue_notice_and_email(cast):
    from fuyuan.celery import app

    # Issued and acknowledged 75 days ago: two months later the reply was due about two weeks ago.
    with time_machine.travel(timezone.now() - timedelta(days=75), tick=False):
        rec = make_issued(cast)
        services.recommendation_acknowledge(recommendation=rec, by=cast.liaison)
    rec.refresh_from_db()
    assert rec.reply_due < timezone.localdate()
    assert rec.next_alert_at <= timezone.now()  # a stage is due now
    assert not Notification.objects.filter(stage="overdue").exists()

    app.control.purge()  # nothing left in this Redis database from earlier runs
    worker = subprocess.Popen(
        [_celery(), "-A", "fuyuan", "worker", "--pool=solo", "--loglevel=INFO", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--hostname", f"test-recommendations-{os.getpid()}@%h"],
        cwd=REPO,
        env=_worker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        scan_recommendation_alerts.delay()  # what the beat sends; the worker picks it up from Redis
        deadline = time.monotonic() + 90
        notice = None
        while time.monotonic() < deadline:
            notice = Notification.objects.filter(stage="overdue", recipient=cast.liaison).first()
            if notice is not None and notice.email_status == Notification.EmailStatus.SENT:
                break
            if worker.poll() is not None:
                break
            time.sleep(0.5)
        else:
            notice = Notification.objects.filter(stage="overdue", recipient=cast.liaison).first()
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert notice is not None, output[-4000:]
    assert notice.email_status == Notification.EmailStatus.SENT, output[-4000:]
    assert notice.email_attempts == 1 and notice.email_sent_at is not None
    assert "逾期未回复" in notice.subject
    # The issuing court and the office got it too, once each; the ladder moved on to escalation.
    overdue = Notification.objects.filter(stage="overdue", object_id=rec.pk)
    assert sorted(overdue.values_list("recipient__username", flat=True)) == ["clerk", "liaison", "office"]
    rec.refresh_from_db()
    assert rec.next_alert_at is not None and rec.next_alert_at > timezone.now()
    assert JudicialRecommendation.objects.get(pk=rec.pk).escalated_at is None
    assert "cases.scan_recommendation_alerts" in output
