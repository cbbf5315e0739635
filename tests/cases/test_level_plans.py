"""The plans of a 市州's and a county's office list on 50,000 referrals and recommendations (issue 13).

The rows are copied in one INSERT … SELECT each (seconds). Asserts that the first page is an index range on
(city|region, …): no Sort node, no Seq Scan; ``-s`` prints each plan. ``make bench`` times the same lists on
its larger dataset.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from cases.models import JudicialRecommendation, Referral, ReferralKind
from cases.recommendations import selectors as rec_selectors
from cases.referrals import selectors as ref_selectors
from cases.referrals.filters import ReferralFilter
from members.models import MemberUnit, Region
from tests.levels import CHENGGUAN, LANZHOU, court_at, office_user_at

ROWS = 50_000


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


def _copy(model, template_pk: int, rows: int, places: list[tuple[int, int | None]], unique: str) -> None:
    """``rows`` copies of one row in one INSERT … SELECT (seconds, not minutes), spread over ``places``."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
        regions = ",".join(str(r) for r, _c in places)
        cities = ",".join("NULL" if c is None else str(c) for _r, c in places)
        override = {
            "id": None,
            "region_id": f"(ARRAY[{regions}])[1 + mod(g, {len(places)})]",
            "city_id": f"(ARRAY[{cities}]::bigint[])[1 + mod(g, {len(places)})]",
            unique: "'L' || g",
        }
        if "issued_on" in columns:
            override["issued_on"] = "DATE '2020-01-01' + mod(g, 2000)"
        kept = [c for c in columns if override.get(c, c) is not None]
        select = ", ".join(override.get(c, f't."{c}"') for c in kept)  # type: ignore[misc]
        names = ", ".join(f'"{c}"' for c in kept)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {select} FROM {table} t, generate_series(1, %s) g WHERE t.id = %s",
            [rows, template_pk],
        )
        cursor.execute(f"ANALYZE {table}")


@pytest.mark.django_db
def test_office_lists_are_index_ranges():
    places = _places()
    court, receiver = court_at(LANZHOU), MemberUnit.objects.filter(hosts_office=True).first()
    kind = ReferralKind.objects.get(code="mediation")
    ref = Referral.objects.create(
        kind=kind, sender=court, receiver=receiver, case_number="T", subject="s", status="sent"
    )
    rec = JudicialRecommendation.objects.create(
        court=court, addressee=receiver, title="t", number="T", year=2025, status="issued", issued_on=date(2020, 1, 1)
    )
    _copy(Referral, ref.pk, ROWS, places, "case_number")
    _copy(JudicialRecommendation, rec.pk, ROWS, places, "number")
    for code in (LANZHOU, CHENGGUAN):
        user = office_user_at(code)
        refs = ref_selectors.list_rows(ReferralFilter({}, ref_selectors.box_queryset(user, "all"), box="all").qs)[:20]
        ids = rec_selectors.filtered(user, {}).only("pk").order_by(*rec_selectors.order_clause("-issued_on"))[:20]
        for name, qs in (("referrals", refs), ("recommendations", ids)):
            plan = _plan(qs)
            print(f"\n--- {name}, office of {code} ---\n{plan}")
            # An index walk in the list's order, stopped after one page: no Sort, no Seq Scan.
            assert "Seq Scan on cases_" not in plan
            assert "Sort" not in plan.split("Planning")[0]
