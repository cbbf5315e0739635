"""The short cache of live figures: a change made through the platform shows at once."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stats.figures import Scope
from stats.selectors import live_data_counts
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
YEAR = Scope(date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture
def with_cache(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FUYUAN_STATS_CACHE_SECONDS = 60
    # No cache.clear(): other tests share the cache. The keys carry the database name and the data version.


def test_cached_counts_follow_every_save(world, with_cache) -> None:  # type: ignore[no-untyped-def]
    world.consultation(date(2025, 3, 1))
    assert live_data_counts(YEAR)["consultations"] == 1
    with CaptureQueriesContext(connection) as ctx:
        assert live_data_counts(YEAR)["consultations"] == 1
    assert len(ctx.captured_queries) == 1  # only the data version
    consultation = world.consultation(date(2025, 4, 1))
    assert live_data_counts(YEAR)["consultations"] == 2
    consultation.held_on = date(2024, 4, 1)
    consultation.save()  # an edit (a history row) moves it out of the year
    assert live_data_counts(YEAR)["consultations"] == 1


def test_dashboard_served_from_the_cache_issues_fewer_queries(world, with_cache) -> None:  # type: ignore[no-untyped-def]
    world.rec(date(2025, 3, 1))
    office = client_for(world.cast.office)
    params = {"period": "year", "year": "2025"}
    office.get(reverse("dashboard"), params)
    with CaptureQueriesContext(connection) as ctx:
        response = office.get(reverse("dashboard"), params)
    assert {c["key"]: c for c in response.context["board"]["cards"]}["recommendations_issued"]["value"] == 1
    assert len(ctx.captured_queries) <= 10


def test_a_cache_outage_does_not_break_the_figures(world, with_cache, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    world.consultation(date(2025, 3, 1))
    assert live_data_counts(YEAR)["consultations"] == 1


def test_the_warming_task_counts_the_usual_periods_ahead(world, with_cache, time_machine) -> None:  # type: ignore[no-untyped-def]
    from stats.tasks import warm_dashboard_cache_task

    time_machine.move_to(datetime(2025, 11, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    world.consultation(date(2025, 3, 1))
    assert warm_dashboard_cache_task() == 5
    with CaptureQueriesContext(connection) as ctx:
        assert live_data_counts(YEAR)["consultations"] == 1
        assert live_data_counts(Scope(date(2025, 10, 1), date(2025, 12, 31)))["consultations"] == 0
        assert live_data_counts(Scope(date(2021, 1, 1), date(2025, 12, 31)))["consultations"] == 1
    assert len(ctx.captured_queries) == 3  # the data version each time; the figures come from the cache
