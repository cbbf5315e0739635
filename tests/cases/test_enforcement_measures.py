"""执行查控: the receiver records at conclusion what was found and done (查询/冻结/扣划/查封 with exact amounts
in yuan), through the service, the page and the API; a negative or non-numeric amount is refused with nothing saved."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases.models import EnforcementMeasure, Referral, ReferralKind
from cases.referrals import services
from tests import levels
from tests.cases.enforcement_support import accepted_inquiry
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        yield


@pytest.fixture
def parties() -> dict[str, Any]:
    court = levels.court_at(levels.LANZHOU)
    clerk = levels.clerk_at(court, username="clerk_lz")
    bureau = levels.unit_at(levels.LANZHOU, "兰州市自然资源局")
    liaison = levels.liaison_at(bureau, username="liaison_zr")
    return {"clerk": clerk, "liaison": liaison, "referral": accepted_inquiry(clerk, liaison)}


MEASURES = [
    {"measure": "freeze", "asset": "银行存款", "amount": "1234567.89", "note": "工商银行"},
    {"measure": "seal", "asset": "不动产", "amount": 0, "note": ""},
    {"measure": "deduct", "asset": "银行存款", "amount": "0.10"},
]


def test_conclusion_records_measures_exactly(parties: dict[str, Any]) -> None:
    r = parties["referral"]
    services.referral_conclude(referral=r, by=parties["liaison"], outcome="found", note="查到", measures=MEASURES)
    r.refresh_from_db()
    assert r.status == Referral.Status.CONCLUDED
    rows = list(r.measures.order_by("id").values_list("measure", "asset", "amount"))
    assert rows == [
        ("freeze", "银行存款", Decimal("1234567.89")),
        ("seal", "不动产", Decimal("0.00")),
        ("deduct", "银行存款", Decimal("0.10")),
    ]
    assert r.measures.first().history.count() == 1  # the audit trail has the measure


@pytest.mark.parametrize(
    ("amount", "words"),
    [("-1", "不能为负数"), ("十万", "应为数字"), ("12.345", "两位小数"), ("NaN", "应为数字"), (True, "应为数字")],
)
def test_bad_amount_refused_nothing_saved(parties: dict[str, Any], amount: Any, words: str) -> None:
    r = parties["referral"]
    bad = [MEASURES[0], {"measure": "freeze", "asset": "车辆", "amount": amount}]
    with pytest.raises(ValidationError) as exc:
        services.referral_conclude(referral=r, by=parties["liaison"], outcome="found", measures=bad)
    assert words in " ".join(exc.value.messages)
    r.refresh_from_db()
    assert r.status == Referral.Status.ACCEPTED and r.outcome == ""
    assert not EnforcementMeasure.objects.exists()


def test_unknown_measure_and_missing_asset_refused(parties: dict[str, Any]) -> None:
    r = parties["referral"]
    for bad in (
        {"measure": "sell", "asset": "车辆", "amount": "1"},
        {"measure": "freeze", "asset": " ", "amount": "1"},
    ):
        with pytest.raises(ValidationError):
            services.referral_conclude(referral=r, by=parties["liaison"], outcome="found", measures=[bad])
    r.refresh_from_db()
    assert r.status == Referral.Status.ACCEPTED and not EnforcementMeasure.objects.exists()


def test_measures_only_on_an_enforcement_inquiry() -> None:
    court = levels.court_at(levels.LANZHOU)
    clerk = levels.clerk_at(court, username="clerk_m")
    centre = levels.unit_at(levels.LANZHOU, "兰州市调解中心")
    liaison = levels.liaison_at(centre, username="liaison_m")
    r = services.referral_create(
        by=clerk,
        kind=ReferralKind.objects.get(code="mediation"),
        receiver=centre,
        case_number="（2026）甘01民诉前调9号",
        subject="买卖合同纠纷",
    )
    services.referral_send(referral=r, by=clerk)
    services.referral_acknowledge(referral=r, by=liaison)
    services.referral_accept(referral=r, by=liaison)
    with pytest.raises(ValidationError) as exc:
        services.referral_conclude(referral=r, by=liaison, outcome="resolved", measures=[MEASURES[0]])
    assert "执行查控" in str(exc.value)
    r.refresh_from_db()
    assert r.status == Referral.Status.ACCEPTED and not EnforcementMeasure.objects.exists()


def test_sender_may_not_conclude_with_measures(parties: dict[str, Any]) -> None:
    from fuyuan.lib.errors import NotPermitted

    r = parties["referral"]
    with pytest.raises(NotPermitted):
        services.referral_conclude(referral=r, by=parties["clerk"], outcome="found", measures=MEASURES)
    r.refresh_from_db()
    assert r.status == Referral.Status.ACCEPTED and not EnforcementMeasure.objects.exists()


# --- API -----------------------------------------------------------------------------------------------------


def test_api_conclude_with_measures_and_show_them(parties: dict[str, Any]) -> None:
    r = parties["referral"]
    body = {
        "outcome": "found",
        "note": "查到存款",
        "measures": [*MEASURES[:1], {"measure": "deduct", "asset": "存款", "amount": 2500.5}],
    }
    response = client_for(parties["liaison"]).post(
        f"{API}/referrals/{r.pk}/conclude/", body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    measures = response.json()["measures"]
    assert [(m["measure"], m["amount"]) for m in measures] == [("freeze", "1234567.89"), ("deduct", "2500.50")]
    assert measures[0]["measure_name"] == "冻结"
    # The sender reads them too.
    shown = client_for(parties["clerk"]).get(f"{API}/referrals/{r.pk}/").json()
    assert shown["measures"][1]["amount"] == "2500.50"


@pytest.mark.parametrize("amount", ["-0.01", "abc", [1], {"x": 1}])
def test_api_bad_amount_is_400_in_chinese_nothing_saved(parties: dict[str, Any], amount: Any) -> None:
    r = parties["referral"]
    body = {"outcome": "found", "measures": [{"measure": "freeze", "asset": "存款", "amount": amount}]}
    response = client_for(parties["liaison"]).post(
        f"{API}/referrals/{r.pk}/conclude/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "金额" in response.json()["measures"][0]
    r.refresh_from_db()
    assert r.status == Referral.Status.ACCEPTED and not EnforcementMeasure.objects.exists()


def test_api_measures_not_a_list_is_400(parties: dict[str, Any]) -> None:
    r = parties["referral"]
    body = {"outcome": "found", "measures": "冻结100元"}
    response = client_for(parties["liaison"]).post(
        f"{API}/referrals/{r.pk}/conclude/", body, content_type="application/json"
    )
    assert response.status_code == 400
    r.refresh_from_db()
    assert r.status == Referral.Status.ACCEPTED


def test_api_outsider_gets_404(parties: dict[str, Any]) -> None:
    r = parties["referral"]
    outsider = levels.liaison_at(levels.unit_at(levels.JIAYUGUAN, "嘉峪关市自然资源局"), username="outsider")
    response = client_for(outsider).post(
        f"{API}/referrals/{r.pk}/conclude/", {"outcome": "found", "measures": MEASURES}, content_type="application/json"
    )
    assert response.status_code == 404
    assert not EnforcementMeasure.objects.exists()


# --- the page --------------------------------------------------------------------------------------------------


def _form(outcome: str, rows: list[dict[str, str]]) -> dict[str, str]:
    data = {"outcome": outcome, "note": "", "measures-TOTAL_FORMS": str(len(rows)), "measures-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"measures-{i}-{key}"] = value
    return data


def test_page_offers_measures_and_records_them(parties: dict[str, Any]) -> None:
    r = parties["referral"]
    client = client_for(parties["liaison"])
    page = client.get(f"/referrals/{r.pk}/").content.decode()
    assert 'data-testid="measure-forms"' in page and "measures-TOTAL_FORMS" in page
    rows = [
        {"measure": "freeze", "asset": "银行存款", "amount": "1,234,567.89", "note": ""},
        {"measure": "query", "asset": "", "amount": "", "note": ""},  # an empty row: left out
    ]
    response = client.post(f"/referrals/{r.pk}/conclude/", _form("found", rows))
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == Referral.Status.CONCLUDED
    assert list(r.measures.values_list("amount", flat=True)) == [Decimal("1234567.89")]
    detail = client_for(parties["clerk"]).get(f"/referrals/{r.pk}/").content.decode()
    assert 'data-testid="measures"' in detail and "1,234,567.89" in detail


@pytest.mark.parametrize(("amount", "words"), [("-5", "不能为负数"), ("五百元", "应为数字")])
def test_page_bad_amount_refused_with_a_message_nothing_saved(parties: dict[str, Any], amount: str, words: str) -> None:
    r = parties["referral"]
    client = client_for(parties["liaison"])
    response = client.post(
        f"/referrals/{r.pk}/conclude/",
        _form("found", [{"measure": "freeze", "asset": "存款", "amount": amount}]),
        follow=True,
    )
    assert words in response.content.decode()
    r.refresh_from_db()
    assert r.status == Referral.Status.ACCEPTED and not EnforcementMeasure.objects.exists()


def test_other_kinds_page_has_no_measure_rows() -> None:
    court = levels.court_at(levels.LANZHOU)
    clerk = levels.clerk_at(court, username="clerk_o")
    centre = levels.unit_at(levels.LANZHOU, "兰州市调解中心乙")
    liaison = levels.liaison_at(centre, username="liaison_o")
    r = services.referral_create(
        by=clerk, kind=ReferralKind.objects.get(code="mediation"), receiver=centre, case_number="X1", subject="纠纷"
    )
    services.referral_send(referral=r, by=clerk)
    services.referral_acknowledge(referral=r, by=liaison)
    services.referral_accept(referral=r, by=liaison)
    page = client_for(liaison).get(f"/referrals/{r.pk}/").content.decode()
    assert "measures-TOTAL_FORMS" not in page
