"""Security headers and the no-inline-script rule on the foundation's pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Cast, client_for

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EXTERNAL_URL = re.compile(r"""(?:src|href)=["']https?://""", re.I)


def test_content_security_policy_allows_only_our_own_scripts(client: Client) -> None:
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", policy)
    assert script_src and script_src.group(1).strip() == "'self'"
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", ["home", "unit-list", "task-list", "inbox", "profile", "password_change"])
def test_pages_have_no_inline_script_and_load_nothing_from_outside(cast: Cast, name: str) -> None:
    body = client_for(cast.office).get(reverse(name)).content.decode()
    assert not INLINE_SCRIPT.search(body), INLINE_SCRIPT.search(body)
    assert not EXTERNAL_URL.search(body)


def test_login_page_and_api_docs_keep_the_policy(client: Client, cast: Cast) -> None:
    body = client.get(reverse("login")).content.decode()
    assert not INLINE_SCRIPT.search(body)
    docs = client_for(cast.office).get(reverse("swagger-ui")).content.decode()
    assert not INLINE_SCRIPT.search(docs)
    assert not EXTERNAL_URL.search(docs)


def test_forms_require_csrf(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.office)
    response = client.post(reverse("profile"), {"name": "x", "language": "zh-hans"})
    assert response.status_code == 403
