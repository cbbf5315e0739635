"""Rendered fragments kept per language, scope and role (issue 19, ``fuyuan.lib.fragments``): a list's filter bar
and the header's links are rendered once and then read from memory, and never show one reader's language, scope
or links to another."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cases.referrals.models import Referral
from fuyuan.lib import fragments
from members.templatetags.fy import choice_label
from tests.conftest import Cast, client_for
from tests.levels import JIAYUGUAN, LANZHOU, PROVINCE, office_user_at

pytestmark = pytest.mark.django_db

REFERRALS = reverse("referral-all")


def in_english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def filter_bar(page: bytes) -> str:
    html = page.decode()
    return html[html.index('<form method="get"') : html.index("</form>", html.index('<form method="get"'))]


def nav(page: bytes) -> str:
    html = page.decode()
    return html[html.index('<ul class="navbar-nav me-auto">') : html.index("</ul>", html.index("navbar-nav me-auto"))]


def nav_links(page: bytes) -> list[str]:
    return re.findall(r'href="([^"]+)"', nav(page))


def test_the_filter_bar_is_rendered_once_then_read_from_memory(cast: Cast) -> None:
    """The second request of a list leaves out the filter choices' reads: the bar comes from the fragments."""
    client = client_for(cast.office)
    client.get(REFERRALS)  # the session's first touch
    cache.clear()  # the choices' cache (Redis): the first page below reads them
    fragments.store().clear()
    with CaptureQueriesContext(connection) as rendered:
        page = client.get(REFERRALS)
    with CaptureQueriesContext(connection) as kept:
        again = client.get(REFERRALS)
    assert len(kept.captured_queries) < len(rendered.captured_queries)
    assert filter_bar(again.content) == filter_bar(page.content)


def test_a_cached_filter_bar_is_never_shown_in_another_language(cast: Cast) -> None:
    chinese, english = client_for(cast.office), in_english(client_for(cast.office))
    for _round in range(2):  # the second round is read from the fragments
        zh_bar = filter_bar(chinese.get(REFERRALS).content)
        en_bar = filter_bar(english.get(REFERRALS).content)
        assert ">工作任务</label>" in zh_bar and "Work task" not in zh_bar
        assert ">Work task</label>" in en_bar and "工作任务" not in en_bar
    # The same holds for a bar whose labels the template writes (the decisions' list).
    decisions = reverse("decision-list")
    for _round in range(2):
        assert "In progress" in filter_bar(english.get(decisions).content)
        assert "办理中" in filter_bar(chinese.get(decisions).content)


def test_a_cached_filter_bar_offers_each_reader_their_own_regions() -> None:
    province, lanzhou, jiayuguan = (client_for(office_user_at(code)) for code in (PROVINCE, LANZHOU, JIAYUGUAN))
    for _round in range(2):
        everything = filter_bar(province.get(REFERRALS).content)
        city = filter_bar(lanzhou.get(REFERRALS).content)
        other_city = filter_bar(jiayuguan.get(REFERRALS).content)
        assert "兰州市" in everything and "嘉峪关市" in everything
        assert "兰州市" in city and "城关区" in city and "嘉峪关市" not in city
        assert "嘉峪关市" in other_city and "兰州市" not in other_city


def test_a_cached_filter_bar_shows_the_values_asked_for(cast: Cast) -> None:
    client = client_for(cast.office)
    client.get(REFERRALS)
    bar = filter_bar(client.get(REFERRALS, {"status": "sent"}).content)
    assert '<option value="sent" selected>' in bar
    assert " selected" not in filter_bar(client.get(REFERRALS).content)
    assert '<option value="sent" selected>' in filter_bar(client.get(REFERRALS, {"status": "sent"}).content)


def test_the_decisions_status_filter_offers_the_decisions_statuses(cast: Cast) -> None:
    """It offered the meetings' (已安排, 已召开…), under which no decision is ever found."""
    bar = filter_bar(client_for(cast.office).get(reverse("decision-list")).content)
    options = re.findall(
        r'<option value="(\w*)"', bar[bar.index('id="f-status"') : bar.index("</select>", bar.index('id="f-status"'))]
    )
    assert options == ["", "open", "done"]


def test_the_header_links_of_a_role_are_never_shown_to_another(cast: Cast) -> None:
    """The office sees 议定事项 (decisions) and 统计 (the dashboard); a liaison sees neither, whoever rendered the
    header first, and each sees their own links again from the fragments."""
    office, liaison = client_for(cast.office), client_for(cast.liaison)
    decisions, dashboard, unit_figures = reverse("decision-list"), reverse("dashboard"), reverse("unit-dashboard")
    url = reverse("meeting-list")  # the same page, so that only the roles differ
    for _round in range(2):
        office_links = nav_links(office.get(url).content)
        liaison_links = nav_links(liaison.get(url).content)
        assert decisions in office_links and dashboard in office_links and unit_figures not in office_links
        assert decisions not in liaison_links and dashboard not in liaison_links and unit_figures in liaison_links
        english = in_english(client_for(cast.liaison)).get(url).content
        assert nav_links(english) == liaison_links
        assert ">Referrals</a>" in nav(english) and "案件移送" not in nav(english)
        assert "案件移送" in nav(liaison.get(url).content)


def test_the_header_marks_the_page_it_is_on(cast: Cast) -> None:
    client = client_for(cast.office)
    for url in (reverse("meeting-list"), reverse("referral-list"), reverse("meeting-list")):
        active = re.findall(r'class="nav-link active" href="([^"]+)"', nav(client.get(url).content))
        assert active == [url]


def test_a_fragment_without_its_key_is_an_error_not_a_shared_fragment() -> None:
    template = Template('{% load fy %}{% fragment "x" missing %}text{% endfragment %}')
    with pytest.raises(TemplateSyntaxError, match="missing"):
        template.render(Context({}))


def test_choice_label_and_day_show_what_the_django_helpers_show(cast: Cast) -> None:
    referral = Referral(status=Referral.Status.SENT, outcome="")
    with translation.override("en"):
        for status in Referral.Status.values:
            referral.status = status
            assert str(choice_label(referral, "status")) == str(referral.get_status_display())
        assert choice_label(referral, "outcome") == ""
    late_evening_utc = datetime(2026, 3, 8, 17, 30, tzinfo=ZoneInfo("UTC"))  # 3月9日 01:30 in Asia/Shanghai
    page = Template('{% load fy %}{{ moment|day }} {{ moment|date:"Y-m-d" }} {{ d|day }} [{{ none|day }}]').render(
        Context({"moment": late_evening_utc, "d": date(2026, 1, 2), "none": None})
    )
    assert page == "2026-03-09 2026-03-09 2026-01-02 []"


def test_the_redis_cache_keeps_one_client_per_connection_pool() -> None:
    """Django's Redis cache builds a client for every operation; ours reuses one (70 µs of CPU each)."""
    backend = cache._cache
    assert backend.get_client(write=True) is backend.get_client(write=True)
    cache.set("fragments-test", 1)
    assert cache.get("fragments-test") == 1
