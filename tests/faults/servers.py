"""Private servers for the fault tests: each test breaks only servers it started itself.

The shared PostgreSQL and Redis of the machine are never stopped: other suites use them at the
same time. Every class here starts its own process on a free port, in a process group of its own,
and its ``close()`` kills that group whatever state the test left it in.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


def _pg_bin() -> Path:
    """Where initdb and pg_ctl are: $FUYUAN_PG_BIN, Debian's PostgreSQL 15, or `pg_config --bindir`."""
    if os.environ.get("FUYUAN_PG_BIN"):
        return Path(os.environ["FUYUAN_PG_BIN"])
    debian = Path("/usr/lib/postgresql/15/bin")
    if (debian / "initdb").exists():
        return debian
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        return Path(
            subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        )
    return debian


PG_BIN = _pg_bin()
REDIS_SERVER = os.environ.get("FUYUAN_REDIS_SERVER", shutil.which("redis-server") or "/usr/bin/redis-server")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], Any], *, timeout: float, interval: float = 0.05, what: str = "condition") -> Any:
    """Poll ``condition`` until it returns something true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


def kill_group(proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGKILL, timeout: float = 10) -> None:
    """Send ``sig`` to the process group of ``proc`` (started with ``start_new_session``) and reap it."""
    if proc is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)


# --- Redis --------------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of our own, without persistence, that a test may stop and start again."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self._log = open(self.workdir / f"redis-{self.port}.log", "ab")
        self.proc = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self.ping, timeout=10, what=f"redis on port {self.port}")

    def stop(self) -> None:
        kill_group(self.proc, signal.SIGKILL)
        self.proc = None
        if self._log:
            self._log.close()
            self._log = None
        wait_for(lambda: not port_open(self.port), timeout=5, what="redis to stop")

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections, nothing answers (a hung server or host)."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGCONT)

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)

    def close(self) -> None:
        if self.proc is not None:
            self.stop()


# --- SMTP ---------------------------------------------------------------------------------------


class SmtpServer:
    """A minimal SMTP responder whose behaviour the test switches while it runs.

    Modes: ``accept`` (250, the message is counted), ``greet-421`` (refuses the connection at the
    greeting), ``refuse-rcpt`` (451 for every recipient), ``drop`` (closes the connection without a
    word), ``hold`` (reads the whole message and then holds the connection without answering the
    end of DATA until :meth:`release`; the held message is answered 421 and never counted).
    Only messages answered 250 are in :attr:`accepted`: what the server took responsibility for.
    """

    def __init__(self) -> None:
        self.mode = "accept"
        self.accepted: list[dict[str, str]] = []
        self.connections = 0
        self.refusals: list[str] = []
        self.held: list[str] = []
        self.holding = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                with contextlib.suppress(OSError):
                    outer._converse(self.rfile, self.wfile)

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="smtp", daemon=True)
        self._thread.start()

    def release(self) -> None:
        self._release.set()

    def message_ids(self) -> Counter[str]:
        with self._lock:
            return Counter(m["message_id"] for m in self.accepted)

    def close(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def _refuse(self, how: str) -> None:
        with self._lock:
            self.refusals.append(how)

    def _converse(self, rfile: Any, wfile: Any) -> None:
        with self._lock:
            self.connections += 1
        mode = self.mode

        def reply(line: str) -> None:
            wfile.write(line.encode() + b"\r\n")
            wfile.flush()

        if mode == "drop":
            self._refuse("drop")
            return
        if mode == "greet-421":
            self._refuse("greet-421")
            reply("421 fuyuan-test service not available, try again later")
            return
        reply("220 fuyuan-test ESMTP")
        recipients: list[str] = []
        while True:
            raw = rfile.readline()
            if not raw:
                return
            command = raw.decode("ascii", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                wfile.write(b"250-fuyuan-test\r\n250 8BITMIME\r\n")
                wfile.flush()
            elif verb == "HELO" or verb in ("RSET", "NOOP"):
                reply("250 OK")
            elif verb == "MAIL":
                recipients = []
                reply("250 OK")
            elif verb == "RCPT":
                if self.mode == "refuse-rcpt":
                    self._refuse("refuse-rcpt")
                    reply("451 4.3.0 mailbox temporarily unavailable")
                else:
                    recipients.append(command[8:].strip(" <>"))
                    reply("250 OK")
            elif verb == "DATA":
                reply("354 end data with <CR><LF>.<CR><LF>")
                data = self._read_data(rfile)
                if data is None:
                    return  # the client died before finishing the message: nothing accepted
                if not self._take(data, recipients):
                    reply("421 fuyuan-test closing the held connection")
                    return
                reply("250 OK queued")
            elif verb == "QUIT":
                reply("221 bye")
                return
            else:
                reply("502 command not implemented")

    @staticmethod
    def _read_data(rfile: Any) -> bytearray | None:
        """The message after DATA up to the lone dot (dot-stuffing undone); None when the client went away."""
        data = bytearray()
        while True:
            line = rfile.readline()
            if not line:
                return None
            if line in (b".\r\n", b".\n"):
                return data
            data += line[1:] if line.startswith(b"..") else line

    def _take(self, data: bytearray, recipients: list[str]) -> bool:
        """Accept the message, or in ``hold`` mode keep it until released (False: the connection closes)."""
        found = re.search(rb"^Message-ID:\s*(<[^>]+>)", bytes(data), re.MULTILINE | re.IGNORECASE)
        message_id = found.group(1).decode() if found else ""
        if self.mode == "hold":
            with self._lock:
                self.held.append(message_id)
            self.holding.set()
            self._release.wait(timeout=60)
            return False
        with self._lock:
            self.accepted.append({"message_id": message_id, "to": ",".join(recipients), "data": data.decode()})
        return True


# --- PostgreSQL ---------------------------------------------------------------------------------


def _as_postgres(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """PostgreSQL refuses to run as root: run its programs as the postgres system user when we are root."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *args], capture_output=True, text=True, check=True, timeout=60, **kwargs)


class PrivatePostgres:
    """A PostgreSQL cluster of our own in a temporary directory, with trust authentication."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="fuyuan-faults-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.port = free_port()
        self.started = False

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        started = time.monotonic()
        _as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"
        )
        print(f"initdb in {time.monotonic() - started:.1f} s")

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -h 127.0.0.1 -k {self.dir} -c fsync=off -c full_page_writes=off"
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-o", options, *args)

    def start(self) -> None:
        self._ctl("-w", "-t", "30", "start")
        self.started = True

    def stop(self) -> None:
        self._ctl("-w", "-t", "30", "-m", "fast", "stop")
        self.started = False

    def restart(self) -> None:
        self._ctl("-w", "-t", "30", "-m", "fast", "restart")
        self.started = True

    def createdb(self, name: str) -> None:
        _as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def close(self) -> None:
        try:
            if self.started:
                self.stop()
        except subprocess.SubprocessError:
            pid_file = self.data / "postmaster.pid"
            if pid_file.exists():
                with contextlib.suppress(ValueError, ProcessLookupError):
                    os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# --- Celery worker ------------------------------------------------------------------------------


class CeleryWorker:
    """A real ``celery worker`` process (prefork pool, one child) with its log in a file."""

    def __init__(self, *, env: dict[str, str], cwd: Path, log_path: Path) -> None:
        self.env = env
        self.cwd = cwd
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, *, timeout: float = 30) -> None:
        import sys

        self.starts += 1
        marker = f"--- worker start {self.starts} ---\n"
        with open(self.log_path, "a") as f:
            f.write(marker)
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "fuyuan",
                    "worker",
                    "--pool=prefork",
                    "-c",
                    "1",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-l",
                    "info",
                    "-n",
                    f"faults{self.starts}@%h",
                ],
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()

        def ready() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"the celery worker exited with {self.proc.returncode}:\n{self.log()}")
            return " ready." in self.log().split(marker)[-1]

        wait_for(ready, timeout=timeout, what="the celery worker to be ready")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL to the whole worker, main process and pool child: no chance to clean up or ack."""
        kill_group(self.proc, signal.SIGKILL)
        self.proc = None

    def kill_pool_child(self) -> None:
        """SIGKILL to the pool process only, as the OOM killer would: the main process lives on."""
        assert self.proc is not None
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        assert len(children) == 1, children
        os.kill(int(children[0]), signal.SIGKILL)

    def close(self) -> None:
        self.kill()
