"""The demo accounts, one or more per role and level (``manage.py create_demo_users``, ``manage.py load_demo``).

Provincial accounts (``office1``, ``leader1``, ``clerk1`` …) read the whole province; the 兰州市 accounts
(``office2``, ``leader2``) read 兰州市 and its 县市区; the 城关区 accounts (``office3``, ``clerk3``, ``liaison4``,
``liaison5``) read or act in 城关区 (the rule: ``members.levels``). The few district units they need
(``DEMO_UNITS``) are created first when missing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.contrib.auth.models import Group
from django.db.models import Q

from members import services
from members.models import Letterhead, Liaison, MemberUnit, Region, User
from members.roles import Role, ensure_roles

# name, short name, kind, region name
DEMO_UNITS = [
    ("兰州市生态环境局", "兰州市生态环境局", MemberUnit.Kind.GOVERNMENT, "兰州市"),
    ("兰州市城关区人力资源和社会保障局", "城关区人社局", MemberUnit.Kind.GOVERNMENT, "城关区"),
    ("兰州市城关区市场监督管理局", "城关区市场监管局", MemberUnit.Kind.GOVERNMENT, "城关区"),
    ("兰州市城关区张掖路街道人民调解委员会", "张掖路街道调委会", MemberUnit.Kind.MEDIATION, "城关区"),
]

# username, name, role, unit short name, liaison role
DEMO_USERS = [
    ("office1", "王办公", Role.OFFICE, "省司法厅", None),
    ("liaison1", "李联络", Role.LIAISON, "省生态环境厅", Liaison.Role.PRIMARY),
    ("liaison2", "赵备岗", Role.LIAISON, "省生态环境厅", Liaison.Role.BACKUP),
    ("liaison3", "周联络", Role.LIAISON, "省市场监管局", Liaison.Role.PRIMARY),
    ("clerk1", "陈书记员", Role.COURT_CLERK, "省高级人民法院", None),
    ("signer1", "林签发", Role.COURT_CLERK, "省高级人民法院", None),  # and a signer (核稿签发, DEMO_CAPABILITIES)
    ("clerk2", "刘书记员", Role.COURT_CLERK, "兰州中院", None),
    ("leader1", "张领导", Role.LEADER, None, None),
    ("admin1", "系统管理员", Role.ADMIN, "省司法厅", None),
    # 兰州市 (a 市州): its office in 兰州市司法局, a leader, a department's liaison
    ("office2", "孙办公", Role.OFFICE, "兰州市司法局", None),
    ("leader2", "吴领导", Role.LEADER, "兰州市司法局", None),
    ("liaison6", "曹联络", Role.LIAISON, "兰州市生态环境局", Liaison.Role.PRIMARY),
    # 城关区 (a 县市区): its office, its basic court's clerk, a department's and a mediation committee's liaisons
    ("office3", "钱办公", Role.OFFICE, "兰州市城关区司法局", None),
    ("clerk3", "郑书记员", Role.COURT_CLERK, "兰州市城关区人民法院", None),
    ("liaison4", "冯联络", Role.LIAISON, "城关区人社局", Liaison.Role.PRIMARY),
    ("liaison5", "韩调解", Role.LIAISON, "张掖路街道调委会", Liaison.Role.PRIMARY),
]

# Capabilities beyond the role (members.roles.CAPABILITY_GROUPS), shown in the password table after the role.
DEMO_CAPABILITIES = {"signer1": ["recommendation_signer"]}
CAPABILITY_WORDS = {"recommendation_signer": "签发"}


def unit_named(name: str) -> MemberUnit:
    """A unit by its short name or its full name."""
    return MemberUnit.objects.filter(Q(short_name=name) | Q(name=name)).order_by("pk").first() or (
        MemberUnit.objects.get(name=name)  # raises DoesNotExist with the name
    )


def ensure_units() -> None:
    """The district units of the demo, created when missing (through the unit service)."""
    have = set(MemberUnit.objects.filter(name__in=[row[0] for row in DEMO_UNITS]).values_list("name", flat=True))
    for name, short, kind, region_name in DEMO_UNITS:
        if name in have:
            continue
        region = Region.objects.filter(name=region_name).order_by("pk").first()
        if region is None:  # an organisation without the division tree: the demo stays provincial
            continue
        services.unit_save(name=name, short_name=short, kind=kind, level=region.level, region=region, order=5000)
    ensure_letterheads()


# unit (short or full name), 发文机关标志, 机关代字, 署名: the demo's own letterheads (the others use the defaults).
DEMO_LETTERHEADS = [
    ("省司法厅", "甘肃省府院联动工作领导小组办公室文件", "甘府院办", "甘肃省府院联动工作领导小组办公室"),
    ("省高级人民法院", "甘肃省高级人民法院", "甘高法", "甘肃省高级人民法院"),
]


def ensure_letterheads() -> None:
    """The demo's letterheads (公文版头), created when missing; an administrator's edits are kept."""
    for unit_name, mark, prefix, signature in DEMO_LETTERHEADS:
        unit = MemberUnit.objects.filter(Q(short_name=unit_name) | Q(name=unit_name)).order_by("pk").first()
        if unit is not None:
            Letterhead.objects.get_or_create(
                unit=unit, defaults={"issuer_mark": mark, "number_prefix": prefix, "signature": signature}
            )


def ensure_users(say: Callable[[str], None]) -> dict[str, User]:
    """Create the demo accounts that do not exist yet, each with a new password said once; keep the others."""
    ensure_units()
    people = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in DEMO_USERS])}
    for username, name, role, unit_short, liaison_role in DEMO_USERS:
        if username in people:
            continue
        unit = unit_named(unit_short) if unit_short else None
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
        capabilities = DEMO_CAPABILITIES.get(username, [])
        if capabilities:
            give_capabilities(people[username], capabilities)
        shown = "+".join([role, *(CAPABILITY_WORDS[c] for c in capabilities)])
        say(f"  {shown:<12} {username:<10} {password}   {name} {unit.name if unit else ''}")
    return people


def give_capabilities(user: User, names: list[str]) -> None:
    """Put a new demo account in its capability groups (made by ``ensure_roles`` after migrate)."""
    if Group.objects.filter(name__in=names).count() < len(names):
        ensure_roles()
    user.groups.add(*Group.objects.filter(name__in=names))
