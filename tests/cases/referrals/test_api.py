"""The API contract of referrals/: fields, actions, 409 on refused transitions, 400, 404, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.models import Referral
from fuyuan.lib.pagination import DeepPagination
from tests.cases.referrals.support import ID, sent

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_anonymous_is_401():
    assert APIClient().get("/api/v1/referrals/").status_code == 401


def test_create_send_and_answer_through_the_api(cast):
    c = api(cast.clerk)
    resp = c.post(
        "/api/v1/referrals/",
        {
            "kind": "mediation",
            "receiver": cast.unit.pk,
            "case_number": "(2026)甘01民诉前调9号",
            "subject": "劳务合同纠纷",
            "parties": [{"role": "applicant", "name": "李四", "id_number": ID, "phone": "13900000000"}],
        },
        format="json",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "draft" and body["sender"] == cast.court.pk and body["kind"] == "mediation"
    for key in (
        "kind",
        "sender",
        "receiver",
        "case_number",
        "subject",
        "summary",
        "tasks",
        "sent_at",
        "acknowledged_at",
        "due",
        "status",
        "overdue",
        "outcome",
        "outcome_note",
        "sender_name",
        "receiver_name",
    ):
        assert key in body
    pk = body["id"]
    assert c.patch(f"/api/v1/referrals/{pk}/", {"subject": "劳动争议"}, format="json").json()["subject"] == "劳动争议"
    assert c.post(f"/api/v1/referrals/{pk}/send/").json()["status"] == "sent"
    assert c.patch(f"/api/v1/referrals/{pk}/", {"subject": "x"}, format="json").status_code == 409
    r = api(cast.liaison)
    assert r.post(f"/api/v1/referrals/{pk}/acknowledge/").json()["due"]
    assert r.post(f"/api/v1/referrals/{pk}/accept/").json()["status"] == "accepted"
    resp = r.post(f"/api/v1/referrals/{pk}/conclude/", {"outcome": "case_opened", "note": ""}, format="json")
    assert resp.status_code == 400 and "outcome" in resp.json()
    resp = r.post(f"/api/v1/referrals/{pk}/conclude/", {"outcome": "resolved", "note": "调解成功"}, format="json")
    assert resp.status_code == 200 and resp.json()["outcome"] == "resolved"


def test_refused_transitions_are_409(cast):
    ref = sent(cast.clerk, cast.unit)
    c = api(cast.clerk)
    assert c.post(f"/api/v1/referrals/{ref.pk}/revoke/", {"reason": "撤回"}, format="json").status_code == 200
    for act in ("send", "revoke"):
        resp = c.post(f"/api/v1/referrals/{ref.pk}/{act}/")
        assert resp.status_code == 409 and "detail" in resp.json()
    r = api(cast.liaison)
    for act in ("acknowledge", "accept"):
        assert r.post(f"/api/v1/referrals/{ref.pk}/{act}/").status_code == 409
    assert r.post(f"/api/v1/referrals/{ref.pk}/return/", {"reason": "x"}, format="json").status_code == 409


def test_wrong_side_is_403_and_bad_input_400(cast):
    ref = sent(cast.clerk, cast.unit)
    assert api(cast.clerk).post(f"/api/v1/referrals/{ref.pk}/acknowledge/").status_code == 403
    assert (
        api(cast.liaison).post(f"/api/v1/referrals/{ref.pk}/return/", {"reason": ""}, format="json").status_code == 400
    )
    resp = api(cast.liaison).post(
        "/api/v1/referrals/",
        {"kind": "petition", "receiver": cast.unit.pk, "case_number": "信-1", "subject": "x"},
        format="json",
    )
    assert resp.status_code == 400 and "receiver" in resp.json()


def test_filters_and_search(cast):
    sent(cast.clerk, cast.unit, number="(2026)甘01民诉前调1号", subject="买卖合同纠纷")
    sent(cast.clerk, cast.unit, number="(2026)甘01执100号", code="enforcement_inquiry", subject="查询房产")
    sent(cast.clerk, cast.other_unit, number="(2026)甘01民诉前调2号", subject="借款合同纠纷")
    c = api(cast.office)
    assert c.get("/api/v1/referrals/?kind=enforcement_inquiry").json()["count"] == 1
    assert c.get(f"/api/v1/referrals/?receiver={cast.other_unit.pk}").json()["count"] == 1
    assert c.get("/api/v1/referrals/?search=借款").json()["count"] == 1
    assert c.get("/api/v1/referrals/?search=执100").json()["count"] == 1
    assert c.get("/api/v1/referrals/?search=100%").json()["count"] == 0
    assert c.get("/api/v1/referrals/?status=sent").json()["count"] == 3
    assert c.get("/api/v1/referrals/?overdue=true").json()["count"] == 0
    assert api(cast.liaison).get("/api/v1/referrals/?box=inbox").json()["count"] == 2
    assert api(cast.other_liaison).get("/api/v1/referrals/").json()["count"] == 1


def _bulk(cast, n: int, offset: int = 0) -> None:
    from cases.models import Party, ReferralKind

    kind = ReferralKind.objects.get(code="mediation")
    rows = Referral.objects.bulk_create(
        [
            Referral(
                kind=kind,
                sender=cast.court,
                receiver=cast.unit,
                case_number=f"N-{offset + i}",
                subject="纠纷",
                status="sent",
            )
            for i in range(n)
        ]
    )
    Party.objects.bulk_create([Party(referral=r, name="王五", id_number=ID) for r in rows])


@pytest.mark.parametrize("box", ["all", "inbox", "sent"])
def test_api_list_query_count_does_not_grow_with_rows(cast, box):
    user = cast.office if box == "all" else cast.liaison if box == "inbox" else cast.clerk
    c = api(user)
    _bulk(cast, 3)
    c.get(f"/api/v1/referrals/?box={box}")  # warm up: the user's roles are read once per user object
    with CaptureQueriesContext(connection) as small:
        assert c.get(f"/api/v1/referrals/?box={box}").status_code == 200
    _bulk(cast, 40, offset=100)
    with CaptureQueriesContext(connection) as big:
        resp = c.get(f"/api/v1/referrals/?box={box}&page=2")
    assert resp.status_code == 200 and len(resp.json()["results"]) == 20
    assert len(big) == len(small) <= 10


def test_deep_pages_use_an_id_subquery(cast):
    _bulk(cast, 45)
    c = api(cast.office)
    with CaptureQueriesContext(connection) as ctx:
        body = c.get("/api/v1/referrals/?page=3").json()
    assert body["count"] == 45 and len(body["results"]) == 5
    page_sql = [q["sql"] for q in ctx.captured_queries if "OFFSET" in q["sql"]]
    assert len(page_sql) == 1 and '"cases_referral"."id" IN (SELECT' in page_sql[0]
    ids = [r["id"] for r in body["results"]]
    assert ids == sorted(ids, reverse=True)


def test_search_holds_on_deep_pages(cast):
    _bulk(cast, 45)
    sent(cast.clerk, cast.unit, number="Z-1", subject="房屋买卖")
    body = api(cast.office).get("/api/v1/referrals/", {"search": "纠纷", "page": 2}).json()
    assert body["count"] == 45 and len(body["results"]) == 20
    assert all(r["subject"] == "纠纷" for r in body["results"])


def _page_reads(client, params) -> tuple[list[int], list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/api/v1/referrals/", params).json()
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "cases_referral"."id", ')]
    return [r["id"] for r in body["results"]], reads


def test_a_page_holding_every_row_is_read_without_a_limit_and_deeper_pages_by_their_ids(cast):
    """A LIMIT over a narrow scope may make PostgreSQL walk the sort's index across the whole table: when the page
    holds every row there is nothing to limit. Past the first page the ids are still paged by the index."""
    _bulk(cast, 5)
    client = api(cast.office)
    everything = list(Referral.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    ids, reads = _page_reads(client, {"page_size": 20})
    assert ids == everything[:5] and len(everything) == 5
    assert reads and all("LIMIT" not in sql for sql in reads), reads
    _bulk(cast, 40, offset=5)
    everything = list(Referral.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    ids, reads = _page_reads(client, {"page": 2})
    assert ids == everything[20:40]
    assert any("LIMIT" in sql for sql in reads), reads


def test_search_counts_are_capped(cast, monkeypatch):
    monkeypatch.setattr(DeepPagination, "search_count_cap", 30)
    _bulk(cast, 45)
    body = api(cast.office).get("/api/v1/referrals/", {"search": "纠纷"}).json()
    assert body["count"] == 30 and body["count_capped"] is True
    body = api(cast.office).get("/api/v1/referrals/").json()
    assert body["count"] == 45 and "count_capped" not in body


def test_a_capped_search_can_be_paged_to_its_end(cast, monkeypatch):
    """Past the capped count the pages go on while rows remain (the cap is 1,000; 30 here, on 45 matches)."""
    monkeypatch.setattr(DeepPagination, "search_count_cap", 30)
    _bulk(cast, 45)
    client, seen, page = api(cast.office), [], 1
    while True:
        body = client.get("/api/v1/referrals/", {"search": "纠纷", "page": page}).json()
        assert body["count"] == 30 and body["count_capped"] is True
        seen += [r["id"] for r in body["results"]]
        if body["next"] is None:
            break
        page += 1
    assert page == 3 and len(seen) == len(set(seen)) == 45


# --- Found by the schemathesis run (tests/security/test_api_fuzz.py) -----------------------------------------


def test_outcome_is_null_until_concluded(cast):
    r = sent(cast.clerk, cast.unit)
    c = api(cast.clerk)
    assert c.get(f"/api/v1/referrals/{r.pk}/").json()["outcome"] is None
    assert {row["outcome"] for row in c.get("/api/v1/referrals/").json()["results"]} == {None}


@pytest.mark.parametrize(
    ("name", "count"), [("kind", 0), ("counterpart", 1), ("sender", 1), ("receiver", 1), ("task", 1)]
)
def test_a_unicode_digit_in_a_filter_is_not_a_server_error(cast, name, count):
    # "²".isdigit() is True but int("²") fails: the filters took it for an id. Not an id: the filter is
    # ignored, as the list does with any malformed id; as a kind, it is an unknown kind's code.
    sent(cast.clerk, cast.unit)
    resp = api(cast.office).get("/api/v1/referrals/", {name: "²"})
    assert resp.status_code == 200, resp.content
    assert resp.json()["count"] == count
