"""``manage.py stats_rollups flush|check|rebuild``: the figures' rollups by hand (stats.rollups).

- ``flush``: take the changes saved since the last run (Celery beat does it every minute);
- ``check``: recount from the records, compare, repair and record the result (nightly at 02:30);
  ``--no-repair`` only reports;
- ``rebuild``: count every record again from nothing (after restoring a backup, say).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stats import drift, rollups


class Command(BaseCommand):
    help = "Bring the figures' rollups up to date, check them against the records, or rebuild them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["flush", "check", "rebuild"])
        parser.add_argument("--no-repair", action="store_true", help="check: report a drift, do not repair it")

    def handle(self, *args: Any, action: str, no_repair: bool = False, **options: Any) -> None:
        started = time.perf_counter()
        if action == "flush":
            self.stdout.write(f"{rollups.flush()} records recounted")
        elif action == "rebuild":
            rollups.rebuild()
            self.stdout.write("rollups rebuilt")
        else:
            found = drift.check(repair=not no_repair)
            self.stdout.write(f"{found.records} records checked, {found.drifted} rows drifted {found.sources}".strip())
        self.stdout.write(f"{time.perf_counter() - started:.1f} s")
