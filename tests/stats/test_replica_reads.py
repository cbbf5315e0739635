"""The statistics, the exports and the reports mark their reads for the replica (fuyuan.lib.dbrouter.use_replica).

Where those reads land on a real streaming replica is proved in tests/ops/test_replica.py; here, that the
pages ask for it (and that the test suite, with no replica, is unchanged: the router is not installed).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from fuyuan.lib import dbrouter, xlsx
from stats import selectors
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
YEAR = {"period": "year", "year": "2025"}


def spy(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[bool]:
    """Record, at each call of ``module.name``, whether reads may go to the replica."""
    seen: list[bool] = []
    real = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        seen.append(dbrouter._wanted.get())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return seen


def test_figures_exports_and_reports_read_from_the_replica(cast, monkeypatch, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to("2025-12-01 10:00 +08:00", tick=False)
    office = client_for(cast.office)
    read_request = spy(monkeypatch, selectors, "read_request")
    for url in (reverse("dashboard"), reverse("stats-league"), reverse("stats-report"), "/api/v1/stats/summary/"):
        assert office.get(url, YEAR).status_code == 200, url
    assert read_request == [True, True, True, True]

    rows = spy(monkeypatch, xlsx, "append_row")
    assert office.get(reverse("stats-report-download", args=["xlsx"]), YEAR).status_code == 200
    assert office.get(reverse("referral-export-all")).status_code == 200
    assert rows and all(rows)

    assert dbrouter._wanted.get() is False  # nothing leaks out of a request
    assert "replica" not in settings.DATABASES


def test_the_figures_themselves_stay_on_the_primary(cast, monkeypatch, time_machine) -> None:  # type: ignore[no-untyped-def]
    """Inside a page that reads from the replica, the rollups are brought up to date and read on the primary, so a
    figure is exact the moment a record is saved (a replica may be a moment behind)."""
    from stats import rollups, tally

    time_machine.move_to("2025-12-01 10:00 +08:00", tick=False)
    office = client_for(cast.office)
    page = spy(monkeypatch, selectors, "read_request")
    flushes = spy(monkeypatch, rollups, "flush")
    sums = spy(monkeypatch, tally, "use_primary")
    assert office.get(reverse("dashboard"), YEAR).status_code == 200
    assert page == [True]  # the page's other reads may go to the replica
    assert flushes and not any(flushes)  # the flush ran on the primary
    assert sums  # and the sums were read inside use_primary
