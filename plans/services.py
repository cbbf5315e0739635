"""Every write of the work plan: plans, items, milestones, progress, completion, acceptance, 督办; and what a
user may do now (``plan_actions``, ``allowed_actions``, ``supervision_actions``).

Each service is keyword-only, runs in one transaction, locks the row it changes, checks who may do it
(``NotPermitted``: 403 in the API, a message on the page), from which state (``TransitionNotAllowed``: 409)
and its input (``ValidationError`` in Chinese, nothing saved), and re-arms the alert engine
(``plans.alerts``). Who acts:

* the office of the plan's level (or a level above it, whose scope holds it) drafts, publishes, edits,
  accepts, returns and issues 督办;
* the lead unit's people (liaisons, court clerks) report progress, mark the item done, answer 督办;
* a supporting unit's people report their part (progress), nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attachments.services import CheckedFile, ensure_checked, store
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.locking import lock
from members.levels import is_within, office_reaches, reach_of, user_region
from members.models import MemberUnit, Region, User, WorkTask
from members.roles import Role, has_role, is_office
from members.selectors import ContactDirectory
from members.services import notify
from plans.alerts import arm_item, arm_supervision, item_url, plan_url, supervision_url
from plans.models import Plan, PlanItem, PlanMilestone, PlanProgress, Supervision

S = PlanItem.Status
OFFICE_ONLY = _("只有本级领导小组办公室可以办理此事项。")
MIN_YEAR, MAX_YEAR = 2000, 2100


# --- Who may do what ---------------------------------------------------------------------------------


def is_unit_staff(user: User) -> bool:
    return user.unit_id is not None and has_role(user, Role.LIAISON, Role.COURT_CLERK)


def office_of(user: User, record: Plan | PlanItem | Supervision) -> bool:
    """The office whose scope holds the record (the plan's level or one above it); administrators too."""
    return office_reaches(user, record)


def is_lead(user: User, item: PlanItem) -> bool:
    return is_unit_staff(user) and user.unit_id == item.lead_unit_id


def is_supporting(user: User, item: PlanItem) -> bool:
    if not is_unit_staff(user):
        return False
    return any(u.pk == user.unit_id for u in item.supporting_units.all())


PROGRESS_PARTS = {"evidence": gettext_lazy("进展材料")}


def progress_attachment_part(entry: PlanProgress, user: User) -> str | None:
    """Evidence of a progress report: added with the report, and later by its reporter while the item is worked on."""
    item = entry.item
    working = item.plan.status == Plan.Status.PUBLISHED and item.status in PlanItem.WORKING
    return "evidence" if working and entry.by_id == user.pk else None


def plan_actions(plan: Plan, user: User) -> set[str]:
    """``edit`` and ``add_item`` for the office of the plan's level; ``publish`` while a draft."""
    if not office_of(user, plan):
        return set()
    actions = {"edit", "add_item"}
    if plan.status == Plan.Status.DRAFT:
        actions |= {"publish", "delete"}
    return actions


def allowed_actions(item: PlanItem, user: User) -> set[str]:
    """What ``user`` may do with ``item`` now: ``edit``/``delete`` (office; delete in a draft only),
    ``add_progress`` (lead, supporting, office), ``complete`` (lead), ``accept``/``return`` (office, once
    reported done), ``supervise`` (office, while at work in a published plan)."""
    actions: set[str] = set()
    office = office_of(user, item)
    published = item.plan.status == Plan.Status.PUBLISHED
    if office and item.status in PlanItem.WORKING:
        actions.add("edit")
    if office and not published:
        actions.add("delete")
    if not published:
        return actions
    if item.status in PlanItem.WORKING:
        if office:
            actions.add("supervise")
        if office or is_lead(user, item) or is_supporting(user, item):
            actions.add("add_progress")
        if is_lead(user, item):
            actions.add("complete")
    if item.status == S.DONE and office:
        actions |= {"accept", "return"}
    return actions


def supervision_actions(sup: Supervision, user: User) -> set[str]:
    """``answer`` for the lead unit's people while the 督办 is open."""
    if sup.status == Supervision.Status.OPEN and is_lead(user, sup.item):
        return {"answer"}
    return set()


def office_region(user: User) -> Region | None:
    """The region whose plan the office drafts by default: its own (None: the province, for those who read
    everything)."""
    return None if reach_of(user).everything else user_region(user)


# --- Plans -------------------------------------------------------------------------------------------


def _require_office(user: User, record: Plan | PlanItem | Supervision) -> None:
    if not office_of(user, record):
        raise NotPermitted(str(OFFICE_ONLY))


@transaction.atomic
def plan_create(*, by: User, year: int, region: Region, title: str = "") -> Plan:
    """A draft plan for ``year`` at ``region``'s level (the office's region or one below it)."""
    if not is_office(by):
        raise NotPermitted(str(OFFICE_ONLY))
    errors: dict[str, list[str]] = {}
    if not MIN_YEAR <= int(year or 0) <= MAX_YEAR:
        errors["year"] = [_("年度应在 %(a)s 至 %(b)s 之间。") % {"a": MIN_YEAR, "b": MAX_YEAR}]
    reach = reach_of(by)
    if not (reach.everything or (reach.region is not None and is_within(region, reach.region))):
        errors["region"] = [_("只能为本级或下级区划起草工作要点。")]
    if not errors and Plan.objects.filter(year=year, region=region).exists():
        errors["year"] = [_("%(region)s %(year)s 年度的工作要点已存在。") % {"region": region.name, "year": year}]
    if errors:
        raise ValidationError(errors)
    title = (title or "").strip() or _("%(region)s府院联动%(year)s年度工作要点") % {"region": region.name, "year": year}
    try:
        with transaction.atomic():
            return Plan.objects.create(year=year, region=region, city_id=region.city_id, title=title, created_by=by)
    except IntegrityError:  # two offices at once: the constraint keeps one
        raise ValidationError({"year": [_("该年度的工作要点已存在。")]}) from None


@transaction.atomic
def plan_update(*, plan: Plan, by: User, title: str) -> Plan:
    plan = lock(plan)
    _require_office(by, plan)
    if not (title or "").strip():
        raise ValidationError({"title": [_("请填写标题。")]})
    plan.title = title.strip()
    plan.save(update_fields=["title"])
    return plan


@transaction.atomic
def plan_delete(*, plan: Plan, by: User) -> None:
    plan = lock(plan)
    _require_office(by, plan)
    if plan.status != Plan.Status.DRAFT:
        raise TransitionNotAllowed(_("已印发的工作要点不能删除。"))
    plan.delete()


@transaction.atomic
def plan_publish(*, plan: Plan, by: User, now: datetime | None = None) -> Plan:
    """Publish a draft: every item's clock starts and each lead and supporting unit is told what it owns
    (one notice per unit's person, listing that unit's items)."""
    now = now or timezone.now()
    plan = lock(plan)
    _require_office(by, plan)
    if plan.status != Plan.Status.DRAFT:
        raise TransitionNotAllowed(_("工作要点已印发。"))
    items = list(plan.items.select_related("task", "lead_unit").prefetch_related("supporting_units"))
    if not items:
        raise ValidationError({"non_field_errors": [_("工作要点还没有事项,不能印发。")]})
    plan.status, plan.published_at, plan.published_by = Plan.Status.PUBLISHED, now, by
    plan.save(update_fields=["status", "published_at", "published_by"])
    for item in items:
        item.plan = plan
        arm_item(item, now)
    _tell_units(plan, items)
    return plan


def _tell_units(plan: Plan, items: Sequence[PlanItem]) -> None:
    people = ContactDirectory()
    led: dict[int, list[PlanItem]] = {}
    supported: dict[int, list[PlanItem]] = {}
    for item in items:
        led.setdefault(item.lead_unit_id, []).append(item)
        for unit in item.supporting_units.all():
            supported.setdefault(unit.pk, []).append(item)
    people.preload([*led, *supported])
    for unit_id in {*led, *supported}:
        notify(
            event="plan_published",
            obj=plan,
            stage=f"published:{unit_id}",
            recipients=people.contacts([unit_id]),
            url=f"{plan_url(plan)}?unit={unit_id}",
            context={"plan": plan, "led": led.get(unit_id, []), "supported": supported.get(unit_id, [])},
        )


# --- Items -------------------------------------------------------------------------------------------


def validate_item(*, plan: Plan, text: str, lead_unit: MemberUnit | None, due: date | None) -> None:
    errors: dict[str, list[str]] = {}
    if not (text or "").strip():
        errors["text"] = [_("请填写工作内容。")]
    if lead_unit is None:
        errors["lead_unit"] = [_("请选择牵头单位。")]
    elif not is_within(lead_unit.region if lead_unit.region_id else None, plan.region):
        errors["lead_unit"] = [
            _("牵头单位“%(unit)s”不在%(region)s范围内。") % {"unit": lead_unit.name, "region": plan.region.name}
        ]
    if due is None:
        errors["due"] = [_("请填写完成时限。")]
    elif due.year != plan.year:
        errors["due"] = [_("完成时限应在 %(year)s 年度内。") % {"year": plan.year}]
    if errors:
        raise ValidationError(errors)


def supporting_within(units: Iterable[MemberUnit], plan: Plan, lead_unit: MemberUnit) -> list[MemberUnit]:
    chosen = [u for u in units if u.pk != lead_unit.pk]
    outside = [u.name for u in chosen if not is_within(u.region if u.region_id else None, plan.region)]
    if outside:
        raise ValidationError({"supporting_units": [_("配合单位不在本级范围内:%(u)s") % {"u": "、".join(outside)}]})
    return chosen


def _milestones(item: PlanItem, milestones: Iterable[tuple[str, date | None]]) -> None:
    rows = []
    for title, due in milestones:
        if not (title or "").strip():
            continue
        if due is not None and due > item.due:
            raise ValidationError({"milestones": [_("节点时限不能晚于事项的完成时限。")]})
        rows.append(PlanMilestone(item=item, title=title.strip(), due=due))
    PlanMilestone.objects.bulk_create(rows)


@transaction.atomic
def item_add(
    *,
    plan: Plan,
    by: User,
    task: WorkTask,
    text: str,
    lead_unit: MemberUnit,
    due: date,
    supporting_units: Iterable[MemberUnit] = (),
    milestones: Iterable[tuple[str, date | None]] = (),
    now: datetime | None = None,
) -> PlanItem:
    """Add an item under ``task``; in a published plan its lead unit is told at once."""
    now = now or timezone.now()
    plan = lock(plan)
    _require_office(by, plan)
    validate_item(plan=plan, text=text, lead_unit=lead_unit, due=due)
    supporting = supporting_within(supporting_units, plan, lead_unit)
    number = plan.items.filter(task=task).count() + 1
    item = PlanItem.objects.create(
        plan=plan,
        task=task,
        number=number,
        text=text.strip(),
        lead_unit=lead_unit,
        due=due,
        region_id=plan.region_id,
        city_id=plan.city_id,
        year=plan.year,
    )
    item.supporting_units.set(supporting)
    _milestones(item, milestones)
    if plan.status == Plan.Status.PUBLISHED:
        arm_item(item, now)
        _tell_unit_of_item(item)
    return item


def _tell_unit_of_item(item: PlanItem) -> None:
    notify(
        event="plan_item_assigned",
        obj=item,
        stage=f"assigned:{item.lead_unit_id}",
        recipients=ContactDirectory().contacts([item.lead_unit_id]),
        url=item_url(item),
        context={"item": item},
    )


ITEM_FIELDS = {"task", "text", "lead_unit", "due"}


@transaction.atomic
def item_update(
    *,
    item: PlanItem,
    by: User,
    supporting_units: Iterable[MemberUnit] | None = None,
    milestones: Iterable[tuple[str, date | None]] = (),
    now: datetime | None = None,
    **changes: Any,
) -> PlanItem:
    """Change an item at work; ``milestones`` are added to those it has."""
    now = now or timezone.now()
    item = lock(item)
    _require_office(by, item)
    if item.status not in PlanItem.WORKING:
        raise TransitionNotAllowed(_("已报完成或已验收的事项不能修改。"))
    unknown = set(changes) - ITEM_FIELDS
    if unknown:
        raise ValidationError({"non_field_errors": [_("不能修改:%(f)s") % {"f": ", ".join(sorted(unknown))}]})
    old_lead = item.lead_unit_id
    for field, value in changes.items():
        setattr(item, field, value)
    validate_item(plan=item.plan, text=item.text, lead_unit=item.lead_unit, due=item.due)
    item.text = item.text.strip()
    item.save()
    if supporting_units is not None:
        item.supporting_units.set(supporting_within(supporting_units, item.plan, item.lead_unit))
    _milestones(item, milestones)
    arm_item(item, now)
    if item.plan.status == Plan.Status.PUBLISHED and item.lead_unit_id != old_lead:
        _tell_unit_of_item(item)
    return item


@transaction.atomic
def item_delete(*, item: PlanItem, by: User) -> None:
    item = lock(item)
    _require_office(by, item)
    if item.plan.status != Plan.Status.DRAFT:
        raise TransitionNotAllowed(_("已印发的工作要点事项不能删除。"))
    item.delete()


@transaction.atomic
def progress_report(
    *,
    item: PlanItem,
    by: User,
    text: str,
    percent: int | None = None,
    milestone: PlanMilestone | None = None,
    attachments: Sequence[UploadedFile | CheckedFile] = (),
    now: datetime | None = None,
) -> PlanProgress:
    """A progress report by the lead unit, a supporting unit or the office. The lead unit's (or the office's)
    percentage becomes the item's; a milestone named is marked reached."""
    now = now or timezone.now()
    item = lock(item)
    if not (office_of(by, item) or is_lead(by, item) or is_supporting(by, item)):
        raise NotPermitted(_("只有牵头单位、配合单位或办公室可以填报进展。"))
    if item.plan.status != Plan.Status.PUBLISHED or item.status not in PlanItem.WORKING:
        raise TransitionNotAllowed(_("该事项当前不能填报进展。"))
    errors: dict[str, list[str]] = {}
    if not (text or "").strip():
        errors["text"] = [_("请填写进展情况。")]
    if percent is not None and not 0 <= percent <= 100:
        errors["percent"] = [_("完成进度应在 0 至 100 之间。")]
    if milestone is not None and milestone.item_id != item.pk:
        errors["milestone"] = [_("该节点不属于本事项。")]
    if errors:
        raise ValidationError(errors)
    checked = ensure_checked(attachments)  # the evidence: a bad file refuses the report, nothing saved
    entry = PlanProgress.objects.create(
        item=item, text=text.strip(), percent=percent, milestone=milestone, unit_id=by.unit_id, by=by, created_at=now
    )
    store(record=entry, checked=checked, part="evidence", by=by)
    if percent is not None and not is_supporting(by, item):
        item.percent = percent
        item.save(update_fields=["percent"])
    if milestone is not None and milestone.reached_at is None:
        PlanMilestone.objects.filter(pk=milestone.pk).update(reached_at=now)
    return entry


@transaction.atomic
def item_complete(*, item: PlanItem, by: User, summary: str, now: datetime | None = None) -> PlanItem:
    """The lead unit reports the item done (报完成), with a summary; the office of its level is told."""
    now = now or timezone.now()
    item = lock(item)
    if not is_lead(by, item):
        raise NotPermitted(_("只有牵头单位可以报告事项完成。"))
    if item.plan.status != Plan.Status.PUBLISHED or item.status not in PlanItem.WORKING:
        raise TransitionNotAllowed(_("该事项当前不能报完成(已报完成或已验收)。"))
    if not (summary or "").strip():
        raise ValidationError({"summary": [_("请填写完成情况。")]})
    item.status, item.done_at, item.done_by, item.done_summary = S.DONE, now, by, summary.strip()
    item.percent = 100
    item.save()
    arm_item(item, now)
    people = ContactDirectory()
    notify(
        event="plan_item_done",
        obj=item,
        stage=f"done@{now:%Y%m%d%H%M%S}",
        recipients=people.office_for(item.region_id),
        url=item_url(item),
        context={"item": item},
    )
    return item


@transaction.atomic
def item_accept(*, item: PlanItem, by: User, now: datetime | None = None) -> PlanItem:
    now = now or timezone.now()
    item = lock(item)
    _require_office(by, item)
    if item.status != S.DONE:
        raise TransitionNotAllowed(
            _("该事项已验收。") if item.status == S.ACCEPTED else _("牵头单位报完成后才能验收。")
        )
    item.status, item.accepted_at, item.accepted_by = S.ACCEPTED, now, by
    item.save()
    arm_item(item, now)
    _tell_lead(item, "plan_item_accepted", "accepted")
    return item


@transaction.atomic
def item_return(*, item: PlanItem, by: User, reason: str, now: datetime | None = None) -> PlanItem:
    """Send a reported item back to the lead unit with a reason; its clock runs again."""
    now = now or timezone.now()
    item = lock(item)
    _require_office(by, item)
    if item.status != S.DONE:
        raise TransitionNotAllowed(_("只有已报完成的事项可以退回。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请填写退回理由。")]})
    item.status, item.returned_at, item.return_reason = S.RETURNED, now, reason.strip()
    item.save()
    arm_item(item, now)
    _tell_lead(item, "plan_item_returned", f"returned@{now:%Y%m%d%H%M%S}")
    return item


def _tell_lead(item: PlanItem, event: str, stage: str) -> None:
    notify(
        event=event,
        obj=item,
        stage=stage,
        recipients=ContactDirectory().contacts([item.lead_unit_id]),
        url=item_url(item),
        context={"item": item},
    )


# --- 督办 ---------------------------------------------------------------------------------------------


@transaction.atomic
def supervision_issue(*, item: PlanItem, by: User, text: str, due: date, now: datetime | None = None) -> Supervision:
    """The office issues a 督办通知 on an item at work; the lead unit must answer by ``due``."""
    now = now or timezone.now()
    item = lock(item)
    _require_office(by, item)
    if item.plan.status != Plan.Status.PUBLISHED or item.status not in PlanItem.WORKING:
        raise TransitionNotAllowed(_("只能对推进中的事项督办。"))
    errors: dict[str, list[str]] = {}
    if not (text or "").strip():
        errors["text"] = [_("请填写督办内容。")]
    if due is None:
        errors["due"] = [_("请填写答复时限。")]
    elif due < timezone.localdate(now):
        errors["due"] = [_("答复时限不能早于今天。")]
    if errors:
        raise ValidationError(errors)
    sup = Supervision.objects.create(
        item=item,
        text=text.strip(),
        due=due,
        issued_at=now,
        issued_by=by,
        region_id=item.region_id,
        city_id=item.city_id,
    )
    arm_supervision(sup, now)
    notify(
        event="supervision_issued",
        obj=sup,
        stage="issued",
        recipients=ContactDirectory().contacts([item.lead_unit_id]),
        url=supervision_url(sup),
        context={"supervision": sup, "item": item},
    )
    return sup


@transaction.atomic
def supervision_answer(*, supervision: Supervision, by: User, text: str, now: datetime | None = None) -> Supervision:
    now = now or timezone.now()
    sup = lock(supervision)
    if not is_lead(by, sup.item):
        raise NotPermitted(_("只有牵头单位可以答复督办。"))
    if sup.status != Supervision.Status.OPEN:
        raise TransitionNotAllowed(_("该督办已答复。"))
    if not (text or "").strip():
        raise ValidationError({"text": [_("请填写答复内容。")]})
    sup.status, sup.answer, sup.answered_at, sup.answered_by = Supervision.Status.ANSWERED, text.strip(), now, by
    sup.save()
    arm_supervision(sup, now)
    people = ContactDirectory()
    issuer = [sup.issued_by] if sup.issued_by is not None else []
    notify(
        event="supervision_answered",
        obj=sup,
        stage="answered",
        recipients=[*people.office_for(sup.region_id), *issuer],
        url=supervision_url(sup),
        context={"supervision": sup, "item": sup.item},
    )
    return sup
