"""Every write of a case referral: creating and editing it, and its lifecycle.

:func:`allowed_actions` is the one place that says which transitions a user may make now (pages,
templates and the API ask it). Each transition is keyword-only, runs in one transaction, locks the
row, checks the allowed transition (``TransitionNotAllowed`` → 409) and the acting side
(``NotPermitted`` → 403), writes one timeline event and re-arms the alert engine
(:mod:`cases.referrals.alerts`). The bulk intake of mediation delegations is :mod:`cases.referrals.intake`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from cases.referrals.alerts import notify_update, referral_stages
from cases.referrals.measures import ENFORCEMENT_INQUIRY, clean_measures
from cases.referrals.models import EnforcementMeasure, Party, Referral, ReferralEvent, ReferralKind
from cases.referrals.privacy import ID_NUMBER_RE, PHONE_RE
from fuyuan.lib.alerts import next_alert_time
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.locking import copy_back, lock
from fuyuan.lib.workdays import add_working_days
from members.levels import stamp
from members.models import MemberUnit, User, WorkTask
from members.roles import Role, has_role
from members.selectors import unit_contacts

S = Referral.Status
A = ReferralEvent.Action

# What each side may do from each status (the kind and the extension add their own conditions).
SENDER_ACTIONS: dict[str, set[str]] = {
    S.DRAFT: {"edit", "send", "revoke"},
    S.SENT: {"revoke"},
    S.ACKNOWLEDGED: {"revoke"},
    S.RETURNED: {"edit", "revoke"},
}
RECEIVER_ACTIONS: dict[str, set[str]] = {
    S.SENT: {"acknowledge", "return"},
    S.ACKNOWLEDGED: {"accept", "return"},
    S.ACCEPTED: {"conclude"},
}


# --- who may act --------------------------------------------------------------------------------


def _reads_only(user: User) -> bool:
    return has_role(user, Role.LEADER) and not has_role(user, Role.OFFICE, Role.LIAISON, Role.COURT_CLERK)


def writer_unit(user: User) -> MemberUnit:
    """The unit a user acts for, or NotPermitted (not signed in, a leader who only reads, no unit)."""
    if not user.is_authenticated or not user.is_active:
        raise NotPermitted(_("请先登录。"))
    if _reads_only(user):
        raise NotPermitted(_("领导账号只能查看,不能办理。"))
    unit = user.unit
    if unit is None:
        raise NotPermitted(_("您的账号未关联单位,不能办理案件移送。"))
    return unit


def allowed_actions(referral: Referral, user: User) -> set[str]:
    """The transitions this user may make now; the pages and the API offer exactly these (the services check again)."""
    unit = getattr(user, "unit_id", None)
    if not (user.is_authenticated and user.is_active and unit) or _reads_only(user):
        return set()
    r = referral
    actions: set[str] = set()
    if unit == r.sender_id:
        actions |= SENDER_ACTIONS.get(r.status, set())
        if r.status == S.RETURNED and r.kind.resend_allowed:
            actions.add("send")
    if unit in (r.receiver_id, r.handler_id):
        actions |= RECEIVER_ACTIONS.get(r.status, set())
        if r.status in Referral.CLOCK_STATUSES and r.kind.extension_days and r.extended_at is None:
            actions.add("extend")
        if unit == r.receiver_id and r.status in Referral.OPEN_STATUSES:
            actions.add("forward")
    return actions


ATTACHMENT_PARTS = {"transfer": gettext_lazy("移送材料"), "outcome": gettext_lazy("办理材料(调解协议等)")}


def attachment_part(referral: Referral, user: User) -> str | None:
    """The files ``user`` may add now: the sender its 移送材料 while drafting and until the receiver signs for
    it; the receiving (or handling) unit the material of its handling, e.g. the 调解协议, once it has accepted
    the matter and until it concludes it (a leader who only reads adds nothing)."""
    unit = getattr(user, "unit_id", None)
    if not (user.is_authenticated and user.is_active and unit) or _reads_only(user):
        return None
    r = referral
    if unit == r.sender_id and r.status in (S.DRAFT, S.RETURNED, S.SENT):
        return "transfer"
    if unit in (r.receiver_id, r.handler_id) and r.status == S.ACCEPTED:
        return "outcome"
    return None


def _require_sender(referral: Referral, user: User) -> None:
    unit = writer_unit(user)
    if unit.pk != referral.sender_id:
        raise NotPermitted(_("只有移送单位可以进行此操作。"))


def _require_receiver(referral: Referral, user: User, *, main_receiver_only: bool = False) -> None:
    unit = writer_unit(user)
    allowed = {referral.receiver_id} if main_receiver_only else {referral.receiver_id, referral.handler_id}
    if unit.pk not in allowed:
        raise NotPermitted(_("只有接收单位可以进行此操作。"))


def _require_status(referral: Referral, allowed: Iterable[str], action: str) -> None:
    if referral.status not in set(allowed):
        raise TransitionNotAllowed(
            _("当前状态为“%(status)s”,不能%(action)s。") % {"status": referral.get_status_display(), "action": action}
        )


def edit_refusal(referral: Referral, user: User) -> str:
    """Why ``user`` may not edit ``referral`` now (the 403 page's reason): the checks ``referral_update`` makes."""
    try:
        _require_sender(referral, user)
        _require_status(referral, [S.DRAFT, S.RETURNED], _("修改"))
    except (NotPermitted, TransitionNotAllowed) as exc:
        return exc.message
    return _("您不能修改这条移送。")


def _event(referral: Referral, action: str, *, by: User | None, at: datetime, before: str, note: str = "") -> None:
    ReferralEvent.objects.create(
        referral=referral,
        action=action,
        at=at,
        by=by,
        unit=by.unit if by is not None and by.unit_id else None,
        from_status=before,
        to_status=referral.status,
        note=note,
    )


def _rearm(referral: Referral, now: datetime) -> None:
    referral.next_alert_at = next_alert_time(referral_stages(referral), now)


# --- validation ---------------------------------------------------------------------------------


def _check_receiver(*, sender: MemberUnit, receiver: MemberUnit | None) -> MemberUnit:
    """The receiver, when the sender may send to it (a ValidationError in Chinese otherwise)."""
    if receiver is None:
        raise ValidationError({"receiver": [_("请选择接收单位。")]})
    if receiver.pk == sender.pk:
        raise ValidationError({"receiver": [_("不能移送给本单位。")]})
    if not receiver.active:
        raise ValidationError({"receiver": [_("接收单位“%(name)s”已停用,不能移送。") % {"name": receiver.name}]})
    return receiver


#: 人民法庭对接化解: a 人民法庭 or basic court hands a dispute to a township/street/village mediation body.
TRIBUNAL_MEDIATION = "tribunal_mediation"
TRIBUNAL_SENDER_LEVELS = (MemberUnit.CourtLevel.TRIBUNAL, MemberUnit.CourtLevel.BASIC)


def _check_kind_parties(*, kind: ReferralKind, sender: MemberUnit, receiver: MemberUnit) -> None:
    """The parties a kind requires (a ValidationError in Chinese otherwise)."""
    if kind.code != TRIBUNAL_MEDIATION:
        return
    if sender.kind != MemberUnit.Kind.COURT or sender.court_level not in TRIBUNAL_SENDER_LEVELS:
        raise ValidationError({"kind": [_("“人民法庭对接化解”只能由人民法庭或基层人民法院移送。")]})
    if receiver.kind != MemberUnit.Kind.MEDIATION:
        raise ValidationError({"receiver": [_("“人民法庭对接化解”的接收单位应为乡镇、街道或村(社区)调解组织。")]})


def clean_parties(parties: Sequence[Mapping[str, Any]]) -> list[Party]:
    """Validate parties given as mappings (role, name, id_number, phone); raise ValidationError in Chinese."""
    result = []
    for i, data in enumerate(parties, start=1):
        name = str(data.get("name") or "").strip()
        id_number = str(data.get("id_number") or "").strip().upper()
        phone = str(data.get("phone") or "").strip()
        role = str(data.get("role") or Party.Role.OTHER)
        if not name:
            raise ValidationError({"parties": [_("第 %(n)s 个当事人:请填写姓名或名称。") % {"n": i}]})
        if id_number and not ID_NUMBER_RE.match(id_number):
            raise ValidationError({"parties": [_("第 %(n)s 个当事人:证件号码应为 18 位身份证号。") % {"n": i}]})
        if phone and not PHONE_RE.match(phone):
            raise ValidationError({"parties": [_("第 %(n)s 个当事人:联系电话格式不正确。") % {"n": i}]})
        if role not in Party.Role.values:
            raise ValidationError({"parties": [_("第 %(n)s 个当事人:身份不正确。") % {"n": i}]})
        result.append(Party(role=role, name=name[:100], id_number=id_number, phone=phone))
    return result


def _check_case_number(*, sender: MemberUnit, kind: ReferralKind, case_number: str, exclude: int | None = None) -> str:
    case_number = (case_number or "").strip()
    if not case_number:
        raise ValidationError({"case_number": [_("请填写案号或编号。")]})
    qs = Referral.objects.filter(sender=sender, kind=kind, case_number=case_number)
    if exclude:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise ValidationError({"case_number": [_("本单位已有同类别、同案号的移送:%(n)s。") % {"n": case_number}]})
    return case_number


# --- create and edit ----------------------------------------------------------------------------


@transaction.atomic
def referral_create(
    *,
    by: User,
    kind: ReferralKind,
    receiver: MemberUnit | None,
    case_number: str,
    subject: str,
    summary: str = "",
    tasks: Iterable[WorkTask] | None = None,
    parties: Sequence[Mapping[str, Any]] = (),
    now: datetime | None = None,
) -> Referral:
    """A draft referral of the user's unit."""
    now = now or timezone.now()
    sender = writer_unit(by)
    if not kind.active:
        raise ValidationError({"kind": [_("该移送类别已停用。")]})
    receiver = _check_receiver(sender=sender, receiver=receiver)
    _check_kind_parties(kind=kind, sender=sender, receiver=receiver)
    case_number = _check_case_number(sender=sender, kind=kind, case_number=case_number)
    if not (subject or "").strip():
        raise ValidationError({"subject": [_("请填写事项。")]})
    party_rows = clean_parties(parties)
    referral = Referral(
        kind=kind,
        sender=sender,
        receiver=receiver,
        case_number=case_number,
        subject=subject.strip(),
        summary=summary,
        created_by=by,
        status=S.DRAFT,
    )
    stamp(referral, sender, receiver)
    referral.save(force_insert=True)
    default_task = kind.default_task
    task_list = list(tasks) if tasks is not None else ([default_task] if default_task is not None else [])
    if task_list:
        referral.tasks.set(task_list)
    for party in party_rows:
        party.referral = referral
    Party.objects.bulk_create(party_rows)
    _event(referral, A.CREATE, by=by, at=now, before="")
    return referral


@transaction.atomic
def referral_update(
    *,
    referral: Referral,
    by: User,
    receiver: MemberUnit | None = None,
    case_number: str | None = None,
    subject: str | None = None,
    summary: str | None = None,
    tasks: Iterable[WorkTask] | None = None,
    parties: Sequence[Mapping[str, Any]] | None = None,
) -> Referral:
    """Edit a draft, or correct a returned referral before sending it again."""
    locked = lock(referral)
    _require_sender(locked, by)
    _require_status(locked, [S.DRAFT, S.RETURNED], _("修改"))
    if receiver is not None:
        _check_receiver(sender=locked.sender, receiver=receiver)
        _check_kind_parties(kind=locked.kind, sender=locked.sender, receiver=receiver)
        locked.receiver = receiver
        stamp(locked, locked.sender, receiver)
    if case_number is not None:
        locked.case_number = _check_case_number(
            sender=locked.sender, kind=locked.kind, case_number=case_number, exclude=locked.pk
        )
    if subject is not None:
        if not subject.strip():
            raise ValidationError({"subject": [_("请填写事项。")]})
        locked.subject = subject.strip()
    if summary is not None:
        locked.summary = summary
    locked.save()
    if tasks is not None:
        locked.tasks.set(list(tasks))
    if parties is not None:
        rows = clean_parties(parties)
        locked.parties.all().delete()
        for party in rows:
            party.referral = locked
        Party.objects.bulk_create(rows)
    copy_back(referral, locked)
    return referral


# --- the lifecycle ------------------------------------------------------------------------------


@transaction.atomic
def referral_send(*, referral: Referral, by: User, now: datetime | None = None) -> Referral:
    """Send a draft, or send a corrected returned referral again (when its kind allows)."""
    now = now or timezone.now()
    locked = lock(referral)
    _require_sender(locked, by)
    _require_status(locked, [S.DRAFT, S.RETURNED], _("移送"))
    if locked.status == S.RETURNED and not locked.kind.resend_allowed:
        raise TransitionNotAllowed(_("“%(kind)s”类事项退回后不能重新移送。") % {"kind": locked.kind.name})
    _check_receiver(sender=locked.sender, receiver=locked.receiver)
    before = locked.status
    locked.status = S.SENT
    locked.sent_at = now
    locked.send_count += 1
    locked.acknowledged_at = locked.accepted_at = locked.due = None
    locked.handler = None
    locked.return_reason = "" if before == S.DRAFT else locked.return_reason
    _rearm(locked, now)
    locked.save()
    _event(locked, A.SEND, by=by, at=now, before=before, note=_("重新移送") if before == S.RETURNED else "")
    notify_update(locked, "sent", f"sent:{locked.send_count}", unit_contacts([locked.receiver_id]))
    copy_back(referral, locked)
    return referral


def compute_due(kind: ReferralKind, start: datetime) -> date | None:
    if kind.answer_days is None:
        return None
    day = timezone.localdate(start)
    if kind.working_days:
        return add_working_days(day, kind.answer_days)
    return day + timedelta(days=kind.answer_days)


@transaction.atomic
def referral_acknowledge(*, referral: Referral, by: User, now: datetime | None = None) -> Referral:
    """Confirm receipt (签收): the answer clock starts."""
    now = now or timezone.now()
    locked = lock(referral)
    _require_receiver(locked, by)
    _require_status(locked, [S.SENT], _("签收"))
    locked.status = S.ACKNOWLEDGED
    locked.acknowledged_at = now
    locked.due = compute_due(locked.kind, now)
    _rearm(locked, now)
    locked.save()
    _event(locked, A.ACKNOWLEDGE, by=by, at=now, before=S.SENT)
    copy_back(referral, locked)
    return referral


def _is_below(unit: MemberUnit, ancestor_id: int) -> bool:
    seen: set[int] = set()
    current: MemberUnit | None = unit
    while current is not None and current.parent_id and current.parent_id not in seen:
        if current.parent_id == ancestor_id:
            return True
        seen.add(current.parent_id)
        current = current.parent
    return False


@transaction.atomic
def referral_forward(
    *, referral: Referral, by: User, sub_unit: MemberUnit, note: str = "", now: datetime | None = None
) -> Referral:
    """The receiver passes the matter to one of its sub-units; the sender still sees where it is."""
    now = now or timezone.now()
    locked = lock(referral)
    _require_receiver(locked, by, main_receiver_only=True)
    _require_status(locked, [S.SENT, S.ACKNOWLEDGED, S.ACCEPTED], _("转交"))
    if sub_unit.pk == locked.receiver_id or not _is_below(sub_unit, locked.receiver_id):
        raise ValidationError({"sub_unit": [_("只能转交本单位的下级单位。")]})
    if not sub_unit.active:
        raise ValidationError({"sub_unit": [_("该单位已停用。")]})
    locked.handler = sub_unit
    _rearm(locked, now)
    locked.save()
    _event(locked, A.FORWARD, by=by, at=now, before=locked.status, note=f"{sub_unit.name} {note}".strip())
    notify_update(locked, "forwarded", f"forwarded:{sub_unit.pk}", unit_contacts([sub_unit.pk]))
    copy_back(referral, locked)
    return referral


@transaction.atomic
def referral_accept(*, referral: Referral, by: User, now: datetime | None = None) -> Referral:
    now = now or timezone.now()
    locked = lock(referral)
    _require_receiver(locked, by)
    _require_status(locked, [S.ACKNOWLEDGED], _("受理"))
    locked.status = S.ACCEPTED
    locked.accepted_at = now
    _rearm(locked, now)
    locked.save()
    _event(locked, A.ACCEPT, by=by, at=now, before=S.ACKNOWLEDGED)
    copy_back(referral, locked)
    return referral


@transaction.atomic
def referral_extend(
    *, referral: Referral, by: User, both_parties_consent: bool, consent_note: str, now: datetime | None = None
) -> Referral:
    """Extend the period once (mediation: 30 more days), with both parties' consent recorded."""
    now = now or timezone.now()
    locked = lock(referral)
    _require_receiver(locked, by)
    _require_status(locked, [S.ACKNOWLEDGED, S.ACCEPTED], _("延期"))
    if not locked.kind.extension_days:
        raise TransitionNotAllowed(_("“%(kind)s”类事项不能延期。") % {"kind": locked.kind.name})
    if locked.extended_at is not None:
        raise TransitionNotAllowed(_("办理期限只能延长一次。"))
    if not both_parties_consent:
        raise ValidationError({"both_parties_consent": [_("延期须经双方当事人同意。")]})
    if not (consent_note or "").strip():
        raise ValidationError({"consent_note": [_("请记录双方当事人同意延期的情况。")]})
    before_due = locked.due
    assert before_due is not None
    locked.due = before_due + timedelta(days=locked.kind.extension_days)
    locked.extended_at = now
    locked.extension_note = consent_note.strip()
    _rearm(locked, now)
    locked.save()
    _event(
        locked,
        A.EXTEND,
        by=by,
        at=now,
        before=locked.status,
        note=_("期限由 %(a)s 延至 %(b)s。%(n)s") % {"a": before_due, "b": locked.due, "n": locked.extension_note},
    )
    copy_back(referral, locked)
    return referral


@transaction.atomic
def referral_return(*, referral: Referral, by: User, reason: str, now: datetime | None = None) -> Referral:
    """The receiver sends the matter back with a reason (before accepting it)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    locked = lock(referral)
    _require_receiver(locked, by)
    _require_status(locked, [S.SENT, S.ACKNOWLEDGED], _("退回"))
    if not reason:
        raise ValidationError({"reason": [_("请填写退回理由。")]})
    before = locked.status
    locked.status = S.RETURNED
    locked.returned_at = now
    locked.return_reason = reason
    _rearm(locked, now)
    locked.save()
    _event(locked, A.RETURN, by=by, at=now, before=before, note=reason)
    notify_update(locked, "returned", f"returned:{locked.send_count}", unit_contacts([locked.sender_id]))
    copy_back(referral, locked)
    return referral


@transaction.atomic
def referral_conclude(
    *,
    referral: Referral,
    by: User,
    outcome: str,
    note: str = "",
    measures: Sequence[Mapping[str, Any]] = (),
    now: datetime | None = None,
) -> Referral:
    """Close the matter with one of its kind's outcomes and a note; an enforcement inquiry (执行查控) also with
    what was found and done (``measures``: measure, asset, amount in yuan, note)."""
    now = now or timezone.now()
    locked = lock(referral)
    _require_receiver(locked, by)
    _require_status(locked, [S.ACCEPTED], _("办结"))
    if outcome not in locked.kind.outcomes:
        raise ValidationError(
            {
                "outcome": [
                    _("“%(kind)s”的办理结果只能是:%(list)s。")
                    % {
                        "kind": locked.kind.name,
                        "list": "、".join(label for _c, label in locked.kind.outcome_choices()),
                    }
                ]
            }
        )
    measure_rows = clean_measures(measures)
    if measure_rows and locked.kind.code != ENFORCEMENT_INQUIRY:
        raise ValidationError({"measures": [_("只有执行查控的办结可以登记查控措施。")]})
    locked.status = S.CONCLUDED
    locked.concluded_at = now
    locked.outcome = outcome
    locked.outcome_note = note or ""
    _rearm(locked, now)
    locked.save()
    for row in measure_rows:
        row.referral = locked
    if measure_rows:
        bulk_create_with_history(measure_rows, EnforcementMeasure, default_user=by)
    _event(locked, A.CONCLUDE, by=by, at=now, before=S.ACCEPTED, note=note or "")
    notify_update(locked, "concluded", "concluded", unit_contacts([locked.sender_id]))
    copy_back(referral, locked)
    return referral


@transaction.atomic
def referral_revoke(*, referral: Referral, by: User, reason: str = "", now: datetime | None = None) -> Referral:
    """The sender takes the matter back before the receiver has accepted it."""
    now = now or timezone.now()
    locked = lock(referral)
    _require_sender(locked, by)
    _require_status(locked, [S.DRAFT, S.SENT, S.ACKNOWLEDGED, S.RETURNED], _("撤回"))
    before = locked.status
    locked.status = S.REVOKED
    locked.revoked_at = now
    _rearm(locked, now)
    locked.save()
    _event(locked, A.REVOKE, by=by, at=now, before=before, note=reason)
    if before in (S.SENT, S.ACKNOWLEDGED):
        ids = [locked.receiver_id] + ([locked.handler_id] if locked.handler_id else [])
        notify_update(locked, "revoked", "revoked", unit_contacts(ids))
    copy_back(referral, locked)
    return referral
