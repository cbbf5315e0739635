from django.core.management.base import BaseCommand

from members import org_data
from members.models import MemberUnit, Region, WorkTask
from members.roles import ensure_roles


class Command(BaseCommand):
    help = "Create what is missing of the default organisation (units, courts, regions, ten tasks) and the roles."

    def handle(self, *args: object, **options: object) -> None:
        org_data.load(Region, MemberUnit, WorkTask)
        org_data.load_levels(Region, MemberUnit)
        ensure_roles()
        self.stdout.write(
            f"{MemberUnit.objects.filter(is_member_unit=True).count()} member units, "
            f"{MemberUnit.objects.filter(kind=MemberUnit.Kind.COURT).count()} courts, "
            f"{WorkTask.objects.count()} work tasks."
        )
