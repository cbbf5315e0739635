"""The header search (issue 14, item 8): every kind within the user's scope, grouped, with capped counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import ConnectionHandler
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from meetings.meetings import services as meeting_services
from meetings.models import Meeting
from search import selectors
from tests.cases.recommendations.support import make_issued
from tests.cases.referrals.support import sent
from tests.conftest import Cast, client_for
from tests.levels_meetings import Levels, levels  # noqa: F401  # the level tests' shared fixture

pytestmark = pytest.mark.django_db


def counts(user: Any, term: str) -> dict[str, int]:
    return {g.kind: g.count for g in selectors.search(user=user, term=term)}


def titles(user: Any, term: str, kind: str) -> set[str]:
    return {h.title for g in selectors.search(user=user, term=term, limit=20) if g.kind == kind for h in g.hits}


def _meetings(cast: Cast, n: int, title: str = "季度联席会议") -> None:
    start = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    for i in range(n):
        meeting_services.meeting_create(
            by=cast.clerk,
            kind=Meeting.Kind.JOINT_MEETING,
            title=f"{title}{i}",
            convener=cast.court,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            invited_units=[cast.unit],
            location="第一会议室",
        )


# --- Finding, grouping, links -----------------------------------------------------------------------


def test_finds_each_kind_by_number_case_number_title_or_text(cast: Cast) -> None:
    rec = make_issued(cast, number="(2026)甘测法建字第77号", title="关于规范停车收费的司法建议")
    ref = sent(cast.clerk, cast.unit, number="(2026)甘01民诉前调88号", subject="物业服务合同纠纷")
    _meetings(cast, 1, title="停车管理联席会议")
    office = cast.office
    assert titles(office, "甘测法建字第77", "recommendation") == {rec.title}  # 文号
    assert titles(office, "(2025)甘01行初12号", "recommendation") == {rec.title}  # 案号
    assert titles(office, "停车收费", "recommendation") == {rec.title}  # title
    assert titles(office, "民诉前调88", "referral") == {ref.subject}  # 案号
    assert titles(office, "物业服务", "referral") == {ref.subject}
    assert titles(office, "停车管理", "meeting") == {"停车管理联席会议0"}
    assert titles(office, "测试局甲", "unit") == {"测试局甲"}
    found = counts(office, "停车")
    assert found["recommendation"] == 1 and found["meeting"] == 1 and found["referral"] == 0


def test_page_groups_by_kind_with_links_to_the_filtered_lists(cast: Cast) -> None:
    rec = make_issued(cast, title="关于规范停车收费的司法建议")
    client = client_for(cast.office)
    body = client.get(reverse("search"), {"q": "停车收费"}).content.decode()
    assert 'data-testid="search-group-recommendation"' in body and rec.title in body
    assert reverse("recommendation-detail", args=[rec.pk]) in body
    link = f"{reverse('recommendation-list')}?q=%E5%81%9C%E8%BD%A6%E6%94%B6%E8%B4%B9"
    assert link in body
    assert rec.title in client.get(link).content.decode()  # the list filtered by the same term shows it
    assert 'data-testid="search-group-meeting"' not in body  # kinds with nothing found are not listed


def test_decision_link_shows_every_status(cast: Cast) -> None:
    (link,) = next(g for g in selectors.search(user=cast.office, term="x") if g.kind == "decision").links
    assert link.url == f"{reverse('decision-list')}?q=x&status="


def test_a_liaison_gets_inbox_and_sent_links_for_referrals(cast: Cast) -> None:
    group = next(g for g in selectors.search(user=cast.liaison, term="x") if g.kind == "referral")
    assert [link.url.split("?")[0] for link in group.links] == [reverse("referral-inbox"), reverse("referral-sent")]


def test_header_has_the_search_box_in_the_collapsible_menu(cast: Cast) -> None:
    body = client_for(cast.liaison).get(reverse("home")).content.decode()
    menu = body[body.index('id="mainNav"') :]
    assert f'action="{reverse("search")}"' in menu and 'data-testid="header-search"' in menu


def test_counts_stop_at_the_cap(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "COUNT_CAP", 6)
    _meetings(cast, 8)
    (group,) = selectors.search(user=cast.office, term="季度联席", kinds=("meeting",))
    assert (group.count, group.capped, len(group.hits)) == (6, True, selectors.LIMIT)


# --- Scope ------------------------------------------------------------------------------------------


def test_each_level_finds_only_its_region(levels: Levels) -> None:  # noqa: F811
    lz, cg, jyg, prov = levels.lanzhou, levels.chengguan, levels.jiayuguan, levels.province
    every = {
        "省级联席会议",
        "兰州市联席会议",
        "城关区联席会议",
        "七里河区联席会议",
        "嘉峪关市联席会议",
        "下属中心联席会议",
    }
    assert titles(prov.office, "联席会议", "meeting") >= every - {"下属中心联席会议"}
    assert titles(lz.office, "联席会议", "meeting") == {
        "兰州市联席会议",
        "城关区联席会议",
        "七里河区联席会议",
        "下属中心联席会议",
    }
    assert titles(cg.office, "联席会议", "meeting") == {"城关区联席会议", "下属中心联席会议"}
    # Invited to its court's meeting; its sub-unit's meeting too; never the county next door's.
    assert titles(cg.liaison, "联席会议", "meeting") == {"城关区联席会议", "下属中心联席会议"}
    for user in (lz.office, lz.leader, cg.office, cg.liaison, cg.clerk):
        found = counts(user, "嘉峪关市")
        assert found["meeting"] == found["decision"] == found["consultation"] == 0, user
    assert counts(jyg.office, "嘉峪关市") | {"unit": 0} == {
        "library": 0,
        "recommendation": 0,
        "referral": 0,
        "meeting": 1,
        "consultation": 1,
        "decision": 1,
        "unit": 0,
    }


def test_other_units_cases_are_not_found(cast: Cast) -> None:
    rec = make_issued(cast, title="只发给甲局的司法建议")
    ref = sent(cast.clerk, cast.unit, subject="只移送甲局的纠纷")
    assert titles(cast.liaison, "只发给甲局", "recommendation") == {rec.title}
    assert titles(cast.liaison, "只移送甲局", "referral") == {ref.subject}
    for outsider in (cast.other_liaison, cast.other_clerk):
        assert counts(outsider, "只发给甲局")["recommendation"] == 0
        assert counts(outsider, "只移送甲局")["referral"] == 0
    response = client_for(cast.other_liaison).get(reverse("search"), {"q": "只发给甲局"})
    assert rec.title not in response.content.decode()


# --- Input ------------------------------------------------------------------------------------------


def test_empty_query_finds_nothing_and_asks(cast: Cast) -> None:
    assert selectors.search(user=cast.office, term="   ") == []
    body = client_for(cast.office).get(reverse("search"), {"q": " "}).content.decode()
    assert "输入文号、案号、标题或内容中的文字" in body


@pytest.mark.parametrize("term", ["%", "_", "%%__", "\\", "'; DROP TABLE x; --", "x" * 5000, "<b>停车</b>"])
def test_hostile_input_matches_literally(cast: Cast, term: str) -> None:
    make_issued(cast, title="关于规范停车收费的司法建议")
    _meetings(cast, 1)
    sent(cast.clerk, cast.unit, subject="物业纠纷")
    response = client_for(cast.office).get(reverse("search"), {"q": term})
    assert response.status_code == 200
    assert "没有找到" in response.content.decode()
    assert "<b>停车</b>" not in response.content.decode()


def test_nothing_found_says_so(cast: Cast) -> None:
    body = client_for(cast.office).get(reverse("search"), {"q": "查无此事"}).content.decode()
    assert 'data-testid="search-empty"' in body and "查无此事" in body


# --- Cost -------------------------------------------------------------------------------------------


def test_query_count_does_not_grow_with_rows(cast: Cast) -> None:
    client = client_for(cast.office)
    client.get(reverse("search"), {"q": "季度联席"})  # the session, the roles: read once
    _meetings(cast, 6)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("search"), {"q": "季度联席"}).status_code == 200
    _meetings(cast, 20, title="季度联席会议乙")
    for _ in range(3):
        make_issued(cast, title="季度联席会议议定的司法建议")
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("search"), {"q": "季度联席"}).status_code == 200
    assert len(many) <= len(few) + 1  # the recommendations' count once they reach the limit
    # The session and the user's roles, the time limit set and reset, and per kind a savepoint, its rows
    # and (when a kind fills its five) its capped count.
    assert len(many) <= 34, [q["sql"] for q in many.captured_queries]  # seven kinds, the library too


# --- API --------------------------------------------------------------------------------------------


def test_api_search(cast: Cast) -> None:
    rec = make_issued(cast, title="关于规范停车收费的司法建议")
    api = APIClient()
    assert api.get("/api/v1/search/", {"q": "停车"}).status_code == 401
    api.force_authenticate(cast.liaison)
    body = api.get("/api/v1/search/", {"q": "  停车  "}).json()
    assert body["q"] == "停车"
    group = next(g for g in body["groups"] if g["kind"] == "recommendation")
    assert group["count"] == 1 and group["results"][0]["url"] == reverse("recommendation-detail", args=[rec.pk])
    assert group["links"][0]["url"].startswith(reverse("recommendation-list"))
    api.force_authenticate(cast.other_liaison)
    body = api.get("/api/v1/search/", {"q": "停车"}).json()
    assert next(g for g in body["groups"] if g["kind"] == "recommendation")["count"] == 0
    assert api.get("/api/v1/search/").json() == {"q": "", "groups": []}


def test_api_search_is_in_the_schema(cast: Cast) -> None:
    api = APIClient()
    api.force_authenticate(cast.office)
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/search/" in schema["paths"]


# --- SQLite -----------------------------------------------------------------------------------------


@pytest.fixture
def sqlite() -> Iterator[BaseDatabaseWrapper]:
    handler = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
    sqlite_connection = handler["default"]
    with sqlite_connection.schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy:
                editor.create_model(model)
    yield sqlite_connection
    sqlite_connection.close()


@pytest.mark.parametrize("who", ["office", "liaison"])
def test_every_kind_runs_on_sqlite(cast: Cast, sqlite: BaseDatabaseWrapper, who: str) -> None:
    """The crawl and a first run use SQLite: each kind's query compiles and runs there (the referrals'
    ILIKE is PostgreSQL's; SQLite gets LIKE … ESCAPE)."""
    user = getattr(cast, who)
    for kind in selectors.KINDS:
        if kind.code == "library":
            continue  # its search picks its SQL by the database it runs on (tests/library/test_search.py on SQLite)
        qs = kind.matching(user, "50%_甘").select_related(*kind.related).order_by(*kind.order)[:5]
        sql, params = qs.query.get_compiler(connection=sqlite).as_sql()
        with sqlite.cursor() as cursor:
            cursor.execute(sql, params)
            assert cursor.fetchall() == [], kind.code


def test_a_kind_that_takes_too_long_is_cut_short_and_the_others_answer(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """A term too short for the trigram indexes on a large table: that kind stops at the time limit."""
    from cases.recommendations import selectors as recommendations

    def slow_matching(user: Any, term: str) -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(2)")  # a query that reads too much
        return recommendations.visible_to(user)

    settings.FUYUAN_SEARCH_KIND_TIMEOUT_MS = 50
    slow = selectors.Kind(**{**selectors.KINDS[0].__dict__, "matching": slow_matching})
    monkeypatch.setattr(selectors, "KINDS", (slow, *selectors.KINDS[1:]))
    _meetings(cast, 1, title="停车管理联席会议")
    groups = {g.kind: g for g in selectors.search(user=cast.office, term="停车")}
    assert groups["recommendation"].timed_out and groups["recommendation"].hits == []
    assert groups["meeting"].count == 1 and not groups["meeting"].timed_out
    body = client_for(cast.office).get(reverse("search"), {"q": "停车"}).content.decode()
    assert "没能及时查完" in body and "停车管理联席会议0" in body
    with connection.cursor() as cursor:  # the limit does not outlive the search
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
