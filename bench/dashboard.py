"""The statistics: the dashboard for a year, five years and one region, and ``stats/summary/`` for a year.

Runs on the five-year datasets the other benchmark modules build (meetings, consultations,
decisions, one million referrals); recommendations are added here when no module built any.
"""

from __future__ import annotations

import importlib
import time
from datetime import date, timedelta

from bench.runner import Report, client_for, get_ok

RECOMMENDATIONS = 12_000  # five years; the transcript counts 200+ a year for the province's top courts alone


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


def _build_recommendations() -> None:
    from django.db import transaction
    from django.utils import timezone

    from cases.models import JudicialRecommendation
    from members.models import MemberUnit, WorkTask

    if JudicialRecommendation.objects.exists():
        return
    started = time.perf_counter()
    courts = list(MemberUnit.objects.filter(kind="court").values_list("pk", flat=True))
    agencies = list(MemberUnit.objects.filter(kind="government").values_list("pk", flat=True)[:400])
    tasks = list(WorkTask.objects.values_list("pk", flat=True))
    today = timezone.localdate()
    first = date(today.year - 5, 1, 1)
    span = (today - first).days
    rows = []
    for i in range(RECOMMENDATIONS):
        issued = first + timedelta(days=(i * 7919) % span)
        due = issued + timedelta(days=60)
        replied = i % 5 != 0 and due < today + timedelta(days=30)
        reply_day = issued + timedelta(days=20 + (i * 13) % 60)
        status = "closed" if replied and i % 3 == 0 else ("replied" if replied else "acknowledged")
        rows.append(
            JudicialRecommendation(
                number=f"(基准{issued.year})建{i}号",
                year=issued.year,
                court_id=courts[i % len(courts)],
                addressee_id=agencies[(i * 31) % len(agencies)],
                title=f"[基准]司法建议{i}",
                status=status,
                issued_on=issued,
                issued_at=timezone.make_aware(timezone.datetime.combine(issued, timezone.datetime.min.time())),
                acknowledged_at=timezone.make_aware(timezone.datetime.combine(issued, timezone.datetime.min.time())),
                reply_due=due,
                replied_at=(
                    timezone.make_aware(timezone.datetime.combine(reply_day, timezone.datetime.min.time()))
                    if replied
                    else None
                ),
                reply_outcome="adopted" if replied else "",
            )
        )
    with transaction.atomic():
        created = JudicialRecommendation.objects.bulk_create(rows, batch_size=2000)
        through = JudicialRecommendation.tasks.through
        through.objects.bulk_create(
            [through(judicialrecommendation_id=r.pk, worktask_id=tasks[i % len(tasks)]) for i, r in enumerate(created)],
            batch_size=5000,
        )
    print(f"    dataset: {RECOMMENDATIONS} recommendations in {time.perf_counter() - started:.1f} s", flush=True)


def run(report: Report) -> None:
    from django.db import connection
    from django.utils import timezone

    from members.models import Region

    _build_others()
    _build_recommendations()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from django.test import override_settings

    office = client_for("bench-office")
    this_year = timezone.localdate().year
    region = Region.objects.order_by("order", "id").values_list("pk", flat=True).first()
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
