"""Enforcement results (issue 16, task 7): measures on the enforcement inquiries of the referral dataset and
20,000 enforcement cases concluded through linkage.

On top of ``bench.referrals`` (200,000 referrals; 1,000,000 with ``--scale full``): every concluded enforcement
inquiry that found assets gets one to three measures (查询/冻结/扣划/查封) with amounts in yuan, in one
``INSERT … SELECT``. 20,000 enforcement cases are spread over every court of the province over five years, with
their amounts recovered and paid (exact decimals), a partner unit, task 7 and the ``region``/``city`` stamps of
their court. Measured: the list (office of the province and of a 市州, a court's clerk, a deep page, the API)
and the amounts of a year and a 市州 (``stats.figures.source_counts``: one aggregate each). Run alone with
``python -m bench --only enforcement``.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from bench.runner import Report, client_for, deep_page, get_ok

CASES = 20_000
NOTE = "[基准]"
OFFICE_CITY = "bench-enf-city"
CLERK = "bench-enf-clerk"


def _users() -> dict[str, Any]:
    from django.contrib.auth.models import Group
    from django.db.models import Count

    from cases.enforcement.models import EnforcementCase
    from members.models import MemberUnit, User
    from members.roles import Role

    city_office = MemberUnit.objects.filter(hosts_office=True, region__code="620100").first()
    busiest = (
        EnforcementCase.objects.values("court_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("court_id", flat=True)
    ).first()
    for username, role, unit in ((OFFICE_CITY, Role.OFFICE, city_office), (CLERK, Role.COURT_CLERK, busiest)):
        unit_id = unit.pk if isinstance(unit, MemberUnit) else unit
        user, created = User.objects.get_or_create(username=username, defaults={"name": username, "unit_id": unit_id})
        if created:
            user.set_unusable_password()
            user.save()
            user.groups.add(Group.objects.get(name=role))
        elif user.unit_id != unit_id:
            User.objects.filter(pk=user.pk).update(unit_id=unit_id)
    return {"city_office": city_office}


def _measures(cur: Any) -> int:
    """Measures for every concluded enforcement inquiry of the dataset that found assets (one to three each); the
    referrals added since the last run get theirs."""
    cur.execute(
        """INSERT INTO cases_enforcementmeasure (referral_id, measure, asset, amount, note)
           SELECT r.id, (ARRAY['query','freeze','deduct','seal'])[1 + (r.id + n) %% 4],
                  (ARRAY['银行存款','不动产','车辆','股权','理财产品'])[1 + (r.id * 7 + n) %% 5],
                  ((r.id * 7919 + n * 104729) %% 50000000)::numeric / 100, ''
           FROM cases_referral r
           JOIN cases_referralkind k ON k.id = r.kind_id AND k.code = 'enforcement_inquiry'
           CROSS JOIN generate_series(0, 2) AS n
           WHERE r.case_number LIKE 'B-%%' AND r.status = 'concluded' AND r.outcome = 'found' AND n <= r.id %% 3
             AND r.id > (SELECT coalesce(max(referral_id), 0) FROM cases_enforcementmeasure)""",
        {},
    )
    return cur.rowcount


def _cases(cur: Any) -> int:
    """20,000 cases over every court, five years back from today, with their court's region and city."""
    from cases.enforcement.models import EnforcementCase

    have = EnforcementCase.objects.filter(note=NOTE).count()
    if have >= CASES:
        return 0
    cur.execute(
        """SELECT u.id, u.region_id, g.city_id FROM members_memberunit u JOIN members_region g ON g.id = u.region_id
           WHERE u.kind = 'court' ORDER BY u.id"""
    )
    courts = cur.fetchall()
    cur.execute("SELECT id FROM members_memberunit WHERE kind = 'government' AND active ORDER BY id LIMIT 500")
    partners = [row[0] for row in cur.fetchall()]
    params = {
        "first": have + 1,
        "total": CASES,
        "court": [c[0] for c in courts],
        "region": [c[1] for c in courts],
        "city": [c[2] for c in courts],
        "n": len(courts),
        "today": date.today(),
        "note": NOTE,
    }
    cur.execute(
        """WITH g AS (SELECT s, 1 + (s * 31) %% %(n)s AS c, %(today)s::date - (s * 7919 %% 1826) AS day,
                             (s * 104729 %% 1000000000)::numeric / 100 AS recovered
                      FROM generate_series(%(first)s, %(total)s) AS s)
           INSERT INTO cases_enforcementcase (court_id, case_number, concluded_on, amount_recovered, amount_paid, note,
                                              created_at, updated_at, region_id, city_id)
           SELECT (%(court)s::bigint[])[c], '（' || extract(year FROM day) || '）甘执B' || s || '号', day, recovered,
                  round(recovered * (s %% 10) / 10, 2), %(note)s, now(), now(),
                  (%(region)s::bigint[])[c], (%(city)s::bigint[])[c]
           FROM g""",
        params,
    )
    added = cur.rowcount
    cur.execute(
        """INSERT INTO cases_enforcementcase_tasks (enforcementcase_id, worktask_id)
           SELECT e.id, t.id FROM cases_enforcementcase e JOIN members_worktask t ON t.number = 7
           WHERE e.note = %(note)s
             AND NOT EXISTS (SELECT 1 FROM cases_enforcementcase_tasks x WHERE x.enforcementcase_id = e.id)""",
        params,
    )
    if partners:
        cur.execute(
            """INSERT INTO cases_enforcementcase_partner_units (enforcementcase_id, memberunit_id)
               SELECT e.id, (%(partners)s::bigint[])[1 + e.id %% %(np)s] FROM cases_enforcementcase e
               WHERE e.note = %(note)s AND NOT EXISTS (
                 SELECT 1 FROM cases_enforcementcase_partner_units x WHERE x.enforcementcase_id = e.id)""",
            {**params, "partners": partners, "np": len(partners)},
        )
    return added


def build() -> dict[str, Any]:
    from django.db import connection, transaction

    from bench import referrals

    referrals.build()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        measures = _measures(cur)
        cases = _cases(cur)
    if measures or cases:
        with connection.cursor() as cur:
            for table in ("cases_enforcementmeasure", "cases_enforcementcase", "cases_enforcementcase_tasks",
                          "cases_enforcementcase_partner_units"):  # fmt: skip
                cur.execute(f"VACUUM ANALYZE {table}")
        took = time.perf_counter() - started
        print(f"    dataset: {measures:,} measures, {cases:,} enforcement cases added in {took:.1f} s", flush=True)
    return _users()


def run(report: Report) -> None:
    from members.models import Region
    from stats.figures import source_counts
    from stats.scope import Scope

    info = build()
    office = client_for("bench-office")
    city = client_for(OFFICE_CITY)
    clerk = client_for(CLERK)
    target = {"target_p95_ms": 50, "target_queries": 10}
    deep = deep_page(office, "/api/v1/enforcement-cases/")
    report.measure("enforcement cases page 1 (province office)", get_ok(office, "/enforcement/"), **target)
    report.measure(f"enforcement cases page {deep} (province office)", get_ok(office, f"/enforcement/?page={deep}"),
                   **target)  # fmt: skip
    report.measure("enforcement cases page 1 (市州 office)", get_ok(city, "/enforcement/"), **target)
    report.measure("enforcement cases page 1 (court clerk)", get_ok(clerk, "/enforcement/"), **target)
    report.measure(
        "enforcement cases, one year, sorted by amount",
        get_ok(
            office, f"/enforcement/?from={date.today().year - 1}-01-01&to={date.today().year - 1}-12-31&sort=-recovered"
        ),
        **target,
    )
    report.measure("API enforcement-cases/ page 1 (office)", get_ok(office, "/api/v1/enforcement-cases/"), **target)
    deep_api = f"/api/v1/enforcement-cases/?page={deep}"
    report.measure(f"API enforcement-cases/ page {deep} (office)", get_ok(office, deep_api), **target)

    year = date.today().year - 1
    lanzhou = Region.objects.get(code="620100")
    scope = Scope(date(year, 1, 1), date(year, 12, 31), lanzhou.pk, None, None, str(lanzhou.level))

    def amounts() -> Any:
        return source_counts("enforcement", scope)

    def frozen() -> Any:
        return source_counts("enforcement_measures", scope)

    def has_rows(result: Any) -> None:
        if not any(result.values()):
            raise RuntimeError("no rows")

    report.measure("enforcement amounts, one year and one 市州", amounts, target_p95_ms=100, target_queries=1,
                   check=has_rows)  # fmt: skip
    report.measure("enforcement measures' amounts, one year and one 市州", frozen, target_p95_ms=100,
                   target_queries=1, check=has_rows)  # fmt: skip
    print(f"    {year} 兰州市: {amounts()}; measures {frozen()}", flush=True)
    del info
