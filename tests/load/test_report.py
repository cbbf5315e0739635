"""`make load`'s closing table: read from locust's CSV, slow pages flagged, failures set the exit status."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from load.__main__ import report

COLUMNS = ["Type", "Name", "Request Count", "Failure Count", "Requests/s", "50%", "95%", "99%"]


def _write(path: Path, rows: list[dict[str, str]], columns: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _row(name: str, count: int, failures: int, p99: int, kind: str = "GET") -> dict[str, str]:
    return {
        "Type": kind,
        "Name": name,
        "Request Count": str(count),
        "Failure Count": str(failures),
        "Requests/s": "1.5",
        "50%": "40",
        "95%": "90",
        "99%": str(p99),
    }


def test_slow_pages_are_flagged_and_a_clean_run_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stats = _write(
        tmp_path / "s.csv",
        [_row("home", 100, 0, 120), _row("referral-list", 50, 0, 800), _row("Aggregated", 150, 0, 700, kind="")],
        COLUMNS,
    )
    assert report(stats, tmp_path / "missing.csv", 500) == 0
    out = capsys.readouterr().out
    assert "referral-list" in out.split("pages over p99 500 ms:")[1]
    assert "home" not in out.split("pages over p99 500 ms:")[1]
    assert "errors: 0" in out


def test_failures_are_listed_and_fail_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stats = _write(tmp_path / "s.csv", [_row("home", 10, 2, 100), _row("Aggregated", 10, 2, 100, kind="")], COLUMNS)
    failures = _write(
        tmp_path / "f.csv",
        [{"Method": "GET", "Name": "home", "Error": "500", "Occurrences": "2"}],
        ["Method", "Name", "Error", "Occurrences"],
    )
    assert report(stats, failures, 500) == 1
    out = capsys.readouterr().out
    assert "error: GET home: 500 ×2" in out
    assert "errors: 2" in out
    assert "pages over p99 500 ms: none" in out
