"""A ``next`` address sent with a form leads back into the site, never to another host."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import Cast, client_for

pytestmark = [pytest.mark.security, pytest.mark.django_db]


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "http:evil.example", "javascript:alert(1)"],
)
def test_marking_notices_read_does_not_redirect_to_another_site(cast: Cast, target: str) -> None:
    """ "Mark all read" goes back to ``next``; an address on another host (or a script) goes to the inbox."""
    response = client_for(cast.liaison).post(reverse("inbox-read"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("inbox")


def test_marking_notices_read_returns_to_the_page_it_came_from(cast: Cast) -> None:
    """A local ``next`` (the inbox's own page with its query) is kept."""
    response = client_for(cast.liaison).post(reverse("inbox-read"), {"next": "/inbox/?page=2&unread=1"})
    assert response["Location"] == "/inbox/?page=2&unread=1"
