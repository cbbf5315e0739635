"""IP cases (知识产权案件, issue 16): 100,000 concluded cases over five years at the courts of every level, and
the list, the API list and the 调撤率 for a year and a city.

The cases are spread over the courts as the referrals' parties are (60 % county, 28 % 市州, 12 % province),
each with a kind and an outcome (about 54 % mediated or withdrawn, as the transcript says), stamped with
its court's ``region``/``city``. ``bulk_create``\\ d once (a database holding benchmark cases is kept).
Run alone with ``python -m bench --only ipcases``.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from typing import Any

from bench.runner import Report, client_for, get_ok

PREFIX = "[基准]"
TOTAL = 100_000
YEARS = 5
BATCH = 5000
OUTCOMES = ["mediation"] * 40 + ["withdrawal"] * 14 + ["judgment"] * 42 + ["other"] * 4
KINDS = ["patent", "trademark", "trademark", "copyright", "copyright", "unfair_competition", "other"]


def build(*, total: int = TOTAL, seed: int = 16) -> int:
    """The cases (none when the database already holds benchmark cases); the number written."""
    from django.db import transaction
    from django.utils import timezone

    from bench import tree
    from cases.ipcases.models import IPCase

    tree.build_units()
    if IPCase.objects.filter(case_number__startswith=PREFIX).exists():
        return 0
    places, pairs = tree.pairs(total, seed=seed)
    rnd = random.Random(seed)
    today = timezone.localdate()
    first = date(today.year - YEARS + 1, 1, 1)
    span = (today - first).days
    started = time.perf_counter()
    with transaction.atomic():
        for start in range(0, total, BATCH):
            rows = []
            for i, pair in enumerate(pairs[start : start + BATCH], start=start):
                region, city = places.common(pair.court)
                outcome = rnd.choice(OUTCOMES)
                rows.append(
                    IPCase(
                        court_id=pair.court,
                        case_number=f"{PREFIX}({first.year + i % YEARS})甘知民初{i}号",
                        kind=rnd.choice(KINDS),
                        concluded_on=first + timedelta(days=rnd.randint(0, span)),
                        outcome=outcome,
                        mediated_by_id=pair.mediation if outcome == "mediation" and rnd.random() < 0.5 else None,
                        region_id=region,
                        city_id=city,
                        imported=True,
                    )
                )
            IPCase.objects.bulk_create(rows)
    print(f"    ip cases: {total:,} in {time.perf_counter() - started:.1f} s", flush=True)
    return total


def _analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE cases_ipcase")


def run(report: Report) -> None:
    from django.utils import timezone

    from bench import foundation, levels
    from members.models import Region
    from stats.figures import FIGURES_BY_KEY, source_counts
    from stats.scope import Scope

    foundation.build()
    levels.ensure_offices()
    build()
    _analyze()
    list_target = {"target_p95_ms": 50, "target_queries": 10}
    for label, username in [
        ("province office", "bench-office"),
        ("city office", levels.OFFICES["city"][0]),
        ("county office", levels.OFFICES["county"][0]),
    ]:
        client = client_for(username)
        for what, url in [
            ("list page 1", "/ip-cases/"),
            ("list page 1, mediated or withdrawn", "/ip-cases/?outcome=mediation,withdrawal"),
            ("list page 50", "/ip-cases/?page=50"),
            ("API ip-cases/ page 1", "/api/v1/ip-cases/"),
        ]:
            report.measure(f"ipcases: {what}, {label}", get_ok(client, url), repeat=20, **list_target)
    year = timezone.localdate().year
    city = Region.objects.get(name=levels.CITY)
    scope = Scope(date(year, 1, 1), date(year, 12, 31), city.pk, level=str(city.level))

    def rate() -> Any:
        return FIGURES_BY_KEY["ip_mediation_withdrawal_rate"].result(source_counts("ip_cases", scope))

    value = rate()
    report.measure(
        f"ipcases: the 调撤率, {year}, {levels.CITY}",
        rate,
        repeat=20,
        target_p95_ms=100,
        target_queries=1,
        note=f"{value['numerator']} ÷ {value['denominator']} = {value['rate']}%",
    )
