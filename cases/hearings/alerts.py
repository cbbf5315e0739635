"""The alert ladder of hearings through the one alert engine (``fuyuan.lib.alerts``).

A notified hearing still unanswered reminds the defendant's liaisons ``FUYUAN_HEARING_REMINDER_DAYS`` ((7, 1))
days before the hearing. Each stage is keyed by the hearing time it was computed from, so a moved hearing starts
a fresh ladder and a repeated scan sends nothing; a stage older than the notice itself is not sent (a hearing
notified five days ahead hears only the one-day reminder). An answer disarms the ladder.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.utils import timezone

from cases.hearings.models import Hearing
from fuyuan.lib.alerts import AlertStage, next_alert_time, scan_due
from members.models import User
from members.roles import Role
from members.selectors import ContactDirectory
from members.services import NoticeItem, notify_many

EVENT_PREFIX = "hearing"


def reminder_days() -> tuple[int, ...]:
    """Days before the hearing at which the unanswered agency is reminded, largest first."""
    days = getattr(settings, "FUYUAN_HEARING_REMINDER_DAYS", (7, 1))
    return tuple(sorted({int(d) for d in days}, reverse=True)) or (1,)


def save_with_reason(hearing: Hearing, reason: str, *, by: User | None, update_fields: list[str] | None = None) -> None:
    """Save with the audit trail's reason and author (the timeline reads both)."""
    hearing._change_reason = reason
    hearing._history_user = by
    try:
        hearing.save(update_fields=update_fields)
    finally:
        hearing.__dict__.pop("_change_reason", None)
        hearing.__dict__.pop("_history_user", None)


def notice(hearing: Hearing, event: str, stage: str, recipients: Iterable[User], **context: Any) -> NoticeItem:
    """What a stage or a transition tells (``members.services.notify_many`` writes it)."""
    url = hearing.get_absolute_url()
    return NoticeItem(f"{EVENT_PREFIX}.{event}", hearing, stage, list(recipients), url, {"hearing": hearing, **context})


def send_notice(hearing: Hearing, event: str, stage: str, recipients: Iterable[User], **context: Any) -> int:
    return notify_many([notice(hearing, event, stage, recipients, **context)])


def liaisons(people: ContactDirectory, unit_id: int | None) -> list[User]:
    return people.contacts([unit_id], roles=(Role.LIAISON,))


def _remind(hearing: Hearing, people: ContactDirectory, days: int, stage: str) -> NoticeItem:
    return notice(hearing, "reminder", stage, liaisons(people, hearing.defendant_id), days=days)


def stages_of(hearing: Hearing, people: ContactDirectory | None = None) -> list[AlertStage]:
    """The reminders of a notified, unanswered hearing (none in any other state)."""
    if hearing.status != Hearing.Status.NOTIFIED:
        return []
    people = people or ContactDirectory()
    key = timezone.localtime(hearing.hearing_at).strftime("%Y%m%d%H%M")
    started = hearing.notified_at or hearing.created_at
    rungs = [(d, hearing.hearing_at - timedelta(days=d)) for d in reminder_days()]
    rungs = [(d, at) for d, at in rungs if at > started]
    stages = []
    for i, (days, at) in enumerate(rungs):
        until = rungs[i + 1][1] if i + 1 < len(rungs) else hearing.hearing_at
        stage = f"due_{days}@{key}"
        stages.append(AlertStage(stage, at, until, send=partial(_remind, hearing, people, days, stage)))
    return stages


def arm(hearing: Hearing, now: datetime) -> None:
    """Set (not save) when the hearing's next reminder is due."""
    hearing.next_alert_at = next_alert_time(stages_of(hearing), now)


def scan_alerts(*, now: datetime | None = None) -> int:
    """The periodic scan: send every reminder that has come, once. Nothing due costs one index probe."""
    now = now or timezone.now()
    units = list(Hearing.objects.filter(next_alert_at__lte=now).values_list("defendant_id", flat=True)[:5000])
    if not units:
        return 0
    people = ContactDirectory()
    people.preload(units)
    return scan_due(
        Hearing.objects.select_related("court", "defendant"),
        now=now,
        stages_of=partial(stages_of, people=people),
        deliver=notify_many,
    )
