"""Lists: every list page the load test opens, as its readers, against issue 19's list targets.

At the full scale (``--scale full``: 1,000,000 referrals, 100,000 recommendations, 100,000 consultations,
20,000 meetings, 50,000 decisions) each page must answer in at most 15 ms median and 30 ms p95, with its
p95 within twice its median (no collector or lock spikes), and the referral list's Python (the request's
time less its SQL) in at most 10 ms median. The readers are those of ``load.locustfile``: the province
office, the liaison of a provincial department and a court's clerk (the first of each, as
``load.prepare`` picks them).

The datasets are the other modules' (built when missing). Run alone with ``python -m bench --only lists``.
"""

from __future__ import annotations

from typing import Any

from bench.runner import Report, bench_user, build_datasets, client_for, get_ok

LIST_TARGET: dict[str, Any] = {
    "target_median_ms": 15,
    "target_p95_ms": 30,
    "max_spread": 2,
    "target_queries": 10,
    "repeat": 40,
    "warmup": 5,
}
OFFICE = "bench-office"
LIAISON = "bench-lists-liaison"
CLERK = "bench-lists-clerk"
#: (reader, page): the load's list pages and the API lists its users page through.
PAGES = [
    (OFFICE, "/referrals/all/"),
    (OFFICE, "/referrals/all/?page=500"),
    (OFFICE, "/recommendations/"),
    (OFFICE, "/recommendations/?status=issued&page=2"),
    (OFFICE, "/meetings/"),
    (OFFICE, "/decisions/"),
    (OFFICE, "/consultations/"),
    (LIAISON, "/referrals/inbox/"),
    (LIAISON, "/recommendations/"),
    (LIAISON, "/consultations/"),
    (LIAISON, "/api/v1/recommendations/?status=acknowledged"),
    (LIAISON, "/api/v1/referrals/?box=inbox&status=sent"),
    (CLERK, "/recommendations/"),
    (CLERK, "/referrals/sent/"),
]
PYTHON_TARGET_MS = 10


def _readers() -> None:
    """The load's liaison and clerk: a provincial department's and the first court's (``load.prepare``)."""
    from members.models import MemberUnit
    from members.roles import Role

    court = (
        MemberUnit.objects.filter(kind=MemberUnit.Kind.COURT, active=True)
        .exclude(name__startswith="基准")
        .order_by("order", "pk")
        .first()
    )
    dept = MemberUnit.objects.filter(kind="government", active=True, level="province").order_by("pk").first()
    bench_user(LIAISON, Role.LIAISON, dept.pk if dept else None, liaison_role="backup")
    bench_user(CLERK, Role.COURT_CLERK, court.pk if court else None)


def run(report: Report) -> None:
    from bench.profile_request import profile

    build_datasets()
    _readers()
    clients = {name: client_for(name) for name in (OFFICE, LIAISON, CLERK)}
    for reader, url in PAGES:
        report.measure(f"lists: {url} ({reader.removeprefix('bench-')})", get_ok(clients[reader], url), **LIST_TARGET)
    row = profile("/referrals/all/", username=OFFICE, repeat=100)
    median, p95 = row["python"]
    report.record(
        "lists: /referrals/all/ (office), Python per request",
        median,
        p95_ms=p95,
        target_median_ms=PYTHON_TARGET_MS,
        note=f"the request less its SQL ({row['sql'][0]:.1f} ms, {row['queries']} queries); CPU {row['cpu'][0]:.1f} ms",
    )
