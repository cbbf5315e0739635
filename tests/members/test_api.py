"""REST API v1 of the members app: units, tasks, users, notifications, me and tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from rest_framework.test import APIClient

from members import services as member_services
from members.models import ApiToken, Liaison, MemberUnit, Notification, User, WorkTask
from members.roles import Role
from tests.conftest import PASSWORD, Cast
from tests.factories import CourtFactory, RegionFactory, UnitFactory, WorkTaskFactory, make_user

pytestmark = pytest.mark.django_db

ROLE_USERS = ["office", "liaison", "clerk", "leader", "admin"]
WRITERS = ["office", "admin"]
NON_WRITERS = ["liaison", "clerk", "leader"]


def api_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def token_api_for(user: User) -> APIClient:
    """A client that signs in with a token: no session, so query counts are the view's own."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {member_services.api_token_issue(user=user)}")
    return client


def results(response: Any) -> list[dict[str, Any]]:
    body = response.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    return body["results"]


# --- auth/token/ and me/ ----------------------------------------------------------------------------


def test_token_flow_gives_a_token_that_authenticates(cast: Cast) -> None:
    anonymous = APIClient()
    response = anonymous.post("/api/v1/auth/token/", {"username": "liaison", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    key = response.json()["token"]
    assert ApiToken.objects.get(user=cast.liaison).digest != key  # only the digest is stored
    cast.liaison.refresh_from_db()
    assert cast.liaison.last_login is not None

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "liaison"

    # Asking again issues another token (knox stores digests only); both authenticate.
    again = anonymous.post("/api/v1/auth/token/", {"username": "liaison", "password": PASSWORD}, format="json")
    assert again.json()["token"] != key
    client.credentials(HTTP_AUTHORIZATION=f"Token {again.json()['token']}")
    assert client.get("/api/v1/me/").status_code == 200


def test_token_bad_credentials_is_400_and_creates_nothing(cast: Cast) -> None:
    response = APIClient().post("/api/v1/auth/token/", {"username": "liaison", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not ApiToken.objects.exists()


def test_token_missing_fields_is_400(cast: Cast) -> None:
    response = APIClient().post("/api/v1/auth/token/", {"username": "liaison"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_token_refused_to_a_retired_user(cast: Cast) -> None:
    cast.liaison.is_active = False
    cast.liaison.save()
    response = APIClient().post("/api/v1/auth/token/", {"username": "liaison", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_token_lock_out_after_five_failures_then_cool_off(cast: Cast, settings: Any) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    client = APIClient()
    codes = [
        client.post("/api/v1/auth/token/", {"username": "liaison", "password": f"wrong{i}"}, format="json").status_code
        for i in range(5)
    ]
    assert codes[:4] == [400, 400, 400, 400]
    assert codes[4] == 429  # the fifth failure locks the account out
    # Now even the right password is refused, and no token is issued.
    locked = client.post("/api/v1/auth/token/", {"username": "liaison", "password": PASSWORD}, format="json")
    assert locked.status_code == 429
    assert "detail" in locked.json()
    assert not ApiToken.objects.exists()
    # Another user from the same address is not affected.
    other = client.post("/api/v1/auth/token/", {"username": "office", "password": PASSWORD}, format="json")
    assert other.status_code == 200
    # After the cool-off the right password works again.
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        later = client.post("/api/v1/auth/token/", {"username": "liaison", "password": PASSWORD}, format="json")
    assert later.status_code == 200
    assert later.json()["token"]


def test_token_and_login_page_share_one_lock_out(cast: Cast) -> None:
    client = APIClient()
    for i in range(3):
        client.post("/api/v1/auth/token/", {"username": "liaison", "password": f"wrong{i}"}, format="json")
    for _ in range(2):
        client.post("/accounts/login/", {"username": "liaison", "password": "wrong"})
    assert client.post("/accounts/login/", {"username": "liaison", "password": PASSWORD}).status_code == 429
    assert client.post("/api/v1/auth/token/", {"username": "liaison", "password": PASSWORD}).status_code == 429
    assert not ApiToken.objects.exists()


def test_successful_token_resets_the_failure_count(cast: Cast) -> None:
    client = APIClient()
    for i in range(4):
        client.post("/api/v1/auth/token/", {"username": "liaison", "password": f"wrong{i}"}, format="json")
    assert client.post("/api/v1/auth/token/", {"username": "liaison", "password": PASSWORD}).status_code == 200
    for i in range(4):
        response = client.post("/api/v1/auth/token/", {"username": "liaison", "password": f"bad{i}"}, format="json")
        assert response.status_code == 400


def test_bad_token_is_401(cast: Cast) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/me/").status_code == 401


def test_me_anonymous_is_401() -> None:
    response = APIClient().get("/api/v1/me/")
    assert response.status_code == 401
    assert "WWW-Authenticate" in response


def test_me_of_a_liaison(cast: Cast) -> None:
    Liaison.objects.filter(user=cast.liaison).update(role=Liaison.Role.BACKUP)
    body = api_for(cast.liaison).get("/api/v1/me/").json()
    assert body["id"] == cast.liaison.pk
    assert body["username"] == "liaison"
    assert body["name"] == cast.liaison.name
    assert body["unit"] == cast.unit.pk
    assert body["unit_name"] == "测试局甲"
    assert body["roles"] == ["liaison"]
    assert body["liaison_role"] == "backup"
    assert body["unread_notifications"] == 0
    notices(cast.liaison, 2)
    notices(cast.liaison, 1, read=True)
    assert api_for(cast.liaison).get("/api/v1/me/").json()["unread_notifications"] == 2


def test_me_of_a_leader_without_unit(cast: Cast) -> None:
    body = api_for(cast.leader).get("/api/v1/me/").json()
    assert body["unit"] is None
    assert body["unit_name"] is None
    assert body["roles"] == ["leader"]
    assert body["liaison_role"] is None


# --- units/ -----------------------------------------------------------------------------------------


def test_units_anonymous_is_401() -> None:
    assert APIClient().get("/api/v1/units/").status_code == 401
    assert APIClient().post("/api/v1/units/", {"name": "x"}).status_code == 401


@pytest.mark.parametrize("who", ROLE_USERS)
def test_units_readable_by_every_role(cast: Cast, who: str) -> None:
    response = api_for(getattr(cast, who)).get("/api/v1/units/", {"page_size": 200})
    assert response.status_code == 200
    names = {u["name"] for u in results(response)}
    assert {"测试局甲", "测试局乙", "测试中级人民法院甲"} <= names
    assert response.json()["count"] == MemberUnit.objects.count()


def test_unit_detail_carries_display_names(cast: Cast) -> None:
    region = RegionFactory(name="测试市甲")
    parent = UnitFactory(name="上级局")
    child = UnitFactory(name="下级局", region=region, parent=parent, supervisor=cast.unit, level="city")
    body = api_for(cast.liaison).get(f"/api/v1/units/{child.pk}/").json()
    assert body["region"] == region.pk
    assert body["region_name"] == "测试市甲"
    assert body["parent"] == parent.pk
    assert body["parent_name"] == "上级局"
    assert body["supervisor"] == cast.unit.pk
    assert body["supervisor_name"] == "测试局甲"
    assert body["kind"] == "government"
    assert body["level"] == "city"
    assert body["kind_name"] == "政府部门"
    assert body["level_name"] == "市州级"


def test_unit_labels_follow_the_requested_language(cast: Cast) -> None:
    client = api_for(cast.liaison)
    url = f"/api/v1/units/{cast.court.pk}/"
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["kind_name"] == "人民法院"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["level_name"] == "City/prefecture"
    assert english["kind_name"] != "人民法院"


def test_units_filters_search_and_ordering(cast: Cast) -> None:
    region = RegionFactory(name="测试市乙")
    UnitFactory(name="区域单位", region=region, parent=cast.unit, is_member_unit=False, active=False)
    client = api_for(cast.liaison)

    def names(**params: Any) -> list[str]:
        response = client.get("/api/v1/units/", {"page_size": 200, **params})
        assert response.status_code == 200, response.content
        return [u["name"] for u in results(response)]

    courts = names(kind="court")
    assert "测试中级人民法院甲" in courts
    assert "测试局甲" not in courts
    assert all(u.kind == "court" for u in MemberUnit.objects.filter(name__in=courts))
    assert names(region=region.pk) == ["区域单位"]
    assert names(parent=cast.unit.pk) == ["区域单位"]
    assert names(active="false") == ["区域单位"]
    assert "区域单位" not in names(is_member_unit="true")
    assert names(search="甲局") == ["测试局甲"]
    assert set(names(search="测试局")) == {"测试局甲", "测试局乙"}
    ascending = names(search="测试局", ordering="name")
    assert len(ascending) == 2
    assert names(search="测试局", ordering="-name") == ascending[::-1]
    assert set(names(level="city", kind="court", search="测试")) == {"测试中级人民法院甲", "测试中级人民法院乙"}


def test_units_bad_filter_value_is_400(cast: Cast) -> None:
    assert api_for(cast.liaison).get("/api/v1/units/", {"kind": "nonsense"}).status_code == 400


@pytest.mark.parametrize("who", WRITERS)
def test_unit_create_by_office_and_admin(cast: Cast, who: str) -> None:
    payload = {
        "name": "新成员单位",
        "short_name": "新单位",
        "kind": "financial_regulator",
        "level": "province",
        "supervisor": cast.unit.pk,
        "is_member_unit": True,
    }
    response = api_for(getattr(cast, who)).post("/api/v1/units/", payload, format="json")
    assert response.status_code == 201, response.content
    unit = MemberUnit.objects.get(name="新成员单位")
    assert response.json()["id"] == unit.pk
    assert response.json()["supervisor_name"] == "测试局甲"
    assert unit.kind == "financial_regulator"
    assert unit.supervisor == cast.unit
    assert unit.history.count() == 1


@pytest.mark.parametrize("who", NON_WRITERS)
def test_unit_create_refused_to_readers(cast: Cast, who: str) -> None:
    before = MemberUnit.objects.count()
    payload = {"name": "不该存在", "kind": "government", "level": "province"}
    response = api_for(getattr(cast, who)).post("/api/v1/units/", payload, format="json")
    assert response.status_code == 403
    assert MemberUnit.objects.count() == before


@pytest.mark.parametrize("who", NON_WRITERS)
def test_unit_patch_refused_to_readers(cast: Cast, who: str) -> None:
    response = api_for(getattr(cast, who)).patch(f"/api/v1/units/{cast.unit.pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 403
    cast.unit.refresh_from_db()
    assert cast.unit.name == "测试局甲"


def test_unit_patch_by_office(cast: Cast) -> None:
    response = api_for(cast.office).patch(
        f"/api/v1/units/{cast.unit.pk}/", {"short_name": "甲", "active": False, "parent": cast.other_unit.pk}
    )
    assert response.status_code == 200, response.content
    cast.unit.refresh_from_db()
    assert (cast.unit.short_name, cast.unit.active, cast.unit.parent) == ("甲", False, cast.other_unit)
    assert response.json()["parent_name"] == "测试局乙"


def test_unit_put_is_not_offered(cast: Cast) -> None:
    response = api_for(cast.office).put(f"/api/v1/units/{cast.unit.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "无类别单位", "kind": "bogus", "level": "province"}, "kind"),
        ({"name": "无层级单位", "kind": "government", "level": "planet"}, "level"),
        ({"name": "测试局甲", "kind": "government", "level": "province"}, "name"),
        ({"name": "", "kind": "government", "level": "province"}, "name"),
        ({"name": "悬空上级", "kind": "government", "level": "province", "parent": 999999}, "parent"),
    ],
)
def test_unit_create_bad_input_is_400_and_saves_nothing(cast: Cast, payload: dict[str, Any], field: str) -> None:
    before = MemberUnit.objects.count()
    response = api_for(cast.office).post("/api/v1/units/", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body[field], list) and body[field]
    assert MemberUnit.objects.count() == before


@pytest.mark.parametrize("field", ["parent", "supervisor"])
def test_unit_cannot_be_its_own_parent_or_supervisor(cast: Cast, field: str) -> None:
    response = api_for(cast.office).patch(f"/api/v1/units/{cast.unit.pk}/", {field: cast.unit.pk, "short_name": "X"})
    assert response.status_code == 400
    assert list(response.json()) == [field]
    cast.unit.refresh_from_db()
    assert getattr(cast.unit, f"{field}_id") is None
    assert cast.unit.short_name == "甲局"  # nothing saved half-way


def test_unit_parent_cycle_is_refused(cast: Cast) -> None:
    child = UnitFactory(name="子单位", parent=cast.unit)
    grandchild = UnitFactory(name="孙单位", parent=child)
    response = api_for(cast.office).patch(f"/api/v1/units/{cast.unit.pk}/", {"parent": grandchild.pk})
    assert response.status_code == 400
    assert "parent" in response.json()
    cast.unit.refresh_from_db()
    assert cast.unit.parent is None


@pytest.mark.parametrize("rows", [3, 30])
def test_units_list_query_count_is_constant(cast: Cast, rows: int, django_assert_num_queries: Any) -> None:
    region = RegionFactory(name="查询市")
    for i in range(rows):
        UnitFactory(name=f"计数单位{i}", region=region, parent=cast.unit, supervisor=cast.other_unit)
    client = token_api_for(cast.liaison)
    # token with its user, COUNT, the page with its region/parent/supervisor joins
    with django_assert_num_queries(3):
        response = client.get("/api/v1/units/", {"page_size": 200})
    assert response.json()["count"] == MemberUnit.objects.count()
    assert len(results(response)) == min(200, MemberUnit.objects.count())


# --- tasks/ -----------------------------------------------------------------------------------------


def test_tasks_anonymous_is_401() -> None:
    assert APIClient().get("/api/v1/tasks/").status_code == 401


@pytest.mark.parametrize("who", ROLE_USERS)
def test_tasks_list_the_ten(cast: Cast, who: str) -> None:
    response = api_for(getattr(cast, who)).get("/api/v1/tasks/")
    assert response.status_code == 200
    tasks = results(response)
    assert [t["number"] for t in tasks] == list(range(1, 11))
    first = tasks[0]
    assert set(first) >= {"number", "title", "description", "lead_units", "participating_units"}
    assert first["lead_units"], "every task has lead units"
    task = WorkTask.objects.get(number=1)
    assert first["lead_units"] == [u.pk for u in task.lead_units.all()]
    assert first["lead_unit_names"] == [u.name for u in task.lead_units.all()]
    assert first["participating_unit_names"] == [u.name for u in task.participating_units.all()]


def test_task_detail_and_filter_by_unit(cast: Cast) -> None:
    task = WorkTaskFactory(title="测试任务甲")
    task.lead_units.set([cast.unit])
    task.participating_units.set([cast.court])
    client = api_for(cast.clerk)
    body = client.get(f"/api/v1/tasks/{task.pk}/").json()
    assert body["lead_units"] == [cast.unit.pk]
    assert body["participating_unit_names"] == ["测试中级人民法院甲"]
    assert [t["title"] for t in results(client.get("/api/v1/tasks/", {"unit": cast.court.pk}))] == ["测试任务甲"]
    assert results(client.get("/api/v1/tasks/", {"unit": cast.other_court.pk})) == []


def test_tasks_are_read_only(cast: Cast) -> None:
    response = api_for(cast.office).post("/api/v1/tasks/", {"number": 11, "title": "x"}, format="json")
    assert response.status_code == 405
    assert WorkTask.objects.count() == 10


@pytest.mark.parametrize("rows", [3, 30])
def test_tasks_list_query_count_is_constant(cast: Cast, rows: int, django_assert_num_queries: Any) -> None:
    units = [UnitFactory() for _ in range(3)]
    for _ in range(rows):
        task = WorkTaskFactory()
        task.lead_units.set(units[:2])
        task.participating_units.set(units)
    client = token_api_for(cast.liaison)
    # token with its user, COUNT, the tasks, their lead units, their participating units
    with django_assert_num_queries(5):
        response = client.get("/api/v1/tasks/", {"page_size": 200})
    assert len(results(response)) == 10 + rows


# --- users/ -----------------------------------------------------------------------------------------


def new_liaison_payload(cast: Cast, **overrides: Any) -> dict[str, Any]:
    payload = {
        "username": "newliaison",
        "name": "新联络员",
        "email": "new@example.org",
        "phone": "0931-1234567",
        "unit": cast.unit.pk,
        "roles": ["liaison"],
        "liaison_role": "backup",
        "password": "a-long-enough-passphrase",
    }
    payload.update(overrides)
    return payload


def test_users_anonymous_is_401() -> None:
    assert APIClient().get("/api/v1/users/").status_code == 401
    assert APIClient().post("/api/v1/users/", {"username": "x"}).status_code == 401


@pytest.mark.parametrize("who", WRITERS)
def test_users_list_for_office_and_admin(cast: Cast, who: str) -> None:
    response = api_for(getattr(cast, who)).get("/api/v1/users/", {"page_size": 200})
    assert response.status_code == 200
    by_name = {u["username"]: u for u in results(response)}
    assert by_name["liaison"]["roles"] == ["liaison"]
    assert by_name["liaison"]["liaison_role"] == "primary"
    assert by_name["liaison"]["unit_name"] == "测试局甲"
    assert by_name["clerk"]["liaison_role"] is None
    assert all("password" not in u for u in by_name.values())


@pytest.mark.parametrize("who", NON_WRITERS)
def test_users_refused_to_everyone_else(cast: Cast, who: str) -> None:
    client = api_for(getattr(cast, who))
    assert client.get("/api/v1/users/").status_code == 403
    assert client.get(f"/api/v1/users/{cast.liaison.pk}/").status_code == 403
    assert client.post("/api/v1/users/", new_liaison_payload(cast), format="json").status_code == 403
    assert client.patch(f"/api/v1/users/{cast.other_liaison.pk}/", {"is_active": False}).status_code == 403
    assert not User.objects.filter(username="newliaison").exists()
    cast.other_liaison.refresh_from_db()
    assert cast.other_liaison.is_active


def test_users_filters_and_search(cast: Cast) -> None:
    client = api_for(cast.office)

    def usernames(**params: Any) -> set[str]:
        response = client.get("/api/v1/users/", {"page_size": 200, **params})
        assert response.status_code == 200, response.content
        return {u["username"] for u in results(response)}

    assert usernames(role="liaison") == {"liaison", "other_liaison"}
    assert usernames(unit=cast.court.pk) == {"clerk"}
    assert usernames(search="other_") == {"other_liaison", "other_clerk"}
    assert usernames(search="测试局乙") == {"other_liaison"}
    Liaison.objects.filter(user=cast.other_liaison).update(role="backup")
    assert usernames(liaison_role="backup") == {"other_liaison"}
    cast.clerk.is_active = False
    cast.clerk.save()
    assert usernames(is_active="false") == {"clerk"}


@pytest.mark.parametrize("who", WRITERS)
def test_office_adds_a_liaison(cast: Cast, who: str) -> None:
    response = api_for(getattr(cast, who)).post("/api/v1/users/", new_liaison_payload(cast), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert "password" not in body
    assert body["roles"] == ["liaison"]
    assert body["liaison_role"] == "backup"
    assert body["unit_name"] == "测试局甲"
    user = User.objects.get(username="newliaison")
    assert body["id"] == user.pk
    assert user.check_password("a-long-enough-passphrase")
    assert (user.name, user.email, user.phone, user.unit) == ("新联络员", "new@example.org", "0931-1234567", cast.unit)
    assert user.liaison.role == "backup"
    assert set(user.groups.values_list("name", flat=True)) == {"liaison"}
    assert not user.is_staff
    # The new liaison can sign in through the API.
    token = APIClient().post("/api/v1/auth/token/", {"username": "newliaison", "password": "a-long-enough-passphrase"})
    assert token.status_code == 200


def test_user_without_password_cannot_sign_in(cast: Cast) -> None:
    payload = new_liaison_payload(cast)
    del payload["password"]
    assert api_for(cast.office).post("/api/v1/users/", payload, format="json").status_code == 201
    assert not User.objects.get(username="newliaison").has_usable_password()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": "1234567890123"}, "password"),
        ({"password": "newliaison1"}, "password"),
        ({"unit": None}, "unit"),
        ({"unit": 999999}, "unit"),
        ({"roles": ["court_clerk"], "liaison_role": None}, "unit"),  # a clerk must belong to a court
        ({"roles": ["wizard"]}, "roles"),
        ({"liaison_role": "tertiary"}, "liaison_role"),
        ({"roles": ["leader"]}, "liaison_role"),  # A角/B角 only for liaisons
        ({"username": "liaison"}, "username"),
        ({"username": ""}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_user_create_bad_input_is_400_and_saves_nothing(cast: Cast, overrides: dict[str, Any], field: str) -> None:
    before = User.objects.count()
    liaisons_before = Liaison.objects.count()
    # As an administrator, who may grant every role: what is refused here is the input.
    response = api_for(cast.admin).post("/api/v1/users/", new_liaison_payload(cast, **overrides), format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    assert isinstance(body[field], list) or isinstance(body[field], dict)
    assert User.objects.count() == before
    assert Liaison.objects.count() == liaisons_before


def test_clerk_in_a_court_is_fine(cast: Cast) -> None:
    payload = new_liaison_payload(cast, username="newclerk", roles=["court_clerk"], unit=cast.court.pk)
    del payload["liaison_role"]
    response = api_for(cast.admin).post("/api/v1/users/", payload, format="json")  # clerks: administrators
    assert response.status_code == 201, response.content
    user = User.objects.get(username="newclerk")
    assert not hasattr(user, "liaison") or not Liaison.objects.filter(user=user).exists()
    assert response.json()["liaison_role"] is None


def test_office_retires_a_liaison(cast: Cast) -> None:
    token = member_services.api_token_issue(user=cast.liaison)
    response = api_for(cast.office).patch(f"/api/v1/users/{cast.liaison.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    assert response.json()["liaison_role"] is None
    cast.liaison.refresh_from_db()
    assert not cast.liaison.is_active
    assert not Liaison.objects.filter(user=cast.liaison).exists()
    # A retired user's token no longer works.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").status_code == 401


def test_office_changes_a_liaison_place_and_details(cast: Cast) -> None:
    response = api_for(cast.office).patch(
        f"/api/v1/users/{cast.liaison.pk}/",
        {"liaison_role": "backup", "phone": "13800000000", "unit": cast.other_unit.pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["liaison_role"] == "backup"
    assert response.json()["unit_name"] == "测试局乙"
    cast.liaison.refresh_from_db()
    assert cast.liaison.liaison.role == "backup"
    assert (cast.liaison.phone, cast.liaison.unit) == ("13800000000", cast.other_unit)


def test_changing_roles_replaces_them(cast: Cast) -> None:
    response = api_for(cast.admin).patch(
        f"/api/v1/users/{cast.liaison.pk}/", {"roles": ["leader"], "unit": None}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["roles"] == ["leader"]
    assert response.json()["liaison_role"] is None
    assert response.json()["unit"] is None
    cast.liaison.refresh_from_db()
    assert cast.liaison.unit is None
    assert list(cast.liaison.groups.values_list("name", flat=True)) == ["leader"]
    assert not Liaison.objects.filter(user=cast.liaison).exists()


def test_changing_the_password_validates_it(cast: Cast) -> None:
    client = api_for(cast.office)
    weak = client.patch(f"/api/v1/users/{cast.liaison.pk}/", {"password": "123", "name": "改名"}, format="json")
    assert weak.status_code == 400
    assert "password" in weak.json()
    cast.liaison.refresh_from_db()
    assert cast.liaison.check_password(PASSWORD)
    assert cast.liaison.name != "改名"
    ok = client.patch(f"/api/v1/users/{cast.liaison.pk}/", {"password": "another-long-passphrase"}, format="json")
    assert ok.status_code == 200
    cast.liaison.refresh_from_db()
    assert cast.liaison.check_password("another-long-passphrase")


def test_liaison_role_for_a_non_liaison_is_400(cast: Cast) -> None:
    response = api_for(cast.admin).patch(f"/api/v1/users/{cast.clerk.pk}/", {"liaison_role": "backup"})
    assert response.status_code == 400
    assert "liaison_role" in response.json()
    assert not Liaison.objects.filter(user=cast.clerk).exists()


def test_retired_liaison_comes_back_as_primary(cast: Cast) -> None:
    client = api_for(cast.office)
    client.patch(f"/api/v1/users/{cast.liaison.pk}/", {"is_active": False}, format="json")
    response = client.patch(f"/api/v1/users/{cast.liaison.pk}/", {"is_active": True}, format="json")
    assert response.status_code == 200
    assert response.json()["liaison_role"] == "primary"
    cast.liaison.refresh_from_db()
    assert cast.liaison.is_active


def test_username_cannot_change(cast: Cast) -> None:
    response = api_for(cast.office).patch(f"/api/v1/users/{cast.liaison.pk}/", {"username": "renamed"})
    assert response.status_code == 400
    assert "username" in response.json()
    assert User.objects.filter(username="liaison").exists()


def test_liaison_role_change_that_breaks_rules_saves_nothing(cast: Cast) -> None:
    response = api_for(cast.admin).patch(
        f"/api/v1/users/{cast.liaison.pk}/", {"roles": ["court_clerk"], "name": "新名字"}, format="json"
    )
    assert response.status_code == 400
    assert "unit" in response.json()
    cast.liaison.refresh_from_db()
    assert cast.liaison.name != "新名字"
    assert list(cast.liaison.groups.values_list("name", flat=True)) == ["liaison"]
    assert Liaison.objects.filter(user=cast.liaison).exists()


def test_nobody_retires_themselves(cast: Cast) -> None:
    response = api_for(cast.admin).patch(f"/api/v1/users/{cast.admin.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 400
    assert "is_active" in response.json()
    cast.admin.refresh_from_db()
    assert cast.admin.is_active
    # Office staff do not manage office accounts, their own included (issue 12, finding 3).
    response = api_for(cast.office).patch(f"/api/v1/users/{cast.office.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 403
    cast.office.refresh_from_db()
    assert cast.office.is_active


def test_office_cannot_make_or_change_administrators(cast: Cast) -> None:
    client = api_for(cast.office)
    grant = client.patch(f"/api/v1/users/{cast.office.pk}/", {"roles": ["office", "admin"]}, format="json")
    assert grant.status_code == 403
    assert not cast.office.groups.filter(name="admin").exists()
    create = client.post("/api/v1/users/", new_liaison_payload(cast, roles=["admin"]), format="json")
    assert create.status_code == 403
    assert not User.objects.filter(username="newliaison").exists()
    touch = client.patch(f"/api/v1/users/{cast.admin.pk}/", {"is_active": False}, format="json")
    assert touch.status_code == 403
    cast.admin.refresh_from_db()
    assert cast.admin.is_active


def test_admin_grants_the_admin_role(cast: Cast) -> None:
    response = api_for(cast.admin).patch(f"/api/v1/users/{cast.office.pk}/", {"roles": ["office", "admin"]})
    assert response.status_code == 200, response.content
    cast.office.refresh_from_db()
    assert set(cast.office.groups.values_list("name", flat=True)) == {"office", "admin"}
    assert cast.office.is_staff


def test_user_unknown_is_404(cast: Cast) -> None:
    assert api_for(cast.office).get("/api/v1/users/999999/").status_code == 404


@pytest.mark.parametrize("rows", [3, 30])
def test_users_list_query_count_is_constant(cast: Cast, rows: int, django_assert_num_queries: Any) -> None:
    for _ in range(rows):
        make_user(Role.LIAISON, cast.unit)
    client = token_api_for(cast.office)
    # token with its user, the office user's groups (permission), COUNT, the page joined with unit and
    # liaison, the page's groups
    with django_assert_num_queries(5):
        response = client.get("/api/v1/users/", {"page_size": 200})
    assert len(results(response)) == User.objects.count()


# --- notifications/ ---------------------------------------------------------------------------------


def notices(user: User, count: int, *, read: bool = False, about: Any = None) -> list[Notification]:
    about = about or MemberUnit.objects.first()
    content_type = ContentType.objects.get_for_model(about)
    start = Notification.objects.count()
    return Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                event="test_event",
                content_type=content_type,
                object_id=about.pk,
                stage=f"stage-{start + i}",
                subject=f"通知{start + i}",
                url="/units/1/",
                read_at=timezone.now() if read else None,
                email_status=Notification.EmailStatus.SKIPPED,
            )
            for i in range(count)
        ]
    )


def test_notifications_anonymous_is_401() -> None:
    assert APIClient().get("/api/v1/notifications/").status_code == 401
    assert APIClient().post("/api/v1/notifications/read-all/").status_code == 401


@pytest.mark.parametrize("who", ROLE_USERS)
def test_notifications_list_only_own(cast: Cast, who: str) -> None:
    user = getattr(cast, who)
    mine = notices(user, 2)
    notices(cast.other_liaison, 3)
    response = api_for(user).get("/api/v1/notifications/")
    assert response.status_code == 200
    rows = results(response)
    assert {n["id"] for n in rows} == {n.pk for n in mine}
    assert rows[0]["object_type"] == "members.memberunit"
    assert rows[0]["is_read"] is False
    assert rows[0]["url"] == "/units/1/"


def test_notifications_unread_filter(cast: Cast) -> None:
    unread = notices(cast.liaison, 2)
    read = notices(cast.liaison, 1, read=True)
    client = api_for(cast.liaison)
    assert {n["id"] for n in results(client.get("/api/v1/notifications/", {"unread": "true"}))} == {
        n.pk for n in unread
    }
    assert {n["id"] for n in results(client.get("/api/v1/notifications/", {"unread": "false"}))} == {read[0].pk}


def test_notification_of_someone_else_is_404(cast: Cast) -> None:
    theirs = notices(cast.other_liaison, 1)[0]
    client = api_for(cast.liaison)
    assert client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # Even office staff do not read other people's inboxes.
    assert api_for(cast.office).get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404


def test_mark_one_notification_read(cast: Cast) -> None:
    first, second = notices(cast.liaison, 2)
    response = api_for(cast.liaison).post(f"/api/v1/notifications/{first.pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    assert response.json()["read_at"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_mark_all_read_touches_only_own(cast: Cast) -> None:
    notices(cast.liaison, 3)
    theirs = notices(cast.other_liaison, 2)
    response = api_for(cast.liaison).post("/api/v1/notifications/read-all/")
    assert response.status_code == 200
    assert response.json() == {"marked": 3}
    assert not Notification.objects.filter(recipient=cast.liaison, read_at__isnull=True).exists()
    assert Notification.objects.filter(pk__in=[n.pk for n in theirs], read_at__isnull=True).count() == 2


def test_notifications_are_not_writable(cast: Cast) -> None:
    notice = notices(cast.liaison, 1)[0]
    client = api_for(cast.liaison)
    assert client.patch(f"/api/v1/notifications/{notice.pk}/", {"subject": "x"}).status_code == 405
    assert client.delete(f"/api/v1/notifications/{notice.pk}/").status_code == 405


@pytest.mark.parametrize("rows", [3, 30])
def test_notifications_list_query_count_is_constant(cast: Cast, rows: int, django_assert_num_queries: Any) -> None:
    notices(cast.liaison, rows, about=cast.unit)
    notices(cast.liaison, rows, about=CourtFactory())
    client = token_api_for(cast.liaison)
    # token with its user, COUNT, the page joined with its content type
    with django_assert_num_queries(3):
        response = client.get("/api/v1/notifications/", {"page_size": 200})
    assert len(results(response)) == 2 * rows


def test_token_authenticated_list_of_units(cast: Cast) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {member_services.api_token_issue(user=cast.clerk)}")
    response = client.get("/api/v1/units/", {"kind": "court", "search": "甲"})
    assert response.status_code == 200
    assert [u["name"] for u in results(response)] == ["测试中级人民法院甲"]
    # A token is not enough to write for a clerk.
    assert client.post("/api/v1/units/", {"name": "x", "kind": "court", "level": "city"}).status_code == 403
    assert UnitFactory._meta.model.objects.filter(name="x").count() == 0


def test_api_root_lists_the_resources(cast: Cast) -> None:
    response = api_for(cast.liaison).get("/api/v1/")
    assert response.status_code == 200
    links = response.json()
    for name in ["units", "tasks", "users", "notifications"]:
        assert links[name].endswith(f"/api/v1/{name}/")


def test_api_url_names_do_not_shadow_the_pages() -> None:
    from django.urls import reverse

    assert reverse("api:unit-list") == "/api/v1/units/"
    assert reverse("api:notification-read-all") == "/api/v1/notifications/read-all/"
    assert reverse("api:token") == "/api/v1/auth/token/"
    assert reverse("unit-list") == "/units/"


# --- Found by the schemathesis run (tests/security/test_api_fuzz.py) -----------------------------------------


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "999", "99999999999999999999"])
@pytest.mark.parametrize("path", ["/api/v1/units/", "/api/v1/users/", "/api/v1/referrals/", "/api/v1/meetings/"])
def test_a_page_that_does_not_exist_is_400_not_404(cast: Cast, path: str, page: str) -> None:
    response = api_for(cast.office).get(path, {"page": page})
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["page"] and response.json()["page"]


def test_last_page_is_still_200(cast: Cast) -> None:
    response = api_for(cast.office).get("/api/v1/units/", {"page": "last"})
    assert response.status_code == 200 and response.json()["next"] is None


@pytest.mark.parametrize("value", ["\x00", "a\x00b"])
def test_nul_in_a_query_parameter_is_400_on_the_api(cast: Cast, value: str) -> None:
    # PostgreSQL refuses NUL in a string: ?search=%00 on recommendations/ and referrals/ was a 500.
    for path in ("/api/v1/recommendations/", "/api/v1/referrals/", "/api/v1/units/"):
        response = api_for(cast.office).get(path, {"search": value, "status": "draft"})
        assert response.status_code == 400, (path, response.content)
        assert response["Content-Type"] == "application/json"
        assert list(response.json()) == ["search"]


def test_nul_in_a_query_parameter_is_400_on_a_page(cast: Cast) -> None:
    from tests.conftest import client_for

    response = client_for(cast.office).get("/referrals/", {"search": "\x00"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    ["/api/v1/no-such-thing/", "/api/v1/units/abc/", "/api/v1/meetings/x/ics", "/api/v1/meetings/%F0%91%84%A2/ics"],
)
def test_an_unknown_api_url_is_a_json_404_never_a_redirect(cast: Cast, path: str) -> None:
    response = api_for(cast.office).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_an_unknown_page_url_is_still_the_html_404(cast: Cast) -> None:
    response = api_for(cast.office).get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("who", WRITERS)
def test_user_created_without_roles_is_201_not_a_server_error(cast: Cast, who: str) -> None:
    # user_save asked the unsaved user for its groups when no roles were given: ValueError, 500.
    response = api_for(getattr(cast, who)).post("/api/v1/users/", {"username": "newcomer"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["roles"] == [] and body["liaison_role"] is None
    user = User.objects.get(username="newcomer")
    assert not user.groups.exists() and not user.has_usable_password()
