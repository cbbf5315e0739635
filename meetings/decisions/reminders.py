"""The alert stages of a decision: due soon (3 days before, 09:00) and overdue (the day after, 09:00)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from fuyuan.lib.alerts import AlertStage, next_alert_time
from meetings.decisions.models import Decision
from members.selectors import ContactDirectory
from members.services import notify

DECISION_DUE_SOON_DAYS = 3
ALERT_HOUR = time(9, 0)


def at_alert_hour(day: date, at: time = ALERT_HOUR) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def decision_url(decision: Decision) -> str:
    return reverse("decision-detail", args=[decision.pk])


def decision_stages(decision: Decision, directory: ContactDirectory) -> list[AlertStage]:
    """Due soon and overdue notices go to the owner unit's people and the office."""
    if decision.status != Decision.Status.OPEN:
        return []
    overdue_at = at_alert_hour(decision.due + timedelta(days=1))
    due_key = f"due-soon@{decision.due:%Y%m%d}"
    over_key = f"overdue@{decision.due:%Y%m%d}"
    return [
        AlertStage(
            name=due_key,
            at=at_alert_hour(decision.due - timedelta(days=DECISION_DUE_SOON_DAYS)),
            until=at_alert_hour(decision.due + timedelta(days=1), time.min),
            send=lambda: _send(decision, "decision_due", due_key, directory),
        ),
        AlertStage(
            name=over_key,
            at=overdue_at,
            send=lambda: _send(decision, "decision_overdue", over_key, directory),
        ),
    ]


def _send(decision: Decision, event: str, stage: str, directory: ContactDirectory) -> None:
    notify(
        event=event,
        obj=decision,
        stage=stage,
        recipients=directory.contacts([decision.owner_unit_id]) + directory.office(),
        url=decision_url(decision),
        context={"decision": decision},
    )


def arm_decision(decision: Decision, now: datetime) -> None:
    """Store when the decision's next stage is due (``next_alert_at``), after any change."""
    decision.next_alert_at = next_alert_time(decision_stages(decision, ContactDirectory()), now)
    Decision.objects.filter(pk=decision.pk).update(next_alert_at=decision.next_alert_at)
