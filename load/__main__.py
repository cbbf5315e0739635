"""`make load` (``python -m load``): locust, headless and bounded in time, against gunicorn on this machine.

1. builds the benchmark dataset (``bench/`` modules' ``build()``; ``LOAD_SCALE=small`` for a quick one)
   and the load test's own users of each role, with sessions and API tokens (``load/prepare.py``);
2. starts gunicorn (``-w 4 --threads 2``: ``LOAD_WORKERS`` × ``LOAD_THREADS``) on 127.0.0.1 with production
   settings (DEBUG off);
3. runs locust headless (``LOAD_USERS`` users, ``LOAD_SPAWN_RATE`` per second, for ``LOAD_TIME``);
4. stops gunicorn whatever happens and prints requests/s, p50/p95/p99 and errors per page, flagging
   every page whose p99 is over ``LOAD_P99_MS`` (500 ms).

Environment: ``LOAD_USERS`` (200), ``LOAD_TIME`` (5m), ``LOAD_SPAWN_RATE`` (20), ``LOAD_SCALE``
(``full``: the bench database ``fuyuan_bench`` with a million referrals, about five minutes to build
the first time; ``small``: ``fuyuan_load_small``, about a minute), ``LOAD_COPY`` (1: each run on a fresh copy
of that database, ``…_run``, made with ``CREATE DATABASE … TEMPLATE``, and the Redis database emptied, so that
runs compare; 0: on the dataset itself), ``LOAD_DATABASE_URL`` (a database of your own, used as it is),
``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``), ``LOAD_PORT``, ``LOAD_WORKERS`` (4), ``LOAD_THREADS``
(2 per worker), ``LOAD_P99_MS`` (500).
Exit status 1 when a request failed.

``SCALE_OUT=1`` (``make load SCALE_OUT=1``): the same users against nginx in front of two gunicorn
instances, two Celery workers and one beat, then the correctness checks (``load/scale.py``).
"""

from __future__ import annotations

import csv
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def fresh_copy(dataset: str, copy: str, redis_url: str) -> None:
    """``copy``: a new copy of the database ``dataset`` (``CREATE DATABASE … TEMPLATE``), and the Redis database
    of ``redis_url`` emptied (its cache and queue would describe the previous run's data)."""
    import psycopg2  # type: ignore[import-untyped]
    import redis

    started = time.perf_counter()
    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN (%s, %s) AND pid <> "
            "pg_backend_pid()",
            [dataset, copy],
        )
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{dataset}"')
    conn.close()
    redis.Redis.from_url(redis_url).flushdb()
    print(f"[load] {copy}: a fresh copy of {dataset} in {time.perf_counter() - started:.0f} s", flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"[load] gunicorn exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"[load] gunicorn did not answer {url} within {timeout:.0f} s")


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _num(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


def report(stats_csv: Path, failures_csv: Path, limit_ms: float) -> int:
    rows = list(csv.DictReader(stats_csv.open(encoding="utf-8")))
    pages = sorted((r for r in rows if r["Name"] != "Aggregated"), key=lambda r: r["Name"])
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    header = f"{'page':<36} {'method':<6} {'requests':>9} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'errors':>7}"
    print("\n" + header)
    print("-" * len(header))
    flagged = []
    for r in [*pages, *([total] if total else [])]:
        p99 = _num(r["99%"])
        slow = r is not total and p99 > limit_ms
        if slow:
            flagged.append(r["Name"])
        if r is total:
            print("-" * len(header))
        print(
            f"{r['Name']:<36} {r['Type']:<6} {int(_num(r['Request Count'])):>9} {_num(r['Requests/s']):>7.1f}"
            f" {_num(r['50%']):>5.0f}ms {_num(r['95%']):>5.0f}ms {_num(r['99%']):>5.0f}ms"
            f" {int(_num(r['Failure Count'])):>7}" + (f"   p99 > {limit_ms:.0f} ms" if slow else "")
        )
    errors = int(_num(total["Failure Count"])) if total else 0
    if failures_csv.exists():
        failures = list(csv.DictReader(failures_csv.open(encoding="utf-8")))
        for f in failures[:20]:
            print(f"[load] error: {f['Method']} {f['Name']}: {f['Error']} ×{f['Occurrences']}")
    print()
    print(f"[load] errors: {errors}; pages over p99 {limit_ms:.0f} ms: {', '.join(flagged) or 'none'}")
    return 1 if errors else 0


def main() -> int:
    scale = os.environ.get("LOAD_SCALE", "full")
    if scale not in ("full", "small"):
        raise SystemExit("LOAD_SCALE is full or small")
    users = os.environ.get("LOAD_USERS", "200")
    run_time = os.environ.get("LOAD_TIME", "5m")
    spawn_rate = os.environ.get("LOAD_SPAWN_RATE", "20")
    workers = os.environ.get("LOAD_WORKERS", "4")
    threads = os.environ.get("LOAD_THREADS", "2")
    limit_ms = float(os.environ.get("LOAD_P99_MS", "500"))
    port = int(os.environ.get("LOAD_PORT") or _free_port())
    server = "postgres://postgres@127.0.0.1:5432/"
    dataset = "fuyuan_bench" if scale == "full" else "fuyuan_load_small"
    copy = not os.environ.get("LOAD_DATABASE_URL") and os.environ.get("LOAD_COPY", "1") not in ("", "0")
    database = os.environ.get("LOAD_DATABASE_URL") or server + (f"{dataset}_run" if copy else dataset)
    work = Path(tempfile.mkdtemp(prefix="fuyuan-load-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fuyuan.settings",
        "DATABASE_URL": database,
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "0",
        "DJANGO_DEBUG": "0",
        "DJANGO_STATIC_MANIFEST": "0",
        "FUYUAN_VAR_DIR": str(work / "var"),
        "LOAD_SCALE": scale,
        "LOAD_CONFIG": str(work / "config.json"),
    }
    print(f"[load] scale {scale}, database {database.rsplit('/', 1)[-1]}, work dir {work}", flush=True)
    prepare = [sys.executable, "-m", "load.prepare", env["LOAD_CONFIG"]]
    if copy:  # every run starts from the same data: the dataset kept, the run on a copy of it
        subprocess.run([*prepare, "dataset"], cwd=ROOT, env={**env, "DATABASE_URL": server + dataset}, check=True)
        fresh_copy(dataset, database.rsplit("/", 1)[-1], env["REDIS_URL"])
        subprocess.run([*prepare, "people"], cwd=ROOT, env=env, check=True)
    else:
        subprocess.run(prepare, cwd=ROOT, env=env, check=True)
    if os.environ.get("SCALE_OUT", "0") not in ("", "0"):  # nginx, two gunicorns, two workers, one beat
        from load.scale import run_scale_out

        return run_scale_out(
            env=env, work=work, users=users, run_time=run_time, spawn_rate=spawn_rate, limit_ms=limit_ms
        )

    gunicorn: subprocess.Popen[bytes] | None = None

    def on_signal(signum: int, _frame: object) -> None:
        _stop(gunicorn)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log = (work / "gunicorn.log").open("wb")
    try:
        gunicorn = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "fuyuan.wsgi",
                *("-c", str(ROOT / "fuyuan" / "gunicorn_conf.py")),  # gc.freeze() after start-up
                *("-w", workers, "--threads", threads, "-b", f"127.0.0.1:{port}"),
                # Longer than the users' think time (1-5 s): with gunicorn's default of 2 s the server
                # closes idle connections just as a user reuses one, which shows as resets, not as slowness.
                *("--keep-alive", "10"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        host = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{host}/accounts/login/", gunicorn)  # /healthz also wants a Celery worker
        print(f"[load] gunicorn up on {host} ({workers} workers × {threads} threads); {users} users for {run_time}")
        prefix = work / "locust"
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "load" / "locustfile.py"),
                "--headless",
                "--host",
                host,
                "-u",
                users,
                "-r",
                spawn_rate,
                "-t",
                run_time,
                "--stop-timeout",
                "10",
                "--only-summary",
                "--csv",
                str(prefix),
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            check=False,
        )
    finally:
        _stop(gunicorn)
        log.close()
    print(f"[load] gunicorn stopped; its log: {work / 'gunicorn.log'}")
    return report(Path(f"{prefix}_stats.csv"), Path(f"{prefix}_failures.csv"), limit_ms)


if __name__ == "__main__":
    sys.exit(main())
