"""The enforcement figures (task 7): enforcement_concluded and the amounts recovered, paid out and frozen, summed
exactly (Decimal, never a float) at province, 市州 and county, per court and period; strings in stats/summary/;
yuan with thousands separators on the dashboard, the definitions page, the report and a frozen snapshot."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from cases.referrals import services as referral_services
from stats import report, services
from stats.figures import FIGURES_BY_KEY, figure_values
from stats.scope import Scope
from tests import levels
from tests.cases.enforcement_support import accepted_inquiry, court_and_clerk, record
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
YEAR = {"from": "2026-01-01", "to": "2026-12-31"}
NOW = "2026-03-02 10:00 +0800"
KEYS = ("enforcement_concluded", "enforcement_amount_recovered", "enforcement_amount_paid", "enforcement_amount_frozen")


@pytest.fixture
def world() -> dict[str, Any]:
    """兰州中院: two cases in 2026 (0.10 + 0.20 recovered: exact where a float is not) and one in 2025; 城关区法院:
    one of 2,236,000,000.00 (paid 692,000,000.00); 嘉峪关中院: one of 5.55. An enforcement inquiry of 兰州中院
    concluded with 1,000.01 frozen and 50.00 deducted."""
    with time_machine.travel(NOW, tick=False):
        lz_court, lz = court_and_clerk(levels.LANZHOU, "clerk_lz")
        cg_court, cg = court_and_clerk(levels.CHENGGUAN, "clerk_cg")
        _jy_court, jy = court_and_clerk(levels.JIAYUGUAN, "clerk_jy")
        record(lz, number="（2026）甘01执1号", day=date(2026, 1, 5), recovered="0.10", paid="0.10")
        record(lz, number="（2026）甘01执2号", day=date(2026, 2, 5), recovered="0.20", paid="0")
        record(lz, number="（2025）甘01执3号", day=date(2025, 12, 31), recovered="999", paid="999")
        record(cg, number="（2026）甘0102执1号", day=date(2026, 2, 1), recovered="2236000000.00", paid="692000000.00")
        record(jy, number="（2026）甘02执1号", day=date(2026, 3, 1), recovered="5.55", paid="5.55")
        bank = levels.unit_at(levels.LANZHOU, "兰州市金融监管局")
        liaison = levels.liaison_at(bank, username="liaison_bank")
        inquiry = accepted_inquiry(lz, liaison, number="（2026）甘01执查1号")
        referral_services.referral_conclude(
            referral=inquiry,
            by=liaison,
            outcome="found",
            measures=[
                {"measure": "freeze", "asset": "存款", "amount": "1000.01"},
                {"measure": "deduct", "asset": "存款", "amount": "50.00"},
            ],
        )
    return {"lz_court": lz_court, "cg_court": cg_court, "province": levels.office_user_at(levels.PROVINCE)}


def scope(region: str | None = None, *, unit: int | None = None, start: date = date(2026, 1, 1)) -> Scope:
    region_id = levels.region(region).pk if region else None
    level = str(levels.region(region).level) if region else ""
    return Scope(start, date(2026, 12, 31), region_id, None, unit, level)


@time_machine.travel(NOW, tick=False)
def test_sums_are_exact_decimals_at_each_level(world: dict[str, Any]) -> None:
    province = figure_values(scope())
    assert province["enforcement_concluded"] == {"value": 4}
    assert province["enforcement_amount_recovered"] == {"value": Decimal("2236000005.85")}
    assert province["enforcement_amount_paid"] == {"value": Decimal("692000005.65")}
    assert province["enforcement_amount_frozen"] == {"value": Decimal("1000.01")}
    assert isinstance(province["enforcement_amount_recovered"]["value"], Decimal)
    lanzhou = figure_values(scope(levels.LANZHOU))
    assert lanzhou["enforcement_concluded"] == {"value": 3}
    assert lanzhou["enforcement_amount_recovered"] == {"value": Decimal("2236000000.30")}
    county = figure_values(scope(levels.CHENGGUAN))
    assert county["enforcement_concluded"] == {"value": 1}
    assert county["enforcement_amount_paid"] == {"value": Decimal("692000000.00")}
    assert county["enforcement_amount_frozen"] == {"value": Decimal("0.00")}
    # 0.10 + 0.20 is 0.30 exactly (a float would give 0.30000000000000004); by court, with the period
    court = figure_values(scope(unit=world["lz_court"].pk))
    assert court["enforcement_amount_recovered"] == {"value": Decimal("0.30")}
    assert figure_values(scope(unit=world["lz_court"].pk, start=date(2025, 1, 1)))["enforcement_amount_recovered"] == {
        "value": Decimal("999.30")
    }


@time_machine.travel(NOW, tick=False)
def test_summary_api_sends_amounts_as_strings(world: dict[str, Any]) -> None:
    client = client_for(world["province"])
    url = reverse("api:stats-summary")
    figures = client.get(url, YEAR).json()["figures"]
    assert figures["enforcement_concluded"]["value"] == 4
    assert figures["enforcement_amount_recovered"]["value"] == "2236000005.85"
    assert figures["enforcement_amount_paid"]["value"] == "692000005.65"
    assert figures["enforcement_amount_frozen"]["value"] == "1000.01"
    city = client.get(url, {**YEAR, "region": levels.region(levels.LANZHOU).pk}).json()["figures"]
    assert city["enforcement_amount_recovered"]["value"] == "2236000000.30"
    # A 市州 office reads its own region only.
    jy_office = client_for(levels.office_user_at(levels.JIAYUGUAN))
    assert jy_office.get(url, YEAR).json()["figures"]["enforcement_amount_recovered"]["value"] == "5.55"
    assert jy_office.get(url, {**YEAR, "region": levels.region(levels.LANZHOU).pk}).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_dashboard_definitions_and_report_show_yuan(world: dict[str, Any]) -> None:
    client = client_for(world["province"])
    page = client.get(reverse("dashboard"), {"period": "year", "year": 2026}).content.decode()
    assert 'data-testid="figure-enforcement_amount_recovered"' in page
    assert "2,236,000,005.85" in page and "692,000,005.65" in page
    definitions = client.get(reverse("stats-definitions")).content.decode()
    for key in KEYS:
        assert f"<code>{key}</code>" in definitions
    assert "金额(元)" in definitions
    html = client.get(reverse("stats-report"), {"period": "year", "year": 2026}).content.decode()
    assert 'data-testid="report-enforcement_amount_paid"' in html and "692,000,005.65" in html
    sheet = load_workbook(io.BytesIO(report.report_xlsx(scope()))).worksheets[0]
    values = {row[1]: row[2] for row in sheet.iter_rows(values_only=True) if row and row[1] in KEYS}
    assert Decimal(str(values["enforcement_amount_recovered"])) == Decimal("2236000005.85")


@time_machine.travel(NOW, tick=False)
def test_a_frozen_period_keeps_its_exact_amounts(world: dict[str, Any]) -> None:
    snapshot = services.snapshot_freeze(scope=scope(), by=world["province"])
    snapshot.refresh_from_db()
    assert snapshot.data["counts"]["enforcement_amount_recovered"] == "2236000005.85"
    record(court_and_clerk(levels.CHENGGUAN, "clerk_cg2")[1], number="（2026）甘0102执2号", recovered="1", paid="1")
    figures = client_for(world["province"]).get(reverse("api:stats-summary"), YEAR).json()["figures"]
    assert figures["enforcement_amount_recovered"]["value"] == "2236000005.85"  # frozen
    assert figures["enforcement_concluded"]["value"] == 4


def test_amount_figures_are_not_offered_as_targets() -> None:
    from stats.targets import figure_choices

    keys = {key for key, _label in figure_choices()}
    assert "enforcement_concluded" in keys and "enforcement_amount_recovered" not in keys
    assert FIGURES_BY_KEY["enforcement_amount_recovered"].is_amount
