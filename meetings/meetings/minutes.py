"""会议纪要: drafted after the meeting, circulated to the invited units for confirmation, issued with a number.

Who is asked to confirm is ``confirmation.confirming_unit_ids`` (the invited units that have not declined).
A unit answers 无意见 or 有修改意见 with its comments; the convener side hears of comments at once. Issuing
before the confirmation deadline while units have not answered takes an explicit override with a reason,
kept on the minutes with who decided it.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.locking import lock
from meetings.meetings.confirmation import may_confirm, needs_override
from meetings.meetings.digest import convener_side
from meetings.meetings.models import Meeting, Minutes, MinutesConfirmation
from meetings.meetings.reminders import arm_meeting, confirming_unit_ids, meeting_url
from meetings.meetings.services import is_unit_staff, require_manage
from members.models import User
from members.selectors import unit_contacts
from members.services import notify


def _minutes_for_update(meeting: Meeting) -> Minutes:
    minutes, _created = Minutes.objects.get_or_create(meeting=meeting)
    return lock(minutes)


@transaction.atomic
def minutes_save(*, meeting: Meeting, by: User, body: str) -> Minutes:
    meeting = lock(meeting)
    require_manage(by, meeting)
    if meeting.status not in (Meeting.Status.HELD, Meeting.Status.CLOSED):
        raise TransitionNotAllowed(_("会议召开后才能起草会议纪要。"))
    minutes = _minutes_for_update(meeting)
    if minutes.status == Minutes.Status.ISSUED:
        raise TransitionNotAllowed(_("会议纪要已印发,不能再修改。"))
    if not (body or "").strip():
        raise ValidationError({"body": [_("请填写纪要正文。")]})
    minutes.body = body.strip()
    minutes.save()
    return minutes


@transaction.atomic
def minutes_circulate(*, meeting: Meeting, by: User, confirm_by: date, now: datetime | None = None) -> Minutes:
    now = now or timezone.now()
    meeting = lock(meeting)
    require_manage(by, meeting)
    minutes = _minutes_for_update(meeting)
    if minutes.status != Minutes.Status.DRAFT:
        raise TransitionNotAllowed(_("只有草稿状态的纪要可以送参会单位确认。"))
    if not confirming_unit_ids(meeting):
        raise ValidationError({"confirm_by": [_("没有需要确认纪要的参会单位,可直接印发。")]})
    if not minutes.body.strip():
        raise ValidationError({"body": [_("请先起草纪要正文。")]})
    if confirm_by < timezone.localdate(now):
        raise ValidationError({"confirm_by": [_("确认截止日期不能早于今天。")]})
    minutes.status = Minutes.Status.CIRCULATED
    minutes.confirm_by = confirm_by
    minutes.circulated_at = now
    minutes.save()
    meeting.minutes = minutes
    arm_meeting(meeting, now)
    notify(
        event="minutes_circulated",
        obj=meeting,
        stage=f"minutes-circulated@{now:%Y%m%dT%H%M%S}",
        recipients=unit_contacts(confirming_unit_ids(meeting)),
        url=meeting_url(meeting),
        context={"meeting": meeting, "minutes": minutes},
    )
    return minutes


@transaction.atomic
def minutes_confirm(
    *, meeting: Meeting, by: User, verdict: str = MinutesConfirmation.Verdict.AGREED, comment: str = ""
) -> MinutesConfirmation:
    """The unit's answer: 无意见 (``agreed``) or 有修改意见 (``amend``, with the comments). Answering again
    replaces the unit's answer while the minutes are out for confirmation."""
    minutes = Minutes.objects.select_for_update().filter(meeting_id=meeting.pk).first()
    if minutes is None or minutes.status != Minutes.Status.CIRCULATED:
        raise TransitionNotAllowed(_("会议纪要不在征求确认阶段。"))
    meeting = Meeting.objects.get(pk=meeting.pk)
    if not is_unit_staff(by) or not may_confirm(meeting, by.unit_id):
        raise NotPermitted(_("只有受邀参会的单位可以确认会议纪要。"))
    comment = (comment or "").strip()
    if verdict not in MinutesConfirmation.Verdict.values:
        raise ValidationError({"verdict": [_("请选择“无意见”或“有修改意见”。")]})
    if verdict == MinutesConfirmation.Verdict.AMEND and not comment:
        raise ValidationError({"comment": [_("提出修改意见须填写具体意见。")]})
    confirmation, _created = MinutesConfirmation.objects.update_or_create(
        minutes=minutes,
        unit_id=by.unit_id,
        defaults={"verdict": verdict, "comment": comment, "confirmed_by": by, "confirmed_at": timezone.now()},
    )
    if confirmation.has_comments:
        notify(
            event="minutes_commented",
            obj=meeting,
            stage=f"minutes-comment-u{by.unit_id}@{timezone.localtime(confirmation.confirmed_at):%Y%m%dT%H%M%S}",
            recipients=convener_side(meeting),
            url=meeting_url(meeting) + "#minutes",
            context={"meeting": meeting, "minutes": minutes, "confirmation": confirmation, "unit": by.unit},
        )
    return confirmation


@transaction.atomic
def minutes_issue(
    *, meeting: Meeting, by: User, document_number: str, override_reason: str = "", now: datetime | None = None
) -> Minutes:
    """Issue with a document number. Before the confirmation deadline, while units have not answered (or
    without asking them at all), only with ``override_reason``: kept on the minutes with who decided it."""
    now = now or timezone.now()
    meeting = lock(meeting)
    require_manage(by, meeting)
    minutes = _minutes_for_update(meeting)
    if minutes.status == Minutes.Status.ISSUED:
        raise TransitionNotAllowed(_("会议纪要已印发。"))
    if not minutes.body.strip():
        raise ValidationError({"body": [_("请先起草纪要正文。")]})
    number = (document_number or "").strip()
    if not number:
        raise ValidationError({"document_number": [_("印发纪要须填写文号。")]})
    if Minutes.objects.filter(document_number=number).exclude(pk=minutes.pk).exists():
        raise ValidationError({"document_number": [_("该文号已被使用。")]})
    reason = (override_reason or "").strip()
    if needs_override(meeting, minutes, now):
        if not reason:
            raise ValidationError({"override_reason": [_("尚有参会单位未确认纪要且确认期限未到,提前印发须填写理由。")]})
        minutes.override_reason, minutes.override_by = reason, by
    minutes.status = Minutes.Status.ISSUED
    minutes.document_number = number
    minutes.issued_at = now
    try:
        with transaction.atomic():
            minutes.save()
    except IntegrityError:
        raise ValidationError({"document_number": [_("该文号已被使用。")]}) from None
    meeting.minutes = minutes
    arm_meeting(meeting, now)
    return minutes
