"""The notification engine: one notice per stage and recipient, email in the recipient's language,
retries with backoff, and an inbox that never loses a notice."""

from __future__ import annotations

import smtplib
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import MemberUnit, Notification
from members.roles import Role
from members.tasks import deliver_due_notifications
from tests.conftest import Cast, client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def ping(unit: MemberUnit, recipients: list, stage: str = "s1") -> int:  # type: ignore[type-arg]
    return services.notify(event="test.ping", obj=unit, stage=stage, recipients=recipients, url="/units/1/")


def test_one_notice_per_stage_and_recipient(cast: Cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ping(cast.unit, [cast.liaison, cast.office])
        ping(cast.unit, [cast.liaison, cast.office])
    assert Notification.objects.count() == 2
    ping(cast.unit, [cast.liaison], stage="s2")
    assert Notification.objects.filter(recipient=cast.liaison).count() == 2
    assert len(callbacks) == 2  # deliveries queued; the claim makes a second queueing harmless


def test_subject_in_the_recipients_language(cast: Cast) -> None:
    cast.office.language = "en"
    cast.office.save()
    ping(cast.unit, [cast.liaison, cast.office])
    assert Notification.objects.get(recipient=cast.liaison).subject.startswith("通知")
    assert Notification.objects.get(recipient=cast.office).subject.startswith("Notifications")


def test_inactive_people_get_nothing_and_opted_out_get_no_email(cast: Cast) -> None:
    cast.other_liaison.is_active = False
    cast.other_liaison.save()
    cast.liaison.email_notifications = False
    cast.liaison.save()
    ping(cast.unit, [cast.liaison, cast.other_liaison])
    notice = Notification.objects.get()
    assert notice.recipient == cast.liaison
    assert notice.email_status == Notification.EmailStatus.SKIPPED


def test_delivery_sends_once_in_the_recipients_language(cast: Cast) -> None:
    cast.liaison.language = "en"
    cast.liaison.save()
    ping(cast.unit, [cast.liaison])
    notice = Notification.objects.get()
    assert services.notification_deliver(notification_id=notice.pk) == "sent"
    assert services.notification_deliver(notification_id=notice.pk) == "skipped-claim"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [cast.liaison.email]
    assert "View details" in message.body
    assert message.alternatives and "text/html" in message.alternatives[0][1]
    notice.refresh_from_db()
    assert notice.email_status == "sent" and notice.email_attempts == 1


def test_failed_delivery_is_retried_with_backoff_and_the_inbox_keeps_the_notice(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    ping(cast.unit, [cast.liaison])
    notice = Notification.objects.get()
    calls = {"n": 0}

    def refuse(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        raise smtplib.SMTPServerDisconnected("connection refused")

    start = timezone.now()
    with monkeypatch.context() as m:
        m.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
        with time_machine.travel(start, tick=False):
            assert services.notification_deliver(notification_id=notice.pk) == "retry"
            # not due again before the backoff has passed
            assert deliver_due_notifications() == 0
        notice.refresh_from_db()
        assert notice.email_last_error.startswith("SMTPServerDisconnected")
        assert notice.email_next_try_at == start + timedelta(minutes=1)
        with time_machine.travel(start + timedelta(minutes=1, seconds=1), tick=False):
            assert deliver_due_notifications() == 1
        notice.refresh_from_db()
        assert notice.email_attempts == 2
        assert notice.email_next_try_at == start + timedelta(minutes=1, seconds=1) + timedelta(minutes=2)
    # the mail server accepts again
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        deliver_due_notifications()
    notice.refresh_from_db()
    assert notice.email_status == "sent"
    assert len(mail.outbox) == 1
    assert calls["n"] == 2
    # the inbox had it all along
    assert client_for(cast.liaison).get(reverse("inbox")).content.decode().count(notice.subject) == 1


def test_delivery_gives_up_after_the_last_attempt(cast: Cast, monkeypatch: pytest.MonkeyPatch, settings) -> None:  # type: ignore[no-untyped-def]
    settings.FUYUAN_DELIVERY_MAX_ATTEMPTS = 2
    ping(cast.unit, [cast.liaison])
    notice = Notification.objects.get()
    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", lambda *a, **k: 1 / 0)
    now = timezone.now()
    services.notification_deliver(notification_id=notice.pk, now=now)
    assert services.notification_deliver(notification_id=notice.pk, now=now + timedelta(hours=1)) == "failed"
    notice.refresh_from_db()
    assert notice.email_status == "failed"
    assert notice.email_next_try_at is None


def test_a_delivery_left_by_a_dead_worker_is_picked_up(cast: Cast) -> None:
    ping(cast.unit, [cast.liaison])
    notice = Notification.objects.get()
    long_ago = timezone.now() - timedelta(hours=1)
    Notification.objects.filter(pk=notice.pk).update(
        email_status="sending", email_claimed_at=long_ago, email_attempts=1
    )
    assert deliver_due_notifications() == 1
    notice.refresh_from_db()
    assert notice.email_status == "sent"
    assert len(mail.outbox) == 1


def test_a_delivery_in_progress_is_not_taken_twice(cast: Cast) -> None:
    ping(cast.unit, [cast.liaison])
    notice = Notification.objects.get()
    Notification.objects.filter(pk=notice.pk).update(email_status="sending", email_claimed_at=timezone.now())
    assert services.notification_deliver(notification_id=notice.pk) == "skipped-claim"
    assert len(mail.outbox) == 0


@pytest.mark.django_db(transaction=True)
def test_two_stages_sent_at_once_give_one_notice() -> None:
    unit = MemberUnit.objects.create(name="并发测试局", kind="government", level="province")
    people = [make_user(Role.LIAISON, unit, username=f"c{i}") for i in range(3)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            ping(unit, people)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Notification.objects.filter(object_id=unit.pk).count() == 3


def test_inbox_mark_read_and_open(cast: Cast) -> None:
    ping(cast.unit, [cast.liaison], stage="a")
    ping(cast.unit, [cast.liaison], stage="b")
    ping(cast.unit, [cast.other_liaison], stage="a")
    client = client_for(cast.liaison)
    assert 'data-testid="unread-count">2<' in client.get(reverse("home")).content.decode()
    first = Notification.objects.filter(recipient=cast.liaison).first()
    assert first is not None
    response = client.get(reverse("inbox-open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/units/1/"
    first.refresh_from_db()
    assert first.read_at is not None
    # someone else's notice is not there for them
    theirs = Notification.objects.get(recipient=cast.other_liaison)
    assert client.get(reverse("inbox-open", args=[theirs.pk])).status_code == 404
    client.post(reverse("inbox-read"), {"id": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.post(reverse("inbox-read"))
    assert Notification.objects.filter(recipient=cast.liaison, read_at__isnull=True).count() == 0


def test_inbox_open_never_redirects_off_site(cast: Cast) -> None:
    services.notify(event="test.ping", obj=cast.unit, stage="x", recipients=[cast.liaison], url="https://evil.example/")
    notice = Notification.objects.get()
    response = client_for(cast.liaison).get(reverse("inbox-open", args=[notice.pk]))
    assert response["Location"] == "/"


def test_inbox_query_count_does_not_grow(cast: Cast, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = client_for(cast.liaison)
    ping(cast.unit, [cast.liaison], stage="first")
    client.get(reverse("inbox"))
    with django_assert_max_num_queries(8) as small:
        client.get(reverse("inbox"))
    for i in range(40):
        ping(cast.unit, [cast.liaison], stage=f"s{i}")
    with django_assert_max_num_queries(8) as large:
        client.get(reverse("inbox"))
    assert len(small.captured_queries) == len(large.captured_queries)


def test_a_batch_is_written_whole_each_notice_complete_in_its_language(cast: Cast) -> None:
    """notify_many's one insert per batch (several statements on SQLite, whose statements take 999 values)."""
    cast.office.language = "en"
    cast.office.save()
    items = [
        services.NoticeItem("test.ping", cast.unit, f"s{i}", [cast.liaison, cast.office], "/units/1/")
        for i in range(60)
    ]
    moment = timezone.now().replace(microsecond=0)
    with time_machine.travel(moment, tick=False), CaptureQueriesContext(connection) as ctx:
        assert services.notify_many(items) == 120
    inserts = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]
    if connection.vendor == "postgresql":
        assert len(inserts) == 1
    else:
        assert len(inserts) >= 2
    notices = Notification.objects.filter(object_id=cast.unit.pk)
    assert notices.count() == 120
    assert set(notices.values_list("created_at", "read_at", "email_attempts", "email_last_error")) == {
        (moment, None, 0, "")
    }
    mine = notices.get(recipient=cast.liaison, stage="s7")
    assert (mine.subject, mine.body, mine.url, mine.event) == (
        f"通知:{cast.unit}(s7)",
        f"查看详情 {cast.unit}",
        "/units/1/",
        "test.ping",
    )
    assert notices.get(recipient=cast.office, stage="s59").subject == f"Notifications:{cast.unit}(s59)"
    assert set(notices.values_list("email_status", flat=True)) == {Notification.EmailStatus.PENDING}


def test_a_key_given_twice_is_written_once_and_an_existing_notice_stays_as_it_is(cast: Cast) -> None:
    ping(cast.unit, [cast.liaison], stage="s1")
    Notification.objects.update(read_at=timezone.now())
    items = [
        services.NoticeItem("test.ping", cast.unit, "s1", [cast.liaison], "/again/"),
        services.NoticeItem("test.ping", cast.unit, "s2", [cast.liaison, cast.liaison], "/first/"),
        services.NoticeItem("test.ping", cast.unit, "s2", [cast.liaison], "/second/"),
    ]
    assert services.notify_many(items) == 2
    assert dict(Notification.objects.values_list("stage", "url")) == {"s1": "/units/1/", "s2": "/first/"}
    assert Notification.objects.get(stage="s1").read_at is not None
