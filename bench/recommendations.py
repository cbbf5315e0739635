"""Judicial recommendations: 100,000 records between the courts and departments of every level (``bench.tree``).

Measures the alert scan when nothing is due (one index lookup; EXPLAIN is shown) and when 1,000
stages are due (turned into inbox notices), and the list page and API list at page 1 and 200,
with and without search. Run alone with ``python -m bench --only recommendations``.

The follow-through of issue 17 (``build_follow_through``): part of the replies do not adopt, the adopting ones
have a rectification deadline and are rectifying (most of them past it), rectified or visited (rectified, partly,
not rectified); some issued ones wait for approval or are approved; 2 % recur. Over it: the follow-through figures
(the one query of ``stats.figures.compute`` and the two new sources alone), the agency table, and the dashboard,
the API summary and the figures' lists without the cache.
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta

from django.db.models import Count

from bench.runner import Report, client_for, get_ok

TOTAL = 100_000
DUE = 1_000
BATCH = 5_000
PREFIX = "基准建议"
OPEN = ("issued", "acknowledged")


def build() -> None:
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from bench import foundation, tree
    from cases.models import JudicialRecommendation
    from members.models import Liaison, MemberUnit, User, WorkTask
    from members.roles import Role

    foundation.build()  # the units of every level and 10,000 users
    have = JudicialRecommendation.objects.filter(title__startswith=PREFIX).count()
    if have >= TOTAL:
        return
    started = time.perf_counter()
    rng = random.Random(20250303)
    courts = list(MemberUnit.objects.filter(kind=MemberUnit.Kind.COURT, name__endswith="人民法院").exclude(
        name__startswith="基准").order_by("order", "pk")[:15])  # fmt: skip
    places, parties = tree.pairs(5000, seed=20250303)  # court → department, spread over the levels
    addressees = sorted({p.dept for p in parties})
    tasks = list(WorkTask.objects.values_list("pk", flat=True))
    # One clerk per court and a liaison in each addressee unit that has none, so notices have people.
    clerk_group = Group.objects.get(name=Role.COURT_CLERK)
    for court in courts:
        clerk, created = User.objects.get_or_create(
            username=f"bench-clerk-{court.pk}", defaults={"name": f"基准法官{court.pk}", "unit": court, "password": "!"}
        )
        if created:
            clerk.groups.add(clerk_group)
    today = timezone.localdate()
    statuses = ["closed"] * 45 + ["replied"] * 25 + ["acknowledged"] * 20 + ["issued"] * 7 + ["withdrawn"] * 3
    now = timezone.now()
    with transaction.atomic():
        serial = have
        while serial < TOTAL:
            rows = []
            for _ in range(min(BATCH, TOTAL - serial)):
                serial += 1
                party = parties[serial % len(parties)]
                region_id, city_id = places.common(party.court, party.dept)
                issued_on = today - timedelta(days=rng.randint(20, 5 * 365))
                status = rng.choice(statuses)
                acknowledged = status != "issued" and status != "withdrawn"
                ack_at = timezone.make_aware(
                    datetime.combine(issued_on + timedelta(days=rng.randint(1, 6)), datetime.min.time())
                )
                reply_due = (issued_on + timedelta(days=70)) if acknowledged or status == "acknowledged" else None
                if status == "acknowledged":  # still open: due dates from last month to two months ahead
                    reply_due = today + timedelta(days=rng.randint(-30, 60))
                    issued_on = min(issued_on, reply_due - timedelta(days=60))
                rows.append(
                    JudicialRecommendation(
                        number=f"({issued_on.year})甘{party.court}法建字第{serial}号",
                        year=issued_on.year,
                        court_id=party.court,
                        case_number=f"({issued_on.year})甘{party.court}行初{serial}号",
                        addressee_id=party.dept,
                        region_id=region_id,
                        city_id=city_id,
                        category="other",
                        title=f"{PREFIX}{serial:06d} 关于规范行政执法的司法建议",
                        problem="问题",
                        recommendation="建议",
                        status=status,
                        issued_on=issued_on,
                        issued_at=timezone.make_aware(datetime.combine(issued_on, datetime.min.time())),
                        acknowledged_at=ack_at if acknowledged else None,
                        reply_due=reply_due,
                        replied_at=now if status in ("replied", "closed") else None,
                        reply_outcome="adopted" if status in ("replied", "closed") else "",
                        reply_content="已采纳" if status in ("replied", "closed") else "",
                        # Open records wait for a stage in the future; none is due now.
                        next_alert_at=now + timedelta(days=rng.randint(1, 30)) if status in OPEN else None,
                        created_at=now,
                    )
                )  # fmt: skip
            created = JudicialRecommendation.objects.bulk_create(rows)
            through = JudicialRecommendation.tasks.through
            through.objects.bulk_create(
                [through(judicialrecommendation_id=r.pk, worktask_id=tasks[r.pk % len(tasks)]) for r in created]
            )
    # A liaison for every addressee unit that has none (the foundation's users cover most).
    liaison_group = Group.objects.get(name=Role.LIAISON)
    covered = set(User.objects.filter(liaison__isnull=False).values_list("unit_id", flat=True))
    for unit_id in [u for u in addressees if u not in covered][:200]:
        user = User.objects.create(username=f"bench-liaison-{unit_id}", unit_id=unit_id, password="!")
        user.groups.add(liaison_group)
        Liaison.objects.create(user=user)
    print(f"    dataset: {TOTAL} recommendations built in {time.perf_counter() - started:.1f} s", flush=True)


def _arm_due(count: int) -> list[int]:
    """Make ``count`` acknowledged, overdue records due for their overdue stage now; clear old notices."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from cases.models import JudicialRecommendation
    from members.models import Notification

    today = timezone.localdate()
    ids = list(
        JudicialRecommendation.objects.filter(
            title__startswith=PREFIX, status="acknowledged", escalated_at__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    JudicialRecommendation.objects.filter(pk__in=ids).update(
        reply_due=today - timedelta(days=2), next_alert_at=timezone.now() - timedelta(minutes=1)
    )
    Notification.objects.filter(
        content_type=ContentType.objects.get_for_model(JudicialRecommendation), object_id__in=ids
    ).delete()
    return ids


def _disarm(ids: list[int]) -> None:
    from django.utils import timezone

    from cases.models import JudicialRecommendation

    JudicialRecommendation.objects.filter(pk__in=ids).update(
        reply_due=date.today() + timedelta(days=40), next_alert_at=timezone.now() + timedelta(days=20)
    )


def _vacuum() -> None:
    """What autovacuum does in production after bulk changes: the measured queries see a clean table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_judicialrecommendation")
        cursor.execute("VACUUM ANALYZE members_notification")


def run(report: Report) -> None:
    from django.utils import timezone

    from cases.models import JudicialRecommendation
    from cases.recommendations.alerts import recommendation_scan_alerts
    from members.models import Notification

    build()
    build_follow_through()
    # --- The scan: nothing due ----------------------------------------------------------------------
    JudicialRecommendation.objects.filter(next_alert_at__lte=timezone.now()).update(
        next_alert_at=timezone.now() + timedelta(days=10)
    )
    _vacuum()
    plan = JudicialRecommendation.objects.filter(next_alert_at__lte=timezone.now()).order_by().only("pk")[:1].explain()
    index_used = "recommendation_alert_due" in plan
    print("    EXPLAIN scan:", " | ".join(line.strip() for line in plan.splitlines()), flush=True)
    report.measure(
        "recommendations: alert scan, nothing due (100,000 rows)",
        recommendation_scan_alerts,
        repeat=50,
        target_p95_ms=5,
        target_queries=1,
        note="one index lookup on the partial index" if index_used else "NO INDEX SCAN",
    )
    # --- The scan: 1,000 due stages -----------------------------------------------------------------
    timings = []
    notices = 0
    for _ in range(3):
        ids = _arm_due(DUE)
        start = time.perf_counter()
        processed = recommendation_scan_alerts()
        timings.append((time.perf_counter() - start) * 1000)
        notices = Notification.objects.filter(object_id__in=ids, stage="overdue").count()
        assert processed >= len(ids), processed
        _disarm(ids)
        _vacuum()
    timings.sort()
    report.record(
        f"recommendations: alert scan, {DUE} due stages → notices",
        timings[len(timings) // 2],
        target_ms=10_000,
        note=f"median of 3; {notices} notices written per run",
    )
    # --- List page and API list ---------------------------------------------------------------------
    client = client_for("bench-office")
    total_pages = (JudicialRecommendation.objects.count() + 19) // 20
    assert total_pages >= 200, total_pages
    for label, url in [
        ("list page 1", "/recommendations/"),
        ("list page 200", "/recommendations/?page=200"),
        ("list page 200, sorted by due date", "/recommendations/?sort=reply_due&page=200"),
        ("list search '法建字第4242'", "/recommendations/?q=%E6%B3%95%E5%BB%BA%E5%AD%97%E7%AC%AC4242"),
        ("list filter overdue", "/recommendations/?overdue=true"),
        ("API list page 1", "/api/v1/recommendations/"),
        ("API list page 200", "/api/v1/recommendations/?page=200"),
        ("API search '法建字第4242'", "/api/v1/recommendations/?search=%E6%B3%95%E5%BB%BA%E5%AD%97%E7%AC%AC4242"),
    ]:
        report.measure(f"recommendations: {label}", get_ok(client, url), target_p95_ms=50, target_queries=10)
    liaison_unit = (
        JudicialRecommendation.objects.filter(title__startswith=PREFIX).values_list("addressee_id", flat=True).first()
    )
    from members.models import User

    liaison = User.objects.filter(unit_id=liaison_unit, liaison__isnull=False).first()
    if liaison is not None:
        report.measure(
            "recommendations: list page 1 as a liaison",
            get_ok(client_for(liaison.username), "/recommendations/"),
            target_p95_ms=50,
            target_queries=10,
        )
    _follow_through_figures(report)


def build_follow_through() -> None:
    """Issue 17's stages over the dataset, by the record's id (deterministic, once: none rectifying yet)."""
    from django.db import connection, transaction
    from django.db.models import F, Q, Value
    from django.db.models.functions import Greatest, Least, Mod
    from django.utils import timezone

    from cases.models import JudicialRecommendation

    mine = JudicialRecommendation.objects.filter(title__startswith=PREFIX)
    if mine.filter(status="rectifying").exists():
        return
    started = time.perf_counter()
    now, today = timezone.now(), timezone.localdate()
    with transaction.atomic():
        # Replies a month after issue (never in the future); the adopting ones due three months after the reply.
        replied = mine.filter(status__in=["replied", "closed"])
        replied.update(replied_at=Least(F("issued_at") + timedelta(days=30), Value(now)))
        by = replied.annotate(m=Mod("id", 20))
        by.filter(m__in=[0, 1]).update(reply_outcome="not_adopted", reply_reason="不具备实施条件")
        adopting = by.filter(m__gte=2, m__lte=10)
        adopting.update(rectification_due=F("replied_at__date") + timedelta(days=90))
        by.filter(m=2).update(status="rectifying", reply_outcome="partly_adopted")
        by.filter(m__in=[3, 4]).update(status="rectifying")  # past the deadline for all but the last months'
        by.filter(m__in=[5, 6]).update(status="rectified", rectified_at=F("replied_at") + timedelta(days=80))
        visited = by.filter(m__gte=7, m__lte=10)
        visited.update(
            status="visited",
            rectified_at=F("replied_at") + timedelta(days=80),
            visited_on=Greatest(
                Least(F("rectification_due") + timedelta(days=15), Value(today)), F("replied_at__date")
            ),
        )
        by.filter(m__in=[7, 8]).update(visit_result="rectified")
        by.filter(m=9).update(visit_result="not_rectified", visit_reported_at=Value(now))
        by.filter(m=10).update(visit_result="partly")
        # Drafts on their way: some of the issued ones are in fact awaiting approval, or approved.
        issued = mine.filter(status="issued").annotate(m=Mod("id", 7))
        draft = {"issued_on": None, "issued_at": None, "reply_due": None, "next_alert_at": None, "submitted_at": now}
        issued.filter(m=0).update(status="submitted", **draft)
        issued.filter(m=1).update(status="approved", approved_at=now, **draft)
        # Recurrences: every 50th issued record repeats the addressee's latest adopted one before it.
        through = JudicialRecommendation.recurrence_of.through._meta.db_table
        table = JudicialRecommendation._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {through} (from_judicialrecommendation_id, to_judicialrecommendation_id)
                SELECT r.id, e.id FROM {table} r
                JOIN LATERAL (SELECT e.id FROM {table} e WHERE e.addressee_id = r.addressee_id AND e.id < r.id
                  AND e.reply_outcome IN ('adopted', 'partly_adopted') ORDER BY e.id DESC LIMIT 1) e ON true
                WHERE r.title LIKE %s AND r.id %% 50 = 0 AND r.issued_on IS NOT NULL AND r.status <> 'withdrawn'""",
                [f"{PREFIX}%"],
            )  # nosec B608 - our own table names
    stages = dict(
        mine.filter(Q(status__in=["submitted", "approved", "rectifying", "rectified", "visited"]))
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    print(f"    follow-through stages: {stages} built in {time.perf_counter() - started:.1f} s", flush=True)


def follow_through_sizes() -> str:
    """The dataset the figures run over, in words (for the report's notes)."""
    from django.db.models import Q

    from cases.models import JudicialRecommendation

    mine = JudicialRecommendation.objects.filter(title__startswith=PREFIX)
    sizes = mine.aggregate(
        adopted=Count("pk", filter=Q(rectification_due__isnull=False)),
        rectifying=Count("pk", filter=Q(status="rectifying")),
        visited=Count("pk", filter=Q(visited_on__isnull=False)),
        recurring=Count("pk", filter=Q(recurrence_of__isnull=False), distinct=True),
    )
    return (
        f"{mine.count():,} recommendations; {sizes['adopted']:,} with a rectification deadline "
        f"({sizes['rectifying']:,} rectifying), {sizes['visited']:,} visited, {sizes['recurring']:,} recurring"
    )


def _follow_through_figures(report: Report) -> None:
    from django.test import override_settings
    from django.utils import timezone

    from cases.models import JudicialRecommendation
    from members.models import Region
    from stats.figures import compute, source_counts
    from stats.league import agency_table
    from stats.scope import Scope

    sizes = follow_through_sizes()
    print(f"    dataset: {sizes}", flush=True)
    this_year = timezone.localdate().year
    year = Scope(date(this_year - 1, 1, 1), date(this_year - 1, 12, 31))
    five = Scope(date(this_year - 4, 1, 1), date(this_year, 12, 31))
    city = Region.objects.get(name="兰州市").pk
    agency = (
        JudicialRecommendation.objects.filter(title__startswith=PREFIX, rectification_due__isnull=False)
        .values("addressee_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("addressee_id", flat=True)
        .first()
    )
    for name, fn, target in [
        ("every figure (compute), one year", lambda: compute(year), 500),
        ("every figure (compute), five years", lambda: compute(five), 1500),
        (
            "every figure (compute), five years, 兰州市",
            lambda: compute(Scope(five.start, five.end, city, level="city")),
            1500,
        ),
        (
            "every figure (compute), one year, one agency",
            lambda: compute(Scope(year.start, year.end, unit=agency)),
            500,
        ),
        ("rectification source alone, five years", lambda: source_counts("rectifications", five), 300),
        ("visit source alone, five years", lambda: source_counts("recommendation_visits", five), 300),
        ("agency table, one year", lambda: agency_table(year), 1000),
    ]:
        report.measure(f"follow-through figures: {name}", fn, repeat=10, warmup=1, target_p95_ms=target, note=sizes)
    office = client_for("bench-office")
    y = f"from={this_year - 1}-01-01&to={this_year - 1}-12-31"
    with override_settings(FUYUAN_STATS_CACHE_SECONDS=0):  # every request aggregates the records again
        for name, url in [
            ("dashboard, one year, no cache", f"/stats/?period=year&year={this_year - 1}"),
            ("API stats/summary/, one year, no cache", f"/api/v1/stats/summary/?{y}"),
        ]:
            report.measure(f"follow-through: {name}", get_ok(office, url), repeat=5, warmup=1, target_queries=15)
    for name, query in [
        ("list: rectified (the figure's link), five years", "rectification=rectified"),
        ("list: due for rectification, five years", "rectification=due"),
        ("list: recurrences, five years", "recurrence_issued=true"),
    ]:
        period = f"rectification_due_from={five.start}&rectification_due_to={five.end}"
        if "recurrence" in query:
            period = f"from={five.start}&to={five.end}"
        url = f"/recommendations/?{query}&{period}"
        report.measure(f"follow-through {name}", get_ok(office, url), target_p95_ms=100, target_queries=10)


if __name__ == "__main__":
    from bench.runner import setup_django

    setup_django()
    r = Report()
    print(Report.header())
    run(r)
