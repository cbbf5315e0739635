"""Issue 12, finding 3 (who manages whom) and finding 7 (only a superuser grants superuser status or permissions).

Office staff manage liaisons; clerks, leaders, office staff and administrators are managed by administrators;
nobody changes the password of a role above their own. The rule lives in ``members.services``, so the API,
the pages and the admin agree; each forbidden attempt changes nothing. Every change is in the history with
who made it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from members import services
from members.models import User
from tests.conftest import PASSWORD, Cast, client_for
from tests.factories import make_user

pytestmark = [pytest.mark.security, pytest.mark.django_db]

NEW_PASSWORD = "a-brand-new-passphrase-42"


def _state(user: User) -> tuple[Any, ...]:
    user.refresh_from_db()
    return (user.password, user.is_active, user.unit_id, user.name, sorted(user.groups.values_list("name", flat=True)))


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_finding3_office_cannot_create_a_court_clerk(cast: Cast) -> None:
    before = User.objects.count()
    payload = {"username": "fakeclerk", "name": "冒名书记员", "unit": cast.court.pk, "roles": ["court_clerk"]}
    assert _api(cast.office).post("/api/v1/users/", payload, format="json").status_code == 403
    assert User.objects.count() == before
    with pytest.raises(PermissionDenied):
        services.user_save(by=cast.office, username="fakeclerk", unit=cast.court, roles=["court_clerk"])
    assert not User.objects.filter(username="fakeclerk").exists()


@pytest.mark.parametrize("target", ["leader", "clerk", "admin", "other_office"])
def test_finding3_office_cannot_reset_the_password_of_a_role_it_does_not_manage(cast: Cast, target: str) -> None:
    victim = (
        make_user("office", cast.office.unit, username="office2") if target == "other_office" else getattr(cast, target)
    )
    before = _state(victim)
    response = _api(cast.office).patch(f"/api/v1/users/{victim.pk}/", {"password": NEW_PASSWORD}, format="json")
    assert response.status_code == 403
    assert _state(victim) == before
    with pytest.raises(PermissionDenied):
        services.user_save(by=cast.office, user=victim, password=NEW_PASSWORD)
    assert _state(victim) == before
    assert not victim.check_password(NEW_PASSWORD)


def test_finding3_office_cannot_grant_the_office_role(cast: Cast) -> None:
    before = _state(cast.liaison)
    response = _api(cast.office).patch(f"/api/v1/users/{cast.liaison.pk}/", {"roles": ["office"]}, format="json")
    assert response.status_code == 403
    assert _state(cast.liaison) == before
    with pytest.raises(PermissionDenied):
        services.user_save(by=cast.office, user=cast.liaison, roles=["office"])
    assert _state(cast.liaison) == before


def test_finding3_office_still_manages_liaisons_and_the_history_says_who(cast: Cast) -> None:
    response = _api(cast.office).patch(f"/api/v1/users/{cast.liaison.pk}/", {"password": NEW_PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    last = cast.liaison.history.latest()
    assert last.history_user == cast.office
    assert "password" in last.history_change_reason
    created = _api(cast.office).post(
        "/api/v1/users/",
        {"username": "newliaison", "name": "新联络员", "unit": cast.unit.pk, "roles": ["liaison"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    first = User.objects.get(username="newliaison").history.earliest()
    assert first.history_user == cast.office


def test_finding3_administrators_manage_every_role_and_are_recorded(cast: Cast) -> None:
    for target in (cast.clerk, cast.leader, cast.office):
        response = _api(cast.admin).patch(f"/api/v1/users/{target.pk}/", {"password": NEW_PASSWORD}, format="json")
        assert response.status_code == 200, response.content
        assert target.history.latest().history_user == cast.admin
    services.user_retire(by=cast.admin, user=cast.clerk)
    assert cast.clerk.history.latest().history_user == cast.admin
    assert cast.clerk.history.latest().history_change_reason == "retired"


def test_finding3_the_liaison_page_refuses_other_roles_and_records_who(cast: Cast) -> None:
    """The page that appoints liaisons goes through the same service (by = the signed-in user)."""
    client = client_for(cast.office)
    response = client.post(
        f"/units/{cast.unit.pk}/liaisons/add/",
        {"username": "pageliaison", "name": "页面联络员", "liaison_role": "primary"},
    )
    assert response.status_code == 302
    assert User.objects.get(username="pageliaison").history.earliest().history_user == cast.office
    assert client_for(cast.liaison).post(f"/units/{cast.unit.pk}/liaisons/add/", {}).status_code == 403


def test_finding3_nobody_below_an_administrator_resets_a_password_in_the_admin(cast: Cast) -> None:
    """The admin is for administrators only (staff); office staff do not get in."""
    response = client_for(cast.office).get(f"/admin/members/user/{cast.leader.pk}/password/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_finding7_administrator_cannot_make_itself_superuser_in_the_admin(cast: Cast) -> None:
    client = client_for(cast.admin)
    url = f"/admin/members/user/{cast.admin.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    assert 'name="user_permissions"' not in page.content.decode()
    permission = Permission.objects.get(codename="delete_user")
    form = {
        "username": cast.admin.username,
        "name": "admin",
        "email": "admin@example.org",
        "language": "zh-hans",
        "is_active": "on",
        "is_superuser": "on",
        "user_permissions": [str(permission.pk)],
        "groups": [str(g.pk) for g in cast.admin.groups.all()],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "liaison-TOTAL_FORMS": "0",
        "liaison-INITIAL_FORMS": "0",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    cast.admin.refresh_from_db()
    assert not cast.admin.is_superuser
    assert not cast.admin.user_permissions.exists()
    # Nor for anyone else.
    other = f"/admin/members/user/{cast.office.pk}/change/"
    client.post(other, {**form, "username": cast.office.username, "groups": []})
    cast.office.refresh_from_db()
    assert not cast.office.is_superuser
    assert not cast.office.user_permissions.exists()


def test_finding7_a_superuser_may_grant_both_and_an_administrator_cannot_touch_a_superuser(cast: Cast) -> None:
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    page = client_for(root).get(f"/admin/members/user/{cast.admin.pk}/change/")
    assert 'name="is_superuser"' in page.content.decode()
    assert client_for(cast.admin).get(f"/admin/members/user/{root.pk}/password/").status_code == 403
    before = _state(root)
    assert client_for(cast.admin).post(f"/admin/members/user/{root.pk}/password/", {}).status_code == 403
    assert _state(root) == before
    with pytest.raises(PermissionDenied):
        services.user_save(by=cast.admin, user=root, password=NEW_PASSWORD)
