"""Foundation: the unit directory page and the API unit list over 3,000 units and 10,000 users."""

from __future__ import annotations

import time

from bench.runner import Report, client_for, get_ok

UNITS = 3000
USERS = 10000


def build() -> None:
    from django.contrib.auth.models import Group
    from django.db import transaction

    from members.models import Liaison, MemberUnit, Region, User
    from members.roles import Role

    existing = MemberUnit.objects.filter(name__startswith="基准单位").count()
    if existing >= UNITS and User.objects.filter(username__startswith="bench").count() >= USERS:
        return
    started = time.perf_counter()
    regions = list(Region.objects.all())
    kinds = [k for k, _ in MemberUnit.Kind.choices]
    with transaction.atomic():
        units = MemberUnit.objects.bulk_create(
            [
                MemberUnit(
                    name=f"基准单位{i:05d}",
                    short_name=f"基准{i}",
                    kind=kinds[i % len(kinds)],
                    level=("city", "county")[i % 2],
                    region=regions[i % len(regions)],
                    is_member_unit=i % 10 == 0,
                    order=2000 + i,
                )
                for i in range(existing, UNITS)
            ]
        )
        units = list(MemberUnit.objects.filter(name__startswith="基准单位").order_by("pk"))
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
    print(f"    dataset: {UNITS} units, {USERS} users built in {time.perf_counter() - started:.1f} s", flush=True)


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
        "directory search '基准单位01'", get_ok(client, "/units/?q=基准单位01"), target_p95_ms=30, target_queries=8
    )
    report.measure("API units/ page 1", get_ok(client, "/api/v1/units/"), target_p95_ms=30, target_queries=8)
    report.measure("API units/ page 100", get_ok(client, "/api/v1/units/?page=100"), target_p95_ms=30, target_queries=8)
