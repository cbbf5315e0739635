"""Demo accounts, one per role: created only when the platform has no user at all."""

from django.core.management.base import BaseCommand

from members import demo
from members.models import User


class Command(BaseCommand):
    help = "Create one demo account per role and print their passwords once (only when no user exists)."

    def handle(self, *args: object, **options: object) -> None:
        if User.objects.exists():
            self.stdout.write("Users exist already: no demo account created.")
            return
        self.stdout.write(self.style.WARNING("Demo accounts (shown this once; change them before real use):"))
        demo.ensure_users(self.stdout.write)
