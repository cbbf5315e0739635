"""The nightly check of the rollups (``stats.drift``) compares without the rollups' lock, leaves the queued records to
the next flush, finds a drift of the ledger or of the sums and repairs only that; a read of the figures waits for
the lock a bounded time, then answers 503 and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine
from django.db import connection, connections
from django.db.models import F
from django.urls import reverse

from cases.models import Referral
from stats import drift, rollups
from stats.figures import compute, compute_live
from stats.models import Rollup, RollupChange, RollupEntry
from tests.conftest import client_for
from tests.stats.conftest import World
from tests.stats.test_rollups import Y2025, _populate

pytestmark = pytest.mark.django_db
LEDGER = ("source", "record_id", "task_id", "day", "region_id", "unit_id", "c0", "c1", "c2")
#: The rollups' lock is PostgreSQL's advisory lock; SQLite has none (its writers take turns on the database's own lock).
HAS_LOCK = connection.vendor == "postgresql"


@contextmanager
def lock_held_elsewhere() -> Iterator[None]:
    """The rollups' lock held by another connection (as a rebuild or a large import holds it), released after.
    Nothing to hold on SQLite."""
    if not HAS_LOCK:
        yield
        return
    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [rollups.LOCK])
    try:
        yield
    finally:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [rollups.LOCK])
        other.close()


@contextmanager
def giving_up_after(seconds: int) -> Iterator[None]:
    """This connection stops waiting for any lock after ``seconds``, so a test that should not wait fails, not
    hangs. (SQLite waits for no rollups lock.)"""
    if not HAS_LOCK:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, false)", [f"{seconds}s"])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_a_record_changed_behind_the_triggers_back_is_found_and_only_it_recounted(world: World) -> None:
    _populate(world)
    rollups.flush()
    ledger = set(RollupEntry.objects.values_list(*LEDGER))
    referral = Referral.objects.filter(status="accepted").order_by("pk").first()
    assert referral is not None
    # Drift: the record concluded and its change lost (as a trigger dropped by hand, or a restore, would leave it).
    Referral.objects.filter(pk=referral.pk).update(status="concluded", outcome="resolved")
    RollupChange.objects.all().delete()
    assert compute(Y2025).counts != compute_live(Y2025).counts
    found = drift.check(repair=False)
    assert (found.drifted, found.sources) == (1, "referrals")  # one record; its ledger and the sums agree
    assert {d["kind"] for d in found.detail} == {"line"}
    assert {d.get("records", d.get("stored"))[0] for d in found.detail} == {str(referral.pk)}
    assert set(RollupEntry.objects.values_list(*LEDGER)) == ledger  # reported, not repaired
    assert drift.check().drifted == 1
    after = set(RollupEntry.objects.values_list(*LEDGER))
    assert {line[1] for line in after ^ ledger} == {referral.pk}  # only that record's lines changed
    assert compute(Y2025).counts == compute_live(Y2025).counts
    assert drift.check().drifted == 0


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_a_source_drifted_past_the_threshold_is_written_again_whole(world: World, monkeypatch: Any) -> None:
    """Many drifted records (a restore of an old ledger): the source's ledger and sums are written again in SQL."""
    _populate(world)
    rollups.flush()
    monkeypatch.setattr(drift, "REBUILD_OVER", 1)
    Referral.objects.filter(status="accepted").update(status="concluded", outcome="resolved")
    Referral.objects.filter(status="acknowledged").update(status="concluded", outcome="resolved")
    RollupChange.objects.all().delete()
    found = drift.check()
    assert found.sources == "referrals" and found.drifted > 1
    assert compute(Y2025).counts == compute_live(Y2025).counts
    assert drift.check().drifted == 0


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_a_sum_drifted_from_its_ledger_is_summed_again(world: World) -> None:
    _populate(world)
    rollups.flush()
    row = Rollup.objects.filter(source="decisions", unit_id=0, task_id=0).order_by("month").first()
    assert row is not None
    Rollup.objects.filter(pk=row.pk).update(c0=row.c0 + 3)
    ledger = sorted(RollupEntry.objects.values_list(*LEDGER))
    found = drift.check()
    assert (found.drifted, found.sources) == (1, "decisions")
    assert {d["kind"] for d in found.detail} == {"sum"}
    assert {"records", "stored"} <= {side for d in found.detail for side in d}  # the key, as both sides have it
    assert Rollup.objects.get(**_key(row)).c0 == row.c0
    assert sorted(RollupEntry.objects.values_list(*LEDGER)) == ledger  # untouched
    assert compute(Y2025).counts == compute_live(Y2025).counts


def _key(row: Rollup) -> dict[str, Any]:
    return {f: getattr(row, f) for f in ("source", "grain", "month", "region_id", "city_id", "unit_id", "task_id")}


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_a_record_whose_change_is_still_queued_is_not_a_drift(world: World) -> None:
    """Its ledger line is the one before the change; the next flush takes it, so the check leaves it alone."""
    _populate(world)
    rollups.flush()
    Referral.objects.filter(status="accepted").update(status="concluded", outcome="resolved")
    assert RollupChange.objects.exists()
    found, _records = drift.compare()
    assert found == []
    assert RollupChange.objects.exists()  # the comparison takes nothing from the queue


@pytest.mark.django_db(transaction=True)  # the flushes commit, so their lock is free for another connection
@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_the_check_compares_while_another_holds_the_lock(world: World) -> None:
    """The comparison takes no lock (the scale-out run stalled the site when it held it for minutes): with the lock
    held elsewhere, it still finds the drift and leaves it; repairing is what waits for the lock."""
    _populate(world)
    rollups.flush()  # nothing queued: the check's own flush has nothing to take
    row = Rollup.objects.filter(source="referrals", unit_id=0, task_id=0).first()
    assert row is not None
    Rollup.objects.filter(pk=row.pk).update(c0=F("c0") + 1)
    with lock_held_elsewhere(), giving_up_after(3):
        found = drift.check(repair=False)
    assert found.sources == "referrals" and found.drifted == 1
    assert Rollup.objects.get(pk=row.pk).c0 == row.c0 + 1


@pytest.mark.django_db(transaction=True)  # the flushes commit, so their lock is free for another connection
@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_a_read_gives_up_on_a_held_lock_with_503_and_changes_nothing(world: World, settings: Any) -> None:
    """A page or API read that finds changes to take waits ``FUYUAN_STATS_READ_WAIT_SECONDS`` for the lock, then
    answers 503 with Retry-After; the queue and the sums are as they were; once the lock is free the same page
    counts them."""
    settings.FUYUAN_STATS_READ_WAIT_SECONDS = 1
    _populate(world)
    rollups.flush()
    Referral.objects.filter(status="accepted").update(status="concluded", outcome="resolved")
    queued = sorted(RollupChange.objects.values_list("table_name", "record_id"))
    sums = sorted(Rollup.objects.values_list("pk", "c0", "c1", "c2"))
    assert queued
    office = client_for(world.cast.office)
    with lock_held_elsewhere(), giving_up_after(5):
        page = office.get(reverse("dashboard"), {"period": "year", "year": "2025"})
        api = office.get("/api/v1/stats/summary/", {"year": "2025"})
    if HAS_LOCK:
        assert page.status_code == 503 and page["Retry-After"] == "1"
        assert "统计数据正在更新" in page.content.decode()
        assert api.status_code == 503 and api["Retry-After"] == "1"
        assert "统计数据正在更新" in api.json()["detail"]
        assert sorted(RollupChange.objects.values_list("table_name", "record_id")) == queued  # nothing taken
        assert sorted(Rollup.objects.values_list("pk", "c0", "c1", "c2")) == sums
    else:  # no rollups lock to wait for: the read takes the changes at once
        assert page.status_code == 200 and api.status_code == 200
    assert office.get(reverse("dashboard"), {"period": "year", "year": "2025"}).status_code == 200
    assert not RollupChange.objects.exists()
