"""Navigation for the page header: what the signed-in user's roles may use, and unread notices."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from members.roles import Role, can_read_all, roles_of
from members.selectors import unread_badge

# (url name, label, icon, roles that see it; empty = every signed-in user). Later features add lines.
NAV_ITEMS: list[tuple[str, Any, str, set[str]]] = [
    ("home", _("工作台"), "house", set()),
    ("recommendation-list", _("司法建议"), "envelope-paper", set()),
    ("referral-list", _("案件移送"), "arrow-left-right", set()),
    ("ipcase-list", _("知识产权案件"), "lightbulb", {Role.OFFICE, Role.LEADER, Role.ADMIN, Role.COURT_CLERK}),
    ("opinion-list", _("咨询意见"), "patch-question", set()),
    ("hearing-list", _("出庭应诉"), "bank", set()),
    ("meeting-list", _("联席会议"), "people", set()),
    ("consultation-list", _("会商"), "chat-square-text", set()),
    ("decision-list", _("议定事项"), "list-check", {Role.OFFICE, Role.LEADER, Role.ADMIN}),
    ("plan-list", _("工作要点"), "journal-check", set()),
    ("library-list", _("信息共享"), "share", set()),
    ("enforcement-case-list", _("执行联动"), "cash-coin", {Role.OFFICE, Role.LEADER, Role.ADMIN, Role.COURT_CLERK}),
    ("dashboard", _("统计"), "bar-chart", {Role.OFFICE, Role.LEADER, Role.ADMIN}),
    ("unit-dashboard", _("本单位统计"), "bar-chart", {Role.LIAISON, Role.COURT_CLERK}),
    ("unit-list", _("成员单位"), "building", set()),
    ("task-list", _("十项任务"), "list-ol", set()),
]


@lru_cache(maxsize=64)
def _items_for(roles: frozenset[str], script_prefix: str, urlconf: Any) -> tuple[tuple[str, Any, str], ...]:
    """(url, label, icon) of the links a set of roles sees: the same for every reader with those roles, so
    reversed once per process (the labels stay lazy: translated when shown)."""
    items = []
    for url_name, label, icon, allowed in NAV_ITEMS:
        if allowed and not (roles & {str(r) for r in allowed}):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # the feature is not installed yet
            continue
        items.append((url, label, icon))
    return tuple(items)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    links = _items_for(roles, get_script_prefix(), get_urlconf())
    active = {url for url, _label, _icon in links if url != "/" and request.path.startswith(url)}
    if links and request.path == "/":
        active.add(links[0][0])
    items = [{"url": url, "label": label, "icon": icon, "active": url in active} for url, label, icon in links]
    return {
        "nav_items": items,
        # The links' fragment (base.html) is kept per language, set of roles and active links: nothing else varies.
        "nav_key": f"{','.join(sorted(roles))}|{','.join(sorted(active))}",
        "nav_unread": unread_badge(user),
        "nav_roles": roles,
        "nav_reads_all": can_read_all(user),
        "nav_is_admin": user.is_staff,
    }
