"""The alerts of case referrals: the notices of each transition and the ladder the periodic scan follows.

A referral sent and not acknowledged within two working days reminds the receiver; an answer due
within two days reminds it again; the day after the due date the receiver, the sender and the
office of the referral's level (the nearest office whose region holds it) hear that it is overdue;
``FUYUAN_REFERRAL_ESCALATE_DAYS`` (30) days later it is escalated (升级督办): that office and the office one
level up hear of it (a provincial referral has none above). The services re-arm ``next_alert_at`` with
:func:`referral_stages`; the scan reads the people of the due rows' units once (one ContactDirectory per scan).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cases.referrals.models import Referral
from cases.referrals.selectors import day_after, local_datetime
from fuyuan.lib.alerts import AlertStage, scan_due
from fuyuan.lib.workdays import add_working_days
from members.models import User
from members.selectors import ContactDirectory
from members.services import NoticeItem, notify, notify_many

S = Referral.Status

UNACKNOWLEDGED_WORKING_DAYS = 2
DUE_SOON_DAYS = 2
DUE_SOON_TIME = time(9, 0)


def _url(referral: Referral) -> str:
    return reverse("referral-detail", args=[referral.pk])


def notify_update(referral: Referral, action: str, stage: str, recipients: Iterable[User]) -> None:
    """A notice of a transition to the other side (``referral_update``)."""
    notify(
        event="referral_update",
        obj=referral,
        stage=stage,
        recipients=recipients,
        url=_url(referral),
        context={"referral": referral, "action": action},
    )


def escalate_days() -> int:
    return int(getattr(settings, "FUYUAN_REFERRAL_ESCALATE_DAYS", 30))


def _alert(
    referral: Referral,
    people: ContactDirectory,
    event: str,
    stage: str,
    unit_ids: Sequence[int | None],
    office: bool,
    above: bool = False,
) -> NoticeItem:
    # The office of the referral's level: the nearest office whose region holds it; escalation adds the one above.
    to = people.contacts(unit_ids) + (people.office_for(referral.region_id) if office else [])
    to += people.office_above(referral.region_id) if above else []
    context = {"referral": referral, "days": escalate_days()}
    return NoticeItem(event, referral, stage, to, _url(referral), context)


def referral_stages(referral: Referral, people: ContactDirectory | None = None) -> list[AlertStage]:
    """The alert ladder of a referral in its current status (the engine's ``stages_of``)."""
    r, people = referral, people or ContactDirectory()
    receivers = [r.receiver_id, r.handler_id]
    stages: list[AlertStage] = []
    if r.status == S.SENT and r.sent_at is not None:
        sent = timezone.localtime(r.sent_at)
        at = local_datetime(add_working_days(sent.date(), UNACKNOWLEDGED_WORKING_DAYS), sent.time())
        name = f"unacknowledged:{r.send_count}"
        send = partial(_alert, r, people, "referral_unacknowledged", name, receivers, False)
        stages.append(AlertStage(name, at, None, send=send))
    if r.status in Referral.CLOCK_STATUSES and r.due is not None:
        overdue_at = day_after(r.due)
        soon_at = local_datetime(r.due - timedelta(days=DUE_SOON_DAYS), DUE_SOON_TIME)
        soon = f"due_soon:{r.due.isoformat()}"
        late = f"overdue:{r.due.isoformat()}"
        send_soon = partial(_alert, r, people, "referral_due_soon", soon, receivers, False)
        send_late = partial(_alert, r, people, "referral_overdue", late, [*receivers, r.sender_id], True)
        up = f"escalated:{r.due.isoformat()}"
        up_at = local_datetime(r.due + timedelta(days=escalate_days()), DUE_SOON_TIME)
        send_up = partial(_alert, r, people, "referral_escalated", up, [], True, True)
        stages.append(AlertStage(soon, soon_at, overdue_at, send=send_soon))
        stages.append(AlertStage(late, overdue_at, None, send=send_late))
        stages.append(AlertStage(up, up_at, None, send=send_up))
    return stages


def referral_scan_alerts(*, now: datetime | None = None) -> int:
    """The periodic scan: send every alert stage that has come (once per stage and recipient)."""
    now = now or timezone.now()
    # The due rows' units, in one index lookup; nothing due (the usual case) ends here.
    units = Referral.objects.filter(next_alert_at__lte=now).values_list("receiver_id", "handler_id", "sender_id")
    due_units = [unit for row in units for unit in row]
    if not due_units:
        return 0
    people = ContactDirectory()
    people.preload(due_units)
    qs = Referral.objects.select_related("kind", "sender", "receiver", "handler")
    return scan_due(qs, now=now, stages_of=partial(referral_stages, people=people), deliver=notify_many)
