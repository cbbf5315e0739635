"""The unit pickers: GET /units/search/ (scope, matching, grouping, order, paging) and the widgets,
which render only the selected units while the field's queryset still decides what is valid."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cases.recommendations.forms import RecommendationForm
from meetings.decisions.forms import DecisionForm
from members.models import MemberUnit, Region
from members.roles import Role
from members.selectors import PICKER_PAGE
from tests.conftest import Cast, client_for
from tests.factories import UnitFactory, make_user

pytestmark = pytest.mark.django_db

URL = "/units/search/"


def search(client: Client, **params: Any) -> dict[str, Any]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    data: dict[str, Any] = response.json()
    return data


def names(data: dict[str, Any]) -> list[str]:
    return [r["text"] for r in data["results"]]


def county_liaison() -> Any:
    """A liaison of 兰州市城关区司法局 (a 县市区 unit)."""
    return make_user(Role.LIAISON, MemberUnit.objects.get(name="兰州市城关区司法局"), username="chengguan")


def test_the_endpoint_is_at_its_name() -> None:
    assert reverse("unit-search") == URL


def test_anonymous_is_refused_with_401_and_no_units(client: Client, cast: Cast) -> None:
    response = client.get(URL, {"q": "法院"})
    assert response.status_code == 401
    assert "results" not in response.json()


def test_a_post_is_not_a_search(cast: Cast) -> None:
    assert client_for(cast.liaison).post(URL, {"q": "法院"}).status_code == 405


def test_search_matches_name_short_name_and_region_word_by_word(cast: Cast) -> None:
    client = client_for(cast.liaison)
    assert names(search(client, q="测试局甲")) == ["测试局甲"]
    assert names(search(client, q="乙局")) == ["测试局乙"]  # the short name
    # The region's name: 榆中县's units have names that say so, 城关区's say 兰州市城关区…
    by_region = names(search(client, q="城关区"))
    assert set(by_region) == {"兰州市城关区人民法院", "兰州市城关区司法局"}
    # Every word must match somewhere: "兰州 法院" is the courts in 兰州市 and its counties, nothing else.
    courts = names(search(client, q="兰州 法院"))
    assert courts and all("法院" in n for n in courts)
    expected = MemberUnit.objects.filter(kind="court", region__city__name="兰州市").count()
    assert len(courts) == expected
    assert names(search(client, q="没有这个单位")) == []
    # Latin letters are matched whatever their case.
    UnitFactory(name="OA测试中心", short_name="")
    assert names(search(client, q="oa")) == ["OA测试中心"]


def test_results_are_grouped_by_level_and_region(cast: Cast) -> None:
    client = client_for(cast.office)
    groups = {r["text"]: r["group"] for r in search(client, q="兰州")["results"]}
    assert groups["兰州市中级人民法院"] == "兰州市"
    assert groups["兰州市城关区人民法院"] == "兰州市 · 城关区"
    assert groups["榆中县人民法院"] == "兰州市 · 榆中县"
    province = search(client, q="省司法厅")["results"]
    assert [(r["text"], r["group"], r["level"]) for r in province] == [("甘肃省司法厅", "省级", "province")]
    row = search(client, q="城关区人民法院")["results"][0]
    assert row["region"] == Region.objects.get(name="城关区").pk
    assert set(row) == {"id", "text", "level", "region", "group"}


def test_own_region_comes_first_then_the_rest_of_the_city_then_by_level(cast: Cast) -> None:
    # A 县市区 user: their county's units, then their 市州's, then the province's, then other 市州's.
    results = search(client_for(county_liaison()), q="法院")["results"]
    groups = [r["group"] for r in results]
    assert groups[0] == "兰州市 · 城关区"
    lanzhou = [i for i, g in enumerate(groups) if g.startswith("兰州市")]
    assert lanzhou == list(range(len(lanzhou)))  # all of 兰州市 before anything else
    rest = groups[len(lanzhou) :]
    assert rest[0] == "省级"
    # A provincial user: by level (province, then 市州, then 县市区).
    levels = [r["level"] for r in search(client_for(cast.office), q="法院")["results"]]
    rank = {"province": 0, "city": 1, "county": 2}
    assert [rank[x] for x in levels] == sorted(rank[x] for x in levels)


def test_pages_of_twenty_until_no_more(cast: Cast) -> None:
    client = client_for(cast.office)
    total = MemberUnit.objects.filter(active=True, name__contains="法院").count()
    assert total > 2 * PICKER_PAGE
    seen: list[int] = []
    page = 1
    while True:
        data = search(client, q="法院", page=page)
        assert len(data["results"]) == (PICKER_PAGE if data["more"] else total - len(seen))
        seen += [r["id"] for r in data["results"]]
        if not data["more"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) == total
    # A page beyond the end is empty, not an error; a nonsense page is the first.
    assert search(client, q="法院", page=page + 5) == {"results": [], "more": False}
    assert names(search(client, q="法院", page="²")) == names(search(client, q="法院", page=1))


def test_inactive_units_are_not_offered(cast: Cast) -> None:
    UnitFactory(name="已撤销的测试局", active=False)
    client = client_for(cast.office)
    assert names(search(client, q="已撤销")) == []
    assert "已撤销的测试局" not in names(search(client, q="测试"))


def test_a_field_narrows_the_scope(cast: Cast) -> None:
    client = client_for(cast.liaison)
    courts = search(client, q="兰州", kind="court")["results"]
    assert courts and {MemberUnit.objects.get(pk=r["id"]).kind for r in courts} == {"court"}
    no_courts = names(search(client, q="兰州", exclude_kind="court"))
    assert no_courts and not any("法院" in n for n in no_courts)
    basic = names(search(client, q="兰州", kind="court", court_level="basic"))
    assert "兰州市中级人民法院" not in basic and "榆中县人民法院" in basic
    two_kinds = search(client, q="测试", kind="government,court")["results"]
    assert {r["text"] for r in two_kinds} >= {"测试局甲", "测试中级人民法院甲"}
    # region: that region and below it.
    lanzhou = Region.objects.get(name="兰州市")
    in_lanzhou = search(client, q="司法局", region=lanzhou.pk)["results"]
    assert in_lanzhou and all(r["group"].startswith("兰州市") for r in in_lanzhou)
    assert "兰州市司法局" in {r["text"] for r in in_lanzhou}
    county = Region.objects.get(name="榆中县")
    assert names(search(client, q="", region=county.pk)) == ["榆中县人民法院", "榆中县司法局"]


@pytest.mark.parametrize(
    "params", [{"kind": "court,nonsense"}, {"court_level": "supreme"}, {"level": "town"}, {"region": "999999"}]
)
def test_an_unknown_code_is_refused_not_ignored(cast: Cast, params: dict[str, str]) -> None:
    response = client_for(cast.liaison).get(URL, {"q": "法院", **params})
    assert response.status_code == 400
    assert "results" not in response.json()


@pytest.mark.parametrize("extra", [0, 40])
def test_query_count_is_constant_at_every_level(cast: Cast, extra: int, django_assert_num_queries: Any) -> None:
    for i in range(extra):
        UnitFactory(name=f"计数法院{i}", region=Region.objects.get(name="城关区"), level="county")
    users = [cast.office, cast.leader, cast.liaison, cast.clerk, county_liaison()]
    for user in users:
        client = client_for(user)
        search(client, q="")  # the first request of a session saves it once
        # the session, the user with their unit and its region, the page of units (with regions joined)
        with django_assert_num_queries(3):
            data = search(client, q="法院", page=2)
        assert len(data["results"]) == PICKER_PAGE


# --- The widgets ----------------------------------------------------------------------------------


def options_of(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, html
    return re.findall(r'<option value="(\d*)"', select.group(1))


def test_a_form_renders_only_the_selected_units(cast: Cast, django_assert_max_num_queries: Any) -> None:
    addressee = MemberUnit.objects.get(name="兰州市城关区司法局")
    copies = list(MemberUnit.objects.filter(name__in=["甘肃省司法厅", "榆中县人民法院"]).order_by("pk"))
    assert MemberUnit.objects.filter(active=True).count() > 200
    form = RecommendationForm(initial={"addressee": addressee.pk, "copy_to": [u.pk for u in copies]})
    # one query per picker holding a value (addressee, copy_to) and the tasks' checkboxes
    with django_assert_max_num_queries(3):
        html = str(form["addressee"]) + str(form["copy_to"]) + str(form["supervisor"])
    assert options_of(html, "addressee") == ["", str(addressee.pk)]
    assert options_of(html, "copy_to") == [str(u.pk) for u in copies]
    assert options_of(html, "supervisor") == [""]
    assert f'<option value="{addressee.pk}" selected>兰州市城关区司法局</option>' in html
    select = re.search(r'<select name="addressee"[^>]*>', html)
    assert select
    tag = select.group(0)
    assert 'data-unit-picker="single"' in tag and 'data-search-url="/units/search/?exclude_kind=court"' in tag
    assert 'data-unit-picker="multiple"' in html and " multiple " in html


def test_a_posted_unit_outside_the_fields_queryset_is_a_form_error_in_chinese(cast: Cast) -> None:
    court = MemberUnit.objects.get(name="兰州市中级人民法院")
    inactive = UnitFactory(name="停用的单位", active=False)
    form = RecommendationForm(data={"addressee": court.pk, "copy_to": [inactive.pk], "category": "", "title": "t"})
    assert not form.is_valid()
    assert "选择一个有效的选项" in form.errors["addressee"][0]
    assert "copy_to" in form.errors
    # The page offers it again only if it is valid: the field's queryset, not the picker, decides.
    assert options_of(str(form["addressee"]), "addressee") == [""]
    assert options_of(str(form["copy_to"]), "copy_to") == []


def test_a_bound_form_keeps_the_posted_units(cast: Cast) -> None:
    owner = MemberUnit.objects.get(name="兰州市司法局")
    helpers = list(MemberUnit.objects.filter(name__in=["榆中县司法局", "甘肃省公安厅"]))
    form = DecisionForm(
        data={"text": "x", "owner_unit": owner.pk, "supporting_units": [u.pk for u in helpers], "due": "2026-12-01"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["owner_unit"] == owner
    assert set(form.cleaned_data["supporting_units"]) == set(helpers)
    assert sorted(options_of(str(form["supporting_units"]), "supporting_units")) == sorted(str(u.pk) for u in helpers)
    # A nonsense id is not rendered and not valid.
    bad = DecisionForm(data={"text": "x", "owner_unit": "abc", "due": "2026-12-01"})
    assert not bad.is_valid() and "owner_unit" in bad.errors
    assert options_of(str(bad["owner_unit"]), "owner_unit") == [""]


def test_a_non_office_convener_is_their_own_unit_in_a_plain_select(cast: Cast) -> None:
    from meetings.meetings.forms import MeetingForm
    from members.widgets import UnitPicker

    mine = MeetingForm(user=cast.liaison)
    html = str(mine["convener"])
    assert "data-unit-picker" not in html and options_of(html, "convener") == ["", str(cast.unit.pk)]
    office = MeetingForm(user=cast.office)
    assert isinstance(office.fields["convener"].widget, UnitPicker)
    assert 'data-unit-picker="single"' in str(office["convener"])


def test_pages_load_the_vendored_picker_from_our_own_static_files(cast: Cast) -> None:
    from django.contrib.staticfiles import finders

    html = client_for(cast.clerk).get("/recommendations/new/").content.decode()
    for asset in [
        "vendor/tom-select/tom-select.complete.min.js",
        "vendor/tom-select/tom-select.bootstrap5.min.css",
        "js/pickers.js",
    ]:
        assert f"/static/{asset}" in html
        assert finders.find(asset), asset
    assert 'name="addressee"' in html and 'data-search-url="/units/search/?exclude_kind=court"' in html
    assert html.count("<option") < 60  # no list of every unit


@pytest.mark.parametrize(
    "params",
    [
        {"q": "法院\x00"},
        {"q": "%"},
        {"q": "_"},
        {"q": "x" * 5000},
        {"page": "99999999999999999999"},
        {"page": "-1"},
        {"region": "²"},
        {"region": "99999999999999999999"},
        {"kind": ""},
    ],
)
def test_hostile_parameters_are_answered_without_a_server_error(cast: Cast, params: dict[str, str]) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(cast.liaison)
    response = client.get(URL, params)
    assert response.status_code in (200, 400), response.status_code
    if params.get("q") in ("%", "_"):
        assert response.json()["results"] == []  # a wildcard is a character, not "anything"
