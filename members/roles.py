"""The five roles of the platform, as Django groups with their model permissions.

This module is the one place that says which role may do what kind of thing. Object scope
(which records a user may see) lives in each app's selectors; transitions check roles through
``has_role`` here.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Role(TextChoices):
    OFFICE = "office", _("领导小组办公室")
    LIAISON = "liaison", _("成员单位联络员")
    COURT_CLERK = "court_clerk", _("法院工作人员")
    LEADER = "leader", _("领导(只读)")
    ADMIN = "admin", _("系统管理员")


PROJECT_APPS = ("members", "cases", "meetings", "plans", "library", "stats")

#: Publishing to the library (信息共享, issue 18): the office, the courts' clerks and the units' liaisons publish
#: their unit's documents (within their region: ``library.services``).
PUBLISH_LIBRARY = "library.publish_librarydocument"

# Model permissions per role, as "app_label.codename" patterns. These decide what the Django
# admin offers; what a user may do to a given record is decided by the services.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICE: [
        "members.view_*",
        "members.add_memberunit",
        "members.change_memberunit",
        "members.add_user",
        "members.change_user",
        "members.add_liaison",
        "members.change_liaison",
        "members.delete_liaison",
        "cases.view_*",
        "meetings.*",
        "plans.view_*",
        "stats.view_*",
        "library.view_*",
        PUBLISH_LIBRARY,
    ],
    Role.LIAISON: [
        "members.view_memberunit",
        "members.view_worktask",
        "members.view_liaison",
        "members.view_region",
        PUBLISH_LIBRARY,
    ],
    Role.COURT_CLERK: [
        "members.view_memberunit",
        "members.view_worktask",
        "members.view_liaison",
        "members.view_region",
        PUBLISH_LIBRARY,
    ],
    Role.LEADER: [
        "members.view_*",
        "cases.view_*",
        "meetings.view_*",
        "plans.view_*",
        "library.view_*",
        "stats.view_*",
    ],
    Role.ADMIN: [
        "members.*",
        "cases.*",
        "meetings.*",
        "plans.*",
        "library.*",
        "stats.*",
        "django_celery_beat.*",
        "axes.*",
    ],
}


# Capabilities the administrator grants beside a role, a group each: a court's signers of judicial
# recommendations (核稿签发, issue 17) are its clerks who are also in ``recommendation_signer``.
CAPABILITY_GROUPS: dict[str, list[str]] = {"recommendation_signer": ["cases.sign_recommendation"]}


def permissions_for(patterns: Iterable[str], perms: list[tuple[str, str, Permission]]) -> list[Permission]:
    chosen = []
    for app_label, codename, perm in perms:
        full = f"{app_label}.{codename}"
        if any(fnmatchcase(full, pattern) for pattern in patterns):
            chosen.append(perm)
    return chosen


def ensure_roles() -> None:
    """Create the groups and set exactly their permissions. Running it twice changes nothing."""
    perms = [
        (p.content_type.app_label, p.codename, p)
        for p in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in=(*PROJECT_APPS, "django_celery_beat", "axes")
        )
    ]
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set(permissions_for(ROLE_PERMISSIONS[role], perms))
    for name, patterns in CAPABILITY_GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions_for(patterns, perms))


def ensure_roles_after_migrate(**kwargs: Any) -> None:
    ensure_roles()


def roles_of(user: Any) -> frozenset[str]:
    """The role codes of a user, read once per request and kept on the user object."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_fuyuan_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {Role.ADMIN.value}
        user._fuyuan_roles = cached
    return cached


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & {str(r) for r in roles})


def is_office(user: Any) -> bool:
    return has_role(user, Role.OFFICE, Role.ADMIN)


def can_read_all(user: Any) -> bool:
    """Administrators, and office staff and leaders of a provincial unit, see every record of the mechanism.

    Office staff and leaders of a 市州 or 县市区 see their region and below (``members.levels.reach_of``).
    """
    from members.levels import reads_everything  # members.levels builds on this module

    return reads_everything(user)
