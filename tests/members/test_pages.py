"""The foundation pages: sign-in, home per role, the directory, unit page, tasks, profile."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from members.models import MemberUnit, User
from members.roles import Role
from tests.conftest import PASSWORD, Cast, client_for
from tests.factories import UnitFactory, make_user

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client: Client) -> None:
    for name in ["home", "unit-list", "task-list", "inbox", "profile"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_and_logout(client: Client, cast: Cast) -> None:
    response = client.post(reverse("login"), {"username": "liaison", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_says_so_in_chinese(client: Client, cast: Cast) -> None:
    response = client.post(reverse("login"), {"username": "liaison", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_lock_out_after_five_failed_logins(client: Client, cast: Cast) -> None:
    for _ in range(5):
        client.post(reverse("login"), {"username": "liaison", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "liaison", "password": PASSWORD})
    assert response.status_code == 429
    assert "账户已临时锁定" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_password_change_validates_and_saves(cast: Cast) -> None:
    client = client_for(cast.liaison)
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"}
    )
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    cast.liaison.refresh_from_db()
    assert cast.liaison.check_password(PASSWORD)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Lianluo-2026-xyz", "new_password2": "Lianluo-2026-xyz"},
    )
    assert response.status_code == 302
    cast.liaison.refresh_from_db()
    assert cast.liaison.check_password("Lianluo-2026-xyz")


@pytest.mark.parametrize("who", ["office", "liaison", "clerk", "leader", "admin"])
def test_home_page_per_role(cast: Cast, who: str) -> None:
    user: User = getattr(cast, who)
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert user.display_name in body
    if user.unit:
        assert user.unit.name in body


def test_navigation_shows_what_the_role_may_use(cast: Cast) -> None:
    admin_body = client_for(cast.admin).get(reverse("home")).content.decode()
    liaison_body = client_for(cast.liaison).get(reverse("home")).content.decode()
    assert reverse("admin:index") in admin_body
    assert reverse("admin:index") not in liaison_body
    assert reverse("unit-list") in liaison_body


def test_liaison_home_lists_their_units_tasks(cast: Cast) -> None:
    unit = MemberUnit.objects.get(short_name="省生态环境厅")
    user = make_user(Role.LIAISON, unit, username="eco")
    body = client_for(user).get(reverse("home")).content.decode()
    assert "联动保护生态环境" in body
    assert "联动化解信访案件" not in body


def test_directory_search_and_filters(cast: Cast) -> None:
    client = client_for(cast.liaison)
    body = client.get(reverse("unit-list"), {"q": "生态"}).content.decode()
    assert "甘肃省生态环境厅" in body
    assert "甘肃省公安厅" not in body
    body = client.get(reverse("unit-list"), {"kind": "court", "level": "city"}).content.decode()
    assert "兰州市中级人民法院" in body
    assert "甘肃省高级人民法院" not in body
    region = MemberUnit.objects.get(name="天水市中级人民法院").region
    body = client.get(reverse("unit-list"), {"region": region.pk}).content.decode()
    assert "天水市中级人民法院" in body
    assert "兰州市中级人民法院" not in body
    body = client.get(reverse("unit-list"), {"member": "on", "kind": "court"}).content.decode()
    assert "没有符合条件的单位" in body


def test_directory_with_hostile_input_answers(cast: Cast) -> None:
    client = client_for(cast.liaison)
    for q in ["'; drop table x; --", "100%", "_", "<script>alert(1)</script>", "测" * 500]:
        response = client.get(reverse("unit-list"), {"q": q, "region": "abc", "sort": "nonsense", "page": "-3"})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_directory_sorting_and_paging(cast: Cast) -> None:
    client = client_for(cast.liaison)
    page2 = client.get(reverse("unit-list"), {"sort": "name", "page": 2})
    assert page2.status_code == 200
    names = [u.name for u in page2.context["listing"].object_list]
    assert len(names) > 0
    desc = client.get(reverse("unit-list"), {"sort": "-name"}).context["listing"].object_list
    asc = client.get(reverse("unit-list"), {"sort": "name"}).context["listing"].object_list
    assert next(iter(desc)).pk != next(iter(asc)).pk
    beyond = client.get(reverse("unit-list"), {"page": 999})
    assert beyond.status_code == 200
    assert beyond.context["listing"].page.number == beyond.context["listing"].page.paginator.num_pages


def test_directory_query_count_does_not_grow(cast: Cast, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = client_for(cast.liaison)
    client.get(reverse("unit-list"))  # warm the session
    with django_assert_max_num_queries(8) as small:
        client.get(reverse("unit-list"))
    UnitFactory.create_batch(60)
    with django_assert_max_num_queries(8) as large:
        client.get(reverse("unit-list"), {"page": 2})
    assert len(small.captured_queries) == len(large.captured_queries)


def test_unit_page_shows_liaisons_and_tasks(cast: Cast) -> None:
    unit = MemberUnit.objects.get(short_name="省司法厅")
    make_user(Role.LIAISON, unit, username="sft", name="孙联络", phone="0931-1234567")
    body = client_for(cast.clerk).get(reverse("unit-detail", args=[unit.pk])).content.decode()
    assert "孙联络" in body
    assert "0931-1234567" in body
    assert "联动推进法治政府建设" in body


def test_missing_unit_is_404(cast: Cast) -> None:
    assert client_for(cast.liaison).get(reverse("unit-detail", args=[999999])).status_code == 404


def test_task_page_lists_ten_tasks_without_n_plus_one(cast: Cast, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = client_for(cast.leader)
    client.get(reverse("task-list"))
    with django_assert_max_num_queries(9):  # + 1: this year's plan items of every task (stats.taskpage.year_counts)
        body = client.get(reverse("task-list")).content.decode()
    assert body.count('class="fy-card p-3 h-100"') == 10


def test_profile_turns_email_off_and_switches_language(cast: Cast) -> None:
    client = client_for(cast.liaison)
    response = client.post(
        reverse("profile"), {"name": "新名字", "email": "x@example.org", "phone": "1", "language": "en"}
    )
    assert response.status_code == 302
    cast.liaison.refresh_from_db()
    assert cast.liaison.email_notifications is False
    assert cast.liaison.language == "en"


def test_profile_rejects_a_bad_email(cast: Cast) -> None:
    client = client_for(cast.liaison)
    response = client.post(reverse("profile"), {"name": "x", "email": "not-an-email", "language": "zh-hans"})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert "is-invalid" in response.content.decode()
    cast.liaison.refresh_from_db()
    assert cast.liaison.name != "x"


def test_language_switch_in_the_header(cast: Cast) -> None:
    client = client_for(cast.liaison)
    assert "成员单位" in client.get(reverse("unit-list")).content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("unit-list")})
    assert response.status_code == 302
    body = client.get(reverse("unit-list")).content.decode()
    assert "Member units" in body
    cast.liaison.refresh_from_db()
    assert cast.liaison.language == "en"


def test_office_appoints_and_retires_a_liaison(cast: Cast) -> None:
    client = client_for(cast.office)
    url = reverse("liaison-add", args=[cast.unit.pk])
    response = client.post(
        url, {"username": "new_l", "name": "吴新", "email": "", "phone": "", "liaison_role": "backup"}
    )
    assert response.status_code == 302
    user = User.objects.get(username="new_l")
    assert user.unit == cast.unit and user.liaison.role == "backup"
    assert "初始密码" in client.get(response["Location"]).content.decode()
    response = client.post(reverse("liaison-retire", args=[cast.unit.pk, user.pk]))
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active and not hasattr(user, "liaison")


def test_appointing_a_taken_username_says_so_and_saves_nothing(cast: Cast) -> None:
    client = client_for(cast.office)
    count = User.objects.count()
    response = client.post(
        reverse("liaison-add", args=[cast.unit.pk]),
        {"username": "liaison", "name": "重名", "liaison_role": "primary"},
    )
    assert response.status_code == 200
    assert "该用户名已被使用" in response.content.decode()
    assert User.objects.count() == count


@pytest.mark.parametrize("who", ["liaison", "clerk", "leader"])
def test_only_the_office_manages_liaisons(cast: Cast, who: str) -> None:
    client = client_for(getattr(cast, who))
    assert client.get(reverse("liaison-add", args=[cast.unit.pk])).status_code == 403
    response = client.post(reverse("liaison-retire", args=[cast.unit.pk, cast.liaison.pk]))
    assert response.status_code == 403
    cast.liaison.refresh_from_db()
    assert cast.liaison.is_active
    body = client.get(reverse("unit-detail", args=[cast.unit.pk])).content.decode()
    assert reverse("liaison-add", args=[cast.unit.pk]) not in body
