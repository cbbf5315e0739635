"""``make run`` (scripts/run.sh) on a first run's SQLite: it starts quietly and Ctrl-C stops it all.

Issue 12: the worker hung in warm shutdown, beat logged ``database is locked``, and start-up printed the
SQLite index warning (W040) and kombu's "No hostname was supplied". The script is started in a session
of its own, the site is awaited, then SIGINT goes to the script as a terminal's Ctrl-C would; every
process that carries this run's var folder in its environment must be gone within seconds.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.crawl.conftest import ROOT, first_run_env

# Linux only, as the machines that run the suite: the script's processes are found through /proc.
pytestmark = pytest.mark.firstrun
STOP_WITHIN = 10
PUZZLING = ("W040", "No hostname was supplied", "database is locked", "Traceback")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _processes_of(var: Path) -> list[int]:
    """The processes whose environment names this run's var folder (the script and all it started)."""
    marker = f"FUYUAN_VAR_DIR={var}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:  # gone meanwhile, or not ours to read
                continue
    return found


def _wait_for_site(url: str, log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # our own http://127.0.0.1
                if response.status == 200 and "ready." in log.read_text(errors="replace"):
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the site did not come up:\n{log.read_text(errors='replace')[-3000:]}")


def _as_from_a_terminal() -> None:
    """Start the script as a shell started from a terminal is: SIGINT and SIGTERM at their defaults and not
    blocked, whatever the test process inherited or set (a shell cannot trap a signal ignored on entry)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _signal_masks(pid: int) -> str:
    """The script's blocked, ignored and caught signals (/proc), for the failure message."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return "gone"
    return " ".join(line.replace("\t", "") for line in lines if line.startswith(("SigBlk", "SigIgn", "SigCgt")))


def test_ctrl_c_stops_site_worker_and_beat_and_start_up_is_quiet(first_run_var: Path, tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "run.log"
    env = first_run_env(first_run_var, FUYUAN_ADDR=f"127.0.0.1:{port}")
    with log.open("wb") as out:
        script = subprocess.Popen(
            ["./scripts/run.sh"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_as_from_a_terminal,  # exec follows at once; no other thread runs in the child
        )
    try:
        _wait_for_site(f"http://127.0.0.1:{port}/healthz", log, time.monotonic() + 120)
        time.sleep(2)  # beat has sent its first tasks, the worker is running them
        assert len(_processes_of(first_run_var)) >= 4  # the script, worker, beat, runserver (and its reloader)
        signals = _signal_masks(script.pid)
        script.send_signal(signal.SIGINT)
        stopped = time.monotonic()
        while _processes_of(first_run_var) and time.monotonic() - stopped < STOP_WITHIN + 5:
            time.sleep(0.2)
        took = time.monotonic() - stopped
        left = _processes_of(first_run_var)
    finally:
        for pid in _processes_of(first_run_var):
            os.kill(pid, signal.SIGKILL)
        script.wait(timeout=10)
    output = log.read_text(errors="replace")
    assert not left, f"still running {took:.1f}s after Ctrl-C: {left} (script: {signals})\n{output[-3000:]}"
    assert took < STOP_WITHIN, f"stopping took {took:.1f}s\n{output[-3000:]}"
    assert [p for p in PUZZLING if p in output] == [], output[-5000:]
