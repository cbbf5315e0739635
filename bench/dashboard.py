"""The statistics: the dashboard for a year, five years and one region, and ``stats/summary/`` for a year.

Runs on the five-year datasets the other benchmark modules build (recommendations, meetings,
consultations, decisions, referrals), spread over the levels (``bench.tree``).
"""

from __future__ import annotations

from typing import Any

from bench.runner import Report, build_datasets, client_for, get_ok


def _rollups_current() -> None:
    """The generators write by COPY, each row noted by the triggers: a large backlog is recounted from nothing."""
    import time

    from stats import rollups
    from stats.models import RollupChange

    started = time.perf_counter()
    if RollupChange.objects.count() > 50_000:
        rollups.rebuild()
    elif not rollups.ensure_layout():
        rollups.flush()
    print(f"  rollups current in {time.perf_counter() - started:.0f} s")


def run(report: Report) -> None:
    from django.db import connection
    from django.utils import timezone

    from members.models import Region

    build_datasets()
    _rollups_current()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from django.test import override_settings

    office = client_for("bench-office")
    this_year = timezone.localdate().year
    region = Region.objects.get(name="兰州市").pk  # a 市州; ``bench.levels`` drills down further
    county = Region.objects.get(name="城关区").pk
    five = f"from={this_year - 4}-01-01&to={this_year}-12-31"
    year = f"from={this_year - 1}-01-01&to={this_year - 1}-12-31"
    pages = [
        ("dashboard, one year", f"/stats/?period=year&year={this_year - 1}", 100),
        ("dashboard, five years", f"/stats/?period=custom&{five}", 200),
        ("dashboard, five years, one region", f"/stats/?period=custom&{five}&region={region}", 200),
        ("dashboard, one year, one county", f"/stats/?period=year&year={this_year - 1}&region={county}", 100),
        ("API stats/summary/, one year", f"/api/v1/stats/summary/?{year}", 30),
        ("API stats/summary/, five years", f"/api/v1/stats/summary/?{five}", 60),
        ("API stats/summary/, one year, one region", f"/api/v1/stats/summary/?{year}&region={region}", 30),
    ]
    # Without any cache (issue 19): every request reads the rollups and counts the open records' day counts.
    with override_settings(FUYUAN_STATS_CACHE_SECONDS=0):
        for name, url, target_ms in pages:
            report.measure(f"{name}, no cache", get_ok(office, url), repeat=20, warmup=2, target_p95_ms=target_ms,
                           target_queries=20, note="rollups, no cache")  # fmt: skip
    _measure_rollups(report)


def _measure_rollups(report: Report) -> None:
    """What keeping the rollups costs: taking one changed referral or recommendation, and the nightly check's full
    recount."""
    import time

    from django.db.models import F

    from cases.models import JudicialRecommendation, Referral
    from stats import drift, rollups

    # A referral is counted in one source; a recommendation in three (issued, rectified, visited). The status is
    # written back as it was, as a save writes every column: the triggers note only columns the figures read.
    saved: list[tuple[str, Any]] = [("a referral", Referral), ("a recommendation", JudicialRecommendation)]
    for label, model in saved:
        ids = list(model.objects.order_by("-id").values_list("pk", flat=True)[:100])

        def one_change(model: Any = model, ids: list[int] = ids) -> None:
            model.objects.filter(pk=ids.pop()).update(status=F("status"))
            rollups.flush()

        report.measure(f"rollups: {label} saved, then the figures read", one_change, repeat=20, warmup=2,
                       target_p95_ms=50)  # fmt: skip
    started = time.perf_counter()
    found = drift.check(repair=False)
    print(f"  nightly check: {found.records:,} records recounted in {time.perf_counter() - started:.1f} s, "
          f"{found.drifted} rows drifted")  # fmt: skip
