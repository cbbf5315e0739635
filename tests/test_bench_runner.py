"""The benchmark's verdicts (``bench/runner.py``): issue 19's list targets are a median, a p95 and their spread."""

from __future__ import annotations

import pytest

from bench.lists import LIST_TARGET
from bench.runner import Report, Row


def list_row(median: float, p95: float, queries: int = 5) -> Row:
    return Row("a list", median, p95, queries, LIST_TARGET["target_p95_ms"], LIST_TARGET["target_queries"], "",
               LIST_TARGET["target_median_ms"], LIST_TARGET["max_spread"])  # fmt: skip


def test_a_list_within_every_target_passes() -> None:
    assert list_row(12.0, 20.0).ok
    assert list_row(15.0, 30.0).ok  # the bounds themselves


@pytest.mark.parametrize(
    ("median", "p95", "queries", "why"),
    [
        (16.0, 20.0, 5, "median over 15 ms"),
        (14.0, 31.0, 5, "p95 over 30 ms"),
        (10.0, 21.0, 5, "p95 more than twice the median (a collector or lock spike)"),
        (10.0, 15.0, 11, "more than 10 queries"),
    ],
)
def test_a_list_missing_any_one_target_fails(median: float, p95: float, queries: int, why: str) -> None:
    assert not list_row(median, p95, queries).ok, why


def test_targets_without_a_median_or_spread_keep_their_old_verdict() -> None:
    row = Row("a page", 40.0, 45.0, 3, 50, 10)
    assert row.ok
    assert not Row("a page", 40.0, 95.0, 3, 50, 10).ok  # no spread rule: only the p95 target fails it
    assert Row("a page", 40.0, 49.0, 3, 50, 10).ok


def test_the_report_prints_median_and_p95_targets_and_the_spread_rule() -> None:
    line = Report.format_row(list_row(12.0, 20.0))
    assert "15/30ms" in line and "p95 ≤ 2× median" in line and line.rstrip().split()[-5] == "yes"
    failed = Report.format_row(list_row(16.0, 20.0))
    assert " NO " in failed


def test_a_recorded_median_and_p95_are_judged_by_the_median_target() -> None:
    report = Report()
    assert report.record("Python per request", 9.5, p95_ms=14.0, target_median_ms=10).ok
    assert not report.record("Python per request", 10.5, p95_ms=11.0, target_median_ms=10).ok
    assert [row.p95_ms for row in report.rows] == [14.0, 11.0]
