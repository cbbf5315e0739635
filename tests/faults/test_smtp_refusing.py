"""Fault: the mail server refuses mail for a while, in every way a mail server can."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import Notification
from members.tasks import deliver_due_notifications
from tests.conftest import Cast, client_for
from tests.faults.servers import SmtpServer, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_settings(settings, smtp_server: SmtpServer):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return settings


def sweep_at(moment: datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return deliver_due_notifications()


def test_smtp_refusing_mail_retries_with_backoff_then_delivers_once(
    cast: Cast,
    smtp_server: SmtpServer,
    smtp_settings,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    """What was lost: nothing. The inbox notice is there from the start; the email is retried after
    1, 2, 4, 8 minutes while the server refuses (421 at the greeting, 451 for the recipient, the
    connection dropped, nothing listening), is not retried before its time, and is delivered exactly once when the
    server accepts again."""
    inbox = client_for(cast.liaison)
    t0 = timezone.now().replace(microsecond=0)
    with time_machine.travel(t0, tick=False), django_capture_on_commit_callbacks(execute=False):
        services.notify(event="test.ping", obj=cast.unit, stage="s1", recipients=[cast.liaison], url="/units/")
    notice = Notification.objects.get(recipient=cast.liaison)
    assert inbox.get(reverse("inbox")).content.decode().count(notice.subject) == 1

    moment = t0
    refusals = ["greet-421", "refuse-rcpt", "drop", "no-server"]
    for attempt, (mode, wait) in enumerate(zip(refusals, [1, 2, 4, 8], strict=True), start=1):
        if mode == "no-server":  # nothing listens: connection refused
            smtp_settings.EMAIL_PORT = free_port()
        else:
            smtp_server.mode = mode
        assert sweep_at(moment) == 1
        notice.refresh_from_db()
        assert (notice.email_status, notice.email_attempts) == ("retry", attempt), mode
        assert notice.email_next_try_at == moment + timedelta(minutes=wait), mode
        assert notice.email_last_error, mode
        # not tried again before the backoff has passed
        assert sweep_at(moment + timedelta(minutes=wait) - timedelta(seconds=1)) == 0
        # the notice is in the inbox all along
        assert inbox.get(reverse("inbox")).content.decode().count(notice.subject) == 1
        moment = moment + timedelta(minutes=wait)
    assert "ConnectionRefusedError" in notice.email_last_error
    assert smtp_server.refusals == refusals[:3]
    assert smtp_server.accepted == []

    smtp_settings.EMAIL_PORT = smtp_server.port
    smtp_server.mode = "accept"
    assert sweep_at(moment) == 1
    notice.refresh_from_db()
    assert (notice.email_status, notice.email_attempts, notice.email_last_error) == ("sent", 5, "")
    # later sweeps and a stray retried task send nothing more
    assert sweep_at(moment + timedelta(hours=1)) == 0
    assert services.notification_deliver(notification_id=notice.pk) == "skipped-claim"
    assert smtp_server.message_ids() == {f"<notification-{notice.pk}@fuyuan>": 1}
    assert smtp_server.accepted[0]["to"] == cast.liaison.email
    assert inbox.get(reverse("inbox")).content.decode().count(notice.subject) == 1
