"""The figures the office needs, computed with database aggregates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from cases.models import Referral, ReferralKind
from members.models import Region
from stats import referrals as selectors
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_rate_has_two_decimals():
    assert selectors.rate(10150, 15955) == Decimal("63.62")
    assert selectors.rate(21680, 26511) == Decimal("81.78")
    assert selectors.rate(1, 0) is None


def _rows(cast, kind_code, n, *, status="sent", outcome="", sender=None, sent_at=None, **extra):
    kind = ReferralKind.objects.get(code=kind_code)
    sender = sender or cast.court
    sent_at = sent_at or datetime(2026, 5, 1, 9, tzinfo=TZ)
    start = Referral.objects.count()
    Referral.objects.bulk_create(
        [
            Referral(
                kind=kind,
                sender=sender,
                receiver=cast.unit,
                case_number=f"{kind_code}-{status}-{outcome}-{start + i}",
                subject="x",
                status=status,
                outcome=outcome,
                sent_at=sent_at,
                **extra,
            )
            for i in range(n)
        ],
        batch_size=5000,
    )


def test_transcript_mediation_success_rate(cast):
    _rows(cast, "mediation", 10150, status="concluded", outcome="resolved")
    _rows(cast, "mediation", 3000, status="concluded", outcome="failed")
    _rows(cast, "mediation", 2805, status="accepted")
    _rows(cast, "mediation", 7, status="revoked")  # revoked delegations do not count
    _rows(cast, "mediation", 5, status="concluded", outcome="resolved", sent_at=datetime(2025, 5, 1, tzinfo=TZ))
    figures = selectors.mediation_figures(start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert figures["delegated"] == 15955 and figures["resolved"] == 10150
    assert figures["success_rate"] == Decimal("63.62")


def test_mediation_figures_by_region(cast):
    north = Region.objects.get(code="620100")  # 兰州市: its subtree, a county's records included
    county = Region.objects.get(code="620102")
    south = Region.objects.get(code="620500")
    _rows(cast, "mediation", 2, status="concluded", outcome="resolved", region=north, city=north)
    _rows(cast, "mediation", 1, status="concluded", outcome="resolved", region=county, city=north)
    _rows(cast, "mediation", 1, status="sent", region=county, city=north)
    _rows(cast, "mediation", 5, status="concluded", outcome="resolved", region=south, city=south)
    f = selectors.mediation_figures(start=date(2026, 1, 1), end=date(2026, 12, 31), region=north.pk)
    assert (f["delegated"], f["resolved"], f["success_rate"]) == (4, 3, Decimal("75.00"))


def test_transfers_opened_as_cases(cast):
    _rows(cast, "criminal_transfer", 4, status="concluded", outcome="case_opened")
    _rows(cast, "criminal_transfer", 1, status="concluded", outcome="case_not_opened")
    _rows(cast, "criminal_transfer", 2, status="acknowledged")
    f = selectors.transfer_figures()
    assert f == {"transferred": 7, "decided": 5, "opened": 4, "opened_rate": Decimal("80.00")}


def test_on_time_rate_per_kind_and_receiving_unit(cast):
    due = date(2026, 5, 10)
    on_time = datetime(2026, 5, 10, 23, 0, tzinfo=TZ)  # late evening of the due day, local time
    late = datetime(2026, 5, 11, 0, 30, tzinfo=TZ)
    _rows(cast, "petition", 3, status="concluded", outcome="done", due=due, concluded_at=on_time)
    _rows(cast, "petition", 1, status="concluded", outcome="done", due=due, concluded_at=late)
    _rows(
        cast,
        "enforcement_inquiry",
        2,
        status="concluded",
        outcome="found",
        due=due,
        concluded_at=late - timedelta(days=5),
    )
    by_kind = {r["name"]: (r["on_time"], r["answered"], r["rate"]) for r in selectors.on_time_rates(by="kind")}
    assert by_kind == {"信访转办": (3, 4, Decimal("75.00")), "执行查控": (2, 2, Decimal("100.00"))}
    by_unit = selectors.on_time_rates(by="receiver")
    assert [(r["name"], r["on_time"], r["answered"]) for r in by_unit] == [(cast.unit.name, 5, 6)]


def test_figures_page_for_office_only(cast):
    _rows(cast, "mediation", 2, status="concluded", outcome="resolved")
    _rows(cast, "mediation", 1)
    resp = client_for(cast.office).get("/referrals/figures/?year=2026")
    assert resp.status_code == 200 and "66.67%" in resp.content.decode()
    assert client_for(cast.liaison).get("/referrals/figures/").status_code == 404
