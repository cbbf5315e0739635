"""The notices and the alert ladder of legal opinions (the one alert engine, ``fuyuan.lib.alerts``).

A request tells the court's clerks; an answer tells the requester's liaisons (and whoever asked); a
withdrawal tells the court. While an opinion waits for its answer:

- ``FUYUAN_OPINION_DUE_SOON_DAYS`` (3) days before the due date, at 09:00: the court's clerks are reminded;
- the day after the due date, at 09:00: the court's clerks and the office of the opinion's level
  (``office_for(region)``) hear that it is overdue;
- ``FUYUAN_OPINION_ESCALATE_DAYS`` (10) days after the due date: escalated (升级督办) to the office one level
  up (and the office of its level again); a provincial opinion has no office above.

Each stage is keyed by the due date it was computed from, so a changed due date starts a fresh ladder and a
repeated scan sends nothing twice (``members.services.notify``'s unique key).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.utils import timezone

from cases.opinions.models import Opinion
from fuyuan.lib.alerts import AlertStage, next_alert_time, scan_due
from members.models import User
from members.roles import Role
from members.selectors import ContactDirectory
from members.services import NoticeItem, notify_many

ALERT_HOUR = time(9, 0)


def due_soon_days() -> int:
    return int(getattr(settings, "FUYUAN_OPINION_DUE_SOON_DAYS", 3))


def escalate_days() -> int:
    return int(getattr(settings, "FUYUAN_OPINION_ESCALATE_DAYS", 10))


def at_hour(day: date, at: time = ALERT_HOUR) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def notice(opinion: Opinion, event: str, stage: str, recipients: Iterable[User], **context: Any) -> NoticeItem:
    """What a stage or a transition tells (``members.services.notify_many`` writes it)."""
    url = opinion.get_absolute_url()
    return NoticeItem(f"opinion_{event}", opinion, stage, list(recipients), url, {"opinion": opinion, **context})


def send_notice(opinion: Opinion, event: str, stage: str, recipients: Iterable[User], **context: Any) -> int:
    return notify_many([notice(opinion, event, stage, recipients, **context)])


def clerks(people: ContactDirectory, opinion: Opinion) -> list[User]:
    return people.contacts([opinion.court_id], roles=(Role.COURT_CLERK,))


def requester_contacts(people: ContactDirectory, opinion: Opinion) -> list[User]:
    """The requester's liaisons, and the person who asked (an office member asking for a unit)."""
    to = people.contacts([opinion.requester_id], roles=(Role.LIAISON,))
    asker = opinion.requested_by if opinion.requested_by_id else None
    if asker is not None and not opinion.offered and asker.pk not in {u.pk for u in to}:
        to.append(asker)
    return to


def _send(opinion: Opinion, people: ContactDirectory, event: str, stage: str, level: int) -> NoticeItem:
    """``level`` 0: the court; 1: and the office of the opinion's level; 2: and the office one level up."""
    to = clerks(people, opinion)
    if level >= 1:
        to += people.office_for(opinion.region_id)
    if level >= 2:
        to += people.office_above(opinion.region_id)
        if opinion.escalated_at is None:
            opinion.escalated_at = timezone.now()
            Opinion.objects.filter(pk=opinion.pk).update(escalated_at=opinion.escalated_at)
    return notice(opinion, event, stage, to, days=escalate_days(), soon=due_soon_days())


def stages_of(opinion: Opinion, people: ContactDirectory | None = None) -> list[AlertStage]:
    """The ladder of an opinion awaiting its answer (the engine's ``stages_of``); none once answered or withdrawn."""
    if opinion.status != Opinion.Status.REQUESTED:
        return []
    people = people or ContactDirectory()
    key = f"{opinion.due:%Y%m%d}"
    overdue_at = at_hour(opinion.due + timedelta(days=1))
    send = partial(_send, opinion, people)
    return [
        AlertStage(
            f"due-soon@{key}",
            at_hour(opinion.due - timedelta(days=due_soon_days())),
            at_hour(opinion.due + timedelta(days=1), time.min),
            send=partial(send, "due_soon", f"due-soon@{key}", 0),
        ),
        AlertStage(f"overdue@{key}", overdue_at, send=partial(send, "overdue", f"overdue@{key}", 1)),
        AlertStage(
            f"escalated@{key}",
            at_hour(opinion.due + timedelta(days=escalate_days())),
            send=partial(send, "escalated", f"escalated@{key}", 2),
        ),
    ]


def arm(opinion: Opinion, now: datetime) -> None:
    """Set when the opinion's next stage is due, after any change (nothing is sent here; the caller saves)."""
    opinion.next_alert_at = next_alert_time(stages_of(opinion), now)


def scan_alerts(*, now: datetime | None = None) -> int:
    """The periodic scan: send every stage that has come, once. Nothing due costs one index probe."""
    now = now or timezone.now()
    units = list(Opinion.objects.filter(next_alert_at__lte=now).values_list("court_id", flat=True)[:5000])
    if not units:
        return 0
    people = ContactDirectory()
    people.preload(units)
    qs = Opinion.objects.select_related("court", "requester")
    return scan_due(qs, now=now, stages_of=partial(stages_of, people=people), deliver=notify_many)
