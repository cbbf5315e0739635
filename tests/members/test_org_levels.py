"""Issue 13 in members: the regions/ API and region_save; units with court levels; offices manage their own level."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from members import services
from members.models import MemberUnit, Region, User
from members.roles import Role
from tests.conftest import Cast, client_for
from tests.factories import make_user
from tests.members.test_api import api_for, results, token_api_for

pytestmark = pytest.mark.django_db


def region(name: str) -> Region:
    return Region.objects.get(name=name)


def unit(name: str) -> MemberUnit:
    return MemberUnit.objects.select_related("region").get(name=name)


def office_of(unit_name: str, username: str) -> User:
    return User.objects.select_related("unit__region").get(
        pk=make_user(Role.OFFICE, unit(unit_name), username=username).pk
    )


@pytest.fixture
def lanzhou_office(cast: Cast) -> User:
    return office_of("兰州市司法局", "lz-office")


@pytest.fixture
def chengguan_office(cast: Cast) -> User:
    return office_of("兰州市城关区司法局", "cg-office")


# --- regions/ -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["liaison", "clerk", "leader", "office", "admin"])
def test_regions_readable_by_every_signed_in_user(cast: Cast, who: str) -> None:
    response = api_for(getattr(cast, who)).get("/api/v1/regions/", {"page_size": 200})
    assert response.status_code == 200
    rows = results(response)
    assert len(rows) == Region.objects.count() == 101
    assert set(rows[0]) == {"id", "code", "name", "level", "parent"}


def test_regions_anonymous_401_and_read_only(cast: Cast) -> None:
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/regions/").status_code == 401
    before = Region.objects.count()
    assert api_for(cast.admin).post("/api/v1/regions/", {"name": "新区", "code": "629999"}).status_code == 405
    assert Region.objects.count() == before


def test_regions_filters_and_search(cast: Cast) -> None:
    client = api_for(cast.liaison)

    def names(**params: Any) -> list[str]:
        return [r["name"] for r in results(client.get("/api/v1/regions/", {"page_size": 200, **params}))]

    assert names(level="province") == ["甘肃省"]
    assert len(names(level="city")) == 14
    lanzhou = region("兰州市")
    assert set(names(parent=lanzhou.pk)) == set(Region.objects.filter(parent=lanzhou).values_list("name", flat=True))
    assert "城关区" in names(parent=lanzhou.pk) and "秦州区" not in names(parent=lanzhou.pk)
    assert names(search="城关") == ["城关区"]
    assert names(search="620500") == ["天水市"]
    assert client.get("/api/v1/regions/", {"level": "galaxy"}).status_code == 400


def test_regions_list_query_count_is_constant(cast: Cast, django_assert_num_queries: Any) -> None:
    client = token_api_for(cast.liaison)
    # token with user, unit and region; COUNT; the page
    with django_assert_num_queries(3):
        assert client.get("/api/v1/regions/", {"page_size": 200}).status_code == 200


def test_regions_in_the_openapi_schema(db: None, tmp_path: Any) -> None:
    import yaml
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    paths = yaml.safe_load(out.read_text(encoding="utf-8"))["paths"]
    assert "/api/v1/regions/" in paths and "/api/v1/regions/{id}/" in paths
    params = {p["name"] for p in paths["/api/v1/regions/"]["get"]["parameters"]}
    assert {"search", "level", "parent", "page"} <= params
    unit_params = {p["name"] for p in paths["/api/v1/units/"]["get"]["parameters"]}
    assert {"region", "level", "court_level", "kind"} <= unit_params


# --- region_save ----------------------------------------------------------------------------------------


def test_region_cycle_attempt_is_refused_and_nothing_saved(cast: Cast) -> None:
    a = services.region_save(name="甲市", code="629100", level="city", parent=region("甘肃省"))
    b = services.region_save(name="乙县", code="629101", level="county", parent=a)
    assert (a.city_id, b.city_id) == (a.pk, a.pk)
    with pytest.raises(ValidationError) as error:
        services.region_save(region=a, parent=b)  # A's parent B, whose parent is A
    assert "上级区划须恰好高一级" in str(error.value.message_dict["parent"])
    a.refresh_from_db()
    assert a.parent == region("甘肃省")
    with pytest.raises(ValidationError) as error:
        services.region_save(region=a, parent=a)
    assert error.value.message_dict["parent"] == ["区划不能是自己的上级区划。"]
    with pytest.raises(ValidationError):
        services.region_save(region=a, level="county", parent=b)  # a level change of a region with children
    a.refresh_from_db()
    assert (a.level, a.parent, a.city_id) == ("city", region("甘肃省"), a.pk)


@pytest.mark.parametrize(
    ("level", "parent", "message"),
    [
        ("county", "甘肃省", "上级区划须恰好高一级"),
        ("city", "兰州市", "上级区划须恰好高一级"),
        ("county", "城关区", "上级区划须恰好高一级"),
        ("county", None, "市州、县市区必须有上级区划。"),
        ("province", "甘肃省", "省级区划没有上级区划。"),
    ],
)
def test_region_parent_must_be_exactly_one_level_up(cast: Cast, level: str, parent: str | None, message: str) -> None:
    before = Region.objects.count()
    with pytest.raises(ValidationError) as error:
        services.region_save(name="新区", code="629200", level=level, parent=region(parent) if parent else None)
    assert message in " ".join(error.value.message_dict["parent"])
    assert Region.objects.count() == before


def test_region_county_moves_and_its_city_follows(cast: Cast) -> None:
    county = services.region_save(region=region("榆中县"), parent=region("天水市"))
    assert county.city_id == region("天水市").pk


def test_region_admin_refuses_a_cycle_with_a_chinese_error(cast: Cast) -> None:
    client = client_for(cast.admin)
    lanzhou, chengguan = region("兰州市"), region("城关区")
    url = reverse("admin:members_region_change", args=[lanzhou.pk])
    data = {"name": "兰州市", "code": lanzhou.code, "level": "city", "parent": chengguan.pk, "order": lanzhou.order}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "上级区划须恰好高一级" in response.content.decode()
    lanzhou.refresh_from_db()
    assert lanzhou.parent == region("甘肃省")
    listing = client.get(reverse("admin:members_region_changelist"), {"level": "county", "parent": lanzhou.pk})
    assert "城关区" in listing.content.decode() and "秦州区" not in listing.content.decode()


# --- units: court levels ----------------------------------------------------------------------------------


def test_unit_api_shows_court_level_region_and_office(cast: Cast) -> None:
    court = unit("兰州市城关区人民法院")
    body = api_for(cast.liaison).get(f"/api/v1/units/{court.pk}/").json()
    assert (body["court_level"], body["court_level_name"], body["region_name"]) == ("basic", "基层人民法院", "城关区")
    assert body["hosts_office"] is False
    assert api_for(cast.liaison).get(f"/api/v1/units/{unit('兰州市司法局').pk}/").json()["hosts_office"] is True


def test_unit_api_region_filter_is_the_subtree(cast: Cast) -> None:
    client = api_for(cast.liaison)

    def names(**params: Any) -> set[str]:
        return {u["name"] for u in results(client.get("/api/v1/units/", {"page_size": 500, **params}))}

    lanzhou = names(region=region("兰州市").pk)
    assert {"兰州市司法局", "兰州市中级人民法院", "榆中县人民法院", "兰州市城关区司法局"} <= lanzhou
    assert not {"天水市司法局", "甘肃省司法厅"} & lanzhou
    assert names(region=region("城关区").pk) == {"兰州市城关区人民法院", "兰州市城关区司法局"}
    assert names(region=region("兰州市").pk, court_level="basic", kind="court") == {
        u.name for u in MemberUnit.objects.filter(region__parent__name="兰州市", court_level="basic")
    }
    assert names(level="county", region=region("兰州市").pk) == names(region=region("兰州市").pk) - {
        u.name for u in MemberUnit.objects.filter(region__name="兰州市")
    }


def test_a_court_whose_parent_is_not_one_level_up_is_refused(cast: Cast) -> None:
    before = MemberUnit.objects.count()
    with pytest.raises(ValidationError) as error:
        services.unit_save(
            name="测试基层法院",
            kind="court",
            court_level="basic",
            region=region("城关区"),
            parent=unit("甘肃省高级人民法院"),
        )
    assert error.value.message_dict["parent"] == ["基层人民法院的上级单位须为高一级的中级人民法院。"]
    response = api_for(cast.admin).post(
        "/api/v1/units/",
        {"name": "测试法庭", "kind": "court", "court_level": "tribunal", "parent": unit("兰州市中级人民法院").pk},
        format="json",
    )
    assert response.status_code == 400 and "parent" in response.json()
    assert MemberUnit.objects.count() == before


def test_a_court_needs_a_court_level_and_a_level_matching_its_region(cast: Cast) -> None:
    with pytest.raises(ValidationError) as error:
        services.unit_save(name="无层级法院", kind="court", region=region("城关区"))
    assert error.value.message_dict == {"court_level": ["人民法院须选择法院层级。"]}
    with pytest.raises(ValidationError) as error:
        services.unit_save(
            name="错层法院",
            kind="court",
            court_level="basic",
            region=region("秦州区"),
            parent=unit("兰州市中级人民法院"),
        )
    assert error.value.message_dict == {"region": ["法院须位于其上级法院的辖区内。"]}
    with pytest.raises(ValidationError):
        services.unit_save(
            name="错层法院",
            kind="court",
            court_level="intermediate",
            region=region("城关区"),
            parent=unit("甘肃省高级人民法院"),
        )
    assert not MemberUnit.objects.filter(name__in=["无层级法院", "错层法院"]).exists()


def test_a_tribunal_sits_in_its_basic_courts_region_and_a_units_level_follows_its_region(cast: Cast) -> None:
    basic = unit("榆中县人民法院")
    tribunal = services.unit_save(name="榆中县人民法院甘草人民法庭", kind="court", court_level="tribunal", parent=basic)
    assert (tribunal.region, tribunal.level) == (basic.region, "county")
    bureau = services.unit_save(name="榆中县测试局", kind="government", level="province", region=region("榆中县"))
    assert bureau.level == "county"


# --- offices manage their own level -------------------------------------------------------------------


def test_city_office_retiring_a_provincial_units_liaison_is_refused(cast: Cast, lanzhou_office: User) -> None:
    provincial = make_user(Role.LIAISON, unit("甘肃省司法厅"), username="sft-liaison")
    tianshui = make_user(Role.LIAISON, unit("天水市司法局"), username="ts-liaison")
    for person in (provincial, tianshui):
        with pytest.raises(PermissionDenied):
            services.user_retire(by=lanzhou_office, user=person)
        person.refresh_from_db()
        assert person.is_active and hasattr(person, "liaison")
        # The API: not in the office's people (404), and the page: 403.
        response = api_for(lanzhou_office).patch(f"/api/v1/users/{person.pk}/", {"is_active": False}, format="json")
        assert response.status_code == 404
        assert person.unit is not None
        page = client_for(lanzhou_office).post(reverse("liaison-retire", args=[person.unit.pk, person.pk]))
        assert page.status_code == 403
        person.refresh_from_db()
        assert person.is_active


def test_city_office_manages_liaisons_of_its_region_and_below(cast: Cast, lanzhou_office: User) -> None:
    county = make_user(Role.LIAISON, unit("榆中县司法局"), username="yz-liaison")
    response = api_for(lanzhou_office).patch(f"/api/v1/users/{county.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200, response.content
    county.refresh_from_db()
    assert not county.is_active
    created = api_for(lanzhou_office).post(
        "/api/v1/users/",
        {"username": "lz-new", "name": "新联络员", "unit": unit("兰州市城关区司法局").pk, "roles": ["liaison"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    refused = api_for(lanzhou_office).post(
        "/api/v1/users/",
        {"username": "ts-new", "name": "越界", "unit": unit("天水市司法局").pk, "roles": ["liaison"]},
        format="json",
    )
    assert refused.status_code == 403
    assert not User.objects.filter(username="ts-new").exists()
    people = {u["username"] for u in results(api_for(lanzhou_office).get("/api/v1/users/", {"page_size": 500}))}
    assert "lz-new" in people and "yz-liaison" in people and "liaison" not in people


def test_city_office_cannot_edit_a_provincial_or_a_neighbouring_unit(cast: Cast, lanzhou_office: User) -> None:
    for target in (unit("甘肃省司法厅"), unit("天水市司法局")):
        response = api_for(lanzhou_office).patch(f"/api/v1/units/{target.pk}/", {"short_name": "改"}, format="json")
        assert response.status_code == 403  # the directory is readable: a refused write is 403
        target.refresh_from_db()
        assert target.short_name != "改"
        with pytest.raises(PermissionDenied):
            services.unit_save(by=lanzhou_office, unit=target, short_name="改")
    own = unit("兰州市城关区司法局")
    response = api_for(lanzhou_office).patch(f"/api/v1/units/{own.pk}/", {"short_name": "城关司法"}, format="json")
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.short_name == "城关司法"


def test_creating_a_unit_outside_the_offices_region_is_refused(cast: Cast, lanzhou_office: User) -> None:
    before = MemberUnit.objects.count()
    for place in ("天水市", "秦州区", "甘肃省"):
        response = api_for(lanzhou_office).post(
            "/api/v1/units/",
            {"name": f"越界局{place}", "kind": "government", "region": region(place).pk},
            format="json",
        )
        assert response.status_code == 400
        assert response.json()["region"] == ["单位所在区划须在您所在的区划(本级或下级)之内。"]
    moved = api_for(lanzhou_office).patch(
        f"/api/v1/units/{unit('榆中县司法局').pk}/", {"region": region("秦州区").pk}, format="json"
    )
    assert moved.status_code == 400  # nor moved out of it
    assert unit("榆中县司法局").region == region("榆中县")
    assert MemberUnit.objects.count() == before


def test_county_office_adds_a_unit_in_its_county(cast: Cast, chengguan_office: User) -> None:
    response = api_for(chengguan_office).post(
        "/api/v1/units/", {"name": "城关区测试局", "kind": "government", "region": region("城关区").pk}, format="json"
    )
    assert response.status_code == 201, response.content
    created = MemberUnit.objects.get(name="城关区测试局")
    assert (created.level, created.region) == ("county", region("城关区"))
    beside = api_for(chengguan_office).post(
        "/api/v1/units/", {"name": "七里河测试局", "kind": "government", "region": region("七里河区").pk}, format="json"
    )
    assert beside.status_code == 400
    above = api_for(chengguan_office).patch(f"/api/v1/units/{unit('兰州市司法局').pk}/", {"order": 1}, format="json")
    assert above.status_code == 403


def test_provincial_office_and_admin_manage_everywhere(cast: Cast) -> None:
    target = unit("天水市秦州区司法局")
    for who in (cast.office, cast.admin):
        assert services.may_manage_unit(by=who, unit=target)
    assert not services.may_manage_unit(by=cast.liaison, unit=cast.unit)
    assert not services.may_manage_unit(by=cast.leader, unit=target)


# --- 添加人民法庭 ----------------------------------------------------------------------------------------


def test_tribunal_add_on_a_basic_courts_page(cast: Cast, lanzhou_office: User) -> None:
    court = unit("榆中县人民法院")
    page = client_for(lanzhou_office).get(reverse("unit-detail", args=[court.pk])).content.decode()
    assert "添加人民法庭" in page
    response = client_for(lanzhou_office).post(
        reverse("tribunal-add", args=[court.pk]), {"name": "榆中县人民法院甘草人民法庭", "short_name": "甘草法庭"}
    )
    assert response.status_code == 302
    tribunal = MemberUnit.objects.get(name="榆中县人民法院甘草人民法庭")
    assert (tribunal.court_level, tribunal.parent, tribunal.region) == ("tribunal", court, court.region)


@pytest.mark.parametrize("who", ["tianshui", "liaison", "clerk", "leader"])
def test_tribunal_add_refused_to_others(cast: Cast, who: str) -> None:
    user = office_of("天水市司法局", "ts-office") if who == "tianshui" else getattr(cast, who)
    court = unit("榆中县人民法院")
    page = client_for(user).get(reverse("unit-detail", args=[court.pk])).content.decode()
    assert "添加人民法庭" not in page
    before = MemberUnit.objects.count()
    response = client_for(user).post(reverse("tribunal-add", args=[court.pk]), {"name": "越权法庭"})
    assert response.status_code == 403
    assert MemberUnit.objects.count() == before


def test_tribunal_add_not_offered_on_other_courts(cast: Cast) -> None:
    court = unit("兰州市中级人民法院")
    page = client_for(cast.admin).get(reverse("unit-detail", args=[court.pk])).content.decode()
    assert "添加人民法庭" not in page
    assert client_for(cast.admin).get(reverse("tribunal-add", args=[court.pk])).status_code == 403


# --- the directory ---------------------------------------------------------------------------------------


def test_directory_region_tree_filter_and_court_levels(cast: Cast) -> None:
    client = client_for(cast.liaison)
    body = client.get(reverse("unit-list"), {"region": region("榆中县").pk}).content.decode()
    assert "榆中县人民法院" in body and "基层人民法院" in body and "兰州市城关区人民法院" not in body
    assert "\u3000兰州市" in body and "\u3000\u3000城关区" in body  # the tree, indented by level
    body = client.get(reverse("unit-list"), {"region": region("兰州市").pk, "court_level": "intermediate"}).content
    assert "兰州市中级人民法院" in body.decode() and "榆中县人民法院" not in body.decode()
