"""Search boxes and filters fed hostile values: every list page (and its export) answers without a server
error — the list, filtered or not, or the page with a form error, or 400 — and shows what was typed escaped.

The parameters of a page are the ones it declares: the fields of its GET forms and the query parameters
of its own links (sort headers, pager, calendar months), plus ``q``, ``sort``, ``o`` and ``page``. Each is
sent alone with each hostile value, so one bad parameter cannot hide another behind a form error.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from tests.conftest import Cast
from tests.security import world
from tests.stats.conftest import ensure_referral_kinds

pytestmark = [pytest.mark.security, pytest.mark.django_db]

SCRIPT = "<script>alert(1)</script>"
VALUES = [
    "'; drop table x; --",
    '"%_\\',
    "\x00",
    "\x01\x1f\r\n\x7f",
    "x" * 10_000,
    "99999999999999999999",
    "-1",
    "²",  # a digit to str.isdigit(), not to int()
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    SCRIPT,
]
# The downloads read their parameters with the same code as their page: the values that reach the parsers.
DOWNLOAD_VALUES = ["'; drop table x; --", "\x00", "x" * 10_000, "99999999999999999999", "²", "0001-01-01", "9999-12-31"]
SORT_VALUES = ["-", "--title", "nonexistent", "password", "-id,title"]
ALWAYS = {"q", "sort", "o", "page"}
SORT_PARAMS = {"sort", "o", "csort"}
PERIOD = {"period", "year", "quarter", "month", "from", "to", "region", "task"}
# Parameters a page reads that neither its forms nor its own links show (the report's period comes
# from the dashboard's links).
EXTRA = {"stats-report": PERIOD}

# Each list page, the user who sees it, and its downloads (which read the same parameters).
LIST_PAGES: dict[str, tuple[str, list[str]]] = {
    "recommendation-list": ("office", ["recommendation-export"]),
    "referral-list": ("office", ["referral-export"]),
    "referral-inbox": ("liaison", ["referral-export-inbox"]),
    "referral-sent": ("clerk", ["referral-export-sent"]),
    "referral-all": ("office", ["referral-export-all"]),
    "referral-figures": ("office", []),
    "meeting-list": ("office", []),
    "meeting-mine": ("liaison", []),
    "meeting-calendar": ("office", []),
    "decision-list": ("office", []),
    "consultation-list": ("office", ["consultation-export"]),
    "unit-list": ("office", []),
    "task-list": ("office", []),
    "inbox": ("liaison", []),
    "dashboard": ("office", []),
    "unit-dashboard": ("liaison", []),
    "stats-league": ("office", []),
    "stats-report": ("office", ["stats-report-download:xlsx", "stats-report-download:docx"]),
}


class _Declared(HTMLParser):
    """The names of the fields of GET forms, and of the query parameters of links to the same page."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.in_get_form = False
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.in_get_form = (a.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self.in_get_form and a.get("name"):
            if a.get("type") not in ("submit", "button"):
                self.names.add(str(a["name"]))
        elif tag == "a" and a.get("href") and "?" in str(a["href"]):
            url = urlsplit(str(a["href"]))
            if url.path in ("", self.path):
                self.names |= set(parse_qs(url.query, keep_blank_values=True))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_get_form = False


def declared(client: Client, path: str) -> set[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    parser = _Declared(path)
    parser.feed(response.content.decode())
    return parser.names


def _url(name: str) -> str:
    if ":" in name:
        name, fmt = name.split(":")
        return reverse(name, args=[fmt])
    return reverse(name)


def _problem(response: Any, label: str) -> str | None:
    if response.status_code not in (200, 302, 400):
        exc = getattr(response, "exc_info", None)
        return f"{label}: {response.status_code} {exc[1]!r}" if exc else f"{label}: {response.status_code}"
    if response["Content-Type"].startswith("text/html") and SCRIPT in response.content.decode():
        return f"{label}: the typed <script> is echoed unescaped"
    return None


@pytest.mark.parametrize("page", sorted(LIST_PAGES))
def test_list_page_survives_hostile_parameters(cast: Cast, page: str) -> None:
    """Each declared parameter of the page, alone, with each hostile value; and the page's downloads."""
    ensure_referral_kinds()
    world.build(cast)
    role, downloads = LIST_PAGES[page]
    user = {"office": cast.office, "liaison": cast.liaison, "clerk": cast.clerk}[role]
    client = Client(raise_request_exception=False)
    client.force_login(user)
    path = reverse(page)
    params = declared(client, path) | ALWAYS | EXTRA.get(page, set())
    assert len(params) >= len(ALWAYS)
    problems = []
    checked = 0
    for param in sorted(params):
        for value in VALUES + (SORT_VALUES if param in SORT_PARAMS else []):
            response = client.get(path, {param: value})
            checked += 1
            if problem := _problem(response, f"{path}?{param}={value[:40]!r}"):
                problems.append(problem)
    # The downloads parse with their page's code (checked above one parameter at a time): here every
    # parameter at once, per value, and the sort parameters alone.
    for url in (_url(d) for d in downloads):
        queries = [dict.fromkeys(params, value) for value in DOWNLOAD_VALUES]
        queries += [{p: v} for p in params & SORT_PARAMS for v in SORT_VALUES]
        for query in queries:
            response = client.get(url, query)
            checked += 1
            if problem := _problem(response, f"{url}?{sorted(query)}={next(iter(query.values()))[:40]!r}"):
                problems.append(problem)
    assert not problems, f"{len(problems)} of {checked} requests:\n" + "\n".join(problems)


@pytest.fixture
def _language_back() -> Iterator[None]:
    """A request as an English-speaking user leaves English active in this thread: put it back."""
    previous = translation.get_language()
    yield
    translation.activate(previous)


@pytest.mark.usefixtures("_language_back")
@pytest.mark.parametrize(("language", "title"), [("zh-hans", "请求无效"), ("en", "Invalid request")])
def test_a_nul_character_is_a_bad_request_in_the_users_language(cast: Cast, language: str, title: str) -> None:
    """A NUL in any parameter of a page (PostgreSQL cannot hold one) is answered 400 with a page that says so."""
    cast.office.language = language
    cast.office.save(update_fields=["language"])
    client = Client()
    client.force_login(cast.office)
    response = client.get(reverse("meeting-list"), {"q": "会议\x00"})
    assert response.status_code == 400
    assert title in response.content.decode()


def test_values_read_without_a_form_are_refused_without_a_server_error(cast: Cast) -> None:
    """Forms whose fields a view reads by hand: a NUL is 400 and nothing is saved; odd ids are ignored."""
    ensure_referral_kinds()
    sides = world.build(cast)
    meeting = sides["own"].objects["meeting"]
    client = Client(raise_request_exception=False)
    client.force_login(cast.office)
    response = client.post(reverse("meeting-cancel", args=[meeting.pk]), {"reason": "改期\x00"})
    assert response.status_code == 400
    meeting.refresh_from_db()
    assert meeting.status == meeting.Status.PLANNED
    response = client.post(reverse("stats-freeze"), {"period": "year", "note": "\x00"})
    assert response.status_code == 400
    liaison = Client(raise_request_exception=False)
    liaison.force_login(cast.liaison)
    response = liaison.post(reverse("inbox-read"), {"id": ["²", "99999999999999999999", "-1"]})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "value",
    [
        "0168-09-07T04:06:21-23:08",
        "2026-01-01T00:00:00+16:00",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59-05:00",
    ],
)
def test_a_date_time_the_database_cannot_compare_is_a_400_not_a_500(cast, value) -> None:  # type: ignore[no-untyped-def]
    """Valid ISO 8601, out of PostgreSQL's range (an offset of 16 hours or more, a UTC time outside years 1–9999):
    the schemathesis fuzz found ``?starts_before=0168-09-07T04:06:21-23:08`` answering 500."""
    client = APIClient()
    client.force_authenticate(cast.office)
    for name in ("starts_before", "starts_after"):
        response = client.get("/api/v1/meetings/", {name: value})
        assert response.status_code == 400, (name, value, response.status_code)
    assert client.get("/api/v1/meetings/", {"starts_before": "2026-01-01T00:00:00+08:00"}).status_code == 200
