"""The load test's dataset and people: the bench modules' data, then users of each role with sessions and tokens.

Runs in its own process with the same settings and secret key as the gunicorn under test, so the
session cookies it writes are the ones the site accepts. Idempotent: run it again and it reuses
what is there.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

PASSWORD = "Load-Test-2026!"  # a known password for the load test's own users, on a local database
OFFICE_USERS = 10
LIAISON_USERS = 30
CLERK_USERS = 10


def _shrink_for_small_scale() -> None:
    """``LOAD_SCALE=small``: the foundation, then a few thousand records of each kind (about a minute)."""
    from bench import meetings, recommendations, referrals

    recommendations.TOTAL = 3_000
    recommendations.DUE = 50
    meetings.MEETINGS = 1_000
    meetings.FEED_MEETINGS = 100
    meetings.CONSULTATIONS = 3_000
    meetings.DECISIONS = 2_000
    meetings.DUE = 50
    referrals.TOTAL = 5_000


def build_dataset(scale: str) -> None:
    from bench import foundation, meetings, recommendations, referrals

    if scale == "small":
        _shrink_for_small_scale()
    else:  # the million referrals `make load` has always used (`make bench` defaults to fewer)
        referrals.TOTAL = referrals.FULL_TOTAL
    for name, module in (
        ("foundation", foundation),
        ("recommendations", recommendations),
        ("meetings", meetings),
        ("referrals", referrals),
    ):
        started = time.perf_counter()
        module.build()
        print(f"[load] dataset {name}: ready in {time.perf_counter() - started:.1f} s", flush=True)


def _session_for(user: Any) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()  # cached_db with Redis: cache and database
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(6 * 3600)
    store.create()
    return store.session_key


def make_people() -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.urls import NoReverseMatch, reverse

    from members import services as member_services
    from members.models import Liaison, MemberUnit, Region, User, WorkTask
    from members.roles import Role

    courts = list(
        MemberUnit.objects.filter(kind=MemberUnit.Kind.COURT, active=True)
        .exclude(name__startswith="基准")
        .order_by("order", "pk")[:CLERK_USERS]
    )
    govs = list(
        MemberUnit.objects.filter(kind="government", active=True, level="province").order_by("pk")[: LIAISON_USERS // 3]
    )
    password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    people: dict[str, list[dict[str, Any]]] = {"office": [], "liaison": [], "clerk": []}

    def person(username: str, role: str, unit: MemberUnit | None, bucket: str) -> None:
        user, created = User.objects.get_or_create(
            username=username, defaults={"name": username, "unit": unit, "password": password}
        )
        if created:
            user.groups.add(Group.objects.get(name=role))
            if role == Role.LIAISON:
                Liaison.objects.get_or_create(user=user, defaults={"role": "backup"})
        token = member_services.api_token_issue(user=user)
        people[bucket].append(
            {
                "username": username,
                "password": PASSWORD,
                "unit": user.unit_id,
                "token": token,
                "session": _session_for(user),
            }
        )

    for i in range(OFFICE_USERS):
        person(f"load-office-{i:02d}", Role.OFFICE, None, "office")
    for i in range(LIAISON_USERS):
        person(f"load-liaison-{i:02d}", Role.LIAISON, govs[i % len(govs)], "liaison")
    for i in range(CLERK_USERS):
        person(f"load-clerk-{i:02d}", Role.COURT_CLERK, courts[i % len(courts)], "clerk")

    try:
        dashboard: str | None = reverse("dashboard")
    except NoReverseMatch:
        dashboard = None
    return {
        "people": people,
        "dashboard": dashboard,
        "liaison_units": sorted({p["unit"] for p in people["liaison"]}),
        "tasks": list(WorkTask.objects.order_by("number").values_list("pk", flat=True)),
        "regions": list(Region.objects.order_by("pk").values_list("pk", flat=True)[:20]),
    }


def main() -> None:
    """``python -m load.prepare CONFIG [dataset|people]``: the dataset, the people (written to CONFIG), or both."""
    out = Path(sys.argv[1])
    step = sys.argv[2] if len(sys.argv) > 2 else "all"
    scale = os.environ.get("LOAD_SCALE", "full")
    from bench.runner import setup_django

    setup_django()
    if step in ("all", "dataset"):
        build_dataset(scale)
    if step == "dataset":
        return
    config = make_people()
    out.write_text(json.dumps(config))
    counts = {k: len(v) for k, v in config["people"].items()}
    print(f"[load] people: {counts}; dashboard page: {config['dashboard'] or 'absent (skipped)'}", flush=True)


if __name__ == "__main__":
    main()
