"""`manage.py recommendation_bulletins --year 2026 --quarter 3`: generate a past quarter's 通报 by hand.

The same service as the quarterly task (``cases.recommendations.bulletins.generate_bulletins``): a supervisor's
existing bulletin stays as it was sent, and nothing is sent twice. Asks for confirmation unless ``--yes``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.recommendations.bulletins import collect, generate_bulletins, previous_quarter, quarter_bounds


class Command(BaseCommand):
    help = "Generate (and send, once) the quarterly bulletins of judicial recommendations of a past quarter."

    def add_arguments(self, parser: Any) -> None:
        year, quarter = previous_quarter(timezone.localdate())
        parser.add_argument("--year", type=int, default=year, help=f"year (default {year})")
        parser.add_argument("--quarter", type=int, default=quarter, help=f"quarter 1-4 (default {quarter})")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        year, quarter = options["year"], options["quarter"]
        if quarter not in (1, 2, 3, 4):
            raise CommandError("--quarter must be 1, 2, 3 or 4.")
        start, end = quarter_bounds(year, quarter)
        supervisors = len(collect(start, end)) if end < timezone.localdate() else 0
        if not options["yes"]:
            question = (
                f"Generate the bulletins of {year} Q{quarter} ({start} to {end}) for {supervisors} supervising "
                "authorities and notify their liaisons and offices? [y/N] "
            )
            if input(question).strip().lower() not in ("y", "yes"):
                self.stdout.write("Nothing done.")
                return
        try:
            result = generate_bulletins(year=year, quarter=quarter)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{year} Q{quarter}: {len(result.bulletins)} bulletins ({result.created} new), {result.sent} sent now."
            )
        )
