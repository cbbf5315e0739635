"""The REST API of legal opinions (API.md ``opinions/``): create, answer (twice: 409), withdraw, edit, filters,
scope (404 outside), bad input (400) and query counts that do not grow with the rows."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from cases.opinions.models import Opinion
from tests.cases.opinions_support import answered, ask, notices, snapshot

pytestmark = pytest.mark.django_db
BASE = "/api/v1/opinions/"
TZ = ZoneInfo("Asia/Shanghai")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_anonymous_gets_401():
    assert APIClient().get(BASE).status_code == 401


def test_a_liaison_asks_through_the_api(cast):
    body = {"court": cast.court.pk, "kind": "legal_question", "subject": "咨询事项", "question": "咨询内容"}
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=TZ), tick=False):
        response = api(cast.liaison).post(BASE, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["requester"] == cast.unit.pk and data["court"] == cast.court.pk
    assert data["status"] == "requested" and data["due"] == "2026-03-23" and data["offered"] is False
    assert data["actions"] == ["edit", "withdraw"]
    assert notices() == [("opinion_requested", "requested", "clerk")]


def test_the_court_answers_and_answering_twice_is_409_with_nothing_changed(cast):
    opinion = ask(cast.liaison, cast.court)
    url = f"{BASE}{opinion.pk}/answer/"
    first = api(cast.clerk).post(url, {"answer": "答复意见"}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "answered" and first.json()["answer"] == "答复意见"
    before, sent = snapshot(opinion), notices()
    second = api(cast.clerk).post(url, {"answer": "另一份答复"}, format="json")
    assert second.status_code == 409
    assert "答复" in second.json()["detail"]
    assert snapshot(opinion) == before and notices() == sent


@pytest.mark.parametrize(
    ("who", "status"),
    [("liaison", 403), ("office", 403), ("leader", 403), ("other_clerk", 404), ("other_liaison", 404)],
)
def test_answer_by_anyone_but_the_courts_clerks_is_refused(cast, who, status):
    opinion = ask(cast.liaison, cast.court)
    before = snapshot(opinion)
    assert api(getattr(cast, who)).post(f"{BASE}{opinion.pk}/answer/", {"answer": "x"}).status_code == status
    assert snapshot(opinion) == before


def test_withdraw_then_answer_is_409(cast):
    opinion = ask(cast.liaison, cast.court)
    assert api(cast.liaison).post(f"{BASE}{opinion.pk}/withdraw/", {"reason": "不再需要"}).status_code == 200
    before = snapshot(opinion)
    assert api(cast.clerk).post(f"{BASE}{opinion.pk}/answer/", {"answer": "x"}).status_code == 409
    assert api(cast.liaison).post(f"{BASE}{opinion.pk}/withdraw/").status_code == 409
    assert snapshot(opinion) == before


def test_empty_answer_is_400_in_chinese(cast):
    opinion = ask(cast.liaison, cast.court)
    response = api(cast.clerk).post(f"{BASE}{opinion.pk}/answer/", {"answer": ""}, format="json")
    assert response.status_code == 400 and response.json() == {"answer": ["请填写答复意见。"]}
    assert Opinion.objects.get(pk=opinion.pk).status == "requested"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "normative_document"}, "document_title"),
        ({"kind": "oracle"}, "kind"),
        ({"due": "2020-01-01"}, "due"),
        ({"due": "not a date"}, "due"),
        ({"court": 999999}, "court"),
        ({"subject": ""}, "subject"),
        ({"answer": "我自己答"}, "answer"),
    ],
)
def test_bad_input_is_400_and_nothing_is_saved(cast, body, field):
    data = {"court": cast.court.pk, "kind": "legal_question", "subject": "事项", "question": "内容", **body}
    response = api(cast.liaison).post(BASE, data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Opinion.objects.exists()


def test_a_clerk_offers_through_the_api_answered_at_once(cast):
    body = {"requester": cast.unit.pk, "kind": "major_decision", "subject": "主动提供", "question": "内容"}
    body["answer"] = "意见"
    response = api(cast.clerk).post(BASE, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["offered"] is True and response.json()["status"] == "answered"
    other = api(cast.clerk).post(BASE, {**body, "court": cast.other_court.pk}, format="json")
    assert other.status_code == 400 and "court" in other.json()


def test_patch_edits_a_waiting_request_only(cast):
    opinion = ask(cast.liaison, cast.court)
    response = api(cast.liaison).patch(f"{BASE}{opinion.pk}/", {"subject": "新事项"}, format="json")
    assert response.status_code == 200 and response.json()["subject"] == "新事项"
    assert api(cast.other_liaison).patch(f"{BASE}{opinion.pk}/", {"subject": "x"}, format="json").status_code == 404
    assert api(cast.clerk).patch(f"{BASE}{opinion.pk}/", {"subject": "x"}, format="json").status_code == 403
    assert api(cast.liaison).patch(f"{BASE}{opinion.pk}/", {"requester": cast.other_unit.pk}).status_code == 400
    done = answered(cast.liaison, cast.court, cast.clerk)
    before = snapshot(done)
    assert api(cast.liaison).patch(f"{BASE}{done.pk}/", {"subject": "x"}, format="json").status_code == 409
    assert snapshot(done) == before


def test_scope_404_outside_and_lists_only_the_scope(cast):
    mine = ask(cast.liaison, cast.court)
    theirs = ask(cast.other_liaison, cast.other_court)
    ids = lambda user: {row["id"] for row in api(user).get(BASE).json()["results"]}  # noqa: E731
    assert ids(cast.liaison) == {mine.pk}
    assert ids(cast.clerk) == {mine.pk}
    assert ids(cast.other_clerk) == {theirs.pk}
    assert ids(cast.office) == ids(cast.leader) == ids(cast.admin) == {mine.pk, theirs.pk}
    assert api(cast.liaison).get(f"{BASE}{theirs.pk}/").status_code == 404
    assert api(cast.clerk).get(f"{BASE}{theirs.pk}/").status_code == 404
    assert api(cast.liaison).get(f"{BASE}{mine.pk}/").status_code == 200


def test_filters(cast):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=TZ), tick=False):
        late = ask(cast.liaison, cast.court, kind="major_decision", document_title="某重大决策")
        done = answered(cast.liaison, cast.court, cast.clerk)
    with time_machine.travel(datetime(2026, 5, 6, 10, 0, tzinfo=TZ), tick=False):
        fresh = ask(cast.liaison, cast.other_court)
        client = api(cast.office)

        def ids(**params):
            response = client.get(BASE, params)
            assert response.status_code == 200, response.content
            return {row["id"] for row in response.json()["results"]}

        assert ids(status="answered") == {done.pk}
        assert ids(kind="major_decision") == {late.pk}
        assert ids(overdue="true") == {late.pk}
        assert ids(overdue="false") == {done.pk, fresh.pk}
        assert ids(court=cast.other_court.pk) == {fresh.pk}
        assert ids(requester=cast.unit.pk) == {late.pk, done.pk, fresh.pk}
        assert ids(**{"from": "2026-04-01"}) == {fresh.pk}
        assert ids(**{"to": "2026-03-31"}) == {late.pk, done.pk}
        assert ids(search="某重大决策") == {late.pk}
        assert ids(search="测试中级人民法院乙") == {fresh.pk}
        assert ids(year="2026") == {late.pk, done.pk, fresh.pk}
        assert ids(ordering="due")
        assert client.get(BASE, {"status": "bogus"}).status_code == 400
    assert late.due == date(2026, 3, 23)


def test_api_list_queries_do_not_grow_with_rows(cast, django_assert_max_num_queries):
    ask(cast.liaison, cast.court)
    client = api(cast.office)
    client.get(BASE)
    with django_assert_max_num_queries(10) as few:
        assert client.get(BASE).status_code == 200
    for _ in range(15):
        answered(cast.liaison, cast.court, cast.clerk)
    with django_assert_max_num_queries(10) as many:
        assert client.get(BASE).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
