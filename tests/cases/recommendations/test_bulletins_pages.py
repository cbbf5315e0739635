"""The pages of the quarterly 通报: list (scope, filters, sort, paging, export), detail by reason, print view,
the entries' export, 404 outside the scope (by role and by level), query counts, and generating by hand."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import BulletinEntry, RecommendationBulletin
from members.models import MemberUnit, User
from members.roles import Role
from tests.cases.recommendations.bulletin_support import (
    GENERATION_DAY,
    acknowledge,
    issue,
    make_bulletin,
    travel,
)
from tests.conftest import client_for
from tests.factories import UnitFactory, make_user
from tests.levels import CHENGGUAN, JIAYUGUAN, LANZHOU, leader_at, liaison_at, office_user_at, unit_at
from tests.meetings.conftest import page_queries

pytestmark = pytest.mark.django_db
LIST = reverse("recommendation-bulletin-list")


@dataclass
class World:
    sup: MemberUnit
    other_sup: MemberUnit
    sup_liaison: User
    other_sup_liaison: User
    mine: RecommendationBulletin
    theirs: RecommendationBulletin


@pytest.fixture
def w(cast: Any) -> World:
    sup = UnitFactory(name="测试主管厅甲", short_name="主管甲")
    other_sup = UnitFactory(name="测试主管厅乙", short_name="主管乙")
    mine = make_bulletin(sup, 2026, 3, entries=3)
    theirs = make_bulletin(other_sup, 2026, 3, entries=1)
    return World(
        sup=sup,
        other_sup=other_sup,
        sup_liaison=make_user(Role.LIAISON, sup, username="sup_liaison"),
        other_sup_liaison=make_user(Role.LIAISON, other_sup, username="other_sup_liaison"),
        mine=mine,
        theirs=theirs,
    )


def urls(bulletin: RecommendationBulletin) -> list[str]:
    return [
        reverse("recommendation-bulletin-detail", args=[bulletin.pk]),
        reverse("recommendation-bulletin-print", args=[bulletin.pk]),
        reverse("recommendation-bulletin-entries-export", args=[bulletin.pk]),
        f"/api/v1/recommendation-bulletins/{bulletin.pk}/",
    ]


def listed(user: User, query: str = "") -> list[int]:
    response = client_for(user).get(f"{LIST}{query}")
    assert response.status_code == 200
    return [b.pk for b in response.context["listing"].object_list]


def xlsx_rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


# --- Scope -------------------------------------------------------------------------------------------


def test_the_list_shows_what_each_role_may_read(cast, w):
    both = sorted([w.mine.pk, w.theirs.pk])
    assert sorted(listed(cast.office)) == both
    assert sorted(listed(cast.leader)) == both
    assert sorted(listed(cast.admin)) == both
    assert listed(w.sup_liaison) == [w.mine.pk]
    assert listed(w.other_sup_liaison) == [w.theirs.pk]
    assert listed(cast.liaison) == []  # a unit under the supervisor is not the supervisor
    assert listed(cast.clerk) == []


def test_outside_the_scope_every_page_is_404(cast, w):
    for url in urls(w.theirs):
        for user in (w.sup_liaison, cast.liaison, cast.clerk):
            assert client_for(user).get(url).status_code == 404, (url, user.username)
        for user in (w.other_sup_liaison, cast.office, cast.leader, cast.admin):
            assert client_for(user).get(url).status_code == 200, (url, user.username)
    missing = reverse("recommendation-bulletin-detail", args=[w.theirs.pk + 1000])
    assert client_for(cast.admin).get(missing).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(w):
    from django.test import Client

    for url in [LIST, *urls(w.mine)[:3]]:
        response = Client().get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    assert Client().get(urls(w.mine)[3]).status_code == 401


def test_by_level_an_office_reads_its_region_and_below_only(cast):
    """A 兰州市 supervisor's bulletin lives in 兰州市: its office and the province read it; 嘉峪关市's office and
    城关区's (a county below) do not."""
    lanzhou_sup = unit_at(LANZHOU, "兰州市测试主管局")
    bulletin = make_bulletin(lanzhou_sup, 2026, 3)
    assert bulletin.city_id == bulletin.region_id and bulletin.region.code == LANZHOU
    readers = [office_user_at(LANZHOU), leader_at(LANZHOU), cast.office, liaison_at(lanzhou_sup)]
    outsiders = [office_user_at(JIAYUGUAN), leader_at(JIAYUGUAN), office_user_at(CHENGGUAN)]
    for url in urls(bulletin):
        for user in readers:
            assert client_for(user).get(url).status_code == 200, (url, user.username)
        for user in outsiders:
            assert client_for(user).get(url).status_code == 404, (url, user.username)
    assert listed(office_user_at(JIAYUGUAN, username="jyg2")) == []
    assert listed(readers[0]) == [bulletin.pk]
    region = bulletin.region_id
    assert listed(cast.office, f"?region={region}") == [bulletin.pk]
    assert listed(cast.office, "?level=city") == [bulletin.pk]
    assert listed(cast.office, "?level=county") == []


# --- Filters, search, sort, paging, export ------------------------------------------------------------


def test_filters_search_sort_and_paging(cast, w):
    older = make_bulletin(w.sup, 2025, 4, entries=5)
    assert listed(cast.office, "?year=2025") == [older.pk]
    assert sorted(listed(cast.office, "?quarter=3")) == sorted([w.mine.pk, w.theirs.pk])
    assert sorted(listed(cast.office, f"?supervisor={w.sup.pk}")) == sorted([w.mine.pk, older.pk])
    assert listed(cast.office, "?q=主管厅乙") == [w.theirs.pk]
    assert listed(cast.office, "?q=主管乙") == [w.theirs.pk]  # the short name too
    assert listed(cast.office, "?sort=-entries") == [older.pk, w.mine.pk, w.theirs.pk]
    assert listed(cast.office, "?sort=period")[0] == older.pk
    assert listed(cast.office)[-1] == older.pk  # newest quarter first by default
    # Malformed values drop their filter instead of failing.
    assert len(listed(cast.office, "?year=abc&quarter=9&supervisor=x&sort=nope")) == 3
    for n in range(22):
        make_bulletin(UnitFactory(name=f"分页主管局{n}"), 2024, 1, entries=1)
    response = client_for(cast.office).get(f"{LIST}?page=2")
    assert response.context["listing"].page.paginator.count == 25
    assert len(response.context["listing"].object_list) == 5
    # The supervisor select offers the supervisors of the bulletins the user reads, no other.
    choices = dict(client_for(w.sup_liaison).get(LIST).context["filters"].fields["supervisor"].widget.choices)
    assert w.sup.pk in choices and w.other_sup.pk not in choices


def test_the_list_export_has_the_filtered_rows_in_order(cast, w):
    rows = xlsx_rows(client_for(cast.office).get(reverse("recommendation-bulletin-export") + "?sort=-entries"))
    assert rows[0][:5] == ("年度", "季度", "主管部门", "通报单位", "通报件数")
    assert [r[2] for r in rows[1:]] == ["测试主管厅甲", "测试主管厅乙"]
    assert rows[1][4:9] == (3, 3, 0, 0, 0)
    mine_only = xlsx_rows(client_for(w.sup_liaison).get(reverse("recommendation-bulletin-export")))
    assert [r[2] for r in mine_only[1:]] == ["测试主管厅甲"]


def test_the_entries_export_and_the_detail_group_by_reason(cast, w):
    entry = BulletinEntry.objects.filter(bulletin=w.mine).first()
    entry.not_adopted = True
    entry.reply_outcome = "not_adopted"
    entry.reply_reason = '=HYPERLINK("http://evil","x")'
    entry.save()
    rows = xlsx_rows(client_for(w.sup_liaison).get(reverse("recommendation-bulletin-entries-export", args=[w.mine.pk])))
    assert rows[0][:3] == ("通报事由", "文号", "标题")
    assert len(rows) == 4
    by_number = {r[1]: r for r in rows[1:]}
    assert by_number[entry.number][0] == "逾期未回复、未采纳"
    assert by_number[entry.number][8] == (date(2026, 9, 30) - date(2026, 7, 1)).days  # due 1 July, unreplied
    assert by_number[entry.number][9] == "未采纳"
    assert by_number[entry.number][10] == entry.reply_reason  # kept as text, not a formula
    response = client_for(w.sup_liaison).get(reverse("recommendation-bulletin-detail", args=[w.mine.pk]))
    groups = {g.code: [e.pk for e in g.entries] for g in response.context["groups"]}
    assert len(groups["late_reply"]) == 3 and groups["not_adopted"] == [entry.pk]
    assert groups["not_rectified"] == [] and groups["recurred"] == []
    html = response.content.decode()
    assert 'data-testid="reason-not_adopted"' in html and "测试主管厅甲" in html
    assert "至季度末未回复,逾期 91 日" in html


# --- Query counts ------------------------------------------------------------------------------------


def test_the_list_and_the_detail_cost_the_same_with_more_rows(cast, w, django_assert_max_num_queries):
    users = {"office": cast.office, "sup_liaison": w.sup_liaison}
    few = {name: page_queries(client_for(u), LIST)[0] for name, u in users.items()}
    detail = reverse("recommendation-bulletin-detail", args=[w.mine.pk])
    detail_few = page_queries(client_for(cast.office), detail)[0]
    for year_ in range(2018, 2026):
        make_bulletin(w.sup, year_, 2, entries=4)
        make_bulletin(UnitFactory(name=f"计数主管局{year_}"), year_, 1, entries=2)
    BulletinEntry.objects.bulk_create(
        BulletinEntry(
            bulletin=w.mine, late_reply=True, number=f"追加{i}", title="追加", court_name="院", addressee_name="局"
        )
        for i in range(30)
    )
    many = {name: page_queries(client_for(u), LIST)[0] for name, u in users.items()}
    assert many == few
    assert page_queries(client_for(cast.office), detail)[0] == detail_few
    client = client_for(cast.office)
    client.get(LIST)
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(detail).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("recommendation-bulletin-print", args=[w.mine.pk])).status_code == 200


# --- The print view ----------------------------------------------------------------------------------


def test_the_print_view_is_a_document(cast, w):
    RecommendationBulletin.objects.filter(pk=w.mine.pk).update(sent_at=travel_moment())
    response = client_for(w.sup_liaison).get(reverse("recommendation-bulletin-print", args=[w.mine.pk]))
    html = response.content.decode()
    assert '<h1 class="doc-title" data-testid="doc-title">关于2026年第三季度司法建议办理情况的通报</h1>' in html
    assert "测试主管厅甲:" in html
    assert '<p data-testid="doc-issuer">甘肃省府院联动工作领导小组办公室</p>' in html
    assert '<p data-testid="doc-date">2026年10月8日</p>' in html
    assert "一、逾期未回复" in html and "二、" not in html  # only the reasons it has, numbered
    assert html.count('data-testid="doc-entry"') == 3
    assert "bulletin-print.css" in html and "fy-navbar" not in html


def travel_moment() -> Any:
    from tests.cases.recommendations.bulletin_support import at

    return at(GENERATION_DAY, 8)


# --- Generating a past quarter by hand -----------------------------------------------------------------


def one_late(cast: Any) -> MemberUnit:
    """A unit's recommendation due 10 July 2026 and never answered; its supervisor is returned."""
    sup = UnitFactory(name="手动生成主管厅")
    MemberUnit.objects.filter(pk=cast.unit.pk).update(supervisor=sup)
    cast.unit.refresh_from_db()
    rec = issue(cast.clerk, cast.unit, date(2026, 5, 5))
    acknowledge(rec, cast.liaison, date(2026, 5, 10))
    return sup


def test_the_office_generates_a_past_quarter_by_hand_after_confirming(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sup = one_late(cast)
    url = reverse("recommendation-bulletin-generate")
    with travel(date(2026, 11, 2)):
        page = client_for(cast.office).get(LIST).content.decode()
        assert 'data-testid="generate-form"' in page and "data-confirm=" in page
        assert 'data-testid="generate-form"' not in client_for(cast.liaison).get(LIST).content.decode()
        for user in (cast.liaison, cast.clerk, cast.leader):
            assert client_for(user).post(url, {"generate-year": 2026, "generate-quarter": 3}).status_code == 403
        assert not RecommendationBulletin.objects.exists()
        # The current quarter is refused with a message, nothing made.
        response = client_for(cast.office).post(url, {"generate-year": 2026, "generate-quarter": 4}, follow=True)
        assert "尚未结束" in response.content.decode()
        assert not RecommendationBulletin.objects.exists()
        response = client_for(cast.office).post(url, {"generate-year": 2026, "generate-quarter": 3}, follow=True)
    assert response.status_code == 200
    assert "新生成通报 1 份,发送 1 份" in response.content.decode()
    assert RecommendationBulletin.objects.get().supervisor == sup
    assert [b.pk for b in response.context["listing"].object_list] == [RecommendationBulletin.objects.get().pk]


def test_the_management_command_asks_before_generating(cast, settings, tmp_path, monkeypatch, capsys):
    settings.MEDIA_ROOT = tmp_path
    one_late(cast)
    monkeypatch.setattr("builtins.input", lambda _question: "n")
    with travel(date(2026, 11, 2)):
        call_command("recommendation_bulletins", "--year", "2026", "--quarter", "3")
    assert "Nothing done." in capsys.readouterr().out
    assert not RecommendationBulletin.objects.exists()
    with travel(date(2026, 11, 2)):
        call_command("recommendation_bulletins", "--year", "2026", "--quarter", "3", "--yes")
        call_command("recommendation_bulletins", "--year", "2026", "--quarter", "3", "--yes")
    out = capsys.readouterr().out
    assert "1 bulletins (1 new), 1 sent now." in out and "1 bulletins (0 new), 0 sent now." in out
    assert RecommendationBulletin.objects.count() == 1


def test_the_pages_speak_english_on_request(cast, w):
    User.objects.filter(pk=w.sup_liaison.pk).update(language="en")
    w.sup_liaison.refresh_from_db()
    client = client_for(w.sup_liaison)
    assert "Quarterly bulletin on judicial recommendations" in client.get(LIST).content.decode()
    detail = client.get(reverse("recommendation-bulletin-detail", args=[w.mine.pk])).content.decode()
    assert "not replied by the end of the quarter, 91 days late" in detail
    assert "Not replied in time" in detail
