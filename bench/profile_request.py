"""Where one request's time goes: the referral list as the office user, rendered N times in-process.

``python -m bench.profile_request [--total 20000] [--unread 2000] [--repeat 200] [--url /referrals/all/]
[--with meetings] [--with plans] [--lists]`` builds (once) the foundation's 3,163 units and 10,000 users, ``--total``
referrals and ``--unread`` unread notices of the office user in ``DATABASE_URL`` (default ``fuyuan_bench``), and the
datasets of ``--with`` modules (``bench.meetings``, ``bench.plans``), then prints per request: total,
SQL (timed through ``connection.execute_wrapper``), Python (total - SQL), CPU (this thread's CPU time: what
the request costs whatever else the machine runs), queries and the page's size,
median and p95. The start-up objects are frozen out of the collector first (``gc.freeze()``), as in the
web and worker processes.

A ``--url`` may name its reader after an ``@`` (``/plans/items/@bench-plan-liaison-city``; default the province
office user). ``--lists`` profiles the list pages of ``LISTS`` (and builds what they need).
"""

from __future__ import annotations

import argparse
import gc
import logging
import statistics
import time
from typing import Any

from bench.runner import client_for, setup_django


def _seed_unread(username: str, count: int) -> None:
    from django.contrib.contenttypes.models import ContentType

    from members.models import Notification, User

    user = User.objects.get(username=username)
    have = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    if have >= count:
        return
    ct = ContentType.objects.get_for_model(User)
    Notification.objects.bulk_create(
        [
            Notification(recipient=user, event="bench", content_type=ct, object_id=i, stage="s", subject=f"基准通知{i}")
            for i in range(have, count)
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )


#: ``--lists``: every list page, as its benchmark's reader (``bench.meetings.OFFICE``, ``bench.plans.LIAISONS``).
LISTS = [
    "/referrals/all/",
    "/referrals/all/?page=500",
    "/recommendations/",
    "/meetings/@bench-meetings-office",
    "/decisions/@bench-meetings-office",
    "/consultations/@bench-meetings-office",
    "/plans/items/",
    "/plans/items/@bench-plan-liaison-city",
    "/plans/@bench-plan-liaison-city",
    "/plans/supervisions/",
    "/units/",
    "/inbox/",
]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def profile(url: str, *, username: str, repeat: int, warmup: int = 10) -> dict[str, Any]:
    from django.db import connection

    client = client_for(username)
    sql: list[float] = []

    def timer(execute: Any, query: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql.append(time.perf_counter() - started)

    totals: list[float] = []
    cpus: list[float] = []
    sqls: list[float] = []
    queries: list[int] = []
    size = 0
    with connection.execute_wrapper(timer):
        for i in range(warmup + repeat):
            sql.clear()
            started, cpu_started = time.perf_counter(), time.thread_time()
            response = client.get(url)
            took, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            if i >= warmup:
                totals.append(took * 1000)
                cpus.append(cpu * 1000)
                sqls.append(sum(sql) * 1000)
                queries.append(len(sql))
                size = len(response.content)
    python = [t - s for t, s in zip(totals, sqls, strict=True)]
    return {
        "url": url,
        "total": (statistics.median(totals), _percentile(totals, 0.95)),
        "sql": (statistics.median(sqls), _percentile(sqls, 0.95)),
        "python": (statistics.median(python), _percentile(python, 0.95)),
        "cpu": (statistics.median(cpus), _percentile(cpus, 0.95)),
        "queries": max(queries),
        "kb": size / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--total", type=int, default=20_000, help="referrals in the dataset (default 20,000)")
    parser.add_argument("--unread", type=int, default=2_000, help="unread notices of the office user")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--url", action="append", help="pages to profile (default: the referral 'all' list)")
    parser.add_argument("--with", dest="modules", action="append", default=[], choices=["meetings", "plans"])
    parser.add_argument("--lists", action="store_true", help="profile every list page of LISTS")
    args = parser.parse_args()
    urls = (args.url or []) + (LISTS if args.lists else [])
    modules = set(args.modules) | ({"meetings", "plans"} if args.lists else set())
    setup_django()
    logging.getLogger("axes").setLevel(logging.WARNING)  # a sign-in line per page otherwise
    from bench import foundation, meetings, plans, referrals

    referrals.TOTAL = args.total
    foundation.build()
    referrals.build()
    if "meetings" in modules:
        meetings.build()
    if "plans" in modules:
        plans.build()
    _seed_unread("bench-office", args.unread)
    gc.collect()
    gc.freeze()
    print(f"{'page':<46} {'total ms':>15} {'SQL ms':>13} {'Python ms':>13} {'CPU ms':>13} {'queries':>7} {'KB':>6}")
    print(f"{'':<46} {'median / p95':>15} {'median / p95':>13} {'median / p95':>13} {'median / p95':>13}")
    for spec in urls or ["/referrals/all/"]:
        url, _, username = spec.partition("@")
        row = profile(url, username=username or "bench-office", repeat=args.repeat)
        cells = [f"{row[k][0]:5.1f} / {row[k][1]:5.1f}" for k in ("total", "sql", "python", "cpu")]
        print(f"{spec:<46}", *(f"{c:>15}" if i == 0 else f"{c:>13}" for i, c in enumerate(cells)), end=" ")
        print(f"{row['queries']:>7} {row['kb']:6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
