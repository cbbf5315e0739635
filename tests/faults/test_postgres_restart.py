"""Fault: PostgreSQL restarts (and is down for a moment) under a running web process."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection

from members.models import User
from tests.faults.conftest import ROOT, child_env
from tests.faults.servers import PG_BIN, PrivatePostgres, PrivateRedis, free_port, kill_group, port_open, wait_for

USERNAME = "pgrestart"
PASSWORD = "pg-restart-password-4821"


class Browser:
    """Just enough of a browser for the test: cookies, CSRF token, no redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.server_pids: Callable[[], list[int]] = list  # the web server's processes, master first
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(req, timeout=15) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def login(self) -> None:
        status, page = self.request("/accounts/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        status, _ = self.request(
            "/accounts/login/", {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        assert status == 302, "sign-in failed"


def copy_test_database(target: PrivatePostgres, name: str) -> None:
    """The test database (migrated, with this test's committed rows) copied into the private cluster:
    pg_dump | pg_restore takes a second where running every migration again takes many."""
    s = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
    source = ["-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432), "-U", s["USER"] or "postgres"]
    dump = subprocess.run(
        [str(PG_BIN / "pg_dump"), "-Fc", *source, s["NAME"]], capture_output=True, check=True, env=env, timeout=60
    )
    target.createdb(name)
    into = ["-h", "127.0.0.1", "-p", str(target.port), "-U", "postgres", "-d", name]
    subprocess.run(
        [str(PG_BIN / "pg_restore"), "--no-owner", "--no-acl", *into],
        input=dump.stdout,
        capture_output=True,
        check=True,
        timeout=60,
    )


@pytest.fixture
def web(
    transactional_db: None, private_postgres: PrivatePostgres, private_redis: PrivateRedis, tmp_path: Path
) -> Iterator[Browser]:
    """gunicorn (one sync worker, persistent connections) on a copy of the test database in the private cluster."""
    User.objects.create_superuser(USERNAME, "pg@example.org", PASSWORD)
    copy_test_database(private_postgres, "fuyuan")
    env = child_env(DATABASE_URL=private_postgres.url("fuyuan"), REDIS_URL=private_redis.url)
    env["DATABASE_CONN_MAX_AGE"] = "600"
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "fuyuan.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "30"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(lambda: port_open(port), timeout=20, what="gunicorn")
        browser = Browser(f"http://127.0.0.1:{port}")
        browser.server_pids = lambda: [
            proc.pid,
            *map(int, Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()),
        ]
        yield browser
        assert proc.poll() is None, "the web process died"
    finally:
        kill_group(proc)
        log.close()
        print((tmp_path / "gunicorn.log").read_text(errors="replace")[-4000:])


def health(browser: Browser) -> tuple[int, dict]:  # type: ignore[type-arg]
    status, body = browser.request("/healthz")
    return status, json.loads(body)


def test_postgres_restart_site_answers_again_without_restarting_the_web_process(
    web: Browser, private_postgres: PrivatePostgres
) -> None:
    """What was lost: nothing. A signed-in person's session survives a PostgreSQL restart; the
    first request after it is answered normally by the same web process, whose persistent
    connection (CONN_MAX_AGE) is health-checked (conn_health_checks) and replaced."""
    web.login()
    processes = web.server_pids()
    assert len(processes) == 2  # gunicorn's master and its one worker
    status, page = web.request("/")
    assert status == 200 and USERNAME in page
    assert health(web)[1]["checks"]["database"]["ok"] is True

    private_postgres.restart()
    status, page = web.request("/")  # the very first request after the restart
    assert status == 200 and USERNAME in page
    assert health(web)[1]["checks"]["database"]["ok"] is True

    private_postgres.stop()
    # While the database is down the process answers at once: the health check (a monitor sends
    # no cookies) names the database; a signed-in page is an error page, not a hang.
    status, body = health(Browser(web.base))
    assert status == 503 and "database" in body["failing"]
    assert web.request("/")[0] == 500
    private_postgres.start()
    status, page = web.request("/")
    assert status == 200 and USERNAME in page  # same session: nothing was lost
    assert web.server_pids() == processes  # the same web processes answered throughout
