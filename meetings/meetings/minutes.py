"""会议纪要: drafted after the meeting, circulated to the attending units for confirmation, issued with a number."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.locking import lock
from meetings.meetings.models import Meeting, Minutes, MinutesConfirmation
from meetings.meetings.reminders import arm_meeting, attending_unit_ids, meeting_url
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
        recipients=unit_contacts(attending_unit_ids(meeting)),
        url=meeting_url(meeting),
        context={"meeting": meeting, "minutes": minutes},
    )
    return minutes


@transaction.atomic
def minutes_confirm(*, meeting: Meeting, by: User, comment: str = "") -> MinutesConfirmation:
    minutes = Minutes.objects.select_for_update().filter(meeting_id=meeting.pk).first()
    if minutes is None or minutes.status != Minutes.Status.CIRCULATED:
        raise TransitionNotAllowed(_("会议纪要不在征求确认阶段。"))
    if not is_unit_staff(by) or by.unit_id not in attending_unit_ids(meeting):
        raise NotPermitted(_("只有参会单位可以确认会议纪要。"))
    confirmation, _created = MinutesConfirmation.objects.update_or_create(
        minutes=minutes, unit_id=by.unit_id, defaults={"comment": comment.strip(), "confirmed_by": by}
    )
    return confirmation


@transaction.atomic
def minutes_issue(*, meeting: Meeting, by: User, document_number: str, now: datetime | None = None) -> Minutes:
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
