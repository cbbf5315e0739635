"""``manage.py load_demo``: the demo accounts of every role and a small demo dataset (``make run DEMO=1``).

Idempotent: accounts that exist are kept (their passwords are not reset); the dataset is loaded once.
The dataset comes from the loaders named in ``settings.FUYUAN_DEMO_LOADERS`` (the project's wiring,
``fuyuan/demo.py``), because this app knows no domain.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from members import demo


class Command(BaseCommand):
    help = "Create the missing demo accounts (passwords printed once) and load the demo dataset once."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            people = demo.ensure_users(self.stdout.write)
            for path in settings.FUYUAN_DEMO_LOADERS:
                self.stdout.write(import_string(path)(people))
