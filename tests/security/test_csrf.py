"""CSRF on every form: a POST without the token is refused (403) before any view runs, and changes nothing.

The URLs come from Django's resolver, so a new page is checked the day it is added. Each URL
(every action of the ``<str:action>`` pages) is posted twice by a signed-in user on a client that
enforces CSRF checks: without a token, which must be refused by the CSRF check itself (a failure
view of our own marks those answers) with the database unchanged; and, as the control that the
first answer was about the token, with a valid token inside a savepoint that is rolled back,
which must get past the CSRF check.

Only the REST API (``/api/``) is exempt, on purpose: DRF's views are ``csrf_exempt`` because a
client authenticates with a token, which a browser never sends by itself; DRF's session
authentication enforces CSRF again for requests signed in with a browser session.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import Cast
from tests.security import world
from tests.security.test_permission_matrix import page_url
from tests.stats.conftest import ensure_referral_kinds

pytestmark = [pytest.mark.security, pytest.mark.django_db]

REJECTED = "X-Test-CSRF-Rejected"

# Every action the ``<str:action>`` pages accept (their forms on the detail pages).
ACTIONS = {
    "recommendation-action": [
        "submit",
        "approve",
        "send_back",
        "issue",
        "mark_delivered",
        "acknowledge",
        "reply",
        "rectified",
        "schedule_visit",
        "visit",
        "close",
        "withdraw",
        "remind",
    ],
    "referral-action": ["send", "acknowledge", "accept", "return", "conclude", "revoke", "forward", "extend"],
    "minutes-action": ["save", "circulate", "confirm", "issue"],
    "decision-action": ["progress", "complete"],
    "opinion-action": ["answer", "withdraw"],
    "hearing-action": ["notify", "answer", "record", "cancel"],
    "library-action": ["publish", "withdraw", "delete"],
}
# Tables whose rows a request may touch without anyone having changed anything.
VOLATILE_APPS = {"sessions", "axes", "contenttypes"}


def csrf_rejected(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The CSRF failure view during these tests: a 403 that says it came from the CSRF check."""
    response = HttpResponseForbidden(reason)
    response[REJECTED] = reason or "rejected"
    return response


@dataclass(frozen=True)
class Route:
    route: str
    name: str
    pattern: URLPattern


def routes() -> Iterator[Route]:
    """Every URL pattern of the site, with its full route and namespaced name."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
                yield Route(prefix + str(p.pattern), name, p)

    yield from walk(get_resolver().url_patterns, "", "")


def _is_api(route: Route) -> bool:
    return route.route.startswith("api/")


def _admin_url(route: Route) -> str:
    """Any URL of an admin pattern: the CSRF check runs before the view, so an id need not exist."""
    if not route.name:  # the admin's unnamed redirects (``<object_id>/``) and its catch-all
        path = re.sub(r"<[^>]+>", "1", route.route)
        return "/" + re.sub(r"\(\?P<\w+>[^)]*\)", "x/", path).replace("$", "").replace("^", "")
    regex = route.pattern.pattern.regex
    if not regex.groupindex:  # unnamed groups (django-simple-history's history views)
        return reverse(route.name, args=["1"] * regex.groups)
    kwargs = {g: {"app_label": "members", "url": "x/"}.get(g, "1") for g in regex.groupindex}
    return reverse(route.name, kwargs=kwargs)


def _urls(cast: Cast) -> list[tuple[str, str]]:
    """(label, url) of every non-API route, one per action for the action pages."""
    ensure_referral_kinds()
    side = world.build(cast)["own"]
    urls = []
    for route in routes():
        if _is_api(route):
            continue
        if route.route.startswith("admin/"):
            urls.append((route.name or "admin:" + route.route, _admin_url(route)))
        elif route.name in ACTIONS:
            args = tuple(route.pattern.pattern.converters)
            for action in ACTIONS[route.name]:
                url = page_url(route.name, args, side)
                urls.append((f"{route.name}:{action}", re.sub(r"/[a-z]+/$", f"/{action}/", url)))
        else:
            urls.append((route.name, page_url(route.name, tuple(route.pattern.pattern.converters), side)))
    return urls


def _row_counts() -> dict[str, int]:
    """The number of rows of every table of the site's own data, in one query."""
    tables = sorted(
        {m._meta.db_table for m in apps.get_models() if m._meta.app_label not in VOLATILE_APPS and m._meta.managed}
    )
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT count(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)  # table names come from the models, quoted
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _digest() -> str:
    """A digest of the content of the same tables: catches an UPDATE, which a count would not."""
    tables = sorted(
        {m._meta.db_table for m in apps.get_models() if m._meta.app_label not in VOLATILE_APPS and m._meta.managed}
    )
    quote = connection.ops.quote_name
    parts = [
        f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {quote(tb)} t)" for tb in tables
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT md5(" + " || ".join(parts) + ")")
        return str(cursor.fetchone()[0])


def _client(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user)
    return client


def _post(client: Client, url: str, **extra: Any) -> HttpResponse:
    return client.post(url, {"note": "x", "reason": "x", "title": "x"}, **extra)


def _check(cast: Cast, settings: Any, *, admin: bool) -> None:
    settings.CSRF_FAILURE_VIEW = "tests.security.test_csrf.csrf_rejected"
    urls = [(label, url) for label, url in _urls(cast) if label.startswith("admin:") == admin]
    user = cast.admin if admin else cast.office
    client = _client(user)
    client.get(reverse("profile"))  # the browser has the CSRF cookie, as a victim's would; the form has no token
    assert "csrftoken" in client.cookies
    before_digest, before = _digest(), _row_counts()
    problems = []
    for label, url in urls:
        response = _post(client, url)
        if response.status_code != 403 or REJECTED not in response:
            problems.append(f"{label} {url}: {response.status_code} without a CSRF token")
        if (after := _row_counts()) != before:
            changed = [t for t in before if before[t] != after[t]]
            problems.append(f"{label} {url}: rows changed in {changed}")
            before = after
    assert _digest() == before_digest, "a POST without a token changed the database"
    # The control: with a valid token the same POST gets past the CSRF check (the view then answers as it does).
    for label, url in urls:
        client = _client(user)
        client.get(reverse("profile"))  # sets the CSRF cookie
        token = client.cookies["csrftoken"].value
        with transaction.atomic():
            response = _post(client, url, HTTP_X_CSRFTOKEN=token)
            transaction.set_rollback(True)
        if REJECTED in response:
            problems.append(f"{label} {url}: refused by the CSRF check even with a valid token")
        if response.status_code >= 500:
            problems.append(f"{label} {url}: {response.status_code} with a valid token and a junk body")
    assert not problems, "\n".join(problems)
    assert len(urls) > (150 if admin else 80)


def test_every_page_form_refuses_a_post_without_csrf_token(cast: Cast, settings: Any) -> None:
    """Every page URL (each action separately), posted by the office without a token: 403, nothing saved."""
    _check(cast, settings, admin=False)


def test_every_admin_form_refuses_a_post_without_csrf_token(cast: Cast, settings: Any) -> None:
    """Every admin URL, posted by an administrator without a token: 403, nothing saved."""
    _check(cast, settings, admin=True)


def test_no_view_is_csrf_exempt_except_the_token_api() -> None:
    """``csrf_exempt`` only on the REST API's views (token authentication), nowhere else."""
    exempt = [r.route for r in routes() if getattr(r.pattern.callback, "csrf_exempt", False)]
    assert exempt, "the API's views are expected to be exempt (DRF)"
    assert [route for route in exempt if not route.startswith("api/")] == []
