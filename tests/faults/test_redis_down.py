"""Fault: Redis (the cache and the Celery broker) stops for a while and comes back."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from members import services
from members.models import Notification
from members.tasks import deliver_due_notifications
from tests.conftest import PASSWORD, Cast
from tests.faults.conftest import celery_broker
from tests.faults.servers import PrivateRedis, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
T = TypeVar("T")


@pytest.fixture
def redis_everywhere(settings, private_redis: PrivateRedis):  # type: ignore[no-untyped-def]
    """This process uses the private Redis as its cache and its Celery broker."""
    settings.CACHES = {
        "default": {
            "BACKEND": settings.CACHES["default"]["BACKEND"],
            "LOCATION": private_redis.url,
            "RETRY_AFTER": 1,
            "KEY_PREFIX": "fuyuan",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with celery_broker(private_redis.url):
        yield private_redis


def page_urls(client: Client, cast: Cast) -> list[str]:
    """The pages in this person's header (whatever features are installed), plus the members pages."""
    home = client.get(reverse("home"))
    assert home.status_code == 200
    urls = [item["url"] for item in home.context["nav_items"]]
    return [*urls, reverse("profile"), reverse("inbox"), reverse("unit-detail", args=[cast.unit.pk])]


def within(seconds: float, work: Callable[[], T]) -> T:
    """Run ``work`` in a thread and fail, instead of hanging, when it takes longer than ``seconds``."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(("ok", work()))
        except BaseException as exc:
            outcome.append(("error", exc))
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s: hung on the broken Redis"
    kind, value = outcome[0]
    if kind == "error":
        raise value
    return value


def sign_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.mark.parametrize("fault", ["stopped", "frozen"])
def test_redis_down_pages_work_and_pending_notices_are_sent_once_when_it_returns(
    fault: str, cast: Cast, redis_everywhere: PrivateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    """What was lost: nothing. While Redis is down (stopped: connections refused; frozen by
    SIGSTOP: connections accepted and never answered, like a hung server or an unreachable host)
    people sign in and every page answers (the cache is merely empty); a notice raised meanwhile
    is in the inbox at once and its email waits in the database ("pending"), not in the dead
    queue, and raising it takes seconds at most. When Redis returns, queueing works again in the
    same process and the sweeper sends every waiting email exactly once."""
    redis = redis_everywhere
    assert sign_in("office").get("/healthz").json()["checks"]["broker"]["ok"] is True
    cache.set("faults:key", "up")
    assert redis.client().keys("*faults:key")  # this process's cache is the private Redis

    if fault == "stopped":
        redis.stop()
    else:
        redis.freeze()
    healthz = within(10, lambda: Client().get("/healthz"))
    assert healthz.status_code == 503 and "broker" in healthz.json()["failing"]
    assert not redis.ping()  # the fault is real

    # the cache is empty while Redis is down, never an error (fuyuan.lib.cache.ResilientRedisCache)
    assert cache.get("faults:key") is None
    cache.set("faults:key", "value")
    assert cache.get_or_set("faults:computed", lambda: "from the database") == "from the database"
    assert cache.get_many(["faults:key"]) == {}

    office = sign_in("office")
    liaison = sign_in("liaison")
    for client in (office, liaison):
        for url in page_urls(client, cast):
            response = client.get(url, follow=True)
            assert response.status_code == 200, (url, response.status_code)

    people = [cast.liaison, cast.other_liaison, cast.clerk]
    with caplog.at_level(logging.WARNING, logger="members.services"):
        raised = within(10, lambda: services.notify(event="test.ping", obj=cast.unit, stage="down", recipients=people))
    assert raised == 3
    assert "could not queue delivery" in caplog.text
    down = list(Notification.objects.filter(stage="down").order_by("pk"))
    assert [(n.email_status, n.email_attempts) for n in down] == [("pending", 0)] * 3
    inbox = liaison.get(reverse("inbox"))
    assert inbox.status_code == 200 and down[0].subject in inbox.content.decode()
    assert liaison.post(reverse("inbox-read")).status_code == 302  # a write while Redis is down
    assert mail.outbox == []

    if fault == "stopped":
        redis.start()  # same port, empty: whatever was queued before is gone
    else:
        redis.thaw()  # it runs what it had received; a publish that timed out may land now
    assert Client().get("/healthz").json()["checks"]["broker"]["ok"] is True
    # after RETRY_AFTER seconds the cache is used again
    wait_for(lambda: cache.set("faults:after", "back") or cache.get("faults:after") == "back", timeout=5, what="cache")
    queued = redis.client().llen("celery")
    services.notify(event="test.ping", obj=cast.unit, stage="back", recipients=people, url="/u/")
    assert redis.client().llen("celery") == queued + 3  # queueing works again without a restart

    assert deliver_due_notifications() == 6
    assert deliver_due_notifications() == 0
    # the queued tasks, when a worker runs them, find their notices sent
    back = Notification.objects.filter(stage="back")
    assert {services.notification_deliver(notification_id=n.pk) for n in back} == {"skipped-claim"}

    sent = sorted(m.extra_headers["Message-ID"] for m in mail.outbox)
    expected = sorted(f"<notification-{n.pk}@fuyuan>" for n in Notification.objects.all())
    assert sent == expected and len(expected) == 6  # each notice once, none lost
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}
