"""Page POST handlers with an object of another unit: 404, and nothing changes (issue 12).

The permission matrix (test_permission_matrix.py) GETs every page; this posts to every page URL that
names an object (each action of the ``<str:action>`` pages separately), as a liaison and as a court
clerk, the two roles whose scope is their unit. The URLs come from the resolver, as in test_csrf.py,
so a new page is checked the day it is added.

For the object of another unit the answer must be 404 — unless the role is refused the page whatever
the object (its own unit's object gets 403 or 405 too), then the same answer — and the database must
not change. The request carries a valid CSRF token, so what is tested is the view, not the CSRF check.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from tests.conftest import Cast
from tests.security import world
from tests.security.test_csrf import ACTIONS, _digest, _row_counts
from tests.security.test_permission_matrix import PK_OBJECT, _object_key, page_patterns, page_url
from tests.stats.conftest import ensure_referral_kinds

pytestmark = [pytest.mark.security, pytest.mark.django_db]

JUNK = {"note": "x", "reason": "x", "title": "x", "text": "x", "body": "x", "minutes": "5", "direction": "up"}


def _object_urls(side: world.Side) -> list[tuple[str, str]]:
    """(label, url) of every page URL that names an object of this side, one per action."""
    urls = []
    for name, args in page_patterns():
        if not args or args == ("token",) or ("pk" in args and _object_key(name, PK_OBJECT) is None):
            continue  # no object, a feed token, or an id this world has none of (import batches, reports)
        url = page_url(name, args, side)
        if name in ACTIONS:
            urls += [(f"{name}:{a}", re.sub(r"/[a-z]+/$", f"/{a}/", url)) for a in ACTIONS[name]]
        else:
            urls.append((name, url))
    return urls


def _post(client: Client, url: str) -> int:
    return client.post(url, JUNK).status_code


@pytest.mark.parametrize("role", ["liaison", "clerk"])
def test_posting_to_another_units_object_is_404_and_changes_nothing(cast: Cast, role: str) -> None:
    ensure_referral_kinds()
    sides = world.build(cast)
    client = Client(raise_request_exception=False)
    client.force_login(getattr(cast, role))
    own = dict(_object_urls(sides["own"]))
    other = _object_urls(sides["other"])
    assert len(other) > 30
    problems = []
    before_digest, before = _digest(), _row_counts()
    for label, url in other:
        status = _post(client, url)
        if (after := _row_counts()) != before:
            problems.append(f"{label} {url}: rows changed in {[t for t in before if before[t] != after[t]]}")
            before = after
        if status == 404:
            continue
        refused_anyway = _refusal_for_own(client, own[label])
        if status != refused_anyway:
            problems.append(
                f"{label} POST {url} as {role}: {status} (expected 404; own unit's object: {refused_anyway})"
            )
    if _digest() != before_digest:
        problems.append("the database changed (an UPDATE: the row counts stayed the same)")
    assert not problems, "\n".join(problems)


def _refusal_for_own(client: Client, url: str) -> Any:
    """The answer for the user's own unit's object, when it is a refusal of the role (403/405); else None."""
    with transaction.atomic():
        status = _post(client, url)
        transaction.set_rollback(True)
    return status if status in (403, 405) else None
