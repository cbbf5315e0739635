"""After issue: delivery (送达回证), rectification (整改) and the follow-up visit (回访).

- :func:`recommendation_mark_delivered`: a recommendation sent on paper is marked delivered by the clerk
  with the date on the paper receipt; the reply clock starts from that date (签收 on the platform
  records who acknowledged and when: :func:`~cases.recommendations.services.recommendation_acknowledge`).
- :func:`recommendation_rectified`: the agency reports the rectification done, with evidence.
- :func:`recommendation_schedule_visit` and :func:`recommendation_visit`: the court plans, then records,
  its visit or check after the rectification deadline (before it only with ``early``). "Not rectified"
  tells the supervising authority and the office of the record's level (通报).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attachments.services import ensure_checked, store
from cases.recommendations.alerts import court_contacts, save_with_reason, send_notice
from cases.recommendations.models import AttachmentPart, JudicialRecommendation
from cases.recommendations.services import (
    Files,
    Status,
    _rearm,
    _require_clerk,
    _require_liaison,
    _require_status,
    compute_reply_due,
)
from fuyuan.lib.locking import copy_back, lock
from members.models import User
from members.roles import Role
from members.selectors import ContactDirectory, unit_contacts

VisitResult = JudicialRecommendation.VisitResult


@transaction.atomic
def recommendation_mark_delivered(
    *, recommendation: JudicialRecommendation, by: User, delivered_on: date | None, signer: str = ""
) -> JudicialRecommendation:
    """纸质送达: the clerk records the date on the paper 送达回证; the reply clock starts from it."""
    rec = lock(recommendation)
    _require_clerk(rec, by)
    _require_status(rec, [Status.ISSUED], _("只有已发出、未签收的司法建议可以登记送达(当前状态:%(status)s)。"))
    today = timezone.localdate()
    if delivered_on is None:
        raise ValidationError({"delivered_on": [_("请填写送达回证上的签收日期。")]})
    if delivered_on > today:
        raise ValidationError({"delivered_on": [_("送达日期不能晚于今天。")]})
    if rec.issued_on and delivered_on < rec.issued_on:
        raise ValidationError({"delivered_on": [_("送达日期不能早于发出日期(%(day)s)。") % {"day": rec.issued_on}]})
    now = timezone.now()
    rec.status = Status.ACKNOWLEDGED
    rec.delivery = JudicialRecommendation.Delivery.PAPER
    rec.delivered_on = delivered_on
    rec.receipt_signer = (signer or "").strip()[:50]
    rec.delivery_recorded_by = by
    if not rec.reply_due_fixed:
        rec.reply_due = compute_reply_due(court_id=rec.court_id, acknowledged_on=delivered_on)
    _rearm(rec, now)
    save_with_reason(rec, "delivered", by=by)
    send_notice(rec, "delivered", "delivered", unit_contacts([rec.addressee_id], roles=(Role.LIAISON,)))
    return copy_back(recommendation, rec)


@transaction.atomic
def recommendation_rectified(
    *, recommendation: JudicialRecommendation, by: User, note: str, attachments: Files = ()
) -> JudicialRecommendation:
    """整改完成: the addressee reports what it did, with evidence; the court hears and may visit."""
    rec = lock(recommendation)
    _require_liaison(rec, by)
    _require_status(rec, [Status.RECTIFYING], _("当前状态(%(status)s)下不能报告整改完成。"))
    if not (note or "").strip():
        raise ValidationError({"note": [_("请填写整改情况。")]})
    checked = ensure_checked(attachments)
    now = timezone.now()
    rec.status = Status.RECTIFIED
    rec.rectified_at = now
    rec.rectified_by = by
    rec.rectification_note = note.strip()
    _rearm(rec, now)  # the rectification reminders stop; a planned visit's reminder stays
    save_with_reason(rec, "rectified", by=by)
    store(record=rec, checked=checked, part=AttachmentPart.RECTIFICATION, by=by)
    send_notice(rec, "rectified", "rectified", court_contacts(rec, ContactDirectory()))
    return copy_back(recommendation, rec)


@transaction.atomic
def recommendation_schedule_visit(
    *, recommendation: JudicialRecommendation, by: User, planned_on: date | None
) -> JudicialRecommendation:
    """安排回访: the day the court plans to visit or check; its clerks are reminded that morning."""
    rec = lock(recommendation)
    _require_clerk(rec, by)
    _require_status(rec, JudicialRecommendation.RECTIFICATION_STATUSES, _("当前状态(%(status)s)下不能安排回访。"))
    if planned_on is None:
        raise ValidationError({"planned_on": [_("请填写计划回访日期。")]})
    if planned_on < timezone.localdate():
        raise ValidationError({"planned_on": [_("计划回访日期不能早于今天。")]})
    rec.visit_planned_on = planned_on
    _rearm(rec, timezone.now())
    save_with_reason(rec, "visit_scheduled", by=by)
    return copy_back(recommendation, rec)


@transaction.atomic
def recommendation_visit(
    *,
    recommendation: JudicialRecommendation,
    by: User,
    result: str,
    note: str = "",
    visited_on: date | None = None,
    early: bool = False,
    attachments: Files = (),
) -> JudicialRecommendation:
    """回访: the court records what it found. "Not rectified" is reported to the supervising authority."""
    rec = lock(recommendation)
    _require_clerk(rec, by)
    _require_status(rec, JudicialRecommendation.RECTIFICATION_STATUSES, _("当前状态(%(status)s)下不能登记回访。"))
    today = timezone.localdate()
    visited_on = visited_on or today
    errors: dict[str, list[str]] = {}
    if result not in VisitResult.values:
        errors["result"] = [_("请选择回访结果:已整改、部分整改或未整改。")]
    if result in (VisitResult.PARTLY, VisitResult.NOT_RECTIFIED) and not (note or "").strip():
        errors["note"] = [_("部分整改或未整改的,请写明回访发现的情况。")]
    if visited_on > today:
        errors["visited_on"] = [_("回访日期不能晚于今天。")]
    due = rec.rectification_due
    if due is not None and visited_on <= due and not early:
        errors["early"] = [
            _("整改期限(%(due)s)尚未届满;确需提前回访的,请勾选“整改期限届满前回访”。") % {"due": due.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    checked = ensure_checked(attachments)
    now = timezone.now()
    rec.status = Status.VISITED
    rec.visited_on = visited_on
    rec.visit_result = result
    rec.visit_note = (note or "").strip()
    rec.visit_early = bool(due is not None and visited_on <= due)
    rec.visited_by = by
    not_rectified = result == VisitResult.NOT_RECTIFIED
    if not_rectified:
        rec.visit_reported_at = now
        rec.supervisor_informed_at = rec.supervisor_informed_at or now
    _rearm(rec, now)
    save_with_reason(rec, "visited", by=by)
    store(record=rec, checked=checked, part=AttachmentPart.VISIT, by=by)
    if not_rectified:
        people = ContactDirectory()
        recipients = [*people.contacts([rec.supervisor_id], roles=(Role.LIAISON,)), *people.office_for(rec.region_id)]
        send_notice(rec, "not_rectified", "not_rectified", recipients)
    return copy_back(recommendation, rec)
