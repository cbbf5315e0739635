"""What every benchmark module uses: a database of its own, timing with query counts, a report.

Server time is measured in-process through Django's full request handler (middleware, view,
template, database), without the network, so that the figures are repeatable on this machine.
Each module exposes ``run(report: Report) -> None``.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fuyuan.lib import memory

BENCH_DB = "fuyuan_bench"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuyuan.settings_test")
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}")
    import dj_database_url
    import psycopg2

    target = dj_database_url.parse(os.environ["DATABASE_URL"])
    admin = psycopg2.connect(
        dbname="postgres",
        user=target["USER"] or "postgres",
        password=target["PASSWORD"] or None,
        host=target["HOST"] or "127.0.0.1",
        port=target["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target["NAME"]])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{target["NAME"]}"')
    admin.close()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


@dataclass
class Row:
    name: str
    median_ms: float
    p95_ms: float
    queries: int | None
    target_ms: float | None
    target_queries: int | None
    note: str = ""
    target_median_ms: float | None = None
    #: the p95 may be at most this many times the median (no collector or lock spikes)
    max_spread: float | None = None

    @property
    def ok(self) -> bool:
        time_ok = self.target_ms is None or self.p95_ms <= self.target_ms
        median_ok = self.target_median_ms is None or self.median_ms <= self.target_median_ms
        spread_ok = self.max_spread is None or self.p95_ms <= self.max_spread * self.median_ms
        queries_ok = self.target_queries is None or (self.queries is not None and self.queries <= self.target_queries)
        return time_ok and median_ok and spread_ok and queries_ok


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)

    def measure(
        self,
        name: str,
        fn: Callable[[], Any],
        *,
        repeat: int = 30,
        warmup: int = 3,
        target_p95_ms: float | None = None,
        target_queries: int | None = None,
        target_median_ms: float | None = None,
        max_spread: float | None = None,
        note: str = "",
        check: Callable[[Any], None] | None = None,
    ) -> Row:
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        for _ in range(warmup):
            result = fn()
        if check is not None:
            check(result)
        with CaptureQueriesContext(connection) as ctx:
            fn()
        queries = len(ctx.captured_queries)
        # What set-up and the warm-up left is frozen out of the collector, as the web workers do
        # (fuyuan/gunicorn_conf.py): otherwise a generation-2 collection over it lands in the p95.
        memory.freeze()
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            timings.append((time.perf_counter() - start) * 1000)
            reset_queries()
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        row = Row(
            name, statistics.median(timings), p95, queries, target_p95_ms, target_queries, note,
            target_median_ms, max_spread,
        )  # fmt: skip
        self.rows.append(row)
        print(self.format_row(row), flush=True)
        return row

    def record(
        self,
        name: str,
        ms: float,
        *,
        p95_ms: float | None = None,
        target_ms: float | None = None,
        target_median_ms: float | None = None,
        note: str = "",
    ) -> Row:
        """A single timed operation (a bulk job, a scan), or a median and p95 measured otherwise."""
        row = Row(name, ms, ms if p95_ms is None else p95_ms, None, target_ms, None, note, target_median_ms)
        self.rows.append(row)
        print(self.format_row(row), flush=True)
        return row

    @staticmethod
    def header() -> str:
        return f"{'benchmark':<58} {'median':>9} {'p95':>9} {'target':>9} {'queries':>7} {'max':>4}  ok"

    @staticmethod
    def format_row(row: Row) -> str:
        target = f"{row.target_ms:.0f}ms" if row.target_ms is not None else "-"
        if row.target_median_ms is not None:  # median / p95
            target = f"{row.target_median_ms:.0f}/{target}"
        if row.max_spread is not None:
            row_note = f"p95 ≤ {row.max_spread:g}× median" + (f"; {row.note}" if row.note else "")
        else:
            row_note = row.note
        queries = str(row.queries) if row.queries is not None else "-"
        max_q = str(row.target_queries) if row.target_queries is not None else "-"
        mark = "yes" if row.ok else "NO"
        line = (
            f"{row.name:<58} {row.median_ms:>7.1f}ms {row.p95_ms:>7.1f}ms {target:>9} {queries:>7} {max_q:>4}  {mark}"
        )
        return line + (f"   {row_note}" if row_note else "")


def build_datasets() -> None:
    """The records' datasets the statistics and the lists read (each module builds what is missing, once)."""
    import importlib

    for name in ("foundation", "recommendations", "meetings", "referrals"):
        importlib.import_module(f"bench.{name}").build()


def machine_reference() -> str:
    """How fast this machine is today: the same fixed work timed before the modules, so that runs of different days
    (or machines) can be compared. Shared development machines differ by 2–3× from one day to the next."""
    from django.db import connection

    def python_work() -> float:
        started = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i % 7
        return (time.perf_counter() - started) * 1000

    def round_trip() -> float:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return (time.perf_counter() - started) * 1000

    python_ms = statistics.median(python_work() for _ in range(5))
    round_trip()  # the connection
    sql_ms = statistics.median(round_trip() for _ in range(50))
    return f"machine: a fixed Python loop {python_ms:.0f} ms (median of 5), a database round trip {sql_ms:.2f} ms"


def bench_user(username: str, role: str, unit_id: int | None, *, liaison_role: str | None = None) -> Any:
    """A benchmark reader with ``role``, created once (no password: the runner signs in with ``force_login``).
    A liaison also gets a ``Liaison`` record (``liaison_role``, or the model's default)."""
    from django.contrib.auth.models import Group

    from members.models import Liaison, User
    from members.roles import Role

    user, created = User.objects.get_or_create(username=username, defaults={"name": username, "unit_id": unit_id})
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=role))
        if role == Role.LIAISON:
            Liaison.objects.get_or_create(user=user, defaults={"role": liaison_role} if liaison_role else {})
    return user


def client_for(username: str) -> Any:
    from django.test import Client

    from members.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def get_ok(client: Any, url: str) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    return call


def deep_page(client: Any, api_url: str, *, at_most: int = 500, page_size: int = 20) -> int:
    """A deep page of a list: its last page, at most ``at_most`` (the API's ``count`` says how many)."""
    response = client.get(api_url)
    if response.status_code != 200:
        raise RuntimeError(f"{api_url} answered {response.status_code}")
    return max(1, min(at_most, -(-response.json()["count"] // page_size)))
