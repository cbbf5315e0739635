"""The OpenAPI schema generates cleanly and describes API.md; Swagger UI loads from our own files."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

# Every path of API.md's resource table and actions, relative to /api/v1/.
API_MD_PATHS = [
    "auth/token/",
    "units/",
    "units/{id}/",
    "tasks/",
    "tasks/{id}/",
    "me/",
    "users/",
    "users/{id}/",
    "notifications/",
    "notifications/{id}/",
    "notifications/{id}/read/",
    "recommendations/",
    "recommendations/{id}/",
    "recommendations/{id}/issue/",
    "recommendations/{id}/acknowledge/",
    "recommendations/{id}/reply/",
    "recommendations/{id}/close/",
    "recommendations/{id}/withdraw/",
    "recommendations/{id}/submit/",
    "recommendations/{id}/approve/",
    "recommendations/{id}/send-back/",
    "recommendations/{id}/mark-delivered/",
    "recommendations/{id}/rectified/",
    "recommendations/{id}/schedule-visit/",
    "recommendations/{id}/visit/",
    "referrals/",
    "referrals/{id}/",
    "referrals/{id}/send/",
    "referrals/{id}/acknowledge/",
    "referrals/{id}/accept/",
    "referrals/{id}/return/",
    "referrals/{id}/conclude/",
    "referrals/{id}/revoke/",
    "meetings/",
    "meetings/{id}/",
    "meetings/{id}/ics",
    "meetings/{id}/hold/",
    "meetings/{id}/close/",
    "meetings/{id}/cancel/",
    "consultations/",
    "consultations/{id}/",
    "decisions/",
    "decisions/{id}/",
    "decisions/{id}/complete/",
    "plans/",
    "plans/{id}/",
    "plans/{id}/publish/",
    "plan-items/",
    "plan-items/{id}/",
    "plan-items/{id}/progress/",
    "plan-items/{id}/complete/",
    "plan-items/{id}/accept/",
    "plan-items/{id}/return/",
    "supervisions/",
    "supervisions/{id}/",
    "supervisions/{id}/answer/",
    "stats/summary/",
]
# What this issue delivers: these must exist already.
MEMBERS_PATHS = [
    p for p in API_MD_PATHS if p.split("/")[0] in {"auth", "units", "tasks", "me", "users", "notifications"}
]


def routed(path: str) -> bool:
    url = "/api/v1/" + path.replace("{id}", "1")
    for candidate in (url, url.rstrip("/") + "/"):
        try:
            resolve(candidate)
            return True
        except Resolver404:
            continue
    return False


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out: Path = tmp_path_factory.mktemp("schema") / "schema.yml"
    # --validate checks against the OpenAPI 3 spec; --fail-on-warn makes any generator warning an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text(encoding="utf-8"))


def schema_paths(schema: dict) -> set[str]:
    return {p.removeprefix("/api/v1/").rstrip("/") for p in schema["paths"]}


def test_schema_generates_without_warnings_and_validates(schema: dict) -> None:
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "府院联动工作平台 API"


def test_schema_has_every_members_path(schema: dict) -> None:
    paths = schema_paths(schema)
    missing = [p for p in MEMBERS_PATHS if p.rstrip("/") not in paths]
    assert not missing, missing
    assert "notifications/read-all" in paths


def test_schema_has_every_routed_path_of_api_md(schema: dict) -> None:
    paths = schema_paths(schema)
    routed_paths = [p for p in API_MD_PATHS if routed(p)]
    assert set(MEMBERS_PATHS) <= set(routed_paths)
    missing = [p for p in routed_paths if p.rstrip("/") not in paths]
    assert not missing, missing


def test_schema_describes_the_verbs_of_api_md(schema: dict) -> None:
    ops = schema["paths"]
    assert set(ops["/api/v1/units/"]) >= {"get", "post"}
    assert set(ops["/api/v1/units/{id}/"]) >= {"get", "patch"}
    assert "put" not in ops["/api/v1/units/{id}/"]
    assert set(ops["/api/v1/users/"]) >= {"get", "post"}
    assert set(ops["/api/v1/users/{id}/"]) >= {"get", "patch"}
    assert set(ops["/api/v1/tasks/"]) == {"get"}
    assert set(ops["/api/v1/me/"]) == {"get"}
    assert set(ops["/api/v1/auth/token/"]) == {"post"}
    assert set(ops["/api/v1/notifications/{id}/read/"]) == {"post"}
    user = schema["components"]["schemas"]["User"]["properties"]
    assert {"username", "name", "email", "phone", "unit", "roles", "liaison_role", "is_active"} <= set(user)
    assert "password" not in user  # write-only: only in the request component
    assert "password" in schema["components"]["schemas"]["UserRequest"]["properties"]
    unit = schema["components"]["schemas"]["Unit"]["properties"]
    assert {"name", "short_name", "kind", "level", "region", "parent", "supervisor", "is_member_unit", "active"} <= set(
        unit
    )


def test_schema_endpoint_answers(db: None) -> None:
    response = Client().get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/units/" in response.content


def test_swagger_ui_loads_only_our_own_files(db: None) -> None:
    client = Client()
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(?i)https?://", html), "the docs page must not load anything from the internet"
    assert not re.search(r"(?i)(src|href)\s*=\s*[\"']//", html), "no protocol-relative URLs either"
    references = [unescape(r) for r in re.findall(r"(?i)(?:src|href)\s*=\s*[\"']([^\"']+)", html)]
    assert any(ref.endswith("swagger-ui-bundle.js") for ref in references)
    for ref in references:
        assert ref.startswith("/") and not ref.startswith("//"), ref
        if ref.startswith("/static/"):
            assert finders.find(ref.removeprefix("/static/")), f"{ref} is not among our static files"
        else:  # served by us, e.g. the split view's initialiser script
            own = client.get(ref)
            assert own.status_code == 200, ref
            body = b"".join(own.streaming_content) if own.streaming else own.content
            assert not re.search(rb"(?i)https?://", body), f"{ref} refers to the internet"


def test_schema_documents_the_refusals(schema: dict) -> None:
    """Found by schemathesis: the operations documented only their success status."""
    ops = schema["paths"]
    assert set(ops["/api/v1/units/"]["get"]["responses"]) == {"200", "400", "401", "403"}
    assert set(ops["/api/v1/units/{id}/"]["patch"]["responses"]) == {"200", "400", "401", "403", "404", "415"}
    assert set(ops["/api/v1/recommendations/{id}/issue/"]["post"]["responses"]) >= {"400", "404", "409"}
    assert set(ops["/api/v1/decisions/"]["post"]["responses"]) >= {"201", "409"}  # a decision on a closed meeting
    assert set(ops["/api/v1/auth/token/"]["post"]["responses"]) >= {"200", "400", "429"}
    assert "401" not in ops["/api/v1/auth/token/"]["post"]["responses"]
    refusal = ops["/api/v1/units/{id}/"]["get"]["responses"]["404"]["content"]["application/json"]["schema"]
    assert refusal == {"$ref": "#/components/schemas/ErrorDetail"}
    assert schema["components"]["schemas"]["ErrorDetail"]["required"] == ["detail"]


RECOMMENDATION_FOLLOW_THROUGH = {
    # action: (its request body's component, its required fields), issue 17
    "submit": (None, []),
    "approve": ("RecommendationApproveRequest", []),
    "send-back": ("RecommendationSendBackRequest", ["comment"]),
    "mark-delivered": ("RecommendationDeliveredRequest", ["delivered_on"]),
    "rectified": ("RecommendationRectifiedRequest", ["note"]),
    "schedule-visit": ("RecommendationScheduleVisitRequest", ["planned_on"]),
    "visit": ("RecommendationVisitRecordRequest", ["result"]),
}


def test_schema_describes_the_recommendation_follow_through(schema: dict) -> None:
    """Issue 17: each action's body and answer, its refusals, and the record's new fields and statuses."""
    ops, components = schema["paths"], schema["components"]["schemas"]
    for name, (request, required) in RECOMMENDATION_FOLLOW_THROUGH.items():
        op = ops[f"/api/v1/recommendations/{{id}}/{name}/"]["post"]
        assert {"200", "400", "401", "403", "404", "409"} <= set(op["responses"]), name
        answer = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer == {"$ref": "#/components/schemas/Recommendation"}, name
        if request is None:
            assert "requestBody" not in op, name
            continue
        body = op["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{request}"}, name
        assert components[request].get("required", []) == required, name
    assert "rectification_due" in components["RecommendationReplyRequest"]["properties"]
    record = components["Recommendation"]["properties"]
    assert {
        "submitted_by_name", "submitted_at", "approved_by_name", "approved_at", "review_comment", "delivery",
        "delivered_on", "receipt_signer", "rectification_due", "rectified_at", "rectification_note",
        "rectification_overdue", "visit", "recurrence_of",
    } <= set(record)  # fmt: skip
    assert record["visit"]["nullable"] is True and record["recurrence_of"]["type"] == "array"
    assert set(components["RecommendationVisit"]["properties"]) == {"planned_on", "at", "result", "note", "early"}
    assert components["RecommendationVisitResultEnum"]["enum"] == ["rectified", "partly", "not_rectified"]
    assert components["RecommendationStatusEnum"]["enum"] == [
        "draft", "submitted", "approved", "issued", "acknowledged", "replied", "rectifying", "rectified", "visited",
        "closed", "withdrawn",
    ]  # fmt: skip
    status = next(p for p in ops["/api/v1/recommendations/"]["get"]["parameters"] if p["name"] == "status")
    assert sorted(status["schema"]["enum"]) == sorted(components["RecommendationStatusEnum"]["enum"])


def test_schema_names_the_two_role_enums_apart(schema: dict) -> None:
    """The parties' role codes once took the name RoleEnum, so users' roles were documented as applicant/…"""
    enums = schema["components"]["schemas"]
    assert enums["RoleEnum"]["enum"] == ["office", "liaison", "court_clerk", "leader", "admin"]
    assert enums["PartyRoleEnum"]["enum"] == ["applicant", "respondent", "other"]


def test_schema_says_which_display_names_may_be_null(schema: dict) -> None:
    components = schema["components"]["schemas"]
    for component, field in [
        ("Meeting", "region_name"),
        ("AgendaItem", "presenter_unit_name"),
        ("Recommendation", "supervisor_name"),
        ("Referral", "handler_name"),
        ("Consultation", "logging_unit_name"),
        ("Referral", "outcome"),
    ]:
        assert components[component]["properties"][field].get("nullable") is True, (component, field)


def test_schema_gives_the_created_status_of_actions_that_create(schema: dict) -> None:
    ops = schema["paths"]
    upload = ops["/api/v1/recommendations/{id}/attachments/"]["post"]
    assert "201" in upload["responses"] and "200" not in upload["responses"]
    assert upload["responses"]["201"]["content"]["application/json"]["schema"]["type"] == "array"  # not a page
    assert [p["name"] for p in upload["parameters"]] == ["id"]
    assert "201" in ops["/api/v1/decisions/{id}/progress/"]["post"]["responses"]
    download = ops["/api/v1/recommendations/{id}/attachments/{attachment_id}/"]["get"]["responses"]["200"]
    assert {"application/pdf", "image/png"} <= set(download["content"])
