"""Forgotten password (issue 14, item 7): the reset by email, and the office's reset of a liaison's password."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from members import services
from members.models import ApiToken, User
from tests.conftest import PASSWORD, Cast, client_for
from tests.levels import CHENGGUAN, JIAYUGUAN, LANZHOU, liaison_at, office_user_at, unit_at

pytestmark = pytest.mark.django_db

NEW = "Xin-mima-2026-abc"


def _reset_link() -> str:
    assert len(mail.outbox) == 1
    match = re.search(r"https?://\S+/accounts/password/reset/\S+/", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(0)


# --- By email ------------------------------------------------------------------------------------------


def test_login_page_links_to_the_reset(client: Client) -> None:
    body = client.get(reverse("login")).content.decode()
    assert "忘记密码?" in body and reverse("password_reset") in body
    assert "发送重设链接" in client.get(reverse("password_reset")).content.decode()


def test_reset_by_email_sets_a_new_password_and_ends_api_tokens(client: Client, cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SITE_URL = "https://fuyuan.example.org"
    services.api_token_issue(user=cast.liaison)
    response = client.post(reverse("password_reset"), {"email": "LIAISON@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    link = _reset_link()
    assert link.startswith("https://fuyuan.example.org/")  # the site's address, never the request's Host
    assert mail.outbox[0].to == ["liaison@example.org"] and "liaison" in mail.outbox[0].body
    form_page = client.get(link, follow=True)
    assert "设置新密码" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_complete")
    cast.liaison.refresh_from_db()
    assert cast.liaison.check_password(NEW)
    assert not ApiToken.objects.filter(user=cast.liaison).exists()
    assert cast.liaison.history.first().history_change_reason == "password reset by email"
    # The link works once.
    assert "该链接已失效" in client.get(link, follow=True).content.decode()


def test_unknown_address_gets_the_same_answer_and_no_email(client: Client, cast: Cast) -> None:
    known = client.post(reverse("password_reset"), {"email": "liaison@example.org"})
    mail.outbox.clear()
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert mail.outbox == []


def test_retired_user_gets_no_email(client: Client, cast: Cast) -> None:
    services.user_retire(user=cast.liaison, by=None)
    assert client.post(reverse("password_reset"), {"email": "liaison@example.org"}).status_code == 302
    assert mail.outbox == []


def test_bad_address_says_so_and_sends_nothing(client: Client, cast: Cast) -> None:
    response = client.post(reverse("password_reset"), {"email": "not an address"})
    assert response.status_code == 200
    assert "请输入合法的邮件地址" in response.content.decode()
    assert mail.outbox == []


def test_link_expires_after_the_reset_timeout(cast: Cast) -> None:
    asked = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(asked, tick=False) as traveller:
        Client().post(reverse("password_reset"), {"email": "liaison@example.org"})
        link = _reset_link()
        traveller.move_to(asked + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 60))
        assert "保存新密码" in Client().get(link, follow=True).content.decode()  # still valid
        traveller.move_to(asked + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60))
        body = Client().get(link, follow=True).content.decode()
    assert "该链接已失效" in body
    cast.liaison.refresh_from_db()
    assert cast.liaison.check_password(PASSWORD)


def test_weak_new_password_is_refused_and_nothing_changes(client: Client, cast: Cast) -> None:
    client.post(reverse("password_reset"), {"email": "liaison@example.org"})
    set_url = client.get(_reset_link(), follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert "密码" in response.content.decode() and "is-invalid" in response.content.decode()
    cast.liaison.refresh_from_db()
    assert cast.liaison.check_password(PASSWORD)


def test_requests_are_rate_limited_per_address_and_per_email(client: Client, cast: Cast) -> None:
    for _ in range(3):
        assert client.post(reverse("password_reset"), {"email": "liaison@example.org"}).status_code == 302
    assert len(mail.outbox) == 3
    # A fourth link to the same mailbox within the hour: the same answer, nothing sent.
    assert client.post(reverse("password_reset"), {"email": "liaison@example.org"}).status_code == 302
    assert len(mail.outbox) == 3
    for n in range(6):
        client.post(reverse("password_reset"), {"email": f"x{n}@example.org"})
    response = client.post(reverse("password_reset"), {"email": "clerk@example.org"})
    assert response.status_code == 429
    assert "请求过于频繁" in response.content.decode()
    assert len(mail.outbox) == 3


# --- By the office -------------------------------------------------------------------------------------


def test_office_resets_a_liaison_password_who_must_then_change_it(cast: Cast) -> None:
    services.api_token_issue(user=cast.liaison)
    office = client_for(cast.office)
    url = reverse("liaison-password-reset", args=[cast.unit.pk, cast.liaison.pk])
    assert url in office.get(reverse("unit-detail", args=[cast.unit.pk])).content.decode()
    confirm = office.get(url)
    assert confirm.status_code == 200 and "确认重置" in confirm.content.decode()
    cast.liaison.refresh_from_db()
    assert cast.liaison.check_password(PASSWORD)  # asking is not doing
    response = office.post(url, follow=True)
    body = response.content.decode()
    password = re.search(r"一次性密码:([A-Za-z0-9_-]+)", body)
    assert password, body
    cast.liaison.refresh_from_db()
    assert cast.liaison.check_password(password.group(1)) and cast.liaison.must_change_password
    assert not ApiToken.objects.filter(user=cast.liaison).exists()
    record = cast.liaison.history.first()
    assert record.history_change_reason == "password reset by office" and record.history_user == cast.office

    # The liaison signs in with it and is led to set their own password first.
    liaison = Client()
    liaison.post(reverse("login"), {"username": "liaison", "password": password.group(1)})
    response = liaison.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    assert liaison.get(reverse("api:me")).status_code == 403
    token = liaison.post(reverse("api:token"), {"username": "liaison", "password": password.group(1)})
    assert token.status_code == 403
    assert "请先设置您自己的新密码" in liaison.get(reverse("password_change")).content.decode()
    response = liaison.post(
        reverse("password_change"), {"old_password": password.group(1), "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    cast.liaison.refresh_from_db()
    assert not cast.liaison.must_change_password and cast.liaison.check_password(NEW)
    assert liaison.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("who", ["liaison", "other_liaison", "clerk", "leader"])
def test_only_the_office_resets_passwords(cast: Cast, who: str) -> None:
    client = client_for(getattr(cast, who))
    url = reverse("liaison-password-reset", args=[cast.unit.pk, cast.liaison.pk])
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 403
    cast.liaison.refresh_from_db()
    assert cast.liaison.check_password(PASSWORD) and not cast.liaison.must_change_password
    assert url not in client.get(reverse("unit-detail", args=[cast.unit.pk])).content.decode()


def test_office_of_a_city_resets_within_its_region_only(db: None) -> None:
    lanzhou_office = client_for(office_user_at(LANZHOU))
    below = liaison_at(unit_at(CHENGGUAN, "城关区测试局"))
    elsewhere = liaison_at(unit_at(JIAYUGUAN, "嘉峪关测试局"))
    above = liaison_at(unit_at("620000", "省测试厅"))
    response = lanzhou_office.post(reverse("liaison-password-reset", args=[below.unit_id, below.pk]))
    assert response.status_code == 302
    below.refresh_from_db()
    assert below.must_change_password
    for person in (elsewhere, above):
        url = reverse("liaison-password-reset", args=[person.unit_id, person.pk])
        assert lanzhou_office.post(url).status_code == 404
        assert lanzhou_office.get(url).status_code == 404
        person.refresh_from_db()
        assert person.check_password(PASSWORD) and not person.must_change_password


def test_reset_of_a_person_who_is_not_a_liaison_of_that_unit_is_404(cast: Cast) -> None:
    office = client_for(cast.office)
    for unit_id, user_id in ((cast.other_unit.pk, cast.liaison.pk), (cast.court.pk, cast.clerk.pk)):
        assert office.post(reverse("liaison-password-reset", args=[unit_id, user_id])).status_code == 404
    for person in (cast.liaison, cast.clerk):
        person.refresh_from_db()
        assert person.check_password(PASSWORD)


def test_a_deactivated_account_is_not_reset(cast: Cast) -> None:
    User.objects.filter(pk=cast.liaison.pk).update(is_active=False)
    cast.liaison.refresh_from_db()
    with pytest.raises(ValidationError, match="已停用"):
        services.user_password_reset(user=cast.liaison, by=cast.office)
    cast.liaison.refresh_from_db()
    assert cast.liaison.check_password(PASSWORD) and not cast.liaison.must_change_password
