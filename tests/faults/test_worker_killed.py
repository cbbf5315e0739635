"""Fault: the Celery worker is killed (SIGKILL) in the middle of delivering a notice's email."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db.models import F

from members import services
from members.models import Notification
from members.roles import Role
from members.tasks import deliver_due_notifications, deliver_notification
from tests.factories import UnitFactory, make_user
from tests.faults.conftest import celery_broker
from tests.faults.servers import CeleryWorker, PrivateRedis, SmtpServer, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def statuses(ids: list[int]) -> dict[int, str]:
    return dict(Notification.objects.filter(pk__in=ids).values_list("pk", "email_status"))


def succeeded(worker: CeleryWorker, task_ids: list[str]) -> dict[str, str]:
    """The return value the worker logged for each task id that has finished."""
    found = re.findall(r"\[([0-9a-f-]{36})\] succeeded in [0-9.e-]+s: '?([\w-]+)'?", worker.log())
    return {tid: result for tid, result in found if tid in task_ids}


def skipped(worker: CeleryWorker) -> int:
    return len(re.findall(r"succeeded in [0-9.e-]+s: 'skipped-claim'", worker.log()))


@pytest.mark.parametrize("victim", ["whole-worker", "pool-child"])
def test_worker_killed_mid_delivery_every_notice_delivered_exactly_once(
    victim: str, celery_worker: CeleryWorker, private_redis: PrivateRedis, smtp_server: SmtpServer
) -> None:
    """What was lost: nothing. Every notice's email reaches the mail server exactly once.

    SIGKILL arrives while the mail server holds the DATA of one message unanswered, so the server
    has not taken that message. Either the whole worker dies (power cut, ``kill -9``; it is then
    restarted) or only its pool child (the OOM killer; the worker's main process rejects the task
    back to the queue at once, CELERY_TASK_REJECT_ON_WORKER_LOST, and runs it again, which the
    claim refuses). The notices still queued are sent; the killed delivery stays "sending" under a
    claim nobody will finish until the sweeper takes it over, once the claim is older than
    FUYUAN_DELIVERY_STALE_MINUTES (the test moves that claim back in time rather than waiting).
    When the broker later redelivers unacknowledged tasks (acks_late; its visibility timeout),
    the claim refuses them: no second email.

    The limit, by design: a worker killed after the mail server answered 250 but before the row
    was marked "sent" makes the sweeper send that email a second time. No SMTP client can avoid
    that window; the Message-ID (notification-<pk>@fuyuan) lets mail systems drop the duplicate.
    """
    unit = UnitFactory()
    people = [make_user(Role.LIAISON, unit, username=f"killed{i}") for i in range(3)]
    smtp_server.mode = "hold"
    with celery_broker(private_redis.url):
        # autocommit: notify's on_commit queues one delivery task per notice at once
        services.notify(event="test.ping", obj=unit, stage="s1", recipients=people, url="/units/")
    ids = sorted(Notification.objects.filter(object_id=unit.pk).values_list("pk", flat=True))
    assert len(ids) == 3
    assert private_redis.client().llen("celery") == 3

    celery_worker.start()
    assert smtp_server.holding.wait(20), "the worker never reached the mail server"
    [held_message_id] = smtp_server.held
    held = int(re.fullmatch(r"<notification-(\d+)@fuyuan>", held_message_id).group(1))  # type: ignore[union-attr]
    assert statuses([held]) == {held: "sending"}

    assert smtp_server.accepted == []
    smtp_server.mode = "accept"  # for the next connections; the held one never gets an answer
    if victim == "whole-worker":
        celery_worker.kill()  # main process and pool child, mid-DATA: no ack, no cleanup
        smtp_server.release()
        celery_worker.start()
    else:
        celery_worker.kill_pool_child()
        smtp_server.release()
        # the task came back to the queue and ran again: the dead child's claim refused it
        wait_for(lambda: "WorkerLostError" in celery_worker.log(), timeout=20, what="the worker to notice")
        wait_for(lambda: skipped(celery_worker) == 1, timeout=20, what="the requeued task")
    others = [pk for pk in ids if pk != held]
    wait_for(
        lambda: set(statuses(others).values()) == {"sent"}, timeout=20, what="the restarted worker to send the rest"
    )
    # The killed delivery is still claimed by the dead worker; nothing sends it twice meanwhile.
    assert statuses([held]) == {held: "sending"}

    # FUYUAN_DELIVERY_STALE_MINUTES pass: the dead worker's claim becomes stale.
    stale = timedelta(minutes=settings.FUYUAN_DELIVERY_STALE_MINUTES, seconds=1)
    Notification.objects.filter(pk=held).update(email_claimed_at=F("email_claimed_at") - stale)
    with celery_broker(private_redis.url):
        sweep = deliver_due_notifications.delay().id
    wait_for(lambda: succeeded(celery_worker, [sweep]), timeout=20, what="the sweep")
    assert succeeded(celery_worker, [sweep]) == {sweep: "1"}
    assert set(statuses(ids).values()) == {"sent"}

    # The broker redelivers unacknowledged tasks after its visibility timeout; later sweeps run too.
    with celery_broker(private_redis.url):
        again = [deliver_notification.delay(pk).id for pk in ids] + [deliver_due_notifications.delay().id]
    wait_for(lambda: len(succeeded(celery_worker, again)) == len(again), timeout=20, what="the redeliveries")
    assert sorted(succeeded(celery_worker, again).values()) == ["0"] + ["skipped-claim"] * 3

    # Exactly once: every notice's email accepted by the mail server one time, none lost, none twice.
    assert smtp_server.message_ids() == {f"<notification-{pk}@fuyuan>": 1 for pk in ids}
    rows = Notification.objects.filter(pk__in=ids).order_by("pk")
    assert [(r.pk, r.email_status, r.email_attempts) for r in rows] == [
        (pk, "sent", 2 if pk == held else 1) for pk in ids
    ]
