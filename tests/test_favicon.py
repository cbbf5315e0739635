"""The favicon: ``/favicon.ico`` answers for anyone, and the site's and the admin's pages link our SVG."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Cast, client_for


def test_favicon_ico_answers_with_our_svg(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.svg"


@pytest.mark.django_db
def test_pages_and_the_admin_link_the_favicon(client: Client, cast: Cast) -> None:
    link = '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">'
    assert link in client.get("/accounts/login/").content.decode()
    assert link in client_for(cast.office).get("/").content.decode()
    admin = client_for(cast.admin).get("/admin/")
    assert admin.status_code == 200
    assert link in admin.content.decode()
    assert "府院联动工作平台 · 系统管理" in admin.content.decode()  # the admin's own header is kept
