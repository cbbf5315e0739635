"""Every page of the crawl, for every role, at 390 px in Chromium: none scrolls sideways.

The crawl (``tests/crawl/crawler.py``) gives the pages each role reaches from the home page on the demo
dataset (``manage.py load_demo``); each role's pages (one URL per path: a list's sort orders and filters
draw the same table) are then opened in one browser context at the width of a phone. A page fails when
the document is wider than the window (``scrollWidth > innerWidth``), and when a list table is wider than
its box (a table that scrolls sideways inside ``.table-responsive`` is the same trouble for the reader: it
must stack into cards below 576 px instead).
"""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from playwright.sync_api import Browser, expect

from meetings.models import Meeting
from members.models import User
from tests.conftest import ensure_organisation
from tests.crawl import crawler

PHONE = {"width": 390, "height": 844}

# What the page measures: the document's width, and every list table that is wider than its box.
MEASURE = """() => {
  const wide = [];
  for (const box of document.querySelectorAll('.table-responsive')) {
    if (box.scrollWidth > box.clientWidth + 1) {
      const table = box.querySelector('table');
      const label = table && (table.dataset.testid || table.className) || box.className;
      wide.push(`${label}: ${box.scrollWidth} px in ${box.clientWidth} px`);
    }
  }
  return {width: document.documentElement.scrollWidth, window: window.innerWidth, wide: wide};
}"""


def _session_cookie(user: User, url: str) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": url,
    }


def _one_per_path(urls: list[str]) -> list[str]:
    """The first URL of each path: the crawl also follows each list's sort orders and filters (up to two of
    each shape), which draw the same table; the unfiltered list, reached first, is the one with most rows.
    Each record's page (its own id) is still opened."""
    paths: dict[str, str] = {}
    for url in urls:
        paths.setdefault(url.partition("?")[0], url)
    return list(paths.values())


@pytest.mark.django_db(transaction=True)
def test_no_page_of_the_crawl_scrolls_sideways_at_390_px(live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    ensure_organisation()
    call_command("load_demo", stdout=io.StringIO())
    users = {u.username: u for u in User.objects.filter(username__in=crawler.ROLES.values())}
    failures: list[str] = []
    opened = 0
    for role, username in crawler.ROLES.items():
        crawl = crawler.crawl_role(role, users[username])
        assert not crawl.problems, crawler.report([crawl])
        context = browser.new_context(locale="zh-CN", viewport=PHONE)
        context.add_cookies([_session_cookie(users[username], live_server.url)])  # type: ignore[list-item]
        page = context.new_page()
        page.set_default_timeout(15_000)
        for url in _one_per_path(crawl.pages):
            page.goto(live_server.url + url, wait_until="load")
            opened += 1
            seen = page.evaluate(MEASURE)
            if seen["width"] > seen["window"]:
                failures.append(f"{role} {url}: the page is {seen['width']} px wide in a {seen['window']} px window")
            failures.extend(f"{role} {url}: the table {wide}" for wide in seen["wide"])
        context.close()
    assert opened > 80, f"only {opened} pages opened"
    assert not failures, "\n".join(failures)


@pytest.mark.django_db(transaction=True)
def test_the_admin_meeting_change_page_fits_1366_px(live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    """Its invitation and agenda inlines (many columns, text boxes) once made it 1611 px wide."""
    ensure_organisation()
    call_command("load_demo", stdout=io.StringIO())
    meeting = Meeting.objects.annotate(n=Count("invitations")).order_by("-n").first()
    assert meeting is not None and meeting.n >= 2
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.add_cookies([_session_cookie(User.objects.get(username="admin1"), live_server.url)])  # type: ignore[list-item]
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/meetings/meeting/{meeting.pk}/change/")
    expect(page.locator("#invitations-group")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 1366, f"the admin's meeting change page is {width} px wide at 1366 px"
