"""The demo accounts, one or more per role (``manage.py create_demo_users``, ``manage.py load_demo``)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from members import services
from members.models import Liaison, MemberUnit, User
from members.roles import Role

# username, name, role, unit short name, liaison role
DEMO_USERS = [
    ("office1", "王办公", Role.OFFICE, "省司法厅", None),
    ("liaison1", "李联络", Role.LIAISON, "省生态环境厅", Liaison.Role.PRIMARY),
    ("liaison2", "赵备岗", Role.LIAISON, "省生态环境厅", Liaison.Role.BACKUP),
    ("liaison3", "周联络", Role.LIAISON, "省市场监管局", Liaison.Role.PRIMARY),
    ("clerk1", "陈书记员", Role.COURT_CLERK, "省高级人民法院", None),
    ("clerk2", "刘书记员", Role.COURT_CLERK, "兰州中院", None),
    ("leader1", "张领导", Role.LEADER, None, None),
    ("admin1", "系统管理员", Role.ADMIN, "省司法厅", None),
]


def ensure_users(say: Callable[[str], None]) -> dict[str, User]:
    """Create the demo accounts that do not exist yet, each with a new password said once; keep the others."""
    people = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in DEMO_USERS])}
    for username, name, role, unit_short, liaison_role in DEMO_USERS:
        if username in people:
            continue
        unit = MemberUnit.objects.get(short_name=unit_short) if unit_short else None
        password = secrets.token_urlsafe(9)
        people[username] = services.user_save(
            by=None,
            username=username,
            name=name,
            email=f"{username}@example.gov.cn",
            unit=unit,
            roles=[role],
            liaison_role=liaison_role,
            password=password,
        )
        say(f"  {role:<12} {username:<10} {password}   {name} {unit.name if unit else ''}")
    return people
