"""Demo accounts, one per role: created only when the platform has no user at all."""

import secrets

from django.core.management.base import BaseCommand

from members import services
from members.models import Liaison, MemberUnit, User
from members.roles import Role

# username, name, role, unit short name, liaison role
DEMO = [
    ("office1", "王办公", Role.OFFICE, "省司法厅", None),
    ("liaison1", "李联络", Role.LIAISON, "省生态环境厅", Liaison.Role.PRIMARY),
    ("liaison2", "赵备岗", Role.LIAISON, "省生态环境厅", Liaison.Role.BACKUP),
    ("liaison3", "周联络", Role.LIAISON, "省市场监管局", Liaison.Role.PRIMARY),
    ("clerk1", "陈书记员", Role.COURT_CLERK, "省高级人民法院", None),
    ("clerk2", "刘书记员", Role.COURT_CLERK, "兰州中院", None),
    ("leader1", "张领导", Role.LEADER, None, None),
    ("admin1", "系统管理员", Role.ADMIN, "省司法厅", None),
]


class Command(BaseCommand):
    help = "Create one demo account per role and print their passwords once (only when no user exists)."

    def handle(self, *args: object, **options: object) -> None:
        if User.objects.exists():
            self.stdout.write("Users exist already: no demo account created.")
            return
        self.stdout.write(self.style.WARNING("Demo accounts (shown this once; change them before real use):"))
        for username, name, role, unit_short, liaison_role in DEMO:
            unit = MemberUnit.objects.get(short_name=unit_short) if unit_short else None
            password = secrets.token_urlsafe(9)
            services.user_save(
                username=username,
                name=name,
                email=f"{username}@example.gov.cn",
                unit=unit,
                roles=[role],
                liaison_role=liaison_role,
                password=password,
            )
            self.stdout.write(f"  {role:<12} {username:<10} {password}   {name} {unit.name if unit else ''}")
