"""The statistics: the dashboard for a year, five years and one region, and ``stats/summary/`` for a year.

Runs on the five-year datasets the other benchmark modules build (recommendations, meetings,
consultations, decisions, referrals), spread over the levels (``bench.tree``).
"""

from __future__ import annotations

import importlib

from bench.runner import Report, client_for, get_ok


def _build_others() -> None:
    for name in ("foundation", "recommendations", "meetings", "referrals"):
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bench.{name}":
                continue
            raise
        build = getattr(module, "build", None)
        if callable(build):
            build()


def run(report: Report) -> None:
    from django.db import connection
    from django.utils import timezone

    from members.models import Region

    _build_others()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from django.test import override_settings

    office = client_for("bench-office")
    this_year = timezone.localdate().year
    region = Region.objects.get(name="兰州市").pk  # a 市州; ``bench.levels`` drills down further
    five = f"from={this_year - 4}-01-01&to={this_year}-12-31"
    year = f"from={this_year - 1}-01-01&to={this_year - 1}-12-31"
    pages = [
        ("dashboard, one year", f"/stats/?period=year&year={this_year - 1}", 200),
        ("dashboard, five years", f"/stats/?period=custom&{five}", 200),
        ("dashboard, five years, one region", f"/stats/?period=custom&{five}&region={region}", 200),
        ("API stats/summary/, one year", f"/api/v1/stats/summary/?{year}", 100),
        ("API stats/summary/, five years", f"/api/v1/stats/summary/?{five}", 100),
        ("API stats/summary/, one year, one region", f"/api/v1/stats/summary/?{year}&region={region}", 100),
    ]
    for name, url, target_ms in pages:
        report.measure(name, get_ok(office, url), repeat=20, target_p95_ms=target_ms, target_queries=15,
                       note="live figures cached ≤ 300 s, keyed by the data version")  # fmt: skip
    # The same without the cache: every request aggregates the records again.
    with override_settings(FUYUAN_STATS_CACHE_SECONDS=0):
        for name, url, _target in pages:
            report.measure(f"{name}, no cache", get_ok(office, url), repeat=5, warmup=1, target_queries=15)
