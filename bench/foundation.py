"""Foundation: the unit directory page and the API unit list over about 3,000 units of every level
(``bench.tree``) and 10,000 users."""

from __future__ import annotations

import time

from bench.runner import Report, client_for, get_ok

USERS = 10000


def build() -> None:
    from django.contrib.auth.models import Group
    from django.db import transaction

    from bench import tree
    from members.models import Liaison, MemberUnit, User
    from members.roles import Role

    tree.build_units()  # the units of every level, up to about 3,000
    if User.objects.filter(username__startswith="bench").count() >= USERS:
        return
    started = time.perf_counter()
    units = list(MemberUnit.objects.exclude(kind=MemberUnit.Kind.COURT).order_by("pk"))
    with transaction.atomic():
        have = User.objects.filter(username__startswith="bench").count()
        users = User.objects.bulk_create(
            [
                User(username=f"bench{i:05d}", name=f"基准用户{i}", unit=units[i % len(units)], password="!")
                for i in range(have, USERS)
            ]
        )
        liaison = Group.objects.get(name=Role.LIAISON)
        through = User.groups.through
        through.objects.bulk_create([through(user_id=u.pk, group_id=liaison.pk) for u in users])
        Liaison.objects.bulk_create([Liaison(user=u, role="primary" if u.pk % 2 else "backup") for u in users])
        if not User.objects.filter(username="bench-office").exists():
            office = User.objects.create(username="bench-office", name="基准办公室", password="!")
            office.groups.add(Group.objects.get(name=Role.OFFICE))
    print(f"    dataset: {MemberUnit.objects.count()} units, {USERS} users built in "
          f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip


def run(report: Report) -> None:
    build()
    client = client_for("bench-office")
    report.measure("directory page 1 (3,000 units)", get_ok(client, "/units/"), target_p95_ms=30, target_queries=8)
    report.measure(
        "directory page 50, sorted by name",
        get_ok(client, "/units/?sort=name&page=50"),
        target_p95_ms=30,
        target_queries=8,
    )
    report.measure(
        "directory search '城关区人力'", get_ok(client, "/units/?q=城关区人力"), target_p95_ms=30, target_queries=8
    )
    report.measure("API units/ page 1", get_ok(client, "/api/v1/units/"), target_p95_ms=30, target_queries=8)
    report.measure("API units/ page 100", get_ok(client, "/api/v1/units/?page=100"), target_p95_ms=30, target_queries=8)
