"""The scale-out run's correctness checks (``load/scale.py``), in a process with the site's settings.

``python -m load.scale_checks kick``: queue every interval task of the beat schedule twice at once, so
that both Celery workers run each alert scan together (as two beats would); with ``--nightly-check``, the
nightly check of the figures' rollups too (02:30 in production), so that it runs under the load.

``python -m load.scale_checks verify --nginx URL --upstreams URL1,URL2``: wait for the queue to drain,
then check, and print as a table:

- no notice twice: inbox rows grouped by their unique key (event, object, stage, recipient);
- both Celery workers answer on the broker, and ``/healthz`` is 200 on every instance;
- a session works on every instance: a load user's cookie on each gunicorn directly, and a sign-in
  through nginx followed by requests that nginx spreads over both upstreams (its ``X-Upstream``);
- the cache is shared: a list count one instance cached in Redis is changed here, and the other
  instance shows the changed count;
- the nightly check queued during the load finished and found the rollups equal to the records.

Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from typing import Any

import requests

SENTINEL = 4242424  # a list count no dataset has: seen on a page, it came from the shared cache


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuyuan.settings")
    django.setup()


def kick(*, nightly_check: bool = False) -> None:
    from django_celery_beat.models import PeriodicTask

    from fuyuan.celery import app

    names = []
    for task in PeriodicTask.objects.filter(enabled=True, interval__isnull=False).order_by("name"):
        args, kwargs = json.loads(task.args or "[]"), json.loads(task.kwargs or "{}")
        for _ in range(2):
            app.send_task(task.task, args=args, kwargs=kwargs, queue=task.queue or None)
        names.append(task.task)
    print(f"[scale] queued twice at once: {', '.join(names)}", flush=True)
    if nightly_check:
        app.send_task("stats.check_rollups")
        print("[scale] queued the nightly check of the figures (stats.check_rollups)", flush=True)


def _redis() -> Any:
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.REDIS_URL or "redis://127.0.0.1:6379/0")


def wait_for_queue(timeout: float = 120) -> str:
    """Until the Celery queue is empty and nothing is unacknowledged (acks_late), or ``timeout``."""
    client = _redis()
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if client.llen("celery") == 0 and client.hlen("unacked") == 0:
            return f"queue drained in {time.monotonic() - started:.0f} s"
        time.sleep(1)
    return f"queue not drained after {timeout:.0f} s ({client.llen('celery')} waiting)"


def check_notices(run_started: float) -> Check:
    from datetime import UTC, datetime

    from django.db.models import Count

    from members.models import Notification

    key = ("event", "content_type", "object_id", "stage", "recipient")
    twice = Notification.objects.values(*key).annotate(n=Count("id")).filter(n__gt=1).count()
    total = Notification.objects.count()
    recent = Notification.objects.filter(created_at__gte=datetime.fromtimestamp(run_started, tz=UTC)).count()
    return Check(
        "no duplicate notices", twice == 0, f"{twice} keys twice; {total} notices, {recent} written during the run"
    )


def check_workers() -> Check:
    from fuyuan.celery import app

    replies = app.control.ping(timeout=3)
    names = sorted(name for reply in replies for name in reply)
    return Check("two Celery workers on the broker", len(names) == 2, ", ".join(names) or "no reply")


def check_healthz(upstreams: list[str]) -> Check:
    statuses = [requests.get(f"{u}/healthz", timeout=10).status_code for u in upstreams]
    return Check("/healthz on every instance", all(s == 200 for s in statuses), " ".join(map(str, statuses)))


def check_session_direct(upstreams: list[str], cookie: str) -> Check:
    """One session cookie (written by load/prepare.py) sent to each gunicorn directly: signed in on each."""
    statuses = [
        requests.get(f"{u}/", cookies={"sessionid": cookie}, allow_redirects=False, timeout=30).status_code
        for u in upstreams
    ]
    return Check("one session on each instance", all(s == 200 for s in statuses), " ".join(map(str, statuses)))


def check_session_nginx(nginx: str, person: dict[str, Any]) -> Check:
    """Sign in through nginx, then six pages: every one signed in, served by both upstreams in turn."""
    session = requests.Session()
    page = session.get(f"{nginx}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    signed_in = session.post(
        f"{nginx}/accounts/login/",
        data={
            "username": person["username"],
            "password": person["password"],
            "csrfmiddlewaretoken": token[1] if token else "",
        },
        allow_redirects=False,
        timeout=30,
    )
    if signed_in.status_code != 302:
        return Check("sign-in through nginx, pages on both", False, f"sign-in answered {signed_in.status_code}")
    served = [session.get(f"{nginx}/", allow_redirects=False, timeout=30) for _ in range(6)]
    upstreams = {r.headers.get("X-Upstream", "?") for r in served}
    ok = all(r.status_code == 200 for r in served) and len(upstreams) >= 2
    detail = (
        f"signed in on {signed_in.headers.get('X-Upstream', '?')}; "
        f"{sum(r.status_code == 200 for r in served)}/6 pages 200 from {', '.join(sorted(upstreams))}"
    )
    return Check("sign-in through nginx, pages on both", ok, detail)


def check_cache(upstreams: list[str], cookie: str, url: str = "/referrals/all/") -> Check:
    """Instance 1 caches a list's count in Redis; we change it there; instance 2 must show the changed count."""
    from django.core.cache import cache

    client = _redis()
    prefix = cache.make_key("list-count:")
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    first = requests.get(f"{upstreams[0]}{url}", cookies={"sessionid": cookie}, allow_redirects=False, timeout=60)
    keys = [k.decode() for k in client.scan_iter(f"{prefix}*")]
    if first.status_code != 200 or not keys:
        return Check("cache shared", False, f"{url} on instance 1: {first.status_code}, {len(keys)} counts cached")
    for key in keys:
        cache.set("list-count:" + key[len(prefix) :], SENTINEL, 60)
    second = requests.get(f"{upstreams[1]}{url}", cookies={"sessionid": cookie}, allow_redirects=False, timeout=60)
    for key in keys:
        client.delete(key)
    ok = second.status_code == 200 and str(SENTINEL) in second.text
    detail = f"count cached by instance 1, changed in Redis, {'shown' if ok else 'not shown'} by instance 2 ({url})"
    return Check("cache shared", ok, detail)


def check_nightly(run_started: float, timeout: float = 300) -> Check:
    """The nightly check queued in the middle of the load: finished (waiting up to ``timeout``), no drift."""
    from datetime import UTC, datetime

    from stats.models import RollupCheck

    since = datetime.fromtimestamp(run_started, tz=UTC)
    started = time.monotonic()
    while (found := RollupCheck.objects.filter(checked_at__gte=since).order_by("-checked_at").first()) is None:
        if time.monotonic() - started > timeout:
            return Check("nightly check under the load", False, f"no check recorded {timeout:.0f} s after the run")
        time.sleep(2)
    detail = f"{found.records:,} records in {found.seconds} s, {found.drifted} rows drifted {found.sources}".strip()
    return Check("nightly check under the load", found.drifted == 0, detail)


def print_table(checks: list[Check]) -> None:
    width = max(len(c.name) for c in checks)
    header = f"{'check':<{width}}  {'result':<6}  detail"
    print("\n" + header)
    print("-" * max(len(header), 100))
    for c in checks:
        print(f"{c.name:<{width}}  {'ok' if c.ok else 'FAIL':<6}  {c.detail}")
    failed = [c.name for c in checks if not c.ok]
    names = f": {', '.join(failed)}" if failed else ""
    print(f"\n[scale] checks: {len(checks) - len(failed)} ok, {len(failed)} failed{names}")


def verify(nginx: str, upstreams: list[str], run_started: float) -> int:
    config = json.loads(open(os.environ["LOAD_CONFIG"], encoding="utf-8").read())
    office = config["people"]["office"][0]
    print(f"[scale] {wait_for_queue()}", flush=True)
    checks = [
        check_notices(run_started),
        check_workers(),
        check_healthz(upstreams),
        check_session_direct(upstreams, office["session"]),
        check_session_nginx(nginx, office),
        check_cache(upstreams, office["session"]),
        check_nightly(run_started),
    ]
    print_table(checks)
    return 0 if all(c.ok for c in checks) else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m load.scale_checks")
    parser.add_argument("action", choices=("kick", "verify"))
    parser.add_argument("--nginx", default="")
    parser.add_argument("--upstreams", default="")
    parser.add_argument("--since", type=float, default=0.0, help="the run's start (epoch seconds)")
    parser.add_argument("--nightly-check", action="store_true", help="kick: queue the nightly check of the figures")
    args = parser.parse_args(argv)
    _setup()
    if args.action == "kick":
        kick(nightly_check=args.nightly_check)
        return 0
    return verify(args.nginx, [u for u in args.upstreams.split(",") if u], args.since)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
