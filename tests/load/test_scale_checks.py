"""The scale-out run's check of the nightly check queued under the load (``load.scale_checks.check_nightly``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from load.scale_checks import check_nightly
from stats.models import RollupCheck

pytestmark = pytest.mark.django_db
RUN_STARTED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@time_machine.travel("2026-12-01 12:05 +0000", tick=False)
def test_a_clean_check_during_the_run_passes() -> None:
    RollupCheck.objects.create(records=1234, drifted=0, seconds=31)
    found = check_nightly(RUN_STARTED.timestamp())
    assert found.ok and "1,234 records in 31" in found.detail


@time_machine.travel("2026-12-01 12:05 +0000", tick=False)
def test_a_drift_found_during_the_run_fails() -> None:
    RollupCheck.objects.create(records=1234, drifted=3, seconds=31, sources="referrals")
    found = check_nightly(RUN_STARTED.timestamp())
    assert not found.ok and "3 rows drifted referrals" in found.detail


@time_machine.travel("2026-12-01 12:05 +0000", tick=False)
def test_a_check_from_before_the_run_or_none_at_all_fails() -> None:
    with time_machine.travel("2026-12-01 11:00 +0000", tick=False):
        RollupCheck.objects.create(records=1234, drifted=0, seconds=31)
    found = check_nightly(RUN_STARTED.timestamp(), timeout=0)
    assert not found.ok and "no check recorded" in found.detail
