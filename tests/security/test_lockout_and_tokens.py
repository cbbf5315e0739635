"""Issue 12, findings 4 (lock-out per username and per address; the token endpoint throttled), 5 (API
tokens expire, end with a password change or deactivation, and are revoked by their owner or an
administrator) and the settings half of 1 (the API answers JSON only unless DEBUG)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from members import services
from members.models import ApiToken
from tests.conftest import PASSWORD, Cast, client_for
from tests.factories import make_user

pytestmark = [pytest.mark.security, pytest.mark.django_db]
TOKEN = "/api/v1/auth/token/"
REVOKE = "/api/v1/auth/token/revoke/"


def _token(client: APIClient, username: str, password: str = PASSWORD, address: str = "10.0.0.1") -> Any:
    return client.post(TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=address)


def _login(username: str, password: str, address: str) -> int:
    return (
        Client().post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address).status_code
    )


def _with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- Finding 4: lock-out ---------------------------------------------------------------------------


def test_finding4_a_locked_username_stays_locked_from_another_address(cast: Cast, settings: Any) -> None:
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login("liaison", f"wrong{i}", address=f"10.1.0.{i}")  # one failure from each of five addresses
    assert _login("liaison", PASSWORD, address="10.9.9.9") == 429  # the right password, a new address
    assert _token(APIClient(), "liaison", address="10.9.9.8").status_code == 429
    assert not ApiToken.objects.exists()
    assert _login("office", PASSWORD, address="10.9.9.9") == 302  # other people are not locked out


def test_finding4_an_address_is_locked_across_usernames(cast: Cast, settings: Any) -> None:
    settings.FUYUAN_ADDRESS_FAILURE_LIMIT = 12
    people = [make_user("liaison", cast.unit, username=f"spray{i}") for i in range(6)]
    for attempt in range(2):
        for person in people:  # 12 failures, 2 per username: no username reaches its limit
            _login(person.username, f"guess{attempt}", address="10.2.0.1")
    assert _login("office", PASSWORD, address="10.2.0.1") == 429  # anyone, from that address
    assert _token(APIClient(), "office", address="10.2.0.1").status_code == 429
    assert _login("office", PASSWORD, address="10.2.0.2") == 302  # from elsewhere, the same person gets in


def test_finding4_a_successful_sign_in_does_not_clear_its_address(cast: Cast, settings: Any) -> None:
    """An attacker's own account signing in between guesses does not reset the address's count."""
    settings.FUYUAN_ADDRESS_FAILURE_LIMIT = 6
    for i in range(6):
        _login(f"victim{i}", "guess", address="10.3.0.1")
        if i == 2:
            assert _login("liaison", PASSWORD, address="10.3.0.1") == 302
    assert _login("office", PASSWORD, address="10.3.0.1") == 429


def test_finding4_the_token_endpoint_is_throttled_per_address(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "3/min"})  # read when DRF is imported
    client = APIClient()
    codes = [_token(client, "office", address="10.4.0.1").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert _token(client, "office", address="10.4.0.2").status_code == 200


# --- Finding 5: token lifetime and revocation ------------------------------------------------------------


def test_finding5_a_token_lapses_after_the_idle_time(cast: Cast) -> None:
    key = _token(APIClient(), "liaison").json()["token"]
    with time_machine.travel(timezone.now() + timedelta(hours=11)):
        assert _with_token(key).get("/api/v1/me/").status_code == 200  # used: its idle clock starts again
    with time_machine.travel(timezone.now() + timedelta(hours=22)):
        assert _with_token(key).get("/api/v1/me/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=22 + 13)):
        assert _with_token(key).get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=cast.liaison).exists()


def test_finding5_a_token_lapses_at_its_absolute_lifetime_however_used(cast: Cast, settings: Any) -> None:
    key = _token(APIClient(), "liaison").json()["token"]
    start = timezone.now()
    for hours in range(10, 7 * 24, 10):  # used every ten hours
        with time_machine.travel(start + timedelta(hours=hours)):
            assert _with_token(key).get("/api/v1/me/").status_code == 200, hours
    with time_machine.travel(start + timedelta(days=7, minutes=1)):
        assert _with_token(key).get("/api/v1/me/").status_code == 401


def test_finding5_a_password_change_ends_every_token(cast: Cast) -> None:
    keys = [_token(APIClient(), "liaison").json()["token"] for _ in range(2)]
    client = client_for(cast.liaison)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase",
            "new_password2": "another-long-passphrase",
        },
    )
    assert response.status_code == 302
    for key in keys:
        assert _with_token(key).get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=cast.liaison).exists()
    fresh = _token(APIClient(), "liaison", password="another-long-passphrase").json()["token"]
    assert _with_token(fresh).get("/api/v1/me/").status_code == 200


def test_finding5_a_password_reset_by_the_office_ends_the_tokens(cast: Cast) -> None:
    key = services.api_token_issue(user=cast.liaison)
    services.user_save(by=cast.office, user=cast.liaison, password="reset-by-the-office-1")
    assert _with_token(key).get("/api/v1/me/").status_code == 401


def test_finding5_deactivation_ends_every_token(cast: Cast) -> None:
    key = services.api_token_issue(user=cast.liaison)
    services.user_retire(by=cast.office, user=cast.liaison)
    assert not ApiToken.objects.filter(user=cast.liaison).exists()
    assert _with_token(key).get("/api/v1/me/").status_code == 401
    services.user_save(by=cast.admin, user=cast.liaison, is_active=True)  # back: the old token stays dead
    assert _with_token(key).get("/api/v1/me/").status_code == 401


def test_finding5_the_owner_revokes_the_token_in_use_or_all(cast: Cast) -> None:
    first, second, third = (services.api_token_issue(user=cast.liaison) for _ in range(3))
    response = _with_token(first).post(REVOKE, {}, format="json")
    assert response.status_code == 200 and response.json() == {"revoked": 1}
    assert _with_token(first).get("/api/v1/me/").status_code == 401
    assert _with_token(second).get("/api/v1/me/").status_code == 200
    assert _with_token(second).post(REVOKE, {"all": True}, format="json").json() == {"revoked": 2}
    assert _with_token(third).get("/api/v1/me/").status_code == 401
    assert APIClient().post(REVOKE).status_code == 401


def test_finding5_an_administrator_revokes_tokens_in_the_admin(cast: Cast) -> None:
    key = services.api_token_issue(user=cast.liaison)
    token = ApiToken.objects.get(user=cast.liaison)
    client = client_for(cast.admin)
    assert client.get("/admin/members/apitoken/").status_code == 200
    response = client.post(f"/admin/members/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert _with_token(key).get("/api/v1/me/").status_code == 401
    key = services.api_token_issue(user=cast.liaison)
    response = client.post(
        "/admin/members/user/", {"action": "revoke_tokens", "_selected_action": [cast.liaison.pk], "index": 0}
    )
    assert response.status_code == 302
    assert _with_token(key).get("/api/v1/me/").status_code == 401


# --- Finding 1, the settings half: no browsable API outside DEBUG ----------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/consultations/", "/api/v1/meetings/", "/api/v1/units/"])
def test_finding1_the_api_answers_json_to_a_browser(cast: Cast, path: str) -> None:
    response = client_for(cast.liaison).get(path, HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert response.status_code in (200, 406)
    assert response["Content-Type"].startswith("application/json")
    assert b"<html" not in response.content.lower() and b"<select" not in response.content.lower()


def test_finding1_the_browsable_renderer_only_with_debug() -> None:
    code = "from django.conf import settings; print(settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'])"
    for debug, browsable in (("0", False), ("1", True)):
        out = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "fuyuan.settings", "DJANGO_DEBUG": debug},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert ("BrowsableAPIRenderer" in out) is browsable, out
