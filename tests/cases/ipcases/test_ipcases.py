"""IP cases (知识产权案件, task 6): recording, bad input, who may write, scope by level (404 outside) on the
page, the export and the API, the list's filters and sorting, and query counts that do not grow."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cases.ipcases import services
from cases.ipcases.models import IPCase
from cases.ipcases.selectors import visible_to
from fuyuan.lib.errors import NotPermitted
from members.models import User, WorkTask
from tests.cases.ipcases.support import TODAY, Courts, api, number, record
from tests.conftest import client_for
from tests.levels import CHENGGUAN, JIAYUGUAN, LANZHOU, PROVINCE, leader_at, liaison_at, office_user_at, unit_at

pytestmark = pytest.mark.django_db
API = "/api/v1/ip-cases/"
LIST = reverse("ipcase-list")


def seen(user: User) -> set[str]:
    return set(visible_to(user).values_list("case_number", flat=True))


# --- Recording -------------------------------------------------------------------------------------------------


def test_a_clerk_records_a_case_of_their_court_where_the_court_lives_under_task_6(courts: Courts) -> None:
    case = record(courts.clerks.cg, "mediation", case_number=" (2026)甘0102知民初7号 ", mediated_by=courts.mediator)
    case.refresh_from_db()
    assert case.court == courts.courts.cg and case.case_number == "(2026)甘0102知民初7号"
    assert (case.region.code, case.city.code) == (CHENGGUAN, LANZHOU)
    assert [t.number for t in case.tasks.all()] == [6]
    assert case.settled and case.created_by == courts.clerks.cg
    assert case.history.count() == 1
    high = record(courts.clerks.high)
    assert (high.region.code, high.city_id) == (PROVINCE, None)


@pytest.mark.parametrize(
    ("field", "changes", "message"),
    [
        ("case_number", {"case_number": "  "}, "请填写案号。"),
        ("case_number", {"case_number": "案" * 101}, "案号不能超过 100 个字。"),
        ("kind", {"kind": "design"}, "请选择案件类型。"),
        ("outcome", {"outcome": "settled"}, "请选择结案方式。"),
        ("concluded_on", {"on": date(2026, 7, 1)}, "结案日期不能晚于今天。"),
    ],
)
def test_bad_input_is_refused_field_by_field_in_chinese_and_nothing_is_saved(
    courts: Courts, field: str, changes: dict, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        record(courts.clerks.cg, **changes)
    assert refused.value.message_dict[field] == [message]
    assert not IPCase.objects.exists()


def test_the_same_case_number_twice_in_one_court_is_refused_but_another_court_may_use_it(courts: Courts) -> None:
    record(courts.clerks.cg, case_number="(2026)甘0102知民初1号")
    with pytest.raises(ValidationError) as refused:
        record(courts.clerks.cg, case_number="(2026)甘0102知民初1号")
    assert refused.value.message_dict["case_number"] == ["本院已登记案号为“(2026)甘0102知民初1号”的案件。"]
    record(courts.clerks.lz, case_number="(2026)甘0102知民初1号")
    assert IPCase.objects.count() == 2


def test_the_court_cannot_be_its_own_mediation_organisation(courts: Courts) -> None:
    with pytest.raises(ValidationError) as refused:
        record(courts.clerks.cg, "mediation", mediated_by=courts.courts.cg)
    assert "mediated_by" in refused.value.message_dict and not IPCase.objects.exists()


def test_who_may_record(courts: Courts) -> None:
    for user in (courts.mediator_liaison, leader_at(PROVINCE), leader_at(LANZHOU)):
        with pytest.raises(NotPermitted):
            record(user)
    with pytest.raises(NotPermitted):  # a clerk records for their own court only
        record(courts.clerks.lz, court=courts.courts.cg)
    assert not IPCase.objects.exists()
    lanzhou = office_user_at(LANZHOU)
    with pytest.raises(ValidationError) as refused:
        record(lanzhou, court=courts.courts.jyg)
    assert refused.value.message_dict["court"] == ["只能为本级或下级法院登记案件。"]
    with pytest.raises(ValidationError):
        record(lanzhou)  # the office names the court
    with pytest.raises(ValidationError):
        record(lanzhou, court=unit_at(LANZHOU, "兰州市某局"))
    assert not IPCase.objects.exists()
    assert record(lanzhou, court=courts.courts.cg).court == courts.courts.cg


def test_edit_and_delete_by_the_court_and_the_office_of_its_region_only(courts: Courts) -> None:
    case = record(courts.clerks.cg)
    for user in (courts.clerks.lz, courts.clerks.high, leader_at(PROVINCE), courts.mediator_liaison):
        assert services.allowed_actions(case, user) == set()
        with pytest.raises(NotPermitted):
            services.ipcase_update(case=case, by=user, outcome="mediation", today=TODAY)
        with pytest.raises(NotPermitted):
            services.ipcase_delete(case=case, by=user)
    case.refresh_from_db()
    assert case.outcome == "judgment"
    assert services.allowed_actions(case, courts.clerks.cg) == {"edit", "delete"}
    assert services.allowed_actions(case, office_user_at(CHENGGUAN)) == {"edit", "delete"}
    assert services.allowed_actions(case, office_user_at(JIAYUGUAN)) == set()
    services.ipcase_update(case=case, by=office_user_at(LANZHOU), outcome="withdrawal", today=TODAY)
    case.refresh_from_db()
    assert case.outcome == "withdrawal" and case.history.count() == 2
    with pytest.raises(ValidationError):
        services.ipcase_update(case=case, by=courts.clerks.cg, court=courts.courts.lz, today=TODAY)
    services.ipcase_delete(case=case, by=courts.clerks.cg)
    assert not IPCase.objects.exists()


# --- Scope by level --------------------------------------------------------------------------------------------


@pytest.fixture
def spread(courts: Courts) -> dict[str, IPCase]:
    return {
        "cg": record(courts.clerks.cg, "mediation", case_number="cg", mediated_by=courts.mediator),
        "lz": record(courts.clerks.lz, case_number="lz"),
        "jyg": record(courts.clerks.jyg, case_number="jyg"),
        "high": record(courts.clerks.high, case_number="high"),
    }


def test_each_role_and_level_reads_its_scope(courts: Courts, spread: dict[str, IPCase]) -> None:
    assert seen(office_user_at(PROVINCE)) == {"cg", "lz", "jyg", "high"}
    assert seen(leader_at(PROVINCE)) == {"cg", "lz", "jyg", "high"}
    assert seen(office_user_at(LANZHOU)) == {"cg", "lz"}
    assert seen(leader_at(LANZHOU)) == {"cg", "lz"}
    assert seen(office_user_at(CHENGGUAN)) == {"cg"}
    assert seen(office_user_at(JIAYUGUAN)) == {"jyg"}
    assert seen(courts.clerks.high) == {"cg", "lz", "jyg", "high"}
    assert seen(courts.clerks.lz) == {"cg", "lz"}
    assert seen(courts.clerks.cg) == {"cg"}
    assert seen(courts.mediator_liaison) == {"cg"}
    assert seen(liaison_at(unit_at(LANZHOU, "兰州市知识产权局"))) == set()


def test_outside_the_scope_every_path_is_404(courts: Courts, spread: dict[str, IPCase]) -> None:
    case = spread["lz"]
    for user in (office_user_at(CHENGGUAN), courts.clerks.cg, courts.clerks.jyg, courts.mediator_liaison):
        client = client_for(user)
        for name in ("ipcase-detail", "ipcase-edit"):
            assert client.get(reverse(name, args=[case.pk])).status_code == 404, (user, name)
        assert client.post(reverse("ipcase-delete", args=[case.pk])).status_code == 404
        assert api(user).get(f"{API}{case.pk}/").status_code == 404
        assert api(user).patch(f"{API}{case.pk}/", {"outcome": "mediation"}, format="json").status_code == 404
        rows = client.get(LIST).context["listing"].object_list
        assert case.pk not in {r.pk for r in rows}
    case.refresh_from_db()
    assert case.outcome == "judgment" and IPCase.objects.filter(pk=case.pk).exists()


def test_a_court_above_reads_but_may_not_change(courts: Courts, spread: dict[str, IPCase]) -> None:
    case = spread["cg"]
    client = client_for(courts.clerks.lz)
    page = client.get(reverse("ipcase-detail", args=[case.pk]))
    assert page.status_code == 200 and b'data-testid="edit"' not in page.content
    assert client.get(reverse("ipcase-edit", args=[case.pk])).status_code == 403
    assert api(courts.clerks.lz).patch(f"{API}{case.pk}/", {"outcome": "judgment"}, format="json").status_code == 403
    case.refresh_from_db()
    assert case.outcome == "mediation"


# --- Pages -----------------------------------------------------------------------------------------------------


def test_the_list_filters_sorts_and_searches(courts: Courts, spread: dict[str, IPCase]) -> None:
    record(courts.clerks.cg, "withdrawal", case_number="cg2", kind="trademark", on=date(2026, 5, 1))
    client = client_for(office_user_at(PROVINCE))

    def numbers(**params: str) -> list[str]:
        return [r.case_number for r in client.get(LIST, params).context["listing"].object_list]

    assert set(numbers(outcome="mediation,withdrawal")) == {"cg", "cg2"}
    assert set(numbers(outcome="withdrawal")) == {"cg2"}
    assert numbers(outcome="nonsense") == []
    assert set(numbers(court=str(courts.courts.cg.pk))) == {"cg", "cg2"}
    assert numbers(kind="trademark") == ["cg2"]
    assert numbers(**{"from": "2026-04-01", "to": "2026-05-31"}) == ["cg2"]
    assert set(numbers(region=str(courts.courts.lz.region_id))) == {"cg", "cg2", "lz"}
    assert set(numbers(level="county")) == {"cg", "cg2"}
    assert set(numbers(level="province")) == {"high"}
    assert numbers(q="cg2") == ["cg2"]
    assert numbers(q="调解中心") == ["cg"]
    assert numbers(sort="case_number") == ["cg", "cg2", "high", "jyg", "lz"]
    assert numbers(sort="-concluded_on")[0] == "cg2"


def test_the_export_is_the_filtered_list(courts: Courts, spread: dict[str, IPCase]) -> None:
    response = client_for(office_user_at(LANZHOU)).get(reverse("ipcase-export"), {"outcome": "mediation"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("案号", "承办法院", "案件类型", "结案日期", "结案方式")
    assert [r[0] for r in rows[1:]] == ["cg"]
    assert rows[1][4] == "调解" and rows[1][5] == courts.mediator.name


def test_the_page_form_records_and_shows_chinese_errors(courts: Courts) -> None:
    client = client_for(courts.clerks.cg)
    six = str(WorkTask.objects.get(number=6).pk)
    data = {"case_number": "", "kind": "patent", "concluded_on": "2099-01-01", "outcome": "judgment", "tasks": [six]}
    bad = client.post(reverse("ipcase-create"), data)
    assert bad.status_code == 200 and not IPCase.objects.exists()
    assert "该字段是必填项。" in bad.content.decode()
    data["case_number"] = "(2026)甘0102知民初99号"
    future = client.post(reverse("ipcase-create"), data)
    assert "结案日期不能晚于今天。" in future.content.decode() and not IPCase.objects.exists()
    data["concluded_on"] = "2026-01-05"
    done = client.post(reverse("ipcase-create"), data)
    case = IPCase.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("ipcase-detail", args=[case.pk])
    detail = client.get(done["Location"]).content.decode()
    assert 'data-testid="timeline"' in detail and "登记" in detail and "data-confirm" in detail
    assert client.get(reverse("ipcase-create")).status_code == 200
    assert client_for(courts.mediator_liaison).get(reverse("ipcase-create")).status_code == 403
    assert client_for(leader_at(PROVINCE)).get(reverse("ipcase-import")).status_code == 403


def test_delete_is_a_post_and_leaves_the_list(courts: Courts) -> None:
    case = record(courts.clerks.cg)
    client = client_for(courts.clerks.cg)
    assert client.get(reverse("ipcase-delete", args=[case.pk])).status_code == 405
    assert client.post(reverse("ipcase-delete", args=[case.pk])).status_code == 302
    assert not IPCase.objects.exists()


def _queries(client, url: str) -> int:
    client.get(url)  # the first request of a session also reads what later ones find cached
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_page_and_the_api_list_cost_the_same_queries_for_3_or_13_rows(courts: Courts) -> None:
    for _i in range(3):
        record(courts.clerks.cg, "mediation", mediated_by=courts.mediator)
    office = office_user_at(LANZHOU)
    client, client_api = client_for(office), api(office)
    page, api_list = _queries(client, LIST), _queries(client_api, API)
    for _i in range(10):
        record(courts.clerks.lz, case_number=number("甘01知民初"))
    assert _queries(client, LIST) == page
    assert _queries(client_api, API) == api_list
    assert page <= 12 and api_list <= 10


# --- API -------------------------------------------------------------------------------------------------------


def test_the_api_records_lists_and_changes(courts: Courts) -> None:
    clerk = api(courts.clerks.cg)
    body = {"case_number": "(2026)甘0102知民初5号", "kind": "copyright", "concluded_on": "2026-02-01"}
    created = clerk.post(API, {**body, "outcome": "withdrawal"}, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["court"] == courts.courts.cg.pk and data["settled"] is True
    assert data["region_name"] == "城关区" and sorted(data["actions"]) == ["delete", "edit"]
    again = clerk.post(API, {**body, "outcome": "judgment"}, format="json")
    assert again.status_code == 400 and "case_number" in again.json()
    bad = clerk.post(
        API, {**body, "case_number": "x", "outcome": "judgment", "concluded_on": "2999-01-01"}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["concluded_on"] == ["结案日期不能晚于今天。"]
    assert api(courts.mediator_liaison).post(API, {**body, "outcome": "judgment"}, format="json").status_code == 403
    assert IPCase.objects.count() == 1
    pk = data["id"]
    changed = clerk.patch(f"{API}{pk}/", {"outcome": "judgment"}, format="json")
    assert changed.status_code == 200 and changed.json()["settled"] is False
    moved = clerk.patch(f"{API}{pk}/", {"court": courts.courts.lz.pk}, format="json")
    assert moved.status_code == 400 and IPCase.objects.get().court == courts.courts.cg
    listed = api(office_user_at(PROVINCE)).get(API, {"outcome": "judgment", "court": courts.courts.cg.pk}).json()
    assert [r["id"] for r in listed["results"]] == [pk]
    assert api(office_user_at(PROVINCE)).get(API, {"outcome": "withdrawal"}).json()["count"] == 0
    assert api(office_user_at(JIAYUGUAN)).get(API).json()["count"] == 0


def test_the_export_holds_what_users_typed_as_text_never_a_formula(courts: Courts) -> None:
    record(courts.clerks.cg, case_number='=HYPERLINK("http://evil","x")', note="@SUM(1+1)")
    response = client_for(courts.clerks.cg).get(reverse("ipcase-export"))
    cells = [c for row in load_workbook(BytesIO(response.content)).active.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert {'=HYPERLINK("http://evil","x")', "@SUM(1+1)"} <= {c.value for c in cells}
