"""The API fuzz group: schemathesis against our own ``/api/schema/``, and hostile query strings on every list.

``test_api_fuzz``: every operation × every role (office, liaison, court clerk, leader, administrator,
anonymous), valid and invalid input, in-process through the WSGI application on the test database.
Checks: no server error, and the status code, content type and body of every response are the ones the
schema documents. ``test_hostile_query_strings``: each declared filter, search, ordering and paging
parameter of each list × quotes, wildcards, NUL and control characters, 10,000 characters, invalid dates
and numbers: 200 or 400, never a server error.

Each test item is one operation as one role (``test_api_fuzz[GET /api/v1/units/][liaison]``), so
pytest-xdist spreads them over its workers. The objects the requests point at are built once per module
(and worker) in a transaction that is rolled back at the end; each request runs in a savepoint that is
rolled back too, so every example sees the same world. Path ids and the foreign keys of request bodies
are drawn mostly from that world (own and other unit), so that the requests reach the serializers and
services instead of answering 404.

Run it alone: ``make test PYTEST_ARGS="-n 2 tests/security/test_api_fuzz.py"``. The draws are derandomized,
so a run repeats. A deeper search, for a change to the API: ``FUZZ_MAX_EXAMPLES=100`` (examples per
operation and role, default 20) and ``FUZZ_COVERAGE=1`` (schemathesis' coverage phase: boundary values
and every kind of invalid value of every parameter; about ten times longer).
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from cases.models import ReferralKind
from members import services as member_services
from members.models import Notification, Region, WorkTask
from tests.cases.recommendations.support import make_draft
from tests.cases.referrals.support import draft as referral_draft
from tests.conftest import Cast, make_cast
from tests.security import world

pytestmark = [pytest.mark.security, pytest.mark.django_db]

ROLES = ("office", "liaison", "court_clerk", "leader", "admin", "anonymous")
SCHEMA_PATH = "/api/schema/"
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "20"))
COVERAGE_PHASE = os.environ.get("FUZZ_COVERAGE") == "1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20260706,
        "suppress-health-check": ["all"],
        "generation": {
            "mode": "all",  # valid and invalid input alike
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,  # hypothesis' derandomize: CI draws the same cases every time
            "database": "none",  # no .hypothesis/ directory in the work tree
            "with-security-parameters": False,  # the role's token is sent by the test
        },
        "phases": {"coverage": {"enabled": COVERAGE_PHASE}, "stateful": {"enabled": False}},
    }
)


# --- The application, in-process ---------------------------------------------------------------------------


class InTransactionApp:
    """Django's WSGI handler for requests made inside the test's transaction.

    As ``django.test.Client`` does, it keeps ``request_started``/``request_finished`` from closing the
    database connection (``close_old_connections`` would end the transaction the test data lives in),
    and it keeps the exception behind a 500 so that a failure shows the traceback, not an empty page.
    """

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.last_exception: str | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.last_exception = None
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        got_request_exception.connect(self._keep_exception)
        try:
            response = self.handler(environ, start_response)
            try:
                body = b"".join(response)
            finally:
                response.close()
        finally:
            got_request_exception.disconnect(self._keep_exception)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]

    def _keep_exception(self, sender: Any, request: Any = None, **kwargs: Any) -> None:
        self.last_exception = traceback.format_exc()


APP = InTransactionApp()
schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, APP, config=CONFIG)


# --- The world the requests point at -----------------------------------------------------------------------

# Ids of existing objects, by the name of the path segment or body field that refers to them. Filled by the
# ``fuzz_world`` fixture before any example is drawn; the hooks below read it at draw time.
POOLS: dict[str, list[Any]] = {}

PATH_POOLS = {
    "recommendations": "recommendations",
    "recommendation-bulletins": "recommendation_bulletins",
    "referrals": "referrals",
    "meetings": "meetings",
    "decisions": "decisions",
    "consultations": "consultations",
    "plans": "plans",
    "plan-items": "plan_items",
    "supervisions": "supervisions",
    "units": "units",
    "users": "users",
    "notifications": "notifications",
    "tasks": "tasks",
    "enforcement-cases": "enforcement_cases",
}
BODY_POOLS = {
    "addressee": "units",
    "court": "units",
    "receiver": "units",
    "convener": "units",
    "unit": "units",
    "owner_unit": "units",
    "presenter_unit": "units",
    "sub_unit": "units",
    "parent": "units",
    "supervisor": "units",
    "copy_to": "units[]",
    "units": "units[]",
    "invited_units": "units[]",
    "supporting_units": "units[]",
    "tasks": "tasks[]",
    "meeting": "meetings",
    "region": "regions",
    "plan": "plans",
    "lead_unit": "units",
    "partner_units": "units[]",
    "referrals": "referrals[]",
}
# ``kind`` is a referral kind's code on referrals only (meetings and units have enums of their own); ``item`` a
# plan item on supervisions.
BODY_POOLS_BY_RESOURCE = {"referrals": {"kind": "referral_kinds"}, "supervisions": {"item": "plan_items"}}


def _resource(path: str) -> str:
    return path.split("/")[3] if path.count("/") > 3 else ""


def _replace(values: dict[str, Any], pools: dict[str, str], choices: dict[str, tuple[int, int]]) -> dict[str, Any]:
    """``values`` with the chosen names replaced by an existing object's id (``"units[]"``: a list of one)."""
    result = dict(values)
    for name, (keep, index) in choices.items():
        existing = POOLS.get(pools[name].removesuffix("[]"), [])
        if keep == 0 or not existing:
            continue
        value = existing[index % len(existing)]
        result[name] = [value] if pools[name].endswith("[]") else value
    return result


# A draw is (keep?, index): in about one case of ten the value schemathesis generated stays (an unknown id, a
# wrong type …); otherwise an existing object, own or other, takes its place.
CHOICE = st.tuples(st.integers(min_value=0, max_value=9), st.integers(min_value=0, max_value=63))


@schema.hook("flatmap_path_parameters")
def existing_path_ids(context: schemathesis.HookContext, path_parameters: dict[str, Any] | None) -> st.SearchStrategy:
    pools = {"id": PATH_POOLS.get(_resource(context.operation.path)), "attachment_id": "attachments"}
    names = [name for name in path_parameters or {} if pools.get(name)]
    if not path_parameters or not names:
        return st.just(path_parameters)

    def replace(choices: dict[str, tuple[int, int]]) -> dict[str, Any]:
        return _replace(path_parameters, {name: pools[name] or "" for name in names}, choices)

    return st.fixed_dictionaries({name: CHOICE for name in names}).map(replace)


@schema.hook("flatmap_body")
def existing_body_ids(context: schemathesis.HookContext, body: Any) -> st.SearchStrategy:
    if not isinstance(body, dict):
        return st.just(body)
    pools = {**BODY_POOLS, **BODY_POOLS_BY_RESOURCE.get(_resource(context.operation.path), {})}
    names = [name for name in body if name in pools]
    if not names:
        return st.just(body)

    def replace(choices: dict[str, tuple[int, int]]) -> dict[str, Any]:
        return _replace(body, pools, choices)

    return st.fixed_dictionaries({name: CHOICE for name in names}).map(replace)


@dataclass
class FuzzWorld:
    cast: Cast
    tokens: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens.get(role)
        return {"Authorization": f"Token {token}"} if token else {}


def _ids(objects: Iterable[Any]) -> list[int]:
    return [obj.pk for obj in objects if obj is not None]


def _build(cast: Cast) -> FuzzWorld:
    sides = world.build(cast)
    own, other = sides["own"].objects, sides["other"].objects
    drafts = [make_draft(cast, by=cast.clerk), make_draft(cast, by=cast.other_clerk, addressee=cast.other_unit)]
    referral_drafts = [
        referral_draft(cast.clerk, cast.unit, number="(2026)甘01民诉前调901号"),
        referral_draft(cast.other_clerk, cast.other_unit, number="(2026)甘01民诉前调902号"),
    ]
    users = {
        "office": cast.office,
        "liaison": cast.liaison,
        "court_clerk": cast.clerk,
        "leader": cast.leader,
        "admin": cast.admin,
    }
    everyone = [*users.values(), cast.other_liaison, cast.other_clerk]
    POOLS.clear()
    POOLS.update(
        {
            "recommendations": _ids([own["recommendation"], other["recommendation"], *drafts]),
            "attachments": _ids([own["recommendation-attachment"], other["recommendation-attachment"]]),
            "recommendation_bulletins": _ids([own["recommendation-bulletin"], other["recommendation-bulletin"]]),
            "referrals": _ids([own["referral"], other["referral"], *referral_drafts]),
            "meetings": _ids([own["meeting"], other["meeting"]]),
            "decisions": _ids([own["decision"], other["decision"]]),
            "consultations": _ids([own["consultation"], other["consultation"]]),
            "plans": _ids([own["plan"], other["plan"]]),
            "plan_items": _ids([own["plan-item"], other["plan-item"]]),
            "supervisions": _ids([own["supervision"], other["supervision"]]),
            "enforcement_cases": _ids([own["enforcement-case"], other["enforcement-case"]]),
            "units": _ids([cast.unit, cast.other_unit, cast.court, cast.other_court, cast.office.unit]),
            "users": _ids(everyone),
            "notifications": list(
                Notification.objects.filter(recipient__in=everyone).order_by("pk").values_list("pk", flat=True)[:12]
            ),
            "tasks": list(WorkTask.objects.order_by("number").values_list("pk", flat=True)),
            "regions": list(Region.objects.order_by("pk").values_list("pk", flat=True)[:3]),
            "referral_kinds": list(ReferralKind.objects.filter(active=True).values_list("code", flat=True)),
        }
    )
    tokens = {role: member_services.api_token_issue(user=user) for role, user in users.items()}
    return FuzzWorld(cast=cast, tokens=tokens)


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[FuzzWorld]:
    """The cast and ``world`` objects, built once per module and worker in a transaction that is rolled back.

    Each test's own transaction (pytest-django's ``django_db``) and each request's savepoint nest inside it.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build(make_cast())
        transaction.set_rollback(True)
        POOLS.clear()


# --- The test ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
def test_api_fuzz(case: schemathesis.Case, role: str, fuzz_world: FuzzWorld) -> None:
    headers = fuzz_world.headers(role)
    with transaction.atomic():
        response = case.call(headers=headers)
        transaction.set_rollback(True)
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except FailureGroup as failure:
        if APP.last_exception:
            failure.add_note(f"As {role}; the server's exception:\n{APP.last_exception}")
        raise


# --- Hostile query strings on every list -------------------------------------------------------------------

HOSTILE_VALUES = (
    "'",
    '"',
    "%",
    "_",
    "\\",
    "' OR '1'='1' --",
    "%00",
    "\x00",
    "a\x00b",
    "\x01\x1f\x7f",
    "\u202e",
    "²",  # a digit to str.isdigit(), not to int()
    "x" * 10_000,
    "2026-13-45",
    "2026-02-30T25:61:00",
    "abc",
    "1.5",
    "-1",
    "0",
    "99999999999999999999",
    "-99999999999999999999",
    "1e309",
    "NaN",
)
HOSTILE_ROLES = ("office", "liaison", "court_clerk")


def _list_endpoints() -> list[tuple[str, list[str]]]:
    """Every list (a GET without path parameters that pages) and stats/summary, with their query parameters."""
    found = []
    for path, operations in schema.raw_schema["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path:
            continue
        names = [p["name"] for p in get.get("parameters", []) if p.get("in") == "query"]
        if "page" in names or path.endswith("/stats/summary/"):
            found.append((path, sorted(names)))
    return sorted(found)


LIST_ENDPOINTS = _list_endpoints()


def test_every_list_endpoint_is_covered() -> None:
    paths = {path for path, _names in LIST_ENDPOINTS}
    for resource in ("units", "tasks", "users", "notifications", "recommendations", "referrals", "meetings"):
        assert f"/api/v1/{resource}/" in paths
    assert {"/api/v1/consultations/", "/api/v1/decisions/", "/api/v1/stats/summary/"} <= paths
    assert {"/api/v1/plans/", "/api/v1/plan-items/", "/api/v1/supervisions/"} <= paths
    assert all(names for _path, names in LIST_ENDPOINTS)


@pytest.mark.parametrize("role", HOSTILE_ROLES)
@pytest.mark.parametrize(("path", "names"), LIST_ENDPOINTS, ids=[path for path, _names in LIST_ENDPOINTS])
def test_hostile_query_strings(path: str, names: list[str], role: str, fuzz_world: FuzzWorld) -> None:
    """Each declared filter, search, ordering and paging parameter × hostile values: 200 or 400, never 5xx."""
    from django.test import Client

    client = Client(raise_request_exception=False, headers=fuzz_world.headers(role))
    # A role that may not read the list at all (a liaison on users/) is refused, or told the query is invalid.
    allowed = {200, 400} if client.get(path).status_code == 200 else {400, 403}
    problems = []
    for name in names:
        for value in HOSTILE_VALUES:
            with transaction.atomic():
                response = client.get(path, {name: value})
                transaction.set_rollback(True)
            if response.status_code not in allowed or response["Content-Type"] != "application/json":
                problems.append(f"?{name}={value[:20]!r}: {response.status_code} {response['Content-Type']}")
    assert not problems, f"{path} as {role}:\n" + "\n".join(problems)
