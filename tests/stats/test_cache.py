"""The cache of the dashboard's figures (a second layer over the rollups): served only at the data version it was
counted at, so never behind a save, a raw UPDATE included."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

import fuyuan.lib.cache
from stats.scope import Scope
from stats.selectors import live_data_counts
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
YEAR = Scope(date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture
def with_cache(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FUYUAN_STATS_CACHE_SECONDS = 60
    # No cache.clear(): other tests share the cache. The keys carry the database name and the data version.


def test_cached_counts_follow_every_save(world, with_cache, settings) -> None:  # type: ignore[no-untyped-def]
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
    # Redis refuses every command: the cache backend (fuyuan.lib.cache.ResilientRedisCache) makes that a miss.
    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RedisConnectionError("redis is down")

    monkeypatch.setattr(fuyuan.lib.cache, "_down_until", {})  # this test's outage is forgotten after it
    for command in ("get", "set", "add", "delete"):
        monkeypatch.setattr(cache._cache, command, down)
    world.consultation(date(2025, 3, 1))
    assert live_data_counts(YEAR)["consultations"] == 1
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


def test_a_cached_count_is_never_served_after_a_change_even_a_raw_one(world, with_cache, time_machine) -> None:  # type: ignore[no-untyped-def]
    """No lag: the entry counted a second ago is not served once any counted row changed."""
    from meetings.models import Consultation

    time_machine.move_to(datetime(2025, 11, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    first = world.consultation(date(2025, 3, 1))
    assert live_data_counts(YEAR)["consultations"] == 1
    world.consultation(date(2025, 4, 1))
    assert live_data_counts(YEAR)["consultations"] == 2  # a second later, counted again
    Consultation.objects.filter(pk=first.pk).update(held_on=date(2024, 3, 1))  # no history row, no service
    assert live_data_counts(YEAR)["consultations"] == 1
    with CaptureQueriesContext(connection) as ctx:
        assert live_data_counts(YEAR)["consultations"] == 1
    assert len(ctx.captured_queries) == 1  # unchanged since: the data version, then the cache


def test_the_dashboard_says_when_its_figures_were_counted(world, with_cache, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(datetime(2025, 11, 3, 9, 15, 42, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    world.rec(date(2025, 3, 1))
    response = client_for(world.cast.office).get(reverse("dashboard"), {"period": "year", "year": "2025"})
    assert 'data-testid="counted-at"' in response.content.decode()
    assert "09:15:42" in response.content.decode()
