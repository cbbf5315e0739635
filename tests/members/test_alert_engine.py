"""The pure parts of the one alert engine; each app tests its own ladder on real rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fuyuan.lib.alerts import AlertStage, next_alert_time, run_stages

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_due_stages_are_sent_and_the_next_one_returned() -> None:
    sent: list[str] = []
    stages = [
        AlertStage("a", T0, T0 + timedelta(days=1), send=lambda: sent.append("a")),
        AlertStage("b", T0 + timedelta(days=1), send=lambda: sent.append("b")),
        AlertStage("c", T0 + timedelta(days=5), send=lambda: sent.append("c")),
    ]
    assert run_stages(stages, T0 + timedelta(hours=1)) == T0 + timedelta(days=1)
    assert sent == ["a"]
    # a missed scan: two days late, stage a's window has closed, b is sent, c is next
    sent.clear()
    assert run_stages(stages, T0 + timedelta(days=2)) == T0 + timedelta(days=5)
    assert sent == ["b"]
    assert run_stages(stages, T0 + timedelta(days=6)) is None


def test_re_arming_keeps_a_stage_that_is_due_but_not_sent() -> None:
    stages = [AlertStage("a", T0), AlertStage("b", T0 + timedelta(days=3))]
    assert next_alert_time(stages, T0 + timedelta(days=1)) == T0
    closed = [AlertStage("a", T0, T0 + timedelta(hours=1)), AlertStage("b", T0 + timedelta(days=3))]
    assert next_alert_time(closed, T0 + timedelta(days=1)) == T0 + timedelta(days=3)
    assert next_alert_time([], T0) is None
