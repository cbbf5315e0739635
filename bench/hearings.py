"""Hearings (issue 16, task 1): 200,000 administrative-case hearings across the courts and agencies of every level.

Each hearing is heard by a court (the High Court, a 中级人民法院 or a basic court) against a government unit of the
court's region or below, over the last five years and the next two months: past ones are mostly held (a
responsible person appearing about three times in four), some cancelled, a few still to record; future ones are
notified, answered or drafts, with the ``next_alert_at`` the services would have written. Rows carry their
``region``/``city`` stamps (``bench.tree.Places.common``) and task 1. Measured: the list page and the API list
at page 1 as the province office, the 兰州市 office, 兰州中院's clerk and a 城关区 agency's liaison (p95 ≤ 50 ms,
≤ 10 queries), the alert scan with nothing due, and the appearance rate for a year and a city (≤ 100 ms).
Run alone with ``python -m bench --only hearings``.
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from typing import Any

from bench.runner import Report, client_for, get_ok

PREFIX = "（基准）"
TOTAL = 200_000
BATCH = 5000
YEARS = 5
CLERK = "bench-hearing-clerk"
LIAISON = "bench-hearing-liaison"
APPEARED = [("head", 0.25), ("deputy", 0.5), ("staff", 0.2), ("none", 0.05)]


def _pairs(places: Any) -> list[tuple[int, list[int]]]:
    """Each court (not 人民法庭) with the government units of its region and, for a 市州 court, its counties."""
    govs: dict[int, list[int]] = {}
    for unit in places.units.values():
        if unit.kind == "government" and unit.region_id:
            govs.setdefault(unit.region_id, []).append(unit.pk)
    pairs = []
    for unit in places.units.values():
        if unit.kind != "court" or unit.court_level == "tribunal" or not unit.region_id:
            continue
        region = unit.region_id
        level = places.level_of_region[region]
        if level == "province":
            pool = govs.get(region, [])
        elif level == "city":
            pool = [u for r, us in govs.items() if places.city_of_region.get(r) == region for u in us]
        else:
            pool = govs.get(region, [])
        if pool:
            pairs.append((unit.pk, pool))
    return pairs


def _appeared(rnd: random.Random) -> str:
    r, acc = rnd.random(), 0.0
    for code, share in APPEARED:
        acc += share
        if r < acc:
            return code
    return "staff"


def _row(rnd: random.Random, court: int, defendant: int, n: int, places: Any, now: datetime) -> Any:
    from cases.hearings.models import Hearing

    at = now + timedelta(minutes=rnd.randint(-YEARS * 365 * 24 * 60, 60 * 24 * 60))
    at = at.replace(minute=(at.minute // 30) * 30, second=0, microsecond=0)
    region, city = places.common(court, defendant)
    h = Hearing(
        court_id=court,
        defendant_id=defendant,
        case_number=f"{PREFIX}({at.year})甘行初{n}号",
        hearing_at=at,
        place=f"第{rnd.randint(1, 9)}法庭",
        region_id=region,
        city_id=city,
        created_at=at - timedelta(days=30),
    )
    notified = at - timedelta(days=rnd.randint(10, 25))
    answered = notified + timedelta(days=rnd.randint(1, 5))
    r = rnd.random()
    if at <= now:
        if r < 0.05:
            h.status, h.cancelled_at = "cancelled", notified + timedelta(days=2)
            return h
        h.notified_at = notified
        h.answer_name, h.answer_post, h.answer_responsible, h.answered_at = "某某", "局长", True, answered
        if r < 0.07:
            h.status = "answered"  # to record
            return h
        h.status, h.appeared, h.appeared_name, h.recorded_at = "held", _appeared(rnd), "某某", at + timedelta(hours=3)
        if h.appeared not in Hearing.RESPONSIBLE and rnd.random() < 0.5:
            h.answer_responsible, h.answer_reason = False, "因公外出"
        elif h.appeared not in Hearing.RESPONSIBLE:
            h.reported_at = h.recorded_at
        return h
    if r < 0.2:
        return h  # a draft
    if notified > now:
        notified = now - timedelta(days=1)
    h.notified_at = notified
    if r < 0.6 and answered < now:
        h.status, h.answer_name, h.answer_post, h.answer_responsible, h.answered_at = (
            "answered", "某某", "副局长", True, answered,
        )  # fmt: skip
        return h
    h.status = "notified"
    from cases.hearings.alerts import stages_of
    from fuyuan.lib.alerts import next_alert_time

    h.next_alert_at = next_alert_time([s for s in stages_of(h) if s.at > now], now)
    return h


def build(*, total: int = TOTAL, seed: int = 16) -> int:
    """Build once (a database holding benchmark hearings is kept as it is). Returns the rows written."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bench import tree
    from cases.hearings.models import Hearing

    tree.build_units()
    _people()
    if Hearing.objects.filter(case_number__startswith=PREFIX).exists():
        return 0
    started = time.perf_counter()
    rnd = random.Random(seed)
    now = timezone.now()
    places = tree.Places.load()
    pairs = _pairs(places)
    with transaction.atomic():
        for start in range(0, total, BATCH):
            rows = []
            for n in range(start, min(total, start + BATCH)):
                court, pool = rnd.choice(pairs)
                rows.append(_row(rnd, court, rnd.choice(pool), n, places, now))
            Hearing.objects.bulk_create(rows, batch_size=BATCH)
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO cases_hearing_tasks (hearing_id, worktask_id) SELECT h.id, t.id FROM cases_hearing h, "
                "members_worktask t WHERE t.number = 1 AND h.case_number LIKE %s",
                [f"{PREFIX}%"],
            )
    _analyze()
    print(f"    dataset: {total:,} hearings over {len(pairs)} courts built in {time.perf_counter() - started:.1f} s")
    return total


def _people() -> None:
    """兰州中院's clerk and a liaison of the 城关区 agency with the most hearings (made once)."""
    from django.contrib.auth.models import Group

    from bench import levels
    from members.models import Liaison, MemberUnit, User
    from members.roles import Role

    levels.ensure_offices()
    court = MemberUnit.objects.filter(kind="court", court_level="intermediate", region__name=levels.CITY).earliest("pk")
    agency = MemberUnit.objects.filter(
        kind="government", region__name=levels.COUNTY, region__parent__name=levels.CITY
    ).earliest("pk")
    for username, role, unit in [(CLERK, Role.COURT_CLERK, court), (LIAISON, Role.LIAISON, agency)]:
        user, created = User.objects.get_or_create(
            username=username, defaults={"name": username, "unit": unit, "password": "!"}
        )
        if created:
            user.groups.add(Group.objects.get(name=role))
            if role == Role.LIAISON:
                Liaison.objects.get_or_create(user=user)


def _analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE cases_hearing")
            cur.execute("VACUUM ANALYZE cases_hearing_tasks")


def _rate(region: Any, year: int) -> dict[str, Any]:
    from stats.figures import FIGURES_BY_KEY, source_counts
    from stats.scope import Scope

    counts = source_counts("hearings", Scope(date(year, 1, 1), date(year, 12, 31), region.pk if region else None))
    return FIGURES_BY_KEY["agency_head_appearance_rate"].result(counts)


def run(report: Report) -> None:
    from django.utils import timezone

    from bench import foundation, levels
    from cases.hearings.alerts import scan_alerts
    from cases.hearings.models import Hearing
    from members.models import Region

    foundation.build()
    build()
    print(f"    sizes: {Hearing.objects.count():,} hearings", flush=True)
    scan_alerts()  # catch up whatever came due since the dataset was built
    report.measure("hearings: alert scan, nothing due", scan_alerts, repeat=50, target_p95_ms=5, target_queries=1)
    lists = {"target_p95_ms": 50, "target_queries": 10}
    for label, username in [
        ("province office", "bench-office"),
        ("city office", levels.OFFICES["city"][0]),
        ("county office", levels.OFFICES["county"][0]),
        ("兰州中院 clerk", CLERK),
        ("城关区 liaison", LIAISON),
    ]:
        client = client_for(username)
        report.measure(f"hearings: list page 1, {label}", get_ok(client, "/hearings/"), **lists)
        report.measure(f"hearings: API hearings/ page 1, {label}", get_ok(client, "/api/v1/hearings/"), **lists)
    year = timezone.localdate().year - 1
    city = Region.objects.get(name=levels.CITY)
    shown = _rate(city, year)
    report.measure(
        f"hearings: appearance rate, {year}, {levels.CITY}",
        lambda: _rate(city, year),
        repeat=20,
        target_p95_ms=100,
        target_queries=1,
        note=f"{shown['numerator']:,}/{shown['denominator']:,} = {shown['rate']}%",
    )
    report.measure(
        f"hearings: appearance rate, {year}, province",
        lambda: _rate(None, year),
        repeat=20,
        target_p95_ms=100,
        target_queries=1,
    )
