"""Alert fan-out (issue 19): the referral scan over 1,000 due referrals, and every app's nothing-due scan.

A small dataset of its own, on whatever database it is given (the migrations' organisation is enough):
``UNITS`` receiving units with two liaisons each (primary and backup), one court with a clerk, office
staff in a few regions, and ``DUE`` referrals acknowledged, past their due date: the overdue stage goes to
the receiver's liaisons, the sending court's clerk and the office of the referral's level. Each timed scan
runs inside a transaction that is rolled back, so every run finds the same 1,000 due rows (no email is
queued: the rollback drops the on-commit callbacks). Run alone with ``python -m bench --only alerts``.
Targets: 1,000 due referrals ≤ 1.5 s; every nothing-due scan 1 query.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bench.runner import Report

DUE = 1000
UNITS = 50
RUNS = 5
PREFIX = "alertbench"


def build() -> Any:
    """The court, its clerk, the units and their liaisons, the office; one referral sent through the services."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from cases.referrals import services
    from cases.referrals.models import Referral, ReferralKind
    from members.models import Liaison, MemberUnit, User
    from members.roles import Role

    def person(username: str, unit: Any, role: str) -> Any:
        user, created = User.objects.get_or_create(
            username=username, defaults={"name": username, "unit": unit, "email": "", "password": "!"}
        )
        if created:
            user.groups.add(Group.objects.get(name=role))
            if role == Role.LIAISON:
                Liaison.objects.get_or_create(user=user)
        return user

    court = MemberUnit.objects.filter(kind=MemberUnit.Kind.COURT, region__isnull=False).order_by("pk").first()
    units = list(
        MemberUnit.objects.exclude(kind=MemberUnit.Kind.COURT).filter(region__isnull=False).order_by("pk")[:UNITS]
    )
    assert court is not None and units, "the organisation of the migrations is missing"
    clerk = person(f"{PREFIX}_clerk", court, Role.COURT_CLERK)
    for unit in units:
        person(f"{PREFIX}_l{unit.pk}a", unit, Role.LIAISON)
        person(f"{PREFIX}_l{unit.pk}b", unit, Role.LIAISON)
    for i, region_id in enumerate({u.region_id for u in [court, *units] if u.region_id is not None}):
        office_unit = MemberUnit.objects.filter(region_id=region_id).order_by("pk").first()
        person(f"{PREFIX}_office{i}", office_unit, Role.OFFICE)
    first = Referral.objects.filter(case_number__startswith=PREFIX).order_by("pk").first()
    if first is None:
        draft = services.referral_create(
            by=clerk,
            kind=ReferralKind.objects.get(code="mediation"),
            receiver=units[0],
            case_number=f"{PREFIX}-0",
            subject="买卖合同纠纷",
            parties=[{"role": "applicant", "name": "张三丰", "id_number": "", "phone": ""}],
        )
        first = services.referral_send(referral=draft, by=clerk)
    have = Referral.objects.filter(case_number__startswith=PREFIX).count()
    yesterday = timezone.localdate() - timedelta(days=1)
    clones = []
    for i in range(have, DUE):
        clone = Referral.objects.get(pk=first.pk)
        clone.pk = None
        clone.case_number, clone.receiver = f"{PREFIX}-{i}", units[i % len(units)]
        clones.append(clone)
    Referral.objects.bulk_create(clones)
    Referral.objects.filter(case_number__startswith=PREFIX).update(
        status=Referral.Status.ACKNOWLEDGED, acknowledged_at=timezone.now() - timedelta(days=3), due=yesterday
    )
    return Referral.objects.filter(case_number__startswith=PREFIX)


def _due_scan(rows: Any) -> tuple[float, int, int, int]:
    """Arm the rows (overdue since a minute), scan, roll it all back: (ms, rows, notices written, queries)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cases.referrals.alerts import referral_scan_alerts
    from members.models import Notification

    result: dict[str, Any] = {}
    with transaction.atomic():
        rows.update(next_alert_at=timezone.now() - timedelta(minutes=1))
        before = Notification.objects.count()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            result["rows"] = referral_scan_alerts()
            result["ms"] = (time.perf_counter() - started) * 1000
        result["notices"] = Notification.objects.count() - before
        transaction.set_rollback(True)
    return result["ms"], result["rows"], result["notices"], len(ctx.captured_queries)


def nothing_due_scans() -> dict[str, Callable[[], Any]]:
    from cases.hearings.alerts import scan_alerts as hearings
    from cases.opinions.alerts import scan_alerts as opinions
    from cases.recommendations.alerts import recommendation_scan_alerts
    from cases.referrals.alerts import referral_scan_alerts
    from meetings.meetings.reminders import scan_reminders
    from plans.alerts import scan_alerts as plans

    return {
        "referrals": referral_scan_alerts,
        "recommendations": recommendation_scan_alerts,
        "opinions": opinions,
        "hearings": hearings,
        "plans (items + 督办)": plans,
        "meetings (meetings + decisions)": scan_reminders,
    }


def run(report: Report) -> None:
    from bench.runner import Row
    from fuyuan.lib import memory

    rows = build()
    for name, scan in nothing_due_scans().items():
        scan()  # catch up whatever is due in this database, so that "nothing due" is true
        report.measure(f"alerts: {name} scan, nothing due", scan, repeat=20, target_queries=1)
    # As each Celery worker process at its start (fuyuan/celery.py): the URL patterns loaded (the notices' links
    # reverse them), then the start-up objects frozen; otherwise the first scan pays for importing every view.
    memory.freeze(warm=True)
    runs = [_due_scan(rows) for _ in range(RUNS)]
    times = sorted(ms for ms, *_rest in runs)
    _ms, processed, notices, queries = runs[-1]
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    note = f"{processed} rows, {notices} notices"
    row = Row(f"alerts: referral scan, {DUE:,} due → notices", statistics.median(times), p95, queries, 1500, None, note)
    report.rows.append(row)
    print(report.format_row(row), flush=True)
    print(f"    {note}; runs (ms): {', '.join(f'{t:.0f}' for t in times)}", flush=True)
