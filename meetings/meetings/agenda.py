"""A meeting's agenda (items, order, total length) and the topics invited units propose for it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.locking import lock
from meetings.meetings.models import AgendaItem, Invitation, Meeting, TopicProposal
from meetings.meetings.services import is_unit_staff, office_reaches, require_manage
from members.models import MemberUnit, User
from members.roles import is_office

MAX_AGENDA_MINUTES = 24 * 60


def _agenda_editable(meeting: Meeting) -> None:
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.HELD):
        raise TransitionNotAllowed(_("会议已办结或已取消,议程不能再修改。"))


def _check_agenda_total(meeting: Meeting, extra: int, *, exclude_pk: int | None = None) -> None:
    qs = AgendaItem.objects.filter(meeting=meeting)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    total = (qs.aggregate(total=Sum("minutes"))["total"] or 0) + extra
    if total > MAX_AGENDA_MINUTES:
        raise ValidationError({"minutes": [_("议程总时长不能超过24小时(现为 %(m)s 分钟)。") % {"m": total}]})


def _validate_item(title: str, minutes: int) -> None:
    errors = {}
    if not (title or "").strip():
        errors["title"] = [_("请填写议题。")]
    if minutes is None or int(minutes) < 1:
        errors["minutes"] = [_("时长至少1分钟。")]
    elif int(minutes) > MAX_AGENDA_MINUTES:
        errors["minutes"] = [_("议程总时长不能超过24小时。")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agenda_add(
    *, meeting: Meeting, by: User, title: str, minutes: int, presenter_unit: MemberUnit | None = None
) -> AgendaItem:
    meeting = lock(meeting)
    require_manage(by, meeting)
    _agenda_editable(meeting)
    _validate_item(title, minutes)
    _check_agenda_total(meeting, int(minutes))
    last = AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("order"))["m"] or 0
    return AgendaItem.objects.create(
        meeting=meeting, order=last + 1, title=title.strip(), minutes=int(minutes), presenter_unit=presenter_unit
    )


@transaction.atomic
def agenda_update(
    *, item: AgendaItem, by: User, title: str, minutes: int, presenter_unit: MemberUnit | None = None
) -> AgendaItem:
    meeting = lock(Meeting(pk=item.meeting_id))
    require_manage(by, meeting)
    _agenda_editable(meeting)
    _validate_item(title, minutes)
    _check_agenda_total(meeting, int(minutes), exclude_pk=item.pk)
    item.title, item.minutes, item.presenter_unit = title.strip(), int(minutes), presenter_unit
    item.save()
    return item


@transaction.atomic
def agenda_replace(*, meeting: Meeting, by: User, items: Sequence[dict[str, Any]]) -> list[AgendaItem]:
    """Set the whole agenda at once (the API's ``agenda`` field)."""
    meeting = lock(meeting)
    require_manage(by, meeting)
    _agenda_editable(meeting)
    total = 0
    for entry in items:
        _validate_item(entry.get("title", ""), entry.get("minutes", 0))
        total += int(entry["minutes"])
    if total > MAX_AGENDA_MINUTES:
        raise ValidationError({"agenda": [_("议程总时长不能超过24小时(现为 %(m)s 分钟)。") % {"m": total}]})
    AgendaItem.objects.filter(meeting=meeting).delete()
    ordered = sorted(enumerate(items), key=lambda p: (p[1].get("order") or p[0] + 1, p[0]))
    return AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                meeting=meeting,
                order=i,
                title=entry["title"].strip(),
                minutes=int(entry["minutes"]),
                presenter_unit=entry.get("presenter_unit"),
            )
            for i, (_pos, entry) in enumerate(ordered, start=1)
        ]
    )


@transaction.atomic
def agenda_move(*, item: AgendaItem, by: User, direction: str) -> list[AgendaItem]:
    """Move an item one place up or down; the orders are renumbered 1..n."""
    meeting = lock(Meeting(pk=item.meeting_id))
    require_manage(by, meeting)
    _agenda_editable(meeting)
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("order", "id"))
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for number, it in enumerate(items, start=1):
        it.order = number
    AgendaItem.objects.bulk_update(items, ["order"])
    return items


@transaction.atomic
def agenda_reorder(*, meeting: Meeting, by: User, item_ids: Sequence[int]) -> list[AgendaItem]:
    """Put the items in the given order (drag and drop); the list must hold each item exactly once."""
    meeting = lock(meeting)
    require_manage(by, meeting)
    _agenda_editable(meeting)
    items = {it.pk: it for it in AgendaItem.objects.filter(meeting=meeting)}
    if sorted(item_ids) != sorted(items):
        raise ValidationError({"order": [_("议程已被他人修改,请刷新后重试。")]})
    ordered = [items[pk] for pk in item_ids]
    for number, it in enumerate(ordered, start=1):
        it.order = number
    AgendaItem.objects.bulk_update(ordered, ["order"])
    return ordered


@transaction.atomic
def agenda_remove(*, item: AgendaItem, by: User) -> None:
    meeting = lock(Meeting(pk=item.meeting_id))
    require_manage(by, meeting)
    _agenda_editable(meeting)
    item.delete()
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("order", "id"))
    for number, it in enumerate(items, start=1):
        it.order = number
    AgendaItem.objects.bulk_update(items, ["order"])


@transaction.atomic
def proposal_submit(
    *, meeting: Meeting, by: User, title: str, note: str = "", minutes: int = 10, now: datetime | None = None
) -> TopicProposal:
    """A unit proposes an agenda topic, until the cut-off the convener set (or the start)."""
    now = now or timezone.now()
    meeting = lock(meeting)
    if not is_unit_staff(by) and not is_office(by):
        raise NotPermitted(_("只有成员单位可以提出议题。"))
    unit_id = by.unit_id
    invited = Invitation.objects.filter(meeting=meeting, unit_id=unit_id).exists()
    if not office_reaches(by, meeting) and not invited and unit_id != meeting.convener_id:
        raise NotPermitted(_("该单位未受邀参加此会议,不能提出议题。"))
    if meeting.status != Meeting.Status.PLANNED:
        raise TransitionNotAllowed(_("会议已召开或已取消,不能再提出议题。"))
    cutoff = meeting.agenda_cutoff or meeting.starts_at
    if now >= cutoff:
        raise TransitionNotAllowed(_("议题征集已截止。"))
    _validate_item(title, minutes)
    if unit_id is None:
        raise ValidationError({"title": [_("提出议题须属于一个单位。")]})
    return TopicProposal.objects.create(
        meeting=meeting, unit_id=unit_id, title=title.strip(), note=note, minutes=int(minutes), proposed_by=by
    )


@transaction.atomic
def proposal_decide(*, proposal: TopicProposal, by: User, accept: bool) -> TopicProposal:
    proposal = lock(proposal)
    meeting = Meeting.objects.get(pk=proposal.meeting_id)
    require_manage(by, meeting)
    if proposal.status != TopicProposal.Status.PROPOSED:
        raise TransitionNotAllowed(_("该议题建议已处理。"))
    if accept:
        agenda_add(meeting=meeting, by=by, title=proposal.title, minutes=proposal.minutes, presenter_unit=proposal.unit)
    proposal.status = TopicProposal.Status.ACCEPTED if accept else TopicProposal.Status.REJECTED
    proposal.save(update_fields=["status"])
    return proposal
