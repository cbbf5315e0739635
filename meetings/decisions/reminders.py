"""The alert stages of a decision: due soon (3 days before, 09:00), overdue (the day after, 09:00) and
escalated (升级督办, 30 days overdue, 09:00).

The notices that go to the office go to the office of the decision's level (``members.levels.office_for``
of the region it lives in); the escalation goes to the office one level up as well (``office_above``;
a provincial decision has none above, and its escalation goes to the provincial office alone).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from fuyuan.lib.alerts import AlertStage, next_alert_time
from meetings.decisions.models import Decision
from members.levels import chain, nearest_office, offices_by_region
from members.models import Region, User
from members.selectors import ContactDirectory
from members.services import NoticeItem

DECISION_DUE_SOON_DAYS = 3
#: Days overdue after which the office one level up is told (升级督办).
DECISION_ESCALATE_DAYS = 30
ALERT_HOUR = time(9, 0)


class LevelOffices:
    """The office of a region's level and the office above it, read once per region during a scan
    (a scan touches a few regions, not one per decision)."""

    def __init__(self) -> None:
        self._by_region: dict[int | None, tuple[list[User], list[User]]] = {}

    def _read(self, region_id: int | None) -> tuple[list[User], list[User]]:
        if region_id not in self._by_region:
            region = Region.objects.select_related("parent__parent").filter(pk=region_id).first() if region_id else None
            ids = chain(region)
            offices = offices_by_region(ids)
            at = next((i for i, rid in enumerate(ids) if offices.get(rid)), len(ids))
            here = offices[ids[at]] if at < len(ids) else []
            self._by_region[region_id] = (here, nearest_office(ids[at + 1 :], offices))
        return self._by_region[region_id]

    def office_for(self, region_id: int | None) -> list[User]:
        return self._read(region_id)[0]

    def office_above(self, region_id: int | None) -> list[User]:
        return self._read(region_id)[1]


def at_alert_hour(day: date, at: time = ALERT_HOUR) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def decision_url(decision: Decision) -> str:
    return reverse("decision-detail", args=[decision.pk])


def decision_stages(
    decision: Decision, directory: ContactDirectory, offices: LevelOffices | None = None
) -> list[AlertStage]:
    """Due soon and overdue notices go to the owner unit's people and the office of the decision's level;
    the escalation, 30 days overdue, to the office above too."""
    if decision.status != Decision.Status.OPEN:
        return []
    offices = offices or LevelOffices()
    overdue_at = at_alert_hour(decision.due + timedelta(days=1))
    due_key = f"due-soon@{decision.due:%Y%m%d}"
    over_key = f"overdue@{decision.due:%Y%m%d}"
    up_key = f"escalated@{decision.due:%Y%m%d}"
    return [
        AlertStage(
            name=due_key,
            at=at_alert_hour(decision.due - timedelta(days=DECISION_DUE_SOON_DAYS)),
            until=at_alert_hour(decision.due + timedelta(days=1), time.min),
            send=lambda: _send(decision, "decision_due", due_key, directory, offices),
        ),
        AlertStage(
            name=over_key,
            at=overdue_at,
            send=lambda: _send(decision, "decision_overdue", over_key, directory, offices),
        ),
        AlertStage(
            name=up_key,
            at=at_alert_hour(decision.due + timedelta(days=DECISION_ESCALATE_DAYS)),
            send=lambda: _send(decision, "decision_escalated", up_key, directory, offices, escalate=True),
        ),
    ]


def _send(
    decision: Decision,
    event: str,
    stage: str,
    directory: ContactDirectory,
    offices: LevelOffices,
    *,
    escalate: bool = False,
) -> NoticeItem:
    office = offices.office_for(decision.region_id)
    above = offices.office_above(decision.region_id) if escalate else []
    return NoticeItem(
        event,
        decision,
        stage,
        directory.contacts([decision.owner_unit_id]) + office + above,
        decision_url(decision),
        {"decision": decision, "days": DECISION_ESCALATE_DAYS},
    )


def arm_decision(decision: Decision, now: datetime) -> None:
    """Store when the decision's next stage is due (``next_alert_at``), after any change."""
    decision.next_alert_at = next_alert_time(decision_stages(decision, ContactDirectory()), now)
    Decision.objects.filter(pk=decision.pk).update(next_alert_at=decision.next_alert_at)
