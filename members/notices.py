"""Writing notices: ``notify_many`` (one insert for many notices) and ``notify`` (one stage of one object).

DESIGN.md promise 3. Every notice has a unique key (event, object, stage, recipient) in the database, so a
stage written twice (a repeated scan, two beats at once, a retried task) gives one notice. Subject and text
come from ``notifications/<event>.subject.txt`` and ``.txt``, rendered once per item and language in each
recipient's language. Email delivery is a separate task per notice, queued with ``transaction.on_commit``.
``members.services`` re-exports both, so callers write ``from members.services import notify``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.template import Context, Engine
from django.utils import translation

# members.tasks calls members.services, which imports this module, and this module queues those tasks:
# each imports the other module (not names from it), which Python resolves whichever is imported first.
from members import tasks
from members.models import Notification, User

log = logging.getLogger(__name__)

#: (event, content type id, object id, stage, recipient id): the unique key of a notice.
NoticeKey = tuple[str, int, Any, str, int]


class NoticeItem(NamedTuple):
    """One stage of one object to be told to some people (what an alert stage's ``send`` returns)."""

    event: str
    obj: models.Model
    stage: str
    recipients: Sequence[User]
    url: str = ""
    context: dict[str, Any] | None = None


def notify(
    *,
    event: str,
    obj: models.Model,
    stage: str,
    recipients: Iterable[User],
    url: str = "",
    context: dict[str, Any] | None = None,
) -> int:
    """Write one inbox notice per recipient for this stage of this object, and queue its email.

    Personal data of parties never goes in: the notice links to the record. Returns the number of
    recipients considered.
    """
    return notify_many([NoticeItem(event, obj, stage, list(recipients), url, context)])


def notify_many(items: Iterable[NoticeItem]) -> int:
    """Write the notices of many items in one insert, and queue their emails after the commit.

    A batch of an alert scan costs two queries however many items it holds: the insert
    (``ON CONFLICT DO NOTHING``: a notice that exists stays as it is) and the read of the
    notices whose email is still to be queued. Returns the number of (item, recipient) pairs considered.
    """
    rows: list[Notification] = []
    keys: set[NoticeKey] = set()
    for item in items:
        people = {u.pk: u for u in item.recipients if u.is_active}
        if not people:
            continue
        content_type = ContentType.objects.get_for_model(item.obj)  # cached after the first
        rows += _rows(item, content_type, people.values())
        keys.update((item.event, content_type.pk, item.obj.pk, item.stage, pk) for pk in people)
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    pending = _pending(keys)
    if pending:
        transaction.on_commit(lambda: _queue_deliveries(pending))
    return len(keys)


def _rows(item: NoticeItem, content_type: ContentType, people: Iterable[User]) -> list[Notification]:
    event, obj = item.event, item.obj
    base = {"object": obj, "stage": item.stage, "url": item.url, "site_url": settings.SITE_URL, **(item.context or {})}
    rendered: dict[str, tuple[str, str]] = {}  # one rendering per language, not per person
    rows = []
    for user in people:
        if user.language not in rendered:
            with translation.override(user.language):
                rendered[user.language] = (
                    " ".join(render_text(f"notifications/{event}.subject.txt", base).split()),
                    render_text(f"notifications/{event}.txt", base).strip(),
                )
        subject, body = rendered[user.language]
        wants_email = user.email_notifications and bool(user.email)
        rows.append(
            Notification(
                recipient=user,
                event=event,
                content_type=content_type,
                object_id=obj.pk,
                stage=item.stage,
                subject=subject[:200],
                body=body,
                url=item.url,
                email_status=Notification.EmailStatus.PENDING if wants_email else Notification.EmailStatus.SKIPPED,
            )
        )
    return rows


def _pending(keys: set[NoticeKey]) -> list[int]:
    """The notices of ``keys`` whose email waits for its first attempt (new, or never queued), in one query."""
    found = Notification.objects.filter(
        content_type_id__in={k[1] for k in keys},
        object_id__in={k[2] for k in keys},
        recipient_id__in={k[4] for k in keys},
        email_status=Notification.EmailStatus.PENDING,
        email_attempts=0,
    ).values_list("pk", "event", "content_type_id", "object_id", "stage", "recipient_id")
    return sorted(pk for pk, *key in found if tuple(key) in keys)


def render_text(template_name: str, context: dict[str, Any]) -> str:
    """Render a plain-text template with autoescaping off, whatever the template says.

    A notice's subject and text are plain text: stored so, sent as the email's text part, and
    escaped by whatever shows them as HTML (the inbox, the email's HTML part). Escaping them here
    too would put ``&lt;``/``&quot;`` into subjects and text mails, and escape the HTML twice.
    """
    template = Engine.get_default().get_template(template_name)
    return template.render(Context(context, autoescape=False))


def _queue_deliveries(ids: list[int]) -> None:
    for pk in ids:
        try:
            tasks.deliver_notification.delay(pk)
        except Exception:  # the broker is down: the sweeper will send it when it is back
            log.warning("could not queue delivery of notification %s; the sweeper will retry", pk, exc_info=True)
            return
