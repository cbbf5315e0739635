"""`make load SCALE_OUT=1`: the production topology on this machine, under locust.

Two gunicorn instances (each on its own port, production settings, DEBUG off), two Celery workers
and exactly one beat, and Debian's nginx in front of the gunicorns (round robin, on loopback), all
against the same PostgreSQL database and Redis; locust hits nginx. While the users work, every
interval task of the beat schedule (the alert scans, the sweeper, the heartbeat) is also queued twice
at once, so that both workers run each scan together, as two beats would. After the run
``load.scale_checks`` proves the correctness of the whole: no notice twice, a session served by both
instances, the cache shared, both workers on the broker; it prints them as a table beside locust's.
Every process is stopped at the end, whatever happens (each runs in a process group of its own).

Environment, besides ``make load``'s: ``LOAD_WORKERS`` (gunicorn workers per instance, 2), ``LOAD_THREADS`` (2),
``LOAD_GUNICORN_CONF`` (the gunicorn configuration, ``scripts/gunicorn_scale.conf.py``: gc.freeze
after start-up), ``LOAD_PORT`` (nginx's port; otherwise a free one in 18000-18999), ``FUYUAN_NGINX``
(the nginx binary; ``scripts/nginx.sh`` installs Debian's package when it is missing).
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
INSTANCES = 2
CELERY_WORKERS = 2


_TAKEN: set[int] = set()


def free_port(low: int = 18000, high: int = 18999) -> int:
    """A free TCP port on loopback in ``low``..``high`` (this machine's range for load tests), never one given out
    before in this run (the process it is for may not have bound it yet)."""
    start = random.randint(low, high)  # nosec B311  # spreading tries, not a secret
    for offset in range(high - low + 1):
        port = low + (start - low + offset) % (high - low + 1)
        if port in _TAKEN:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _TAKEN.add(port)
        return port
    raise SystemExit(f"[scale] no free port in {low}-{high}")


@dataclass
class Fleet:
    """The processes started, stopped together (each in its own process group) whatever happens."""

    work: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: list[IO[bytes]] = field(default_factory=list)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.work / f"{name}.log").open("wb")
        self.logs.append(log)
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.work / f"{name}.log").read_text(errors="replace")

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise SystemExit(f"[scale] {name} exited with status {proc.returncode}:\n{self.log(name)[-3000:]}")

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for log in self.logs:
            log.close()


def nginx_conf(*, work: Path, port: int, upstreams: list[int]) -> str:
    """nginx in the foreground, everything in ``work``: round robin over the gunicorns, keep-alive to them."""
    temp = work / "nginx"
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=0;" for p in upstreams)
    user = "user root root;\n" if os.geteuid() == 0 else ""  # its temporary files are in our (private) work dir
    return f"""{user}daemon off;
master_process on;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 2048; }}
http {{
  log_format upstream '$remote_addr "$request" $status $body_bytes_sent $upstream_addr $request_time';
  access_log {work}/nginx-access.log upstream;
  client_body_temp_path {temp}/body;
  proxy_temp_path {temp}/proxy;
  fastcgi_temp_path {temp}/fastcgi;
  uwsgi_temp_path {temp}/uwsgi;
  scgi_temp_path {temp}/scgi;
  client_max_body_size 25m;
  keepalive_timeout 75s;
  upstream fuyuan {{
{servers}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://fuyuan;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 60s;
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}
"""


def _nginx_binary() -> str:
    found = subprocess.run([str(ROOT / "scripts" / "nginx.sh")], capture_output=True, text=True, check=False)
    if found.returncode != 0:
        raise SystemExit(found.stderr.strip() or "[scale] nginx is missing")
    return found.stdout.strip().splitlines()[-1]


def _wait(what: str, ready: object, fleet: Fleet, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fleet.check_alive()
        if ready():  # type: ignore[operator]
            return
        time.sleep(0.5)
    raise SystemExit(f"[scale] {what} not ready within {timeout:.0f} s")


def _answers(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # nosec B310  # our own loopback
            return response.status == 200
    except OSError:
        return False


def _seconds(run_time: str) -> float:
    """locust's ``-t`` (``30s``, ``5m``, ``1h30m``) in seconds."""
    parts = re.findall(r"(\d+)\s*([hms]?)", run_time)
    return sum(int(n) * {"h": 3600, "m": 60, "s": 1, "": 1}[unit] for n, unit in parts) or 60.0


def start_fleet(fleet: Fleet, env: dict[str, str], workers: str, threads: str) -> tuple[int, list[int]]:
    """Both gunicorns, both Celery workers, the one beat and nginx; returns nginx's port and the gunicorns'."""
    conf = os.environ.get("LOAD_GUNICORN_CONF") or str(ROOT / "scripts" / "gunicorn_scale.conf.py")
    ports = []
    for i in range(1, INSTANCES + 1):
        port = free_port()
        ports.append(port)
        fleet.start(
            f"gunicorn{i}",
            [
                *(str(BIN / "gunicorn"), "fuyuan.wsgi", "-c", conf),
                *("-w", workers, "--threads", threads, "-b", f"127.0.0.1:{port}", "--keep-alive", "10"),
            ],
            env,
        )
    for i in range(1, CELERY_WORKERS + 1):
        fleet.start(
            f"worker{i}",
            [str(BIN / "celery"), "-A", "fuyuan", "worker", "-c", "1", "-n", f"scale{i}@%h", "-l", "info"],
            env,
        )
    fleet.start("beat", [str(BIN / "celery"), "-A", "fuyuan", "beat", "-l", "info", "--pidfile="], env)
    nginx_port = int(os.environ.get("LOAD_PORT") or free_port())
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (fleet.work / "nginx" / sub).mkdir(parents=True, exist_ok=True)
    conf_path = fleet.work / "nginx.conf"
    conf_path.write_text(nginx_conf(work=fleet.work, port=nginx_port, upstreams=ports))
    nginx = _nginx_binary()
    fleet.start("nginx", [nginx, "-c", str(conf_path), "-e", str(fleet.work / "nginx-error.log")], env)
    for i, port in enumerate(ports, 1):
        _wait(f"gunicorn{i}", lambda p=port: _answers(f"http://127.0.0.1:{p}/accounts/login/"), fleet)
    for i in range(1, CELERY_WORKERS + 1):
        _wait(f"worker{i}", lambda n=f"worker{i}": " ready." in fleet.log(n), fleet)
    _wait("nginx", lambda: _answers(f"http://127.0.0.1:{nginx_port}/accounts/login/"), fleet)
    return nginx_port, ports


def _checks(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "load.scale_checks", *args],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )


def run_scale_out(
    *, env: dict[str, str], work: Path, users: str, run_time: str, spawn_rate: str, limit_ms: float
) -> int:
    from load.__main__ import report

    env = {**env, "DJANGO_BEHIND_PROXY": "1"}
    workers = os.environ.get("LOAD_WORKERS", "2")
    threads = os.environ.get("LOAD_THREADS", "2")
    fleet = Fleet(work)

    def on_signal(signum: int, _frame: object) -> None:
        fleet.stop()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    prefix = work / "locust"
    verified: subprocess.CompletedProcess[str] | None = None
    started = time.time()
    try:
        nginx_port, ports = start_fleet(fleet, env, workers, threads)
        host = f"http://127.0.0.1:{nginx_port}"
        print(
            f"[scale] nginx {host} -> gunicorn on {', '.join(map(str, ports))} ({workers} × {threads} threads each);"
            f" Celery: {CELERY_WORKERS} workers, 1 beat; locust: {users} users for {run_time}",
            flush=True,
        )
        print(_checks(env, "kick").stdout, end="", flush=True)  # every interval task twice at once
        locust = subprocess.Popen(
            [
                *(str(BIN / "locust"), "-f", str(ROOT / "load" / "locustfile.py"), "--headless", "--host", host),
                *("-u", users, "-r", spawn_rate, "-t", run_time, "--stop-timeout", "10", "--only-summary"),
                *("--csv", str(prefix), "--loglevel", "WARNING"),
            ],
            cwd=ROOT,
            env=env,
        )
        time.sleep(min(60.0, _seconds(run_time) / 2))
        # and again in the middle of the load, with the nightly check of the figures (it must not stall the site)
        print(_checks(env, "kick", "--nightly-check").stdout, end="", flush=True)
        locust.wait()
        fleet.check_alive()
        upstreams = ",".join(f"http://127.0.0.1:{p}" for p in ports)
        verified = _checks(env, "verify", "--nginx", host, "--upstreams", upstreams, "--since", str(started))
    finally:
        fleet.stop()
    print(f"[scale] everything stopped; logs in {work}")
    status = report(Path(f"{prefix}_stats.csv"), Path(f"{prefix}_failures.csv"), limit_ms)
    if verified is None:
        return 1
    print(verified.stdout, end="")
    print(verified.stderr[-4000:], end="", file=sys.stderr)
    return status or (1 if verified.returncode else 0)
