"""Every write of IP cases: record one, change it, delete it; and ``allowed_actions``.

Each service is keyword-only, runs in one transaction, locks the row it changes, checks who may do it
(``NotPermitted``: 403 in the API, a message on the page) and its input (``ValidationError`` in Chinese,
nothing saved). Who acts:

* a court's clerks record their own court's concluded cases, and change or delete them;
* the office records for a court within its region, and changes or deletes the cases living there;
* leaders, liaisons and the clerks of a court above read only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.ipcases.models import DEFAULT_TASK_NUMBER, IPCase
from fuyuan.lib.errors import NotPermitted
from fuyuan.lib.locking import lock
from members.levels import is_within, office_reaches, reach_of, stamp
from members.models import MemberUnit, User, WorkTask
from members.roles import Role, has_role

WRITE_REFUSAL = gettext_lazy("只有人民法院工作人员或领导小组办公室可以登记知识产权案件。")
EDIT_REFUSAL = gettext_lazy("只有承办法院或本级领导小组办公室可以修改该案件。")
CASE_NUMBER_MAX = 100
EDITABLE = ("case_number", "kind", "concluded_on", "outcome", "mediated_by", "note")


# --- Who may do what ---------------------------------------------------------------------------------


def clerk_court(user: User) -> MemberUnit | None:
    """The court a user records for as its clerk (None: not a court clerk of a court)."""
    unit = user.unit if getattr(user, "unit_id", None) else None
    if unit is not None and unit.kind == MemberUnit.Kind.COURT and has_role(user, Role.COURT_CLERK):
        return unit
    return None


def is_office(user: User) -> bool:
    return has_role(user, Role.OFFICE, Role.ADMIN)


def can_record(user: User) -> bool:
    """Whether ``user`` may record IP cases at all (a court's clerk, the office)."""
    return clerk_court(user) is not None or is_office(user)


def allowed_actions(case: IPCase, user: User) -> set[str]:
    """``edit`` and ``delete`` for the court's own clerks and for the office whose region holds the case."""
    court = clerk_court(user)
    if (court is not None and court.pk == case.court_id) or office_reaches(user, case):
        return {"edit", "delete"}
    return set()


def writer_court(user: User, court: MemberUnit | None) -> MemberUnit:
    """The court a new case is recorded for: a clerk's own court (another is refused); the office names a
    court of its region. ``NotPermitted`` for anyone else."""
    own = clerk_court(user)
    if own is not None and (court is None or court.pk == own.pk):
        return own
    if not is_office(user):
        raise NotPermitted(str(WRITE_REFUSAL))
    if court is None:
        raise ValidationError({"court": [_("请选择承办法院。")]})
    if court.kind != MemberUnit.Kind.COURT:
        raise ValidationError({"court": [_("“%(name)s”不是人民法院。") % {"name": court.name}]})
    reach = reach_of(user)
    if not (reach.everything or is_within(court.region if court.region_id else None, reach.region)):
        raise ValidationError({"court": [_("只能为本级或下级法院登记案件。")]})
    return court


# --- Input -------------------------------------------------------------------------------------------


def clean_case_number(value: str) -> str:
    """The 案号 as the user wrote it (e.g. （2026）甘01知民初12号), without surrounding blanks."""
    return " ".join((value or "").split())


def case_errors(
    *,
    case_number: str,
    kind: str,
    concluded_on: date | None,
    outcome: str,
    mediated_by: MemberUnit | None,
    court: MemberUnit,
    today: date,
) -> dict[str, list[str]]:
    """What is wrong with a case's fields, field by field (nothing: it may be saved)."""
    errors: dict[str, list[str]] = {}
    if not case_number:
        errors["case_number"] = [_("请填写案号。")]
    elif len(case_number) > CASE_NUMBER_MAX:
        errors["case_number"] = [_("案号不能超过 %(n)s 个字。") % {"n": CASE_NUMBER_MAX}]
    if kind not in IPCase.Kind.values:
        errors["kind"] = [_("请选择案件类型。")]
    if outcome not in IPCase.Outcome.values:
        errors["outcome"] = [_("请选择结案方式。")]
    if concluded_on is None:
        errors["concluded_on"] = [_("请填写结案日期。")]
    elif concluded_on > today:
        errors["concluded_on"] = [_("结案日期不能晚于今天。")]
    if mediated_by is not None:
        if mediated_by.pk == court.pk:
            errors["mediated_by"] = [_("调解组织不能是承办法院本身。")]
        elif not mediated_by.active:
            errors["mediated_by"] = [_("单位“%(name)s”已停用。") % {"name": mediated_by.name}]
    return errors


def default_tasks() -> list[WorkTask]:
    return list(WorkTask.objects.filter(number=DEFAULT_TASK_NUMBER))


def _duplicate(court: MemberUnit, case_number: str) -> ValidationError:
    return ValidationError({"case_number": [_("本院已登记案号为“%(n)s”的案件。") % {"n": case_number}]})


# --- Writes ------------------------------------------------------------------------------------------


@transaction.atomic
def ipcase_record(
    *,
    by: User,
    case_number: str,
    kind: str,
    concluded_on: date | None,
    outcome: str,
    court: MemberUnit | None = None,
    mediated_by: MemberUnit | None = None,
    tasks: Iterable[WorkTask] | None = None,
    note: str = "",
    today: date | None = None,
) -> IPCase:
    """A concluded IP case of a court (the clerk's own; the office names one of its region)."""
    court = writer_court(by, court)
    case_number = clean_case_number(case_number)
    errors = case_errors(
        case_number=case_number,
        kind=kind,
        concluded_on=concluded_on,
        outcome=outcome,
        mediated_by=mediated_by,
        court=court,
        today=today or timezone.localdate(),
    )
    if not errors and IPCase.objects.filter(court=court, case_number=case_number).exists():
        raise _duplicate(court, case_number)
    if errors:
        raise ValidationError(errors)
    assert concluded_on is not None  # checked above
    case = IPCase(
        court=court,
        case_number=case_number,
        kind=kind,
        concluded_on=concluded_on,
        outcome=outcome,
        mediated_by=mediated_by,
        note=(note or "").strip(),
        created_by=by,
    )
    stamp(case, court)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:  # the same case recorded twice at once: the constraint keeps one
        raise _duplicate(court, case_number) from None
    case.tasks.set(list(tasks) if tasks is not None else default_tasks())
    return case


@transaction.atomic
def ipcase_update(
    *,
    case: IPCase,
    by: User,
    tasks: Iterable[WorkTask] | None = None,
    today: date | None = None,
    **changes: Any,
) -> IPCase:
    """Change a case's fields (not its court: record it again under the right court)."""
    case = lock(case)
    if "edit" not in allowed_actions(case, by):
        raise NotPermitted(str(EDIT_REFUSAL))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({"non_field_errors": [_("不能修改:%(f)s") % {"f": ", ".join(sorted(unknown))}]})
    if "case_number" in changes:
        changes["case_number"] = clean_case_number(changes["case_number"])
    for name, value in changes.items():
        setattr(case, name, value)
    case.note = (case.note or "").strip()
    errors = case_errors(
        case_number=case.case_number,
        kind=case.kind,
        concluded_on=case.concluded_on,
        outcome=case.outcome,
        mediated_by=case.mediated_by,
        court=case.court,
        today=today or timezone.localdate(),
    )
    if errors:
        raise ValidationError(errors)
    if IPCase.objects.filter(court_id=case.court_id, case_number=case.case_number).exclude(pk=case.pk).exists():
        raise _duplicate(case.court, case.case_number)
    case.save()
    if tasks is not None:
        case.tasks.set(list(tasks))
    return case


@transaction.atomic
def ipcase_delete(*, case: IPCase, by: User) -> None:
    """Delete a case recorded by mistake (its history keeps it)."""
    case = lock(case)
    if "delete" not in allowed_actions(case, by):
        raise NotPermitted(str(EDIT_REFUSAL))
    case.delete()
