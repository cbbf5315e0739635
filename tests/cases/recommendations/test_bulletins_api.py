"""The read-only API of the quarterly 通报: ``recommendation-bulletins/`` and ``{id}/`` with its entries, the same
scope as the pages (404 outside), filters, no writes, constant queries, and the schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from cases.models import BulletinEntry, RecommendationBulletin
from members.models import User
from members.roles import Role
from tests.cases.recommendations.bulletin_support import make_bulletin
from tests.factories import UnitFactory, make_user
from tests.levels import JIAYUGUAN, LANZHOU, office_user_at, unit_at

pytestmark = pytest.mark.django_db
API = "/api/v1/recommendation-bulletins/"


def api(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def world(cast: Any) -> Any:
    sup = UnitFactory(name="接口主管厅甲")
    other = UnitFactory(name="接口主管厅乙")
    mine = make_bulletin(sup, 2026, 3, entries=2)
    theirs = make_bulletin(other, 2026, 2, entries=1)
    BulletinEntry.objects.filter(bulletin=mine).update(recurred=True, recurrence_numbers="(2025)早前第1号")
    return {
        "sup_liaison": make_user(Role.LIAISON, sup, username="api_sup_liaison"),
        "mine": mine,
        "theirs": theirs,
        "sup": sup,
    }


def test_the_list_and_the_detail_with_its_entries(cast, world):
    body = api(cast.office).get(API).json()
    assert body["count"] == 2
    first = body["results"][0]
    assert first["id"] == world["mine"].pk  # the newest quarter first
    assert first["title"] == "关于2026年第三季度司法建议办理情况的通报"
    assert first["supervisor_name"] == "接口主管厅甲"
    assert (first["year"], first["quarter"], first["entry_count"], first["late_reply_count"]) == (2026, 3, 2, 2)
    assert first["period_start"] == "2026-07-01" and first["period_end"] == "2026-09-30"
    assert "entries" not in first
    detail = api(cast.office).get(f"{API}{world['mine'].pk}/").json()
    assert len(detail["entries"]) == 2
    entry = detail["entries"][0]
    assert entry["reasons"] == ["late_reply", "recurred"]
    assert entry["recurrence_numbers"] == "(2025)早前第1号"
    assert entry["days_late"] == 91  # due 1 July, unreplied at the end of September
    assert set(entry) >= {"number", "title", "court_name", "addressee_name", "reply_due", "replied_on", "visit_result"}


def test_the_same_scope_as_the_pages(cast, world):
    liaison = api(world["sup_liaison"])
    assert [b["id"] for b in liaison.get(API).json()["results"]] == [world["mine"].pk]
    assert liaison.get(f"{API}{world['mine'].pk}/").status_code == 200
    assert liaison.get(f"{API}{world['theirs'].pk}/").status_code == 404
    for user in (cast.liaison, cast.clerk):
        assert api(user).get(API).json()["count"] == 0
        assert api(user).get(f"{API}{world['mine'].pk}/").status_code == 404
    assert api(None).get(API).status_code == 401
    lanzhou = make_bulletin(unit_at(LANZHOU, "兰州市接口主管局"), 2026, 3)
    assert api(office_user_at(LANZHOU)).get(f"{API}{lanzhou.pk}/").status_code == 200
    assert api(office_user_at(JIAYUGUAN)).get(f"{API}{lanzhou.pk}/").status_code == 404
    assert [b["id"] for b in api(office_user_at(LANZHOU, "lz2")).get(API).json()["results"]] == [lanzhou.pk]


def test_filters(cast, world):
    client = api(cast.office)

    def ids(query: str) -> list[int]:
        return sorted(b["id"] for b in client.get(f"{API}?{query}").json()["results"])

    assert ids("quarter=2") == [world["theirs"].pk]
    assert ids("year=2026") == sorted([world["mine"].pk, world["theirs"].pk])
    assert ids("year=2020") == []
    assert ids(f"supervisor={world['sup'].pk}") == [world["mine"].pk]
    assert ids("search=主管厅乙") == [world["theirs"].pk]
    assert client.get(f"{API}?ordering=entry_count").json()["results"][0]["id"] == world["theirs"].pk


def test_no_writes(cast, world):
    for method in ("post", "patch", "put", "delete"):
        response = getattr(api(cast.admin), method)(f"{API}{world['mine'].pk}/", {}, format="json")
        assert response.status_code == 405, method
    assert api(cast.admin).post(API, {}, format="json").status_code == 405
    assert RecommendationBulletin.objects.count() == 2


def test_the_list_costs_the_same_with_more_bulletins(cast, world):
    client = api(cast.office)
    client.get(API)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few, detail_few = count(API), count(f"{API}{world['mine'].pk}/")
    for n in range(15):
        make_bulletin(UnitFactory(name=f"接口计数主管局{n}"), 2025, 1 + n % 4, entries=3)
    BulletinEntry.objects.bulk_create(
        BulletinEntry(bulletin=world["mine"], late_reply=True, title="追加", court_name="院", addressee_name="局")
        for _ in range(20)
    )
    assert count(API) == few
    assert count(f"{API}{world['mine'].pk}/") == detail_few <= 6


def test_the_schema_documents_both_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert set(schema["paths"][API]) == {"get"}
    assert set(schema["paths"][API + "{id}/"]) == {"get"}
    detail = schema["components"]["schemas"]["RecommendationBulletinDetail"]
    assert "entries" in detail["properties"]
