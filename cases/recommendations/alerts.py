"""The alert ladder of judicial recommendations: the reply clock's reminders, overdue alerts and escalation.

Every delay of the ladder is a setting (defaults below, overridable in Django settings):

- ``FUYUAN_RECOMMENDATION_ACK_REMINDER_DAYS`` (5): not acknowledged this many days after issue →
  reminder to the addressee's liaisons and the issuing clerk;
- ``FUYUAN_RECOMMENDATION_DUE_SOON_DAYS`` ((14, 3)): reply due in this many days → reminder;
- the day after the due date → overdue alert to the addressee, the issuing court and the office of
  the record's level (``office_for(record.region)``: the nearest office whose region holds it);
- ``FUYUAN_RECOMMENDATION_ESCALATE_DAYS`` (30): days overdue → escalation notice to the
  supervising authority's liaisons, the office of the record's level and the office one level up
  (升级督办, ``office_above``; none above the province), and ``escalated_at`` is set;
- ``FUYUAN_RECOMMENDATION_ALERT_HOUR`` (9): the local hour at which a stage of a day becomes due.

After an adopting reply the rectification clock runs (:func:`rectification_stages`):

- ``FUYUAN_RECOMMENDATION_RECTIFICATION_DUE_SOON_DAYS`` ((7, 1)): rectification due in this many days and
  not reported done → reminder to the addressee's liaisons;
- the day after the rectification deadline, not reported done → overdue alert to the addressee, the
  issuing court and the office of the record's level; reported done → the court is reminded to visit;
- a planned visit (``visit_planned_on``) → reminder to the court's clerks that morning.

The services re-arm ``next_alert_at`` with :func:`stages_of` at every transition; the periodic scan
(:func:`recommendation_scan_alerts`) sends what has come due, reading the people of the due rows'
units once (one :class:`~members.selectors.ContactDirectory` per scan).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.recommendations.models import JudicialRecommendation
from fuyuan.lib.alerts import AlertStage, scan_due
from members.models import User
from members.roles import Role
from members.selectors import ContactDirectory
from members.services import NoticeItem, notify_many

Status = JudicialRecommendation.Status

EVENT_PREFIX = "recommendation"

# --- Settings -------------------------------------------------------------------------------------


def ack_reminder_days() -> int:
    return int(getattr(settings, "FUYUAN_RECOMMENDATION_ACK_REMINDER_DAYS", 5))


def due_soon_days() -> tuple[int, ...]:
    """Days before the due date at which a reminder goes out, largest first."""
    days = getattr(settings, "FUYUAN_RECOMMENDATION_DUE_SOON_DAYS", (14, 3))
    return tuple(sorted({int(d) for d in days}, reverse=True)) or (14,)


def escalate_after_days() -> int:
    return int(getattr(settings, "FUYUAN_RECOMMENDATION_ESCALATE_DAYS", 30))


def rectification_due_soon_days() -> tuple[int, ...]:
    days = getattr(settings, "FUYUAN_RECOMMENDATION_RECTIFICATION_DUE_SOON_DAYS", (7, 1))
    return tuple(sorted({int(d) for d in days}, reverse=True)) or (7,)


def alert_hour() -> int:
    return int(getattr(settings, "FUYUAN_RECOMMENDATION_ALERT_HOUR", 9))


def _at(day: date) -> datetime:
    """The moment on ``day`` (local time) at which a stage of that day becomes due."""
    return timezone.make_aware(datetime.combine(day, time(alert_hour())))


# --- Writing a record and telling people ----------------------------------------------------------


def save_with_reason(
    rec: JudicialRecommendation, reason: str, *, by: User | None, update_fields: list[str] | None = None
) -> None:
    """Save with the audit trail's reason and author (the timeline reads both)."""
    rec._change_reason = reason
    rec._history_user = by
    try:
        with transaction.atomic():
            rec.save(update_fields=update_fields)
    except IntegrityError as exc:
        text = str(exc)
        if "recommendation_number_per_court_year" in text:
            raise ValidationError({"number": [_("本院本年度已有相同文号的司法建议。")]}) from exc
        if "recommendation_due_after_issue" in text:
            raise ValidationError({"reply_due": [_("回复期限不能早于发出日期。")]}) from exc
        raise
    finally:
        # Later many-to-many changes of the same call get their own history rows, without the reason.
        rec.__dict__.pop("_change_reason", None)
        rec.__dict__.pop("_history_user", None)


def notice(
    rec: JudicialRecommendation, event: str, stage: str, recipients: Iterable[User], **context: Any
) -> NoticeItem:
    """What a stage or a transition tells (``members.services.notify_many`` writes it)."""
    url = rec.get_absolute_url()
    return NoticeItem(f"{EVENT_PREFIX}.{event}", rec, stage, list(recipients), url, {"rec": rec, **context})


def send_notice(rec: JudicialRecommendation, event: str, stage: str, recipients: Iterable[User], **context: Any) -> int:
    return notify_many([notice(rec, event, stage, recipients, **context)])


def court_contacts(rec: JudicialRecommendation, people: ContactDirectory) -> list[User]:
    """The issuing clerk, or every clerk of the court when the issuer has left."""
    issuer = rec.issued_by if rec.issued_by_id else None
    if issuer is not None and issuer.is_active:
        return [issuer]
    return people.contacts([rec.court_id], roles=(Role.COURT_CLERK,))


def liaisons(people: ContactDirectory, unit_id: int | None) -> list[User]:
    return people.contacts([unit_id], roles=(Role.LIAISON,))


# --- The ladder -----------------------------------------------------------------------------------


def stages_of(rec: JudicialRecommendation, people: ContactDirectory | None = None) -> list[AlertStage]:
    """The ladder of an open recommendation, from its issue date and its reply due date."""
    people = people or ContactDirectory()
    if rec.status in JudicialRecommendation.RECTIFICATION_STATUSES:
        return rectification_stages(rec, people)
    if rec.status not in JudicialRecommendation.OPEN_STATUSES or rec.issued_on is None:
        return []
    stages: list[AlertStage] = []
    if rec.status == Status.ISSUED:
        stages.append(
            AlertStage("ack_reminder", _at(rec.issued_on + timedelta(days=ack_reminder_days())), None,
                       partial(_send_ack_reminder, rec, people))
        )  # fmt: skip
    if rec.reply_due is None:
        return stages
    started = rec.acknowledged_at or rec.issued_at or _at(rec.issued_on)
    overdue_at = _at(rec.reply_due + timedelta(days=1))
    escalate_at = _at(rec.reply_due + timedelta(days=escalate_after_days()))
    soon = [(d, _at(rec.reply_due - timedelta(days=d))) for d in due_soon_days()]
    soon = [(d, at) for d, at in soon if at > started]  # a reminder older than the clock makes no sense
    for i, (days, at) in enumerate(soon):
        until = soon[i + 1][1] if i + 1 < len(soon) else overdue_at
        stages.append(AlertStage(f"due_{days}", at, until, partial(_send_due_soon, rec, people, days)))
    stages.append(AlertStage("overdue", overdue_at, None, partial(_send_overdue, rec, people)))
    stages.append(AlertStage("escalated", max(escalate_at, overdue_at), None, partial(_send_escalated, rec, people)))
    return stages


def _send_ack_reminder(rec: JudicialRecommendation, people: ContactDirectory) -> NoticeItem:
    recipients = [*liaisons(people, rec.addressee_id), *court_contacts(rec, people)]
    return notice(rec, "ack_reminder", "ack_reminder", recipients, days=ack_reminder_days())


def _send_due_soon(rec: JudicialRecommendation, people: ContactDirectory, days: int) -> NoticeItem:
    return notice(rec, "due_soon", f"due_{days}", liaisons(people, rec.addressee_id), days=days)


def _send_overdue(rec: JudicialRecommendation, people: ContactDirectory) -> NoticeItem:
    clerks = people.contacts([rec.court_id], roles=(Role.COURT_CLERK,))
    recipients = [*liaisons(people, rec.addressee_id), *clerks, *people.office_for(rec.region_id)]
    return notice(rec, "overdue", "overdue", recipients, days=escalate_after_days())


def _send_escalated(rec: JudicialRecommendation, people: ContactDirectory) -> NoticeItem:
    if rec.escalated_at is None:
        rec.escalated_at = timezone.now()
        rec.supervisor_informed_at = rec.supervisor_informed_at or rec.escalated_at
        save_with_reason(rec, "escalated", by=None, update_fields=["escalated_at", "supervisor_informed_at"])
    # The office of the record's level and, 升级督办, the office one level up (none above the province).
    offices = [*people.office_for(rec.region_id), *people.office_above(rec.region_id)]
    recipients = [*offices, *liaisons(people, rec.supervisor_id)]
    return notice(rec, "escalated", "escalated", recipients, days=escalate_after_days())


def rectification_stages(rec: JudicialRecommendation, people: ContactDirectory) -> list[AlertStage]:
    """The ladder of an adopted recommendation: reminders before the rectification deadline, the overdue
    alert (or, reported done, the court's reminder to visit), and the planned visit's reminder."""
    stages: list[AlertStage] = []
    due = rec.rectification_due
    if due is not None:
        overdue_at = _at(due + timedelta(days=1))
        if rec.status == Status.RECTIFYING:
            started = rec.replied_at or overdue_at
            soon = [(d, _at(due - timedelta(days=d))) for d in rectification_due_soon_days()]
            soon = [(d, at) for d, at in soon if at > started]
            for i, (days, at) in enumerate(soon):
                until = soon[i + 1][1] if i + 1 < len(soon) else overdue_at
                stages.append(
                    AlertStage(
                        f"rectification_due_{days}", at, until, partial(_send_rectification_due, rec, people, days)
                    )
                )
            stages.append(
                AlertStage("rectification_overdue", overdue_at, None, partial(_send_rectification_overdue, rec, people))
            )
        else:
            stages.append(AlertStage("visit_due", overdue_at, None, partial(_send_visit_due, rec, people)))
    if rec.visit_planned_on is not None:
        day = rec.visit_planned_on
        stages.append(
            AlertStage(
                f"visit_{day:%Y%m%d}", _at(day), _at(day + timedelta(days=1)), partial(_send_visit_planned, rec, people)
            )
        )
    return stages


def _send_rectification_due(rec: JudicialRecommendation, people: ContactDirectory, days: int) -> NoticeItem:
    return notice(rec, "rectification_due", f"rectification_due_{days}", liaisons(people, rec.addressee_id), days=days)


def _send_rectification_overdue(rec: JudicialRecommendation, people: ContactDirectory) -> NoticeItem:
    clerks = people.contacts([rec.court_id], roles=(Role.COURT_CLERK,))
    recipients = [*liaisons(people, rec.addressee_id), *clerks, *people.office_for(rec.region_id)]
    return notice(rec, "rectification_overdue", "rectification_overdue", recipients)


def _send_visit_due(rec: JudicialRecommendation, people: ContactDirectory) -> NoticeItem:
    return notice(rec, "visit_due", "visit_due", people.contacts([rec.court_id], roles=(Role.COURT_CLERK,)))


def _send_visit_planned(rec: JudicialRecommendation, people: ContactDirectory) -> NoticeItem:
    day = rec.visit_planned_on
    assert day is not None
    clerks = people.contacts([rec.court_id], roles=(Role.COURT_CLERK,))
    return notice(rec, "visit_planned", f"visit_{day:%Y%m%d}", clerks, day=day)


def recommendation_scan_alerts(*, now: datetime | None = None) -> int:
    """Send every due stage of every recommendation (the periodic task). Returns the rows processed."""
    now = now or timezone.now()
    due = JudicialRecommendation.objects.filter(next_alert_at__lte=now)
    # Nothing due (the usual case): one index lookup on the partial index, no transaction.
    if not due.exists():
        return 0
    people = ContactDirectory()
    people.preload(unit for row in due.values_list("addressee_id", "supervisor_id", "court_id") for unit in row)
    return scan_due(
        JudicialRecommendation.objects.select_related("court", "addressee", "supervisor", "issued_by"),
        now=now,
        stages_of=partial(stages_of, people=people),
        deliver=notify_many,
    )
