"""Every write of legal opinions (咨询意见 / 合法性论证), and what a user may do now (:func:`allowed_actions`).

Lifecycle (API.md ``opinions/``): ``requested`` → ``answered``, or ``withdrawn`` by the side that asked. Who acts:

* a government unit's liaisons ask for their unit; the office asks for a unit in its region (or its own);
  a court's clerks offer an opinion on their own initiative (``offered``), answered at once when they give the
  answer with it, else right after like any other;
* the side that asked (the requester's liaisons and the office whose scope holds it; the court for an offered
  one) edits the request and withdraws it while it waits;
* the court's own clerks answer it, once: answering again is ``TransitionNotAllowed`` (409), nothing changes.

Each service is keyword-only, runs in one transaction, locks the row, checks the side (``NotPermitted``: 403)
and the state (``TransitionNotAllowed``: 409) and its input (``ValidationError`` in Chinese, nothing saved),
records who and why in the audit trail (the timeline reads it) and re-arms the alert engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.opinions.alerts import arm, clerks, requester_contacts, send_notice
from cases.opinions.models import Opinion
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.locking import copy_back, lock
from fuyuan.lib.workdays import add_working_days
from members.levels import office_reaches, reach_of, stamp, unit_region_q
from members.models import MemberUnit, User, WorkTask
from members.roles import Role, has_role
from members.selectors import ContactDirectory

S = Opinion.Status
K = Opinion.Kind
EDITABLE_FIELDS = ("kind", "subject", "question", "document_title", "document_number", "due", "court")


def due_working_days() -> int:
    return int(getattr(settings, "FUYUAN_OPINION_DUE_WORKING_DAYS", 15))


def default_due(requested_on: date) -> date:
    """The answer deadline: ``FUYUAN_OPINION_DUE_WORKING_DAYS`` working days (official calendar) after the request."""
    return add_working_days(requested_on, due_working_days())


# --- Who may do what ---------------------------------------------------------------------------------


def is_clerk_of(user: User, court_id: int | None) -> bool:
    return court_id is not None and user.unit_id == court_id and has_role(user, Role.COURT_CLERK)


def is_liaison_of(user: User, unit_id: int | None) -> bool:
    return unit_id is not None and user.unit_id == unit_id and has_role(user, Role.LIAISON)


def can_request(user: User) -> bool:
    """A government unit's liaison, or the office (which asks for a unit of its region)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if has_role(user, Role.OFFICE, Role.ADMIN):
        return True
    unit = user.unit if user.unit_id else None
    return unit is not None and unit.kind != MemberUnit.Kind.COURT and has_role(user, Role.LIAISON)


def can_offer(user: User) -> bool:
    """A court's clerk offers an opinion on the court's own initiative."""
    unit = user.unit if user.is_authenticated and user.unit_id else None
    return unit is not None and unit.kind == MemberUnit.Kind.COURT and has_role(user, Role.COURT_CLERK)


def is_asking_side(user: User, opinion: Opinion) -> bool:
    """The side that asked: the court for an offered opinion; else the requester's liaisons and the office."""
    if opinion.offered:
        return is_clerk_of(user, opinion.court_id)
    return is_liaison_of(user, opinion.requester_id) or office_reaches(user, opinion)


def allowed_actions(opinion: Opinion, user: User) -> set[str]:
    """``edit``/``withdraw`` (the asking side) and ``answer`` (the court's clerks), while the opinion waits."""
    if not (user.is_authenticated and user.is_active) or opinion.status != S.REQUESTED:
        return set()
    actions: set[str] = set()
    if is_asking_side(user, opinion):
        actions |= {"edit", "withdraw"}
    if is_clerk_of(user, opinion.court_id):
        actions.add("answer")
    return actions


ATTACHMENT_PARTS = {"request": gettext_lazy("咨询材料"), "answer": gettext_lazy("答复材料")}


def attachment_part(opinion: Opinion, user: User) -> str | None:
    """While the opinion waits: the asking side adds its material (the draft document, the case papers), the
    court's clerks the material of their answer."""
    if not (user.is_authenticated and user.is_active) or opinion.status != S.REQUESTED:
        return None
    if is_clerk_of(user, opinion.court_id):
        return "answer"
    return "request" if is_asking_side(user, opinion) else None


def _require_asking_side(opinion: Opinion, user: User) -> None:
    if not is_asking_side(user, opinion):
        raise NotPermitted(_("只有咨询单位(或主动提供意见的法院)可以办理此操作。"))


def _require_requested(opinion: Opinion, action: str) -> None:
    if opinion.status == S.ANSWERED:
        when = timezone.localtime(opinion.answered_at).strftime("%Y-%m-%d %H:%M") if opinion.answered_at else ""
        raise TransitionNotAllowed(_("该咨询已于 %(when)s 答复,不能%(action)s。") % {"when": when, "action": action})
    if opinion.status != S.REQUESTED:
        raise TransitionNotAllowed(
            _("当前状态为“%(status)s”,不能%(action)s。") % {"status": opinion.get_status_display(), "action": action}
        )


def edit_refusal(opinion: Opinion, user: User) -> str:
    """Why ``user`` may not edit ``opinion`` now (the 403 page's reason)."""
    try:
        _require_asking_side(opinion, user)
        _require_requested(opinion, _("修改"))
    except (NotPermitted, TransitionNotAllowed) as exc:
        return exc.message
    return _("您不能修改这件咨询。")


# --- Validation and saving -----------------------------------------------------------------------------


def save_with_reason(opinion: Opinion, reason: str, *, by: User | None) -> None:
    """Save with the audit trail's reason and author (the timeline reads both)."""
    opinion._change_reason = reason
    opinion._history_user = by
    try:
        opinion.save()
    finally:
        opinion.__dict__.pop("_change_reason", None)
        opinion.__dict__.pop("_history_user", None)


def _clean(opinion: Opinion, *, today: date, check_due: bool) -> None:
    """The request's fields, in Chinese; nothing is saved on an error."""
    errors: dict[str, list[str]] = {}
    court = opinion.court if opinion.court_id else None
    requester = opinion.requester if opinion.requester_id else None
    if court is None or court.kind != MemberUnit.Kind.COURT:
        errors["court"] = [_("请选择答复的人民法院。")]
    elif not court.active:
        errors["court"] = [_("“%(name)s”已停用。") % {"name": court.name}]
    if requester is None or requester.kind == MemberUnit.Kind.COURT:
        errors["requester"] = [_("咨询单位应为行政机关或其他成员单位,不能是人民法院。")]
    if opinion.kind not in K.values:
        errors["kind"] = [_("请选择类别。")]
    opinion.subject = (opinion.subject or "").strip()
    opinion.question = (opinion.question or "").strip()
    opinion.document_title = (opinion.document_title or "").strip()
    opinion.document_number = (opinion.document_number or "").strip()
    if not opinion.subject:
        errors["subject"] = [_("请填写事项。")]
    if not opinion.question:
        errors["question"] = [_("请填写咨询内容。")]
    if opinion.kind == K.NORMATIVE_DOCUMENT and not opinion.document_title:
        errors["document_title"] = [_("规范性文件合法性论证须填写文件草案名称。")]
    if opinion.kind == K.LEGAL_QUESTION and opinion.document_number:
        errors["document_number"] = [_("法律问题咨询不填写文件编号。")]
    if check_due and opinion.due is not None and opinion.due < today:
        errors["due"] = [_("答复期限不能早于今天。")]
    if errors:
        raise ValidationError(errors)


def _requester_for(by: User, requester: MemberUnit | None) -> MemberUnit:
    """A liaison asks for their own unit; the office for a unit of its region (its own by default)."""
    if has_role(by, Role.OFFICE, Role.ADMIN):
        chosen = requester or (by.unit if by.unit_id else None)
        if chosen is None:
            raise ValidationError({"requester": [_("请选择咨询单位。")]})
        reach = reach_of(by)
        if not reach.everything and not MemberUnit.objects.filter(unit_region_q(reach.region), pk=chosen.pk).exists():
            raise ValidationError({"requester": [_("只能为本级或下级区划的单位提出咨询。")]})
        return chosen
    assert by.unit is not None  # can_request: a unit's liaison
    if requester is not None and requester.pk != by.unit_id:
        raise ValidationError({"requester": [_("只能以本单位名义提出咨询。")]})
    return by.unit


# --- Asking ------------------------------------------------------------------------------------------


@transaction.atomic
def opinion_request(
    *,
    by: User,
    court: MemberUnit | None,
    kind: str,
    subject: str,
    question: str,
    requester: MemberUnit | None = None,
    document_title: str = "",
    document_number: str = "",
    due: date | None = None,
    tasks: Iterable[WorkTask] | None = None,
    now: datetime | None = None,
) -> Opinion:
    """A government unit asks a court; the court's clerks hear of it. ``due`` defaults to 15 working days."""
    if not can_request(by):
        raise NotPermitted(_("只有成员单位联络员或领导小组办公室可以提出咨询。"))
    now = now or timezone.now()
    today = timezone.localdate(now)
    opinion = Opinion(
        requester=_requester_for(by, requester),
        court=court,  # checked by _clean
        kind=kind,
        subject=subject,
        question=question,
        document_title=document_title,
        document_number=document_number,
        due=due or default_due(today),
        requested_at=now,
        requested_on=today,
        requested_by=by,
    )
    _clean(opinion, today=today, check_due=True)
    return _create(opinion, by=by, tasks=tasks, now=now)


@transaction.atomic
def opinion_offer(
    *,
    by: User,
    requester: MemberUnit | None,
    kind: str,
    subject: str,
    question: str,
    answer: str = "",
    document_title: str = "",
    document_number: str = "",
    due: date | None = None,
    tasks: Iterable[WorkTask] | None = None,
    now: datetime | None = None,
) -> Opinion:
    """The court offers an opinion on its own initiative; with ``answer`` it is answered at once."""
    if not can_offer(by):
        raise NotPermitted(_("只有人民法院的工作人员可以主动提供意见。"))
    now = now or timezone.now()
    today = timezone.localdate(now)
    opinion = Opinion(
        requester=requester,  # checked by _clean
        court=by.unit,
        kind=kind,
        offered=True,
        subject=subject,
        question=question,
        document_title=document_title,
        document_number=document_number,
        due=due or default_due(today),
        requested_at=now,
        requested_on=today,
        requested_by=by,
    )
    _clean(opinion, today=today, check_due=True)
    opinion = _create(opinion, by=by, tasks=tasks, now=now, tell_court=False)
    if (answer or "").strip():
        opinion = opinion_answer(opinion=opinion, by=by, answer=answer, now=now)
    return opinion


def _create(
    opinion: Opinion, *, by: User, tasks: Iterable[WorkTask] | None, now: datetime, tell_court: bool = True
) -> Opinion:
    stamp(opinion, opinion.requester, opinion.court)
    arm(opinion, now)
    save_with_reason(opinion, "offered" if opinion.offered else "requested", by=by)
    task_list = list(tasks) if tasks is not None else list(WorkTask.objects.filter(number=1))  # 法治政府建设
    if task_list:
        opinion.tasks.set(task_list)
    if tell_court:
        send_notice(opinion, "requested", "requested", clerks(ContactDirectory(), opinion))
    return opinion


@transaction.atomic
def opinion_update(*, opinion: Opinion, by: User, changes: Mapping[str, Any], now: datetime | None = None) -> Opinion:
    """Change a request while it waits (the asking side). A new due date starts a fresh alert ladder."""
    now = now or timezone.now()
    locked = lock(opinion)
    _require_asking_side(locked, by)
    _require_requested(locked, _("修改"))
    unknown = set(changes) - {*EDITABLE_FIELDS, "tasks"}
    if unknown:
        raise ValidationError({name: [_("此项不能修改。")] for name in sorted(unknown)})
    if "court" in changes and locked.offered and changes["court"] != locked.court:
        raise ValidationError({"court": [_("主动提供意见的法院不能修改。")]})
    old_due, old_court = locked.due, locked.court_id
    for name in EDITABLE_FIELDS:
        if name in changes and changes[name] is not None:
            setattr(locked, name, changes[name])
    _clean(locked, today=timezone.localdate(now), check_due=locked.due != old_due)
    if locked.court_id != old_court:
        stamp(locked, locked.requester, locked.court)
    arm(locked, now)
    save_with_reason(locked, "updated", by=by)
    if changes.get("tasks") is not None:
        locked.tasks.set(list(changes["tasks"]))
    if locked.court_id != old_court:
        send_notice(locked, "requested", f"requested:{locked.court_id}", clerks(ContactDirectory(), locked))
    return copy_back(opinion, locked)


# --- Answering and withdrawing ------------------------------------------------------------------------


@transaction.atomic
def opinion_answer(*, opinion: Opinion, by: User, answer: str, now: datetime | None = None) -> Opinion:
    """The court's answer, once; the requester hears of it. Stops the alert ladder."""
    locked = lock(opinion)
    if not is_clerk_of(by, locked.court_id):
        raise NotPermitted(_("只有答复法院的工作人员可以答复。"))
    _require_requested(locked, _("再次答复"))
    if not (answer or "").strip():
        raise ValidationError({"answer": [_("请填写答复意见。")]})
    now = now or timezone.now()
    locked.status = S.ANSWERED
    locked.answer = answer.strip()
    locked.answered_at = now
    locked.answered_by = by
    locked.next_alert_at = None
    save_with_reason(locked, "answered", by=by)
    send_notice(locked, "answered", "answered", requester_contacts(ContactDirectory(), locked))
    return copy_back(opinion, locked)


@transaction.atomic
def opinion_withdraw(*, opinion: Opinion, by: User, reason: str = "", now: datetime | None = None) -> Opinion:
    """The asking side withdraws a request that waits; the court hears of it."""
    locked = lock(opinion)
    _require_asking_side(locked, by)
    _require_requested(locked, _("撤回"))
    locked.status = S.WITHDRAWN
    locked.withdrawn_at = now or timezone.now()
    locked.withdraw_reason = (reason or "").strip()
    locked.next_alert_at = None
    save_with_reason(locked, "withdrawn", by=by)
    if not locked.offered:
        send_notice(locked, "withdrawn", "withdrawn", clerks(ContactDirectory(), locked))
    return copy_back(opinion, locked)
