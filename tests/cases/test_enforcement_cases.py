"""执行联动结案: a court clerk records the enforcement cases their court concluded through linkage (到位金额, 发放案款,
exact yuan); pages, API ``enforcement-cases/``, scope by level (outside: 404), the edit window, bad input refused
with nothing saved, export with totals and query counts that do not grow with the rows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from openpyxl import load_workbook

from cases.enforcement import services
from cases.enforcement.models import EnforcementCase
from fuyuan.lib.errors import NotPermitted
from members.models import WorkTask
from members.roles import Role
from tests import levels
from tests.cases.enforcement_support import accepted_inquiry, court_and_clerk, record
from tests.conftest import client_for
from tests.factories import make_user
from tests.meetings.conftest import page_queries

pytestmark = pytest.mark.django_db
API = "/api/v1/enforcement-cases/"
JSON = "application/json"
NOW = "2026-03-02 10:00 +0800"


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world() -> dict[str, Any]:
    lz_court, lz_clerk = court_and_clerk(levels.LANZHOU, "clerk_lz")
    cg_court, cg_clerk = court_and_clerk(levels.CHENGGUAN, "clerk_cg")
    _jy_court, jy_clerk = court_and_clerk(levels.JIAYUGUAN, "clerk_jy")
    partner = levels.unit_at(levels.LANZHOU, "兰州市公安局")
    return {
        "lz_court": lz_court,
        "lz_clerk": lz_clerk,
        "cg_court": cg_court,
        "cg_clerk": cg_clerk,
        "jy_clerk": jy_clerk,
        "partner": partner,
        "partner_liaison": levels.liaison_at(partner, username="liaison_partner"),
        "province": levels.office_user_at(levels.PROVINCE),
        "lanzhou": levels.office_user_at(levels.LANZHOU),
        "chengguan": levels.office_user_at(levels.CHENGGUAN),
        "jiayuguan": levels.office_user_at(levels.JIAYUGUAN),
        "leader": levels.leader_at(levels.PROVINCE),
    }


def state(case: EnforcementCase) -> dict[str, Any]:
    case.refresh_from_db()
    return model_to_dict(case, exclude=["partner_units", "tasks", "referrals"])


# --- the service -------------------------------------------------------------------------------------------


def test_clerk_records_a_case_stamped_with_task_seven(world: dict[str, Any]) -> None:
    case = record(
        world["cg_clerk"], number=" (2026)甘0102执 12号 ", recovered="2236000000.00", paid=692000000, note="联动"
    )
    assert case.court == world["cg_court"]
    assert case.case_number == "（2026）甘0102执12号"  # spaces gone, full-width brackets
    assert case.amount_recovered == Decimal("2236000000.00") and case.amount_paid == Decimal("692000000.00")
    assert case.region.code == levels.CHENGGUAN and case.city.code == levels.LANZHOU
    assert [t.number for t in case.tasks.all()] == [7]
    assert case.history.filter(history_type="+").count() == 1
    assert {h.history_user for h in case.history.all()} == {world["cg_clerk"]}


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"recovered": "-1"}, "amount_recovered"),
        ({"recovered": "一百万"}, "amount_recovered"),
        ({"paid": "-0.01"}, "amount_paid"),
        ({"paid": "abc"}, "amount_paid"),
        ({"recovered": "100.00", "paid": "100.01"}, "amount_paid"),
        ({"recovered": "1.005"}, "amount_recovered"),
        ({"number": "甘01民100号"}, "case_number"),
        ({"number": ""}, "case_number"),
        ({"day": date(2026, 3, 3)}, "concluded_on"),
        ({"day": None}, "concluded_on"),
    ],
)
def test_bad_input_refused_in_chinese_nothing_saved(world: dict[str, Any], fields: dict[str, Any], key: str) -> None:
    with pytest.raises(ValidationError) as exc:
        record(world["lz_clerk"], **fields)
    assert key in exc.value.message_dict
    assert all(ord(ch) > 127 for ch in exc.value.message_dict[key][0][:2])  # words in Chinese
    assert not EnforcementCase.objects.exists()


def test_same_case_number_twice_refused(world: dict[str, Any]) -> None:
    record(world["lz_clerk"])
    with pytest.raises(ValidationError) as exc:
        record(world["lz_clerk"], number="(2026)甘01执100号")
    assert "已登记" in exc.value.message_dict["case_number"][0]
    assert EnforcementCase.objects.count() == 1
    record(world["cg_clerk"])  # another court may use the same words


def test_only_a_court_clerk_records(world: dict[str, Any]) -> None:
    for user in (world["lanzhou"], world["partner_liaison"], world["leader"]):
        with pytest.raises(NotPermitted):
            record(user)
    assert not EnforcementCase.objects.exists()


def test_linked_referral_must_be_the_courts_enforcement_inquiry(world: dict[str, Any]) -> None:
    liaison = world["partner_liaison"]
    mine = accepted_inquiry(world["lz_clerk"], liaison, number="（2026）甘01执查1号")
    theirs = accepted_inquiry(world["cg_clerk"], liaison, number="（2026）甘0102执查1号")
    case = record(world["lz_clerk"], referrals=[mine], partner_units=[world["partner"]])
    assert list(case.referrals.all()) == [mine]
    with pytest.raises(ValidationError):
        record(world["lz_clerk"], number="（2026）甘01执101号", referrals=[theirs])
    assert EnforcementCase.objects.count() == 1


def test_edit_and_delete_by_the_courts_clerk_within_the_window(world: dict[str, Any]) -> None:
    case = record(world["lz_clerk"])
    recorded = case.history.count()
    services.enforcement_case_update(case=case, by=world["lz_clerk"], amount_paid="1000", note="已全部发放")
    case.refresh_from_db()
    assert case.amount_paid == Decimal("1000.00") and case.history.count() == recorded + 1
    # Another court's clerk (even the court above), the office: refused, nothing changed.
    before = state(case)
    for user in (world["cg_clerk"], world["lanzhou"], world["province"]):
        with pytest.raises(NotPermitted):
            services.enforcement_case_update(case=case, by=user, amount_paid="1")
        with pytest.raises(NotPermitted):
            services.enforcement_case_delete(case=case, by=user)
    assert state(case) == before
    # A correction that breaks a rule: refused, nothing changed.
    with pytest.raises(ValidationError):
        services.enforcement_case_update(case=case, by=world["lz_clerk"], amount_recovered="999.99")
    assert state(case) == before
    later = case.created_at + timedelta(days=services.EDIT_DAYS, minutes=1)
    with pytest.raises(NotPermitted) as exc:
        services.enforcement_case_update(case=case, by=world["lz_clerk"], note="改", now=later)
    assert "30" in exc.value.message
    with pytest.raises(NotPermitted):
        services.enforcement_case_delete(case=case, by=world["lz_clerk"], now=later)
    assert state(case) == before
    services.enforcement_case_delete(case=case, by=world["lz_clerk"])
    assert not EnforcementCase.objects.exists()
    assert EnforcementCase.history.filter(history_type="-").count() == 1


# --- scope (pages and API) ---------------------------------------------------------------------------------


def _cases(world: dict[str, Any]) -> dict[str, EnforcementCase]:
    lz = record(world["lz_clerk"], number="（2026）甘01执1号", partner_units=[world["partner"]])
    cg = record(world["cg_clerk"], number="（2026）甘0102执1号")
    jy = record(world["jy_clerk"], number="（2026）甘02执1号")
    return {"lz": lz, "cg": cg, "jy": jy}


SEES = {
    "province": {"lz", "cg", "jy"},
    "lanzhou": {"lz", "cg"},
    "chengguan": {"cg"},
    "jiayuguan": {"jy"},
    "leader": {"lz", "cg", "jy"},
    "lz_clerk": {"lz", "cg"},  # their court's, and read-only the courts below
    "cg_clerk": {"cg"},
    "partner_liaison": {"lz"},
}


@pytest.mark.parametrize("who", sorted(SEES))
def test_scope_by_level_outside_is_404(world: dict[str, Any], who: str) -> None:
    cases = _cases(world)
    client = client_for(world[who])
    listed = {c["case_number"] for c in client.get(API).json()["results"]}
    assert listed == {cases[k].case_number for k in SEES[who]}
    for key, case in cases.items():
        expected = 200 if key in SEES[who] else 404
        assert client.get(f"{API}{case.pk}/").status_code == expected
        assert client.get(f"/enforcement/{case.pk}/").status_code == expected
    page = client.get("/enforcement/").content.decode()
    for key, case in cases.items():
        assert (case.case_number in page) == (key in SEES[who])


def test_clerk_above_reads_but_may_not_change(world: dict[str, Any]) -> None:
    cg = _cases(world)["cg"]
    client = client_for(world["lz_clerk"])
    before = state(cg)
    assert client.get(f"{API}{cg.pk}/").json()["actions"] == []
    assert client.patch(f"{API}{cg.pk}/", {"note": "x"}, content_type=JSON).status_code == 403
    assert client.delete(f"{API}{cg.pk}/").status_code == 403
    assert client.get(f"/enforcement/{cg.pk}/edit/").status_code == 403
    assert client.post(f"/enforcement/{cg.pk}/delete/").status_code == 302
    assert state(cg) == before


# --- API -------------------------------------------------------------------------------------------------


def test_api_create_patch_delete(world: dict[str, Any]) -> None:
    client = client_for(world["lz_clerk"])
    body = {
        "case_number": "（2026）甘01执55号",
        "concluded_on": "2026-02-28",
        "amount_recovered": "2236000000.00",
        "amount_paid": 692000000,
        "partner_units": [world["partner"].pk],
    }
    created = client.post(API, body, content_type=JSON)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["amount_recovered"] == "2236000000.00" and data["amount_paid"] == "692000000.00"
    assert data["court"] == world["lz_court"].pk and data["actions"] == ["delete", "edit"]
    assert data["tasks"] == [WorkTask.objects.get(number=7).pk]
    patched = client.patch(f"{API}{data['id']}/", {"amount_paid": "0.5"}, content_type=JSON)
    assert patched.status_code == 200 and patched.json()["amount_paid"] == "0.50"
    assert client.delete(f"{API}{data['id']}/").status_code == 204
    assert not EnforcementCase.objects.exists()


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"amount_recovered": "-100"}, "amount_recovered"),
        ({"amount_recovered": "很多"}, "amount_recovered"),
        ({"amount_recovered": "100", "amount_paid": "200"}, "amount_paid"),
        ({"amount_paid": "-1"}, "amount_paid"),
        ({"case_number": "甘01执"}, "case_number"),
        ({"concluded_on": "2026-13-01"}, "concluded_on"),
    ],
)
def test_api_bad_input_400_nothing_saved(world: dict[str, Any], body: dict[str, Any], key: str) -> None:
    full = {"case_number": "（2026）甘01执56号", "concluded_on": "2026-02-01", "amount_recovered": "100", **body}
    response = client_for(world["lz_clerk"]).post(API, full, content_type=JSON)
    assert response.status_code == 400
    assert key in response.json()
    assert not EnforcementCase.objects.exists()


def test_api_patch_bad_amount_leaves_the_case(world: dict[str, Any]) -> None:
    case = record(world["lz_clerk"])
    before = state(case)
    response = client_for(world["lz_clerk"]).patch(f"{API}{case.pk}/", {"amount_paid": "-3"}, content_type=JSON)
    assert response.status_code == 400 and "负数" in response.json()["amount_paid"][0]
    assert state(case) == before


def test_api_office_and_leader_may_not_create(world: dict[str, Any]) -> None:
    body = {"case_number": "（2026）甘01执57号", "concluded_on": "2026-02-01", "amount_recovered": "1"}
    for who in ("lanzhou", "leader", "partner_liaison"):
        assert client_for(world[who]).post(API, body, content_type=JSON).status_code == 403
    assert not EnforcementCase.objects.exists()


def test_api_filters(world: dict[str, Any]) -> None:
    cases = _cases(world)
    record(world["lz_clerk"], number="（2025）甘01执9号", day=date(2025, 12, 31))
    client = client_for(world["province"])

    def numbers(params: dict[str, Any]) -> set[str]:
        return {c["case_number"] for c in client.get(API, params).json()["results"]}

    assert numbers({"court": world["cg_court"].pk}) == {cases["cg"].case_number}
    assert numbers({"region": levels.region(levels.LANZHOU).pk, "from": "2026-01-01"}) == {
        cases["lz"].case_number,
        cases["cg"].case_number,
    }
    assert numbers({"to": "2025-12-31"}) == {"（2025）甘01执9号"}
    assert numbers({"level": "county"}) == {cases["cg"].case_number}
    assert numbers({"search": "甘02"}) == {cases["jy"].case_number}


# --- pages -------------------------------------------------------------------------------------------------


def test_page_create_and_detail_with_timeline(world: dict[str, Any]) -> None:
    client = client_for(world["lz_clerk"])
    assert client.get("/enforcement/new/").status_code == 200
    response = client.post(
        "/enforcement/new/",
        {
            "case_number": "（2026）甘01执77号",
            "concluded_on": "2026-02-20",
            "amount_recovered": "1,234,567.80",
            "amount_paid": "1000",
            "partner_units": [world["partner"].pk],
            "note": "",
        },
    )
    assert response.status_code == 302
    case = EnforcementCase.objects.get()
    assert case.amount_recovered == Decimal("1234567.80")
    detail = client.get(f"/enforcement/{case.pk}/").content.decode()
    assert "1,234,567.80" in detail and 'data-testid="timeline"' in detail and "登记" in detail
    assert "data-confirm" in detail  # delete asks first


@pytest.mark.parametrize(
    ("recovered", "paid", "words"), [("-1", "", "不能为负数"), ("abc", "", "应为数字"), ("5", "6", "不能超过")]
)
def test_page_bad_amount_shows_the_error_nothing_saved(
    world: dict[str, Any], recovered: str, paid: str, words: str
) -> None:
    client = client_for(world["lz_clerk"])
    body = {
        "case_number": "（2026）甘01执78号",
        "concluded_on": "2026-02-20",
        "amount_recovered": recovered,
        "amount_paid": paid,
    }
    response = client.post("/enforcement/new/", body)
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not EnforcementCase.objects.exists()


def test_page_create_refused_to_the_office(world: dict[str, Any]) -> None:
    assert client_for(world["lanzhou"]).get("/enforcement/new/").status_code == 403


def test_page_edit_and_delete(world: dict[str, Any]) -> None:
    case = record(world["lz_clerk"])
    client = client_for(world["lz_clerk"])
    body = {
        "case_number": case.case_number,
        "concluded_on": "2026-02-11",
        "amount_recovered": "2000",
        "amount_paid": "0",
    }
    with time_machine.travel("2026-03-02 10:30 +0800", tick=False):  # corrected half an hour later
        response = client.post(f"/enforcement/{case.pk}/edit/", body)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.amount_recovered == Decimal("2000.00") and case.concluded_on == date(2026, 2, 11)
    timeline = client.get(f"/enforcement/{case.pk}/").content.decode().split('data-testid="timeline"')[1]
    assert timeline.count("<li>") == 2 and "修改" in timeline  # recorded, then corrected (lists folded in)
    assert "到位金额" in timeline and "结案日期" in timeline  # what the correction touched
    assert client.post(f"/enforcement/{case.pk}/delete/").status_code == 302
    assert not EnforcementCase.objects.exists()


def test_list_totals_sorting_and_export(world: dict[str, Any]) -> None:
    record(world["lz_clerk"], number="（2026）甘01执1号", recovered="0.10", paid="0.10")
    record(world["lz_clerk"], number="（2026）甘01执2号", recovered="0.20", paid="0")
    record(world["cg_clerk"], number="（2026）甘0102执1号", recovered="1000000000.05", paid="1")
    client = client_for(world["province"])
    page = client.get("/enforcement/", {"sort": "-recovered"}).content.decode()
    assert "1,000,000,000.35" in page  # exact: 0.10 + 0.20 + 1000000000.05
    assert page.index("（2026）甘0102执1号") < page.index("（2026）甘01执2号") < page.index("（2026）甘01执1号")
    response = client.get("/enforcement/export/", {"court": world["lz_court"].pk})
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4  # header, two cases, totals
    assert rows[-1][0].startswith("合计") and Decimal(str(rows[-1][3])) == Decimal("0.30")


def test_list_queries_do_not_grow(world: dict[str, Any]) -> None:
    for i in range(2):
        record(world["lz_clerk"], number=f"（2026）甘01执{i + 1}号", partner_units=[world["partner"]])
    client = client_for(world["province"])
    few_page, _r = page_queries(client, "/enforcement/")
    few_api, _r = page_queries(client, API)
    for i in range(2, 8):
        record(world["cg_clerk"], number=f"（2026）甘0102执{i}号", partner_units=[world["partner"]])
    many_page, response = page_queries(client, "/enforcement/")
    many_api, _r = page_queries(client, API)
    assert response.content.decode().count('data-testid="case-row"') == 8
    assert many_page == few_page and many_api == few_api
    assert many_page <= 10 and many_api <= 10


def test_admin_lists_with_history(world: dict[str, Any]) -> None:
    case = record(world["lz_clerk"])
    user = make_user(Role.ADMIN, None, username="admin_e")
    user.is_staff = user.is_superuser = True
    user.save()
    client = client_for(user)
    assert client.get("/admin/cases/enforcementcase/").status_code == 200
    assert client.get(f"/admin/cases/enforcementcase/{case.pk}/history/").status_code == 200
