"""Every write of the members app: people, liaisons, and the notification inbox and its email."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from members import levels
from members.models import ApiToken, Liaison, MemberUnit, Notification, Region, User, WorkerHeartbeat

# Writing notices lives in members.notices (one insert for many); these names stay importable from here.
from members.notices import NoticeItem as NoticeItem
from members.notices import notify as notify
from members.notices import notify_many as notify_many
from members.roles import Role, has_role

log = logging.getLogger(__name__)


# --- People ---------------------------------------------------------------------------------------
#
# Who manages whom (issue 12): office staff manage liaisons; clerks, leaders, office staff and
# administrators are managed by administrators; superusers by superusers only. Nobody changes the
# account (password included) of a person holding a role they may not manage, nor grants such a role.
# Every change is saved with ``by`` as the history's user and a reason saying what was done.


def manageable_roles(by: User | None) -> frozenset[str]:
    """The roles ``by`` may grant and whose holders ``by`` may manage (None: the platform itself)."""
    if by is None or has_role(by, Role.ADMIN):
        return frozenset(Role.values)
    if has_role(by, Role.OFFICE):
        return frozenset({Role.LIAISON.value})
    return frozenset()


def may_manage(*, by: User | None, user: User) -> bool:
    """Whether ``by`` may change ``user``'s account: their details, roles, password, activity, tokens."""
    if by is None:
        return True
    if user.is_superuser and not by.is_superuser:
        return False
    held = set(user.groups.values_list("name", flat=True)) if user.pk else set()
    if not (bool(manageable_roles(by)) and held <= manageable_roles(by)):
        return False
    if levels.manages_region(by)[0]:
        return True  # no need to read the user's unit
    return may_manage_unit(by=by, unit=user.unit if user.unit_id else None)


def may_manage_unit(*, by: User | None, unit: MemberUnit | None) -> bool:
    """Whether ``by`` may add, change or retire ``unit`` and its people (issue 13): administrators and
    provincial office staff everywhere; office staff of a 市州 or 县市区 the units of their region and below
    (not above, not beside). A unit without a region counts as provincial; None is "no unit"."""
    if by is None:
        return True
    everywhere, region = levels.manages_region(by)
    if everywhere:
        return True
    if region is None or unit is None:
        return False
    return levels.is_within(unit.region if unit.region_id else None, region)


def _check_may_manage(*, by: User | None, user: User | None, roles: Iterable[str] | None) -> None:
    if user is not None and not may_manage(by=by, user=user):
        raise PermissionDenied(_("您无权管理该用户的账号。"))
    if by is not None and not manageable_roles(by):
        raise PermissionDenied(_("您无权管理用户。"))
    if roles is not None and not set(roles) <= manageable_roles(by):
        raise PermissionDenied(_("您无权授予该角色。"))


def _record(user: User, *, by: User | None, reason: str) -> None:
    """The next save of ``user`` is in the history as done by ``by``, for ``reason``."""
    if by is not None:
        user._history_user = by  # django-simple-history reads both on save
    user._change_reason = reason


@transaction.atomic
def user_save(
    *,
    by: User | None = None,
    user: User | None = None,
    username: str | None = None,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    unit: MemberUnit | None = None,
    roles: Sequence[str] | None = None,
    liaison_role: str | None = None,
    is_active: bool | None = None,
    password: str | None = None,
    language: str | None = None,
) -> User:
    """Create or update a user with their roles and liaison place, in one transaction.

    ``by`` is who does it (None: the platform itself, e.g. a management command); what ``by`` may not
    do raises ``PermissionDenied`` and changes nothing.
    """
    creating = user is None
    if user is None:
        user = _new_user(username)
    else:
        _lock_row(user)  # the caller's instance goes on: it may carry a change (a cleared unit)
    _check_may_manage(by=by, user=None if creating else user, roles=roles)
    for field, value in (("name", name), ("email", email), ("phone", phone), ("language", language)):
        if value is not None:
            setattr(user, field, value)
    if unit is not None or creating:
        if not may_manage_unit(by=by, unit=unit):
            raise PermissionDenied(_("您只能管理本级及下级区划的单位和联络员。"))
        user.unit = unit
    if is_active is not None:
        user.is_active = is_active
    effective_roles = _effective_roles(user, roles=roles, creating=creating)
    check_roles_fit_unit(roles=effective_roles, unit=user.unit)
    if liaison_role is not None and liaison_role not in Liaison.Role.values:
        raise ValidationError({"liaison_role": [_("联络员角色须为 A角 或 B角。")]})
    if password:
        validate_password(password, user)
        user.set_password(password)
    elif creating:
        user.set_unusable_password()
    user.is_staff = Role.ADMIN in effective_roles or user.is_superuser
    user.full_clean(exclude=["password"])
    _record(user, by=by, reason=_change_summary(creating=creating, roles=roles, password=bool(password)))
    user.save()
    if password or is_active is False:
        api_tokens_revoke(user=user, by=None)
    if roles is not None:
        user.groups.set(Group.objects.filter(name__in=roles))
        user.__dict__.pop("_fuyuan_roles", None)
    wants_liaison = liaison_role is not None or (roles is not None and Role.LIAISON in effective_roles)
    _sync_liaison(user, effective_roles, liaison_role=liaison_role, wants_liaison=wants_liaison)
    return user


def _lock_row(user: User) -> None:
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()


def _new_user(username: str | None) -> User:
    if not username:
        raise ValidationError({"username": [_("请填写用户名。")]})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [_("该用户名已被使用。")]})
    return User(username=username)


def _effective_roles(user: User, *, roles: Sequence[str] | None, creating: bool) -> set[str]:
    """The roles the user will have: those given (all known), else the current ones."""
    if roles is not None:
        unknown = set(roles) - set(Role.values)
        if unknown:
            raise ValidationError({"roles": [_("未知角色:%(roles)s") % {"roles": ", ".join(sorted(unknown))}]})
        return set(roles)
    if creating:
        return set()  # a new user has no groups yet (and asking an unsaved user for them fails)
    return set(user.groups.values_list("name", flat=True))


def _change_summary(*, creating: bool, roles: Sequence[str] | None, password: bool) -> str:
    parts = ["created" if creating else "changed"]
    if roles is not None:
        parts.append("roles=" + ",".join(sorted(roles)))
    if password:
        parts.append("password set")
    return "; ".join(parts)


def check_roles_fit_unit(*, roles: Iterable[str], unit: MemberUnit | None) -> None:
    """The rules between roles and unit, for every way a user is saved (pages, API, admin)."""
    roles = set(roles)
    if (Role.LIAISON in roles or Role.COURT_CLERK in roles) and unit is None:
        raise ValidationError({"unit": [_("联络员和法院工作人员必须属于一个单位。")]})
    if Role.COURT_CLERK in roles and unit and unit.kind != MemberUnit.Kind.COURT:
        raise ValidationError({"unit": [_("法院工作人员必须属于一个人民法院。")]})


def _sync_liaison(user: User, roles: set[str], *, liaison_role: str | None, wants_liaison: bool) -> None:
    if Role.LIAISON in roles and (wants_liaison or not hasattr(user, "liaison")):
        Liaison.objects.update_or_create(
            user=user, defaults={"role": liaison_role or Liaison.Role.PRIMARY, "since": timezone.localdate()}
        )
    elif Role.LIAISON not in roles:
        Liaison.objects.filter(user=user).delete()


@transaction.atomic
def user_roles_changed(*, user: User, by: User | None = None) -> User:
    """After the Django admin set a user's groups directly: staff flag and liaison place follow the roles.

    The admin form has already run :func:`check_roles_fit_unit`; the admin shows only administrators
    (who manage every role) and only superusers edit superusers. The change is in the history as ``by``'s.
    """
    roles = set(user.groups.values_list("name", flat=True))
    user.__dict__.pop("_fuyuan_roles", None)
    user.is_staff = Role.ADMIN in roles or user.is_superuser
    _record(user, by=by, reason="roles=" + ",".join(sorted(roles)))
    user.save(update_fields=["is_staff"])
    if not user.is_active:
        api_tokens_revoke(user=user, by=None)
    _sync_liaison(user, roles, liaison_role=None, wants_liaison=False)
    return user


@transaction.atomic
def user_retire(*, user: User, by: User | None = None) -> User:
    """Retire a person who left: they can no longer sign in (their API tokens end) and receive no notices."""
    _lock_row(user)
    _check_may_manage(by=by, user=user, roles=None)
    user.is_active = False
    _record(user, by=by, reason="retired")
    user.save(update_fields=["is_active"])
    Liaison.objects.filter(user=user).delete()
    api_tokens_revoke(user=user, by=None)
    return user


@transaction.atomic
def user_password_reset(*, user: User, by: User) -> str:
    """A new one-time password (returned this once) for a person ``by`` manages; their API tokens end, and
    they must choose a new password at the next sign-in."""
    _lock_row(user)
    _check_may_manage(by=by, user=user, roles=None)
    if not user.is_active:
        raise ValidationError(_("该账户已停用,不能重置密码。"))
    user.set_password(password := secrets.token_urlsafe(9))
    user.must_change_password = True
    _record(user, by=by, reason="password reset by office")
    user.save(update_fields=["password", "must_change_password"])
    api_tokens_revoke(user=user, by=None)
    return password


@transaction.atomic
def user_password_set(*, user: User, password: str, reason: str) -> User:
    """The person sets their own password (signed in, or by an emailed reset link): validated; their API
    tokens end; a one-time password no longer has to be changed."""
    _lock_row(user)
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = False
    _record(user, by=user, reason=reason)
    user.save(update_fields=["password", "must_change_password"])
    api_tokens_revoke(user=user, by=None)
    return user


# --- API tokens (django-rest-knox; members/auth.py authenticates them) ---------------------------------


def password_stamp(user: User) -> str:
    """A keyed hash of the user's password hash: a token issued under another password is void."""
    return salted_hmac("members.ApiToken.password_stamp", user.password, algorithm="sha256").hexdigest()


@transaction.atomic
def api_token_issue(*, user: User) -> str:
    """A new API token for ``user`` (knox keeps only its digest); the key is returned this once.

    The user's lapsed tokens are swept on the way (``members.auth`` only checks the one presented)."""
    ApiToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    _token, key = ApiToken.objects.create(user=user, password_stamp=password_stamp(user))
    return key


def api_tokens_revoke(*, user: User, by: User | None, token: ApiToken | None = None, stale_only: bool = False) -> int:
    """End ``token`` (or every token of ``user``): its owner, an administrator or the platform itself.

    ``stale_only``: only the tokens issued under another password than the current one.
    """
    if by is not None and by.pk != user.pk and not may_manage(by=by, user=user):
        raise PermissionDenied(_("您无权管理该用户的账号。"))
    tokens = ApiToken.objects.filter(user=user)
    if token is not None:
        tokens = tokens.filter(pk=token.pk)
    if stale_only:
        tokens = tokens.exclude(password_stamp=password_stamp(user))
    count, _deleted = tokens.delete()
    return count


def user_set_language(*, user: User, language: str) -> None:
    if language in User.Language.values and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


# --- Notifications ----------------------------------------------------------------------------------


def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notices read (all of them when no ids are given)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the n-th failed attempt: 1, 2, 4, 8 … minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def notification_deliver(*, notification_id: int, now: datetime | None = None) -> str:
    """Send one notice's email. Safe to call twice or at once: a conditional UPDATE claims it.

    Returns the resulting email status, or "skipped-claim" when someone else has it or it is done.
    """
    now = now or timezone.now()
    stale = now - timedelta(minutes=settings.FUYUAN_DELIVERY_STALE_MINUTES)
    claimable = Q(email_status__in=[Notification.EmailStatus.PENDING, Notification.EmailStatus.RETRY]) & (
        Q(email_next_try_at__isnull=True) | Q(email_next_try_at__lte=now)
    )
    claimable |= Q(email_status=Notification.EmailStatus.SENDING, email_claimed_at__lt=stale)
    claimed = Notification.objects.filter(claimable, pk=notification_id).update(
        email_status=Notification.EmailStatus.SENDING,
        email_claimed_at=now,
        email_attempts=F("email_attempts") + 1,
    )
    if claimed != 1:
        return "skipped-claim"
    notice = Notification.objects.select_related("recipient").get(pk=notification_id)
    user = notice.recipient
    if not user.is_active or not user.email or not user.email_notifications:
        Notification.objects.filter(pk=notice.pk).update(email_status=Notification.EmailStatus.SKIPPED)
        return Notification.EmailStatus.SKIPPED
    try:
        message = _build_email(notice)
        message.send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - any failure of the mail server is retried
        attempts = notice.email_attempts
        final = attempts >= settings.FUYUAN_DELIVERY_MAX_ATTEMPTS
        Notification.objects.filter(pk=notice.pk).update(
            email_status=Notification.EmailStatus.FAILED if final else Notification.EmailStatus.RETRY,
            email_last_error=f"{type(exc).__name__}: {exc}"[:2000],
            email_next_try_at=None if final else now + retry_delay(attempts),
        )
        log.warning("email of notification %s failed (attempt %s): %s", notice.pk, attempts, exc)
        return Notification.EmailStatus.FAILED if final else Notification.EmailStatus.RETRY
    Notification.objects.filter(pk=notice.pk).update(
        email_status=Notification.EmailStatus.SENT, email_sent_at=timezone.now(), email_last_error=""
    )
    return Notification.EmailStatus.SENT


def _build_email(notice: Notification) -> EmailMultiAlternatives:
    user = notice.recipient
    with translation.override(user.language):
        context = {"notice": notice, "user": user, "site_url": settings.SITE_URL}
        text = render_to_string("notifications/email.txt", context)
        html = render_to_string("notifications/email.html", context)
    message = EmailMultiAlternatives(
        subject=notice.subject,
        body=text,
        to=[user.email],
        headers={"Message-ID": f"<notification-{notice.pk}@fuyuan>"},
    )
    message.attach_alternative(html, "text/html")
    return message


def due_deliveries(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Notices whose email should be tried now: new, due for a retry, or left by a dead worker."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=settings.FUYUAN_DELIVERY_STALE_MINUTES)
    return list(
        Notification.objects.filter(
            Q(email_status__in=[Notification.EmailStatus.PENDING, Notification.EmailStatus.RETRY])
            & (Q(email_next_try_at__isnull=True) | Q(email_next_try_at__lte=now))
            | Q(email_status=Notification.EmailStatus.SENDING, email_claimed_at__lt=stale)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def heartbeat_record(*, name: str = "worker", now: datetime | None = None) -> None:
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"seen_at": now or timezone.now()})


# --- Regions and units ----------------------------------------------------------------------------

REGION_FIELDS = ("name", "code", "level", "parent", "order")


@transaction.atomic
def region_save(*, region: Region | None = None, **fields: Any) -> Region:
    """Create or update a node of the division tree (administrators, through the admin).

    The parent is exactly one level up (province → 市州 → 县市区), so no cycle can form; ``city`` (the
    denormalised 市州) follows. A region with sub-regions or units keeps its level. Errors are a
    ``ValidationError`` keyed by field; nothing is saved then.
    """
    unknown = set(fields) - set(REGION_FIELDS)
    if unknown:
        raise TypeError(f"region_save() got unexpected fields: {', '.join(sorted(unknown))}")
    if region is None:
        region = Region()
    else:
        old = Region.objects.select_for_update().get(pk=region.pk)
        if "level" in fields and fields["level"] != old.level and (old.children.exists() or old.units.exists()):
            raise ValidationError({"level": [_("该区划下已有下级区划或单位,不能修改层级。")]})
        region = old
    for field, value in fields.items():
        setattr(region, field, value)
    errors = levels.region_parent_errors(region, region.parent if region.parent_id else None)
    if errors:
        raise ValidationError({"parent": errors})
    region.city_id = (
        None if region.level == levels.PROVINCE else region.parent_id if region.level == levels.COUNTY else region.pk
    )
    region.full_clean(exclude=["city"])
    region.save()
    if region.level == levels.CITY and region.city_id != region.pk:
        region.city_id = region.pk
        region.save(update_fields=["city"])
    return region


UNIT_FIELDS = (
    "name",
    "short_name",
    "kind",
    "level",
    "region",
    "court_level",
    "hosts_office",
    "parent",
    "supervisor",
    "is_member_unit",
    "order",
    "active",
)


@transaction.atomic
def unit_save(*, by: User | None = None, unit: MemberUnit | None = None, **fields: Any) -> MemberUnit:
    """Create or update a member unit, as ``by`` (None: the platform itself).

    A unit is never its own parent, ancestor or supervisor; a court has a court level and its parent is
    a court exactly one level up; a tribunal sits in its basic court's region; the unit's level follows
    its region's. Office staff add and change units of their region and below only (``may_manage_unit``,
    checked before and after the change: a unit cannot be moved out of, or taken from above, one's region).
    Errors are a ``ValidationError`` keyed by field, or ``PermissionDenied``; nothing is saved then.
    """
    unit = unit_prepare(by=by, unit=unit, **fields)
    unit.save()
    return unit


def unit_prepare(*, by: User | None = None, unit: MemberUnit | None = None, **fields: Any) -> MemberUnit:
    """The checked, unsaved unit of :func:`unit_save` (the admin's form validates with it)."""
    unknown = set(fields) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unit_save() got unexpected fields: {', '.join(sorted(unknown))}")
    if unit is None:
        unit = MemberUnit()
    elif unit.pk is not None:
        unit = MemberUnit.objects.select_for_update(of=("self",)).select_related("region").get(pk=unit.pk)
        if not may_manage_unit(by=by, unit=unit):
            raise PermissionDenied(_("您只能管理本级及下级区划的单位。"))
    for field, value in fields.items():
        setattr(unit, field, value)
    levels.place_tribunal(unit)
    if unit.region_id and unit.region is not None:
        unit.level = unit.region.level
    errors = _unit_errors(unit)
    if errors:
        raise ValidationError(errors)
    if not may_manage_unit(by=by, unit=unit):
        raise ValidationError({"region": [_("单位所在区划须在您所在的区划(本级或下级)之内。")]})
    unit.full_clean()
    return unit


def _unit_errors(unit: MemberUnit) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if unit.pk is not None:
        if unit.parent_id == unit.pk:
            errors["parent"] = [_("单位不能是自己的上级单位。")]
        elif unit.parent_id is not None and _is_ancestor(unit.pk, unit.parent_id):
            errors["parent"] = [_("上级单位不能是本单位的下级单位。")]
        if unit.supervisor_id == unit.pk:
            errors["supervisor"] = [_("单位不能是自己的主管部门。")]
    if not errors:
        errors = levels.court_errors(unit)
    return errors


def _is_ancestor(unit_id: int, start_id: int) -> bool:
    """Whether ``unit_id`` appears in the parent chain that starts at ``start_id``."""
    seen: set[int] = set()
    current: int | None = start_id
    while current is not None and current not in seen:
        if current == unit_id:
            return True
        seen.add(current)
        current = MemberUnit.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    return False
