"""The permission matrix: every page and API operation × every role × an object of the user's own
unit and of another unit. The expected status of each cell is written once, in ``matrix.py``.

``MATRIX_RECORD=1 pytest tests/security/test_permission_matrix.py`` rewrites ``matrix.py`` with the
observed table (review the diff!). Every request runs in a savepoint that is rolled back, so a write
that succeeds does not change what the next cell sees.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from drf_spectacular.generators import SchemaGenerator

from cases.models import JudicialRecommendation
from tests.conftest import Cast
from tests.security import matrix, world

pytestmark = [pytest.mark.security, pytest.mark.django_db]

ROLES = ("office", "liaison", "court_clerk", "leader", "admin", "anonymous")
SIDES = ("own", "other")
PAGE_URLCONFS = ("members.urls", "cases.urls", "meetings.urls", "plans.urls", "stats.urls", "search.urls")

# Which object a page's ``pk`` (or other argument) refers to, by the URL name's prefix.
PK_OBJECT = {
    "recommendation": "recommendation",
    "recommendation-bulletin": "recommendation-bulletin",
    "opinion": "opinion",
    "hearing": "hearing",
    "referral-import": None,  # no import batch in this world: an unknown id
    "referral": "referral",
    "meeting": "meeting",
    "agenda-add": "meeting",
    "agenda-reorder": "meeting",
    "proposal-add": "meeting",
    "minutes": "meeting",
    "decision-create": "meeting",
    "decision": "decision",
    "consultation": "consultation",
    "ipcase": "ipcase",
    "plan-item-create": "plan",
    "plan-item": "plan-item",
    "plan": "plan",
    "supervision": "supervision",
    "unit": "unit",
    "liaison": "unit",
    "inbox-open": "notification",
    "stats": None,
    "enforcement-case": "enforcement-case",
}
ACTION = {
    "recommendation-action": "acknowledge",
    "opinion-action": "answer",
    "referral-action": "accept",
    "hearing-action": "answer",
    "minutes-action": "save",
    "decision-action": "progress",
    "plan-action": "publish",
    "plan-item-action": "progress",
    "library-action": "publish",
}
API_OBJECT = {
    "recommendations": "recommendation",
    "recommendation-bulletins": "recommendation-bulletin",
    "opinions": "opinion",
    "hearings": "hearing",
    "referrals": "referral",
    "meetings": "meeting",
    "decisions": "decision",
    "consultations": "consultation",
    "ip-cases": "ipcase",
    "plans": "plan",
    "plan-items": "plan-item",
    "supervisions": "supervision",
    "units": "unit",
    "users": "liaison",
    "notifications": "notification",
    "tasks": None,
    "enforcement-cases": "enforcement-case",
}


def page_patterns() -> list[tuple[str, list[str]]]:
    from importlib import import_module

    found: list[tuple[str, list[str]]] = []

    def walk(patterns: list[Any]) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns)
            elif isinstance(p, URLPattern) and p.name:
                found.append((p.name, list(p.pattern.converters)))

    for module in PAGE_URLCONFS:
        walk(import_module(module).urlpatterns)
    return sorted(set((n, tuple(a)) for n, a in found))  # type: ignore[misc]


def _object_key(name: str, table: dict[str, Any]) -> str | None:
    for prefix in sorted(table, key=len, reverse=True):
        if name.startswith(prefix):
            return table[prefix]
    return None


def page_url(name: str, args: tuple[str, ...], side: world.Side) -> str:
    kwargs: dict[str, Any] = {}
    for arg in args:
        if arg == "pk":
            key = _object_key(name, PK_OBJECT)
            kwargs["pk"] = side.pk(key) if key else world.MISSING
        elif arg == "action":
            kwargs["action"] = ACTION[name]
        elif arg == "attachment_id":
            kwargs["attachment_id"] = side.pk("recommendation-attachment")
        elif arg == "record_type":  # attachment-add: a recommendation's files
            kwargs["record_type"] = ContentType.objects.get_for_model(JudicialRecommendation).pk
        elif arg == "record_id":
            kwargs["record_id"] = side.pk("recommendation")
        elif arg == "user_id":
            kwargs["user_id"] = side.pk("liaison")
        elif arg == "item_id":
            kwargs["item_id"] = side.pk("agenda")
        elif arg == "proposal_id":
            kwargs["proposal_id"] = side.pk("proposal")
        elif arg == "token":
            kwargs["token"] = side.objects["feed"].token
        elif arg == "uidb64":  # the password reset link's user (any value: the link is checked by the view)
            kwargs["uidb64"] = "MQ"
        elif arg == "fmt":
            kwargs["fmt"] = "xlsx"
        elif arg == "number":  # a work task's number (task-detail): the tasks are shared, not a side's
            kwargs["number"] = 1
        else:  # pragma: no cover - a new URL argument: teach this table about it
            raise AssertionError(f"unknown URL argument {arg} in {name}")
    return reverse(name, kwargs=kwargs)


def api_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    ops = []
    for path, methods in schema["paths"].items():
        for method in methods:
            if method in ("get", "post", "patch", "put"):
                ops.append((path, method.upper()))
    return sorted(ops)


def api_url(path: str, side: world.Side) -> str:
    resource = path.split("/")[3]
    key = API_OBJECT.get(resource)
    url = path.replace("{id}", str(side.pk(key) if key else world.MISSING))
    return url.replace("{attachment_id}", str(side.pk("recommendation-attachment")))


def users_of(cast: Cast) -> dict[str, Any]:
    return {
        "office": cast.office,
        "liaison": cast.liaison,
        "court_clerk": cast.clerk,
        "leader": cast.leader,
        "admin": cast.admin,
        "anonymous": None,
    }


def request(client: Client, method: str, url: str) -> int:
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        else:
            response = client.generic(method, url, data="{}", content_type="application/json")
        transaction.set_rollback(True)
    return response.status_code


def observe(cast: Cast) -> dict[tuple[str, str], dict[str, str]]:
    sides = world.build(cast)
    clients: dict[str, Client] = {}
    for role, user in users_of(cast).items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        clients[role] = client
    rows: list[tuple[str, str, dict[str, str]]] = []
    for name, args in page_patterns():
        rows.append((name, "GET", {s: page_url(name, args, sides[s]) for s in SIDES}))
    for path, method in api_operations():
        rows.append((path, method, {s: api_url(path, sides[s]) for s in SIDES}))
    observed: dict[tuple[str, str], dict[str, str]] = {}
    for name, method, urls in rows:
        cells = {}
        for role in ROLES:
            cells[role] = "/".join(str(request(clients[role], method, urls[s])) for s in SIDES)
        observed[(name, method)] = cells
    return observed


def render(observed: dict[tuple[str, str], dict[str, str]]) -> str:
    width = max(len(name) for name, _m in observed) + 2
    lines = [(f"{'# name':<{width}}{'method':<8}" + "".join(f"{r:<13}" for r in ROLES)).rstrip()]
    for (name, method), cells in observed.items():
        lines.append((f"{name:<{width}}{method:<8}" + "".join(f"{cells[r]:<13}" for r in ROLES)).rstrip())
    return "\n".join(lines)


def parse(table: str) -> dict[tuple[str, str], dict[str, str]]:
    parsed = {}
    for line in table.strip().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, method, *cells = re.split(r"\s+", line.strip())
        parsed[(name, method)] = dict(zip(ROLES, cells, strict=True))
    return parsed


def test_permission_matrix(cast: Cast) -> None:
    observed = observe(cast)
    if os.environ.get("MATRIX_RECORD") == "1":
        path = Path(matrix.__file__)
        text = path.read_text()
        head = text.split('TABLE = """')[0]
        path.write_text(head + 'TABLE = """\n' + render(observed) + '\n"""\n')
    expected = parse(matrix.TABLE)
    problems = []
    for key in sorted(set(observed) | set(expected)):
        if key not in expected:
            problems.append(f"{key[1]} {key[0]}: not in the table (observed {observed[key]})")
            continue
        if key not in observed:
            problems.append(f"{key[1]} {key[0]}: in the table but no longer exists")
            continue
        for role in ROLES:
            if observed[key][role] != expected[key][role]:
                want, got = expected[key][role], observed[key][role]
                problems.append(f"{key[1]} {key[0]} as {role} (own/other): expected {want}, got {got}")
    assert not problems, f"{len(problems)} cells differ:\n" + "\n".join(problems)


def test_matrix_has_no_server_error_and_leaders_never_write() -> None:
    table = parse(matrix.TABLE)
    assert len(table) > 100
    for (name, method), cells in table.items():
        for role, cell in cells.items():
            assert not cell.startswith("5") and "/5" not in cell, (name, method, role, cell)
        personal = ("/api/v1/auth/token/", "/api/v1/auth/token/revoke/", "/api/v1/notifications/read-all/")
        if method != "GET" and name not in personal:
            if "/notifications/" in name:
                continue
            own, other = cells["leader"].split("/")
            assert own in ("403", "404", "405") and other in ("403", "404", "405"), (name, method, cells["leader"])
