"""The crawl: every role signs in and follows every same-site link from the home page, breadth-first.

Shared by the PostgreSQL test (in the test process) and the SQLite run (``tests/crawl/first_run.py`` in a
subprocess, on a fresh database as ``make run`` makes it). Links are ``<a href>`` and htmx ``hx-get``;
exports and downloads are followed, logout is not (nor anything off the site, static files, or ``#``).
URLs of one shape (ids as ``#``, parameters without values) are visited at most ``PER_SHAPE`` times
(the admin's once), so the admin's
hundreds of units cost a few requests, and every kind of page is still reached.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.test import Client

from members.models import User

ROLES = {
    "office": "office1",
    "liaison": "liaison1",
    "court_clerk": "clerk1",
    "leader": "leader1",
    "admin": "admin1",
    # Below the province (the demo's 兰州市 and 城关区 accounts): their scope is a region, not everything.
    "city_office": "office2",
    "county_office": "office3",
    "county_clerk": "clerk3",
}
SKIP = re.compile(r"^/(accounts/logout/|static/|i18n/setlang/)")
PER_SHAPE = 2
MAX_PAGES = 1000  # per role (the admin has ~840 with issue 17's figures and their lists): a runaway crawl fails too


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or name == "hx-get"):
                self.links.append(value)


def shape(url: str) -> str:
    """The kind of page a URL is: its path with numbers as ``#``, and the names of its parameters
    (their values left out: the sort orders, pages and filters of one list are one shape; in the
    admin, the path alone)."""
    path, _sep, query = url.partition("?")
    if path.startswith("/admin/"):
        query = ""  # the admin's filters, sorts and date drill-downs are Django's own, tested there
    keys = sorted({pair.partition("=")[0] for pair in query.split("&") if pair})
    return re.sub(r"\d+", "#", path) + ("?" + "&".join(keys) if keys else "")


@dataclass
class Crawl:
    role: str
    visited: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # the visited URLs that answered 200 with an HTML page
    problems: list[str] = field(default_factory=list)


def _same_site(base: str, href: str) -> str | None:
    if href.startswith(("mailto:", "tel:", "javascript:", "#")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return None
    url = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if SKIP.match(url) else url


def crawl_role(role: str, user: User) -> Crawl:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    result = Crawl(role)
    queue: deque[str] = deque(["/"])
    seen: set[str] = {"/"}
    shapes: dict[str, int] = {}
    while queue and len(result.visited) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        result.visited.append(url)
        if response.status_code >= 500:
            error = getattr(response, "exc_info", None)
            cause = f" ({error[0].__name__}: {error[1]})" if error else ""
            result.problems.append(f"{role} GET {url}: {response.status_code}{cause}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            hrefs = [response["Location"]]
        elif "text/html" in response.get("Content-Type", "") and not response.streaming:
            if response.status_code == 200:
                result.pages.append(url)
            parser = _Links()
            parser.feed(response.content.decode("utf-8", "replace"))
            hrefs = parser.links
        else:
            continue
        for href in hrefs:
            target = _same_site(url, href)
            if target is None or target in seen:
                continue
            seen.add(target)
            key = shape(target)
            if shapes.get(key, 0) >= (1 if key.startswith("/admin/") else PER_SHAPE):
                continue
            shapes[key] = shapes.get(key, 0) + 1
            queue.append(target)
    if queue:
        result.problems.append(f"{role}: more than {MAX_PAGES} pages; the crawl stopped at {queue[0]}")
    return result


def crawl_every_role() -> list[Crawl]:
    users = {u.username: u for u in User.objects.filter(username__in=ROLES.values())}
    missing = set(ROLES.values()) - set(users)
    assert not missing, f"demo accounts missing: {missing} (manage.py load_demo makes them)"
    return [crawl_role(role, users[username]) for role, username in ROLES.items()]


def report(crawls: list[Crawl]) -> str:
    lines = [f"{c.role}: {len(c.visited)} pages" for c in crawls]
    problems = [p for c in crawls for p in c.problems]
    return "\n".join(lines + problems)
