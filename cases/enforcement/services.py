"""Every write of an enforcement case concluded through linkage, and :func:`allowed_actions`.

A court clerk records their own court's cases; they may correct or delete one within ``EDIT_DAYS`` days of
recording it (after that the figures reported on it stand; the office asks an administrator). The office and
leaders read. Each write runs in one transaction, locks the row and leaves a history record (who, when, what).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.enforcement.models import EnforcementCase
from cases.referrals.measures import ENFORCEMENT_INQUIRY, parse_amount
from cases.referrals.models import Referral
from fuyuan.lib.errors import NotPermitted
from fuyuan.lib.locking import copy_back, lock
from members.levels import stamp
from members.models import MemberUnit, User, WorkTask
from members.roles import Role, has_role

#: A clerk may correct or delete a case this many days after recording it.
EDIT_DAYS = 30
#: The work task the record counts for unless the clerk says otherwise (七: 执行联动).
DEFAULT_TASK = 7
#: 执行案号 as users write them: （2026）甘01执123号, 执恢, 执保, 执异 … Half-width brackets are made full-width.
CASE_NUMBER_RE = re.compile(r"^（\d{4}）.+执.*\d+号$")


def clerk_court(user: User) -> MemberUnit | None:
    """The court a user records enforcement cases for: a court clerk's own court, else None."""
    if not (user.is_authenticated and user.is_active and has_role(user, Role.COURT_CLERK)):
        return None
    unit = user.unit if user.unit_id else None
    return unit if unit is not None and unit.kind == MemberUnit.Kind.COURT else None


def may_create(user: User) -> bool:
    return clerk_court(user) is not None


def allowed_actions(case: EnforcementCase, user: User, *, now: datetime | None = None) -> set[str]:
    """``edit`` and ``delete`` for a clerk of the case's court within ``EDIT_DAYS`` days; nothing for anyone else."""
    court = clerk_court(user)
    if court is None or court.pk != case.court_id:
        return set()
    now = now or timezone.now()
    if case.created_at and now - case.created_at > timedelta(days=EDIT_DAYS):
        return set()
    return {"edit", "delete"}


def _require(case: EnforcementCase, user: User, action: str, now: datetime) -> None:
    if action in allowed_actions(case, user, now=now):
        return
    court = clerk_court(user)
    if court is None or court.pk != case.court_id:
        raise NotPermitted(_("只有本案执行法院的工作人员可以修改或删除。"))
    raise NotPermitted(_("登记已超过 %(days)s 天,不能再修改或删除;如需更正请联系系统管理员。") % {"days": EDIT_DAYS})


# --- validation ---------------------------------------------------------------------------------


def normalise_case_number(text: str) -> str:
    """The case number as stored: no spaces, full-width brackets (（2026）甘01执123号)."""
    text = re.sub(r"\s+", "", text or "")
    return text.replace("(", "（").replace(")", "）").replace("〔", "（").replace("〕", "）")


def _case_number(court: MemberUnit, text: str, exclude: int | None) -> str:
    number = normalise_case_number(text)
    if not number:
        raise ValidationError({"case_number": [_("请填写执行案号。")]})
    if not CASE_NUMBER_RE.match(number):
        raise ValidationError({"case_number": [_("执行案号格式应如“（2026）甘01执123号”。")]})
    clash = EnforcementCase.objects.filter(court=court, case_number=number)
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"case_number": [_("本院已登记执行案号 %(n)s。") % {"n": number}]})
    return number


def _amounts(recovered: Any, paid: Any) -> tuple[Decimal, Decimal]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Decimal] = {}
    for name, value, label in (("amount_recovered", recovered, _("到位金额")), ("amount_paid", paid, _("发放案款"))):
        try:
            values[name] = parse_amount(value, label=label)
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    if values["amount_paid"] > values["amount_recovered"]:
        raise ValidationError({"amount_paid": [_("发放案款不能超过本案到位金额。")]})
    return values["amount_recovered"], values["amount_paid"]


def _concluded_on(day: date | None, today: date) -> date:
    if day is None:
        raise ValidationError({"concluded_on": [_("请填写结案日期。")]})
    if day > today:
        raise ValidationError({"concluded_on": [_("结案日期不能晚于今天。")]})
    return day


def _referrals(court: MemberUnit, referrals: Iterable[Referral]) -> list[Referral]:
    """Linked referrals: enforcement inquiries the court sent or received."""
    chosen = list(referrals)
    for r in chosen:
        if r.kind.code != ENFORCEMENT_INQUIRY or court.pk not in (r.sender_id, r.receiver_id, r.handler_id):
            raise ValidationError(
                {"referrals": [_("只能关联本院发出或承办的执行查控移送:%(n)s。") % {"n": r.case_number}]}
            )
    return chosen


def _partners(court: MemberUnit, units: Iterable[MemberUnit]) -> list[MemberUnit]:
    chosen = [u for u in units if u.pk != court.pk]
    for u in chosen:
        if not u.active:
            raise ValidationError({"partner_units": [_("协作单位“%(name)s”已停用。") % {"name": u.name}]})
    return chosen


# --- writes -------------------------------------------------------------------------------------


@transaction.atomic
def enforcement_case_create(
    *,
    by: User,
    case_number: str,
    concluded_on: date | None,
    amount_recovered: Any,
    amount_paid: Any,
    referrals: Iterable[Referral] = (),
    partner_units: Iterable[MemberUnit] = (),
    tasks: Iterable[WorkTask] | None = None,
    note: str = "",
    now: datetime | None = None,
) -> EnforcementCase:
    """A case the clerk's court concluded through linkage."""
    now = now or timezone.now()
    court = clerk_court(by)
    if court is None:
        raise NotPermitted(_("只有法院工作人员可以登记执行联动结案。"))
    recovered, paid = _amounts(amount_recovered, amount_paid)
    case = EnforcementCase(
        court=court,
        case_number=_case_number(court, case_number, None),
        concluded_on=_concluded_on(concluded_on, timezone.localdate(now)),
        amount_recovered=recovered,
        amount_paid=paid,
        note=(note or "").strip(),
        created_by=by,
    )
    linked, partners = _referrals(court, referrals), _partners(court, partner_units)
    stamp(case, court)
    case._history_user = by  # type: ignore[attr-defined]
    case.save(force_insert=True)
    case.referrals.set(linked)
    case.partner_units.set(partners)
    task_list = list(tasks) if tasks is not None else list(WorkTask.objects.filter(number=DEFAULT_TASK))
    case.tasks.set(task_list)
    return case


@transaction.atomic
def enforcement_case_update(
    *,
    case: EnforcementCase,
    by: User,
    case_number: str | None = None,
    concluded_on: date | None = None,
    amount_recovered: Any = None,
    amount_paid: Any = None,
    referrals: Iterable[Referral] | None = None,
    partner_units: Iterable[MemberUnit] | None = None,
    tasks: Iterable[WorkTask] | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> EnforcementCase:
    """Correct a case (its clerk, within ``EDIT_DAYS`` days); a field left None stays as it is."""
    now = now or timezone.now()
    locked = lock(case)
    _require(locked, by, "edit", now)
    court = locked.court
    if case_number is not None:
        locked.case_number = _case_number(court, case_number, locked.pk)
    if concluded_on is not None:
        locked.concluded_on = _concluded_on(concluded_on, timezone.localdate(now))
    locked.amount_recovered, locked.amount_paid = _amounts(
        locked.amount_recovered if amount_recovered is None else amount_recovered,
        locked.amount_paid if amount_paid is None else amount_paid,
    )
    if note is not None:
        locked.note = note.strip()
    linked = _referrals(court, referrals) if referrals is not None else None
    partners = _partners(court, partner_units) if partner_units is not None else None
    locked._history_user = by  # type: ignore[attr-defined]
    locked.save()
    if linked is not None:
        locked.referrals.set(linked)
    if partners is not None:
        locked.partner_units.set(partners)
    if tasks is not None:
        locked.tasks.set(list(tasks))
    copy_back(case, locked)
    return case


@transaction.atomic
def enforcement_case_delete(*, case: EnforcementCase, by: User, now: datetime | None = None) -> None:
    """Delete a case recorded by mistake (its clerk, within ``EDIT_DAYS`` days); the history keeps it."""
    now = now or timezone.now()
    locked = lock(case)
    _require(locked, by, "delete", now)
    locked._history_user = by  # type: ignore[attr-defined]
    locked.delete()
