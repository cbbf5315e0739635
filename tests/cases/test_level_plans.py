"""The plans of a 市州's and a county's office list on ~200k referrals and recommendations (issue 13).

Slow (bulk-creates the rows): runs only with ``FUYUAN_LEVEL_PLANS=1``, printing each plan (``-s``).
Asserts that the first page is an index range on (city|region, …): no Sort node, no Seq Scan.
"""

from __future__ import annotations

import os
import random
from datetime import date, timedelta

import pytest
from django.db import connection

from cases.models import JudicialRecommendation, Referral, ReferralKind
from cases.recommendations import selectors as rec_selectors
from cases.referrals import selectors as ref_selectors
from cases.referrals.filters import ReferralFilter
from members.models import MemberUnit, Region
from tests.levels_cases import CHENGGUAN, LANZHOU, court_at, office_user_at

pytestmark = pytest.mark.skipif(not os.environ.get("FUYUAN_LEVEL_PLANS"), reason="FUYUAN_LEVEL_PLANS=1 to run")

ROWS = 200_000
BATCH = 10_000


def _places() -> list[tuple[int, int | None]]:
    """(region, city) of every region, weighted like a province: most records live in counties."""
    out: list[tuple[int, int | None]] = []
    for pk, city, level in Region.objects.values_list("pk", "city_id", "level"):
        out += [(pk, city)] * {"province": 5, "city": 10, "county": 20}[level]
    return out


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
def test_office_lists_are_index_ranges_on_200k_rows():
    rng = random.Random(13)
    places = _places()
    court, other = court_at(LANZHOU), court_at(CHENGGUAN)
    receiver = MemberUnit.objects.filter(hosts_office=True).first()
    kind = ReferralKind.objects.get(code="mediation")
    for start in range(0, ROWS, BATCH):
        rows = []
        recs = []
        for i in range(start, start + BATCH):
            region, city = rng.choice(places)
            rows.append(
                Referral(kind=kind, sender=court, receiver=receiver, case_number=f"P{i}", subject="s",
                         status="sent", region_id=region, city_id=city)
            )  # fmt: skip
            issued_on = date(2020, 1, 1) + timedelta(days=i % 2000)
            recs.append(
                JudicialRecommendation(court=court if i % 2 else other, addressee=receiver, title="t", number=f"N{i}",
                                       year=2025, status="issued", issued_on=issued_on, region_id=region, city_id=city)
            )  # fmt: skip
        Referral.objects.bulk_create(rows)
        JudicialRecommendation.objects.bulk_create(recs)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_referral; ANALYZE cases_judicialrecommendation")
    for code in (LANZHOU, CHENGGUAN):
        user = office_user_at(code)
        refs = ref_selectors.list_rows(ReferralFilter({}, ref_selectors.box_queryset(user, "all"), box="all").qs)[:20]
        ids = rec_selectors.filtered(user, {}).only("pk").order_by(*rec_selectors.order_clause("-issued_on"))[:20]
        for name, qs in (("referrals", refs), ("recommendations", ids)):
            plan = _plan(qs)
            print(f"\n--- {name}, office of {code} ---\n{plan}")
            assert "Seq Scan on cases_" not in plan
            assert "_city_list" in plan or "_region_list" in plan
