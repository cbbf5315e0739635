"""Legal opinions (issue 16 item 2): 50,000 咨询意见 over three years and every level, and their lists.

Requests between a department and a court of its level (``bench.tree.pairs``: 60 % county, 28 % 市州, 12 %
province), a tenth offered by the court; of those due, nine in ten answered (a fifth of them late), the rest
overdue; a few withdrawn; the most recent still waiting. Every row carries the ``region``/``city`` stamps and
the ``next_alert_at`` the services would have written (the stages already past taken as sent).

Measured (target p95 ≤ 50 ms, ≤ 10 queries): the list page (page 1, a deep page, a search, the overdue filter)
and the API list, as the provincial office, a 市州 office, a 县市区 office, a court clerk and a liaison; the
scan with nothing due. Run alone with ``python -m bench --only opinions``.
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

from bench.runner import Report, client_for, deep_page, get_ok

TOTAL = 50_000
PREFIX = "[基准]"
SUBJECTS = ["征收补偿标准适用", "行政处罚裁量基准", "政府信息公开范围", "招商引资协议效力", "国有资产处置程序",
            "行政协议解除", "规范性文件备案审查", "重大项目土地出让"]  # fmt: skip
CLERK, LIAISON = "bench-opinion-clerk", "bench-opinion-liaison"
TARGET = {"target_p95_ms": 50, "target_queries": 10, "repeat": 20}


def _next_alert(due: date, now: datetime) -> datetime | None:
    from cases.opinions.alerts import at_hour, due_soon_days, escalate_days

    stages = [due - timedelta(days=due_soon_days()), due + timedelta(days=1), due + timedelta(days=escalate_days())]
    return min((t for t in (at_hour(d) for d in stages) if t > now), default=None)


def _row(rnd: random.Random, places: Any, pair: Any, i: int, today: date, now: datetime) -> Any:
    from cases.opinions.alerts import at_hour
    from cases.opinions.models import Opinion

    asked = today - timedelta(days=rnd.randint(0, 3 * 365))
    due = asked + timedelta(days=21)
    region, city = places.common(pair.dept, pair.court)
    kind = rnd.choice(Opinion.Kind.values)
    row = Opinion(
        requester_id=pair.dept,
        court_id=pair.court,
        kind=kind,
        offered=rnd.random() < 0.1,
        subject=f"{PREFIX}关于{rnd.choice(SUBJECTS)}的咨询(第{i:05d}号)",
        question="请就所涉法律适用问题提出意见。",
        document_title="某某管理办法(草案)" if kind == Opinion.Kind.NORMATIVE_DOCUMENT else "",
        due=due,
        requested_at=min(at_hour(asked, clock(10, 0)), now - timedelta(hours=2)),
        requested_on=asked,
        region_id=region,
        city_id=city,
    )
    roll = rnd.random()
    if roll < 0.02:
        row.status, row.withdrawn_at = Opinion.Status.WITHDRAWN, min(row.requested_at + timedelta(days=2), now)
    elif (due < today and roll < 0.92) or (due >= today and roll < 0.3):
        late = rnd.random() < 0.2
        day = due + timedelta(days=rnd.randint(1, 20)) if late else asked + timedelta(days=rnd.randint(1, 20))
        row.status, row.answer = Opinion.Status.ANSWERED, "经研究,提出如下意见。"
        row.answered_at = min(at_hour(min(day, today)), now - timedelta(hours=1))
    else:
        row.next_alert_at = _next_alert(due, now)
    return row


def build(total: int = TOTAL, *, seed: int = 16) -> int:
    from django.db import transaction
    from django.utils import timezone

    from bench import foundation, tree
    from bench.levels import ensure_offices
    from cases.opinions.models import Opinion

    foundation.build()
    ensure_offices()
    have = Opinion.objects.filter(subject__startswith=PREFIX).count()
    if have < total:
        started = time.perf_counter()
        places, pairs = tree.pairs(total - have, seed=seed + have)
        rnd, now = random.Random(seed), timezone.now()
        today = timezone.localdate(now)
        with transaction.atomic():
            batch = [_row(rnd, places, pair, have + i, today, now) for i, pair in enumerate(pairs)]
            Opinion.objects.bulk_create(batch, batch_size=5000)
        print(f"    dataset: {total - have:,} opinions in {time.perf_counter() - started:.1f} s", flush=True)
    _people()
    return Opinion.objects.count()


def _people() -> None:
    """A clerk of the busiest court and a liaison of the busiest requester."""
    from django.contrib.auth.models import Group
    from django.db.models import Count

    from cases.opinions.models import Opinion
    from members.models import Liaison, User
    from members.roles import Role

    for username, field, role in ((CLERK, "court", Role.COURT_CLERK), (LIAISON, "requester", Role.LIAISON)):
        if User.objects.filter(username=username).exists():
            continue
        busiest = Opinion.objects.values(field).annotate(n=Count("id")).order_by("-n").first()
        assert busiest is not None
        user = User.objects.create(username=username, name=username, unit_id=busiest[field], password="!")
        user.groups.add(Group.objects.get(name=role))
        if role == Role.LIAISON:
            Liaison.objects.create(user=user, role="primary")


def run(report: Report) -> None:
    from django.db import connection

    from bench.levels import OFFICES
    from cases.opinions.alerts import scan_alerts

    total = build()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_opinion")
    users = {
        "province office": "bench-office",
        "city office": OFFICES["city"][0],
        "county office": OFFICES["county"][0],
        "court clerk": CLERK,
        "liaison": LIAISON,
    }
    for label, username in users.items():
        client = client_for(username)
        count = client.get("/api/v1/opinions/").json()["count"]
        deep = deep_page(client, "/api/v1/opinions/", at_most=200)
        name = f"opinions: {label}"
        report.measure(f"{name} page 1", get_ok(client, "/opinions/"), note=f"{count:,} of {total:,}", **TARGET)
        report.measure(f"{name} page {deep}", get_ok(client, f"/opinions/?page={deep}"), **TARGET)
        report.measure(f"{name} search", get_ok(client, "/opinions/?q=行政协议"), **TARGET)
        report.measure(f"{name} overdue", get_ok(client, "/opinions/?overdue=1&sort=due"), **TARGET)
        report.measure(f"{name} API page 1", get_ok(client, "/api/v1/opinions/"), **TARGET)
        report.measure(f"{name} API page {deep}", get_ok(client, f"/api/v1/opinions/?page={deep}"), **TARGET)
    started = time.perf_counter()
    caught_up = scan_alerts()
    report.record("opinions: catch-up scan", (time.perf_counter() - started) * 1000, note=f"{caught_up} rows")
    report.measure("opinions: scan, nothing due", scan_alerts, repeat=20, target_p95_ms=5, target_queries=1)
