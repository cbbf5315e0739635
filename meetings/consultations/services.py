"""Every write of consultations (会商): log one, change it; and ``allowed_actions``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuyuan.lib.errors import NotPermitted
from fuyuan.lib.locking import lock
from meetings.consultations.models import Consultation
from meetings.meetings.models import Meeting
from meetings.meetings.services import can_act_for_unit, can_create, is_unit_staff
from members.levels import stamp
from members.models import MemberUnit, Region, User, WorkTask
from members.roles import is_office

EDIT_REFUSAL = gettext_lazy("只有登记单位或办公室可以修改会商记录。")


def allowed_actions(consultation: Consultation, user: User) -> set[str]:
    """What ``user`` may do with ``consultation`` now: ``edit`` (the logging unit's people, or the office)."""
    return {"edit"} if can_act_for_unit(user, consultation.logging_unit_id, consultation) else set()


ATTACHMENT_PARTS = {"material": gettext_lazy("会商材料")}


def attachment_part(consultation: Consultation, user: User) -> str | None:
    """会商材料: the people of a participating unit, the logging unit, or the office whose scope holds it."""
    if can_act_for_unit(user, consultation.logging_unit_id, consultation):
        return "material"
    own = user.unit_id if is_unit_staff(user) else None
    return "material" if own and consultation.units.filter(pk=own).exists() else None


def _validate_consultation(*, held_on: date | None, topic: str, topic_kind: str, units: list[MemberUnit]) -> None:
    errors: dict[str, list[str]] = {}
    if held_on is None:
        errors["held_on"] = [_("请填写会商日期。")]
    elif held_on > timezone.localdate():
        errors["held_on"] = [_("会商日期不能晚于今天。")]
    if not (topic or "").strip():
        errors["topic"] = [_("请填写会商议题。")]
    if topic_kind not in Consultation.TopicKind.values:
        errors["topic_kind"] = [_("请选择会商类型。")]
    if len(units) < 2:
        errors["units"] = [_("会商至少要有两个参与单位。")]
    if errors:
        raise ValidationError(errors)


def _with_own_unit(by: User, units: list[MemberUnit]) -> list[MemberUnit]:
    """``units`` with the user's own unit added: a liaison or clerk is always among the units (the office
    logs for others)."""
    if by.unit_id and by.unit_id not in {u.pk for u in units} and not is_office(by) and by.unit is not None:
        units.append(by.unit)
    return units


@transaction.atomic
def consultation_log(
    *,
    by: User,
    topic_kind: str,
    held_on: date,
    units: Iterable[MemberUnit],
    topic: str,
    case_number: str = "",
    tasks: Iterable[WorkTask] = (),
    outcome: str = "",
    follow_up: str = "",
    meeting: Meeting | None = None,
) -> Consultation:
    """A liaison or clerk logs a consultation their unit held (their unit is always among the units)."""
    if not can_create(by):
        raise NotPermitted(_("只有成员单位联络员、法院工作人员或办公室可以登记会商。"))
    unit_list = _with_own_unit(by, list({u.pk: u for u in units}.values()))
    _validate_consultation(held_on=held_on, topic=topic, topic_kind=topic_kind, units=unit_list)
    consultation = Consultation(
        topic_kind=topic_kind,
        held_on=held_on,
        topic=topic.strip(),
        case_number=case_number.strip(),
        outcome=outcome,
        follow_up=follow_up,
        meeting=meeting,
        logging_unit_id=by.unit_id,
        logged_by=by,
    )
    # A consultation lives in its logging unit's region; its level is that region's.
    stamp(consultation, by.unit if by.unit_id else None)
    consultation.level = consultation.region.level if consultation.region is not None else Region.Level.PROVINCE
    consultation.full_clean(exclude=["units", "tasks"])
    consultation.save()
    consultation.units.set(unit_list)
    consultation.tasks.set(list(tasks))
    return consultation


@transaction.atomic
def consultation_update(
    *,
    consultation: Consultation,
    by: User,
    units: Iterable[MemberUnit] | None = None,
    tasks: Iterable[WorkTask] | None = None,
    **changes: Any,
) -> Consultation:
    consultation = lock(consultation)
    if not can_act_for_unit(by, consultation.logging_unit_id, consultation):
        raise NotPermitted(str(EDIT_REFUSAL))
    allowed = {"topic_kind", "held_on", "topic", "case_number", "outcome", "follow_up", "meeting"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({"non_field_errors": [_("不能修改:%(f)s") % {"f": ", ".join(sorted(unknown))}]})
    for field, value in changes.items():
        setattr(consultation, field, value)
    unit_list = _with_own_unit(by, list(units) if units is not None else list(consultation.units.all()))
    _validate_consultation(
        held_on=consultation.held_on, topic=consultation.topic, topic_kind=consultation.topic_kind, units=unit_list
    )
    consultation.full_clean(exclude=["units", "tasks"])
    consultation.save()
    if units is not None:
        consultation.units.set(unit_list)
    if tasks is not None:
        consultation.tasks.set(list(tasks))
    return consultation
