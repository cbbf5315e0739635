"""The REST API of judicial recommendations, per API.md: fields, filters, actions, errors, scope."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from rest_framework.test import APIClient

from cases.models import JudicialRecommendation
from members import services as member_services
from members.models import WorkTask
from tests.cases.recommendations.support import PDF, make_acknowledged, make_draft, make_issued, upload

pytestmark = pytest.mark.django_db
BASE = "/api/v1/recommendations/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_anonymous_gets_401():
    assert APIClient().get(BASE).status_code == 401


def test_token_auth_reads_the_list(cast):
    make_issued(cast)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {member_services.api_token_issue(user=cast.liaison)}")
    response = client.get(BASE)
    assert response.status_code == 200
    assert response.json()["count"] == 1


@time_machine.travel("2025-03-10 10:00 +0800", tick=False)
def test_create_issue_acknowledge_reply_close(cast):
    task = WorkTask.objects.get(number=1)
    clerk, liaison = api(cast.clerk), api(cast.liaison)
    response = clerk.post(
        BASE,
        {
            "number": "(2025)测中法建字第1号",
            "case_number": "(2025)测01行初1号",
            "addressee": cast.unit.pk,
            "copy_to": [cast.other_unit.pk],
            "tasks": [task.pk],
            "category": "law_enforcement",
            "title": "关于规范执法的司法建议",
            "problem": "问题",
            "recommendation": "建议",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    for field in ("number", "court", "case_number", "addressee", "copy_to", "supervisor", "tasks", "title", "problem",
                  "recommendation", "issued_on", "acknowledged_at", "reply_due", "status", "overdue", "escalated_at",
                  "reply"):  # fmt: skip
        assert field in body
    assert body["court"] == cast.court.pk and body["court_name"] == cast.court.name
    assert body["status"] == "draft" and body["copy_to"] == [cast.other_unit.pk] and body["tasks"] == [task.pk]
    assert body["reply"] is None and body["overdue"] is False
    pk = body["id"]
    # PATCH while a draft.
    assert clerk.patch(f"{BASE}{pk}/", {"title": "改后标题"}, format="json").json()["title"] == "改后标题"
    issued = clerk.post(f"{BASE}{pk}/issue/", {}, format="json").json()
    assert issued["status"] == "issued" and issued["issued_on"] == "2025-03-10"
    # PATCH after issue: 409.
    response = clerk.patch(f"{BASE}{pk}/", {"title": "再改"}, format="json")
    assert response.status_code == 409 and response.json()["detail"]
    acknowledged = liaison.post(f"{BASE}{pk}/acknowledge/").json()
    assert acknowledged["status"] == "acknowledged"
    assert acknowledged["acknowledged_at"] == "2025-03-10T10:00:00+08:00"
    assert acknowledged["reply_due"] == "2025-05-10"
    replied = liaison.post(
        f"{BASE}{pk}/reply/",
        {"outcome": "adopted", "content": "已采纳", "measures": "已整改", "rectification_due": "2025-04-10"},
        format="json",
    ).json()
    assert replied["status"] == "rectifying" and replied["rectification_due"] == "2025-04-10"
    assert replied["reply"] == {
        "outcome": "adopted",
        "content": "已采纳",
        "measures": "已整改",
        "reason": "",
        "replied_at": "2025-03-10T10:00:00+08:00",
    }
    # Adopted: closed after the court's visit (here before the deadline, which it must say).
    visit = {"result": "rectified", "early": True}
    assert clerk.post(f"{BASE}{pk}/visit/", visit, format="json").json()["status"] == "visited"
    closed = clerk.post(f"{BASE}{pk}/close/", {"assessment": "满意"}, format="json").json()
    assert closed["status"] == "closed" and closed["assessment"] == "满意"


def test_refused_transitions_answer_409_with_a_reason(cast):
    rec = make_acknowledged(cast)
    liaison = api(cast.liaison)
    response = liaison.post(f"{BASE}{rec.pk}/acknowledge/")
    assert response.status_code == 409
    assert "不能重复签收" in response.json()["detail"]
    assert api(cast.clerk).post(f"{BASE}{rec.pk}/close/").status_code == 409
    api(cast.clerk).post(f"{BASE}{rec.pk}/withdraw/", {"reason": "已调解"}, format="json")
    response = liaison.post(f"{BASE}{rec.pk}/reply/", {"outcome": "adopted", "content": "x"}, format="json")
    assert response.status_code == 409
    assert "撤回" in response.json()["detail"]


def test_wrong_role_in_scope_is_403(cast):
    rec = make_issued(cast)
    # The clerk sees the record but may not acknowledge it; the office may not issue or withdraw.
    assert api(cast.clerk).post(f"{BASE}{rec.pk}/acknowledge/").status_code == 403
    assert api(cast.office).post(f"{BASE}{rec.pk}/withdraw/").status_code == 403
    assert api(cast.leader).post(f"{BASE}{rec.pk}/remind/").status_code == 403
    assert api(cast.liaison).post(BASE, {"title": "x", "addressee": cast.unit.pk}, format="json").status_code == 403
    assert api(cast.office).post(f"{BASE}{rec.pk}/remind/").status_code == 200


def test_out_of_scope_is_404(cast):
    rec = make_acknowledged(cast)
    other = api(cast.other_liaison)
    assert other.get(f"{BASE}{rec.pk}/").status_code == 404
    response = other.post(f"{BASE}{rec.pk}/reply/", {"outcome": "adopted", "content": "x"}, format="json")
    assert response.status_code == 404
    assert api(cast.other_clerk).patch(f"{BASE}{rec.pk}/", {"title": "x"}, format="json").status_code == 404
    rec.refresh_from_db()
    assert rec.status == "acknowledged"


def test_bad_input_is_400_by_field(cast):
    clerk = api(cast.clerk)
    make_draft(cast, number="(2025)测中法建字第3号")
    base = {"title": "标题", "addressee": cast.unit.pk}
    response = clerk.post(BASE, {**base, "number": "(2025)测中法建字第3号"}, format="json")
    assert response.status_code == 400 and "number" in response.json()
    response = clerk.post(BASE, {**base, "issued_on": "2025-03-10", "reply_due": "2025-03-01"}, format="json")
    assert response.status_code == 400 and "reply_due" in response.json()
    response = clerk.post(BASE, {**base, "court": cast.other_court.pk}, format="json")
    assert response.status_code == 400 and "court" in response.json()
    response = clerk.post(BASE, {"title": "x"}, format="json")
    assert response.status_code == 400 and "addressee" in response.json()
    assert JudicialRecommendation.objects.count() == 1
    rec = make_acknowledged(cast)
    response = api(cast.liaison).post(
        f"{BASE}{rec.pk}/reply/", {"outcome": "not_adopted", "content": "不采纳"}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()
    response = api(cast.liaison).post(f"{BASE}{rec.pk}/reply/", {"outcome": "maybe", "content": "x"}, format="json")
    assert response.status_code == 400 and "outcome" in response.json()


def test_attachments_upload_and_download(cast):
    rec = make_draft(cast)
    clerk = api(cast.clerk)
    response = clerk.post(f"{BASE}{rec.pk}/attachments/", {"files": [upload("建议书.pdf", PDF)]}, format="multipart")
    assert response.status_code == 201
    attachment_id = response.json()[0]["id"]
    response = clerk.post(f"{BASE}{rec.pk}/attachments/", {"files": [upload("x.pdf", b"GIF89a")]}, format="multipart")
    assert response.status_code == 400 and "attachments" in response.json()
    download = clerk.get(f"{BASE}{rec.pk}/attachments/{attachment_id}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert api(cast.other_clerk).get(f"{BASE}{rec.pk}/attachments/{attachment_id}/").status_code == 404


@time_machine.travel("2025-06-20 10:00 +0800", tick=False)
def test_filters_search_ordering_and_paging(cast):
    a = make_issued(cast, issued_on=date(2025, 6, 1), title="食品安全监管")
    b = make_acknowledged(cast, issued_on=date(2025, 3, 1))
    JudicialRecommendation.objects.filter(pk=b.pk).update(reply_due=date(2025, 6, 1))
    c = make_issued(cast, by=cast.other_clerk, addressee=cast.other_unit, issued_on=date(2025, 5, 1))
    office = api(cast.office)

    def ids(**params):
        return [r["id"] for r in office.get(BASE, params).json()["results"]]

    assert ids() == [a.pk, c.pk, b.pk]  # newest issue first
    assert ids(ordering="issued_on") == [b.pk, c.pk, a.pk]
    assert ids(status="issued") == [a.pk, c.pk]
    assert ids(addressee=cast.other_unit.pk) == [c.pk]
    assert ids(court=cast.court.pk) == [a.pk, b.pk]
    assert ids(overdue="true") == [b.pk]
    assert office.get(BASE, {"overdue": "true"}).json()["results"][0]["overdue"] is True
    assert ids(escalated="true") == []
    assert ids(search="食品") == [a.pk]
    assert ids(year=2025) == [a.pk, c.pk, b.pk]
    page = office.get(BASE, {"page_size": 2}).json()
    assert page["count"] == 3 and page["next"] and page["previous"] is None and len(page["results"]) == 2
    assert [r["id"] for r in api(cast.liaison).get(BASE).json()["results"]] == [a.pk, b.pk]


def test_api_list_queries_do_not_grow_with_rows(cast, django_assert_max_num_queries):
    client = api(cast.office)
    make_issued(cast, copy_to=[cast.other_unit], tasks=list(WorkTask.objects.all()[:2]))
    client.get(BASE)  # the user's roles are read once and kept on the user
    with django_assert_max_num_queries(10) as few:
        assert client.get(BASE, {"search": "司法建议"}).status_code == 200
    for _ in range(25):
        make_issued(cast, copy_to=[cast.other_unit], tasks=list(WorkTask.objects.all()[:2]),
                    attachments=[upload("a.pdf", PDF)])  # fmt: skip
    with django_assert_max_num_queries(10) as many:
        assert client.get(BASE, {"search": "司法建议"}).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_schema_describes_the_endpoints(cast):
    response = api(cast.office).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/recommendations/", "/api/v1/recommendations/{id}/", "/api/v1/recommendations/{id}/issue/",
                 "/api/v1/recommendations/{id}/acknowledge/", "/api/v1/recommendations/{id}/reply/",
                 "/api/v1/recommendations/{id}/close/", "/api/v1/recommendations/{id}/withdraw/"):  # fmt: skip
        assert path in paths
    params = {p["name"] for p in paths["/api/v1/recommendations/"]["get"]["parameters"]}
    assert {"status", "court", "addressee", "task", "year", "overdue", "escalated", "search", "page"} <= params
