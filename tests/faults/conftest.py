"""Fixtures of the fault group: private Redis, PostgreSQL, SMTP server and Celery worker.

Every fault is injected into a server the test started itself, never into the machine's shared
PostgreSQL or Redis, which other suites use at the same time. Fixtures stop their processes
even when the test fails.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.db import connection

from tests.faults.servers import CeleryWorker, PrivatePostgres, PrivateRedis, SmtpServer

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.faults)


@pytest.fixture(autouse=True)
def _fresh_content_types() -> None:
    """A transactional test's flush gives content types new ids; forget the ids cached before."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.close()


def _reset_pools(app: Celery) -> None:
    # kombu keeps pools in a registry keyed by URL: forget ours, do not close the shared ones
    app._pool = None  # type: ignore[attr-defined]
    with contextlib.suppress(AttributeError, KeyError):
        app.__dict__["amqp"]._producer_pool = None


@contextlib.contextmanager
def celery_broker(url: str) -> Iterator[Celery]:
    """Point this process's Celery app (``.delay()`` in notify) at ``url`` for the block."""
    from fuyuan.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = url
    _reset_pools(app)
    try:
        yield app
    finally:
        app.conf.broker_url = old
        _reset_pools(app)


def test_database_url() -> str:
    """The URL of the database this test runs on (``test_…``), for processes the test starts."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


test_database_url.__test__ = False  # type: ignore[attr-defined]


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a process the test starts: the test settings, plus ``extra``."""
    # PYTEST_XDIST_*: settings_test would move a test worker's REDIS_URL to a database of its own
    strip = ("DATABASE_", "REDIS_", "EMAIL_", "FUYUAN_", "PYTEST_XDIST_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(strip)}
    env["DJANGO_SETTINGS_MODULE"] = "fuyuan.settings_test"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


@pytest.fixture
def celery_worker(
    transactional_db: None, private_redis: PrivateRedis, smtp_server: SmtpServer, tmp_path: Path
) -> Iterator[CeleryWorker]:
    """A worker (not yet started) on the test database, the private Redis and the test's SMTP server.

    It depends on ``transactional_db`` so that it is stopped before the database is flushed.
    """
    env = child_env(
        DATABASE_URL=test_database_url(),
        REDIS_URL=private_redis.url,
        FUYUAN_TEST_SMTP="1",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_server.port),
        EMAIL_TIMEOUT="30",
    )
    worker = CeleryWorker(env=env, cwd=ROOT, log_path=tmp_path / "worker.log")
    try:
        yield worker
    finally:
        worker.close()
        print(worker.log()[-6000:])  # shown by pytest when the test failed
