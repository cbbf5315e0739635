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
from django.template import Context, Engine, Template
from django.utils import translation

from fuyuan.lib.inserts import insert_ignoring_conflicts

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
    (``ON CONFLICT DO NOTHING``: a notice that exists stays as it is; of one key given twice, the first)
    and the read of the notices whose email is still to be queued. Each item's subject and text are
    rendered once per language of its recipients, not per recipient. Returns the number of
    (item, recipient) pairs considered.
    """
    wanted: list[tuple[NoticeItem, int, list[User]]] = []
    for item in items:
        people = list({u.pk: u for u in item.recipients if u.is_active}.values())
        if people:
            content_type = ContentType.objects.get_for_model(item.obj)  # cached after the first
            wanted.append((item, content_type.pk, people))
    if not wanted:
        return 0
    texts = _texts(wanted)
    rows: list[tuple[Any, ...]] = []
    keys: set[NoticeKey] = set()
    for index, (item, content_type_id, people) in enumerate(wanted):
        event, object_id, stage, url = item.event, item.obj.pk, item.stage, item.url
        for user in people:
            key = (event, content_type_id, object_id, stage, user.pk)
            if key not in keys:
                keys.add(key)
                subject, body = texts[index, user.language]
                status = _PENDING if user.email_notifications and user.email else _SKIPPED
                rows.append((user.pk, event, content_type_id, object_id, stage, subject, body, url, status))
    insert_ignoring_conflicts(Notification, _COLUMNS, rows)
    pending = _pending(keys)
    if pending:
        transaction.on_commit(lambda: _queue_deliveries(pending))
    return len(keys)


#: The columns a notice's row is written with (the others get their defaults: ``created_at`` now, unread, no attempt).
_COLUMNS = ("recipient", "event", "content_type", "object_id", "stage", "subject", "body", "url", "email_status")
_PENDING = Notification.EmailStatus.PENDING.value
_SKIPPED = Notification.EmailStatus.SKIPPED.value


def _texts(wanted: Sequence[tuple[NoticeItem, int, Sequence[User]]]) -> dict[tuple[int, str], tuple[str, str]]:
    """``(item's index, language) -> (subject, text)``: each item rendered once per language of its recipients.

    One switch of the active language per language of the batch, and each template looked up once.
    """
    languages: dict[str, list[int]] = {}
    for index, (_item, _content_type, people) in enumerate(wanted):
        for language in {user.language for user in people}:
            languages.setdefault(language, []).append(index)
    engine = Engine.get_default()
    templates: dict[str, tuple[Template, Template]] = {}
    texts: dict[tuple[int, str], tuple[str, str]] = {}
    for language, indexes in languages.items():
        with translation.override(language):
            for index in indexes:
                item = wanted[index][0]
                if item.event not in templates:
                    templates[item.event] = (
                        engine.get_template(f"notifications/{item.event}.subject.txt"),
                        engine.get_template(f"notifications/{item.event}.txt"),
                    )
                subject, body = templates[item.event]
                context = {
                    "object": item.obj,
                    "stage": item.stage,
                    "url": item.url,
                    "site_url": settings.SITE_URL,
                    **(item.context or {}),
                }
                texts[index, language] = (
                    " ".join(_plain(subject, context).split())[:200],
                    _plain(body, context).strip(),
                )
    return texts


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
    return _plain(Engine.get_default().get_template(template_name), context)


def _plain(template: Template, context: dict[str, Any]) -> str:
    return template.render(Context(context, autoescape=False))


def _queue_deliveries(ids: list[int]) -> None:
    for pk in ids:
        try:
            tasks.deliver_notification.delay(pk)
        except Exception:  # the broker is down: the sweeper will send it when it is back
            log.warning("could not queue delivery of notification %s; the sweeper will retry", pk, exc_info=True)
            return
