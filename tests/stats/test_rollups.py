"""The rollups (issue 19): every figure read from sums kept as the records change, exact the moment a record is saved
(a service, a bulk import, a raw UPDATE, a delete), equal to counting the records themselves at every level, task
and period; the day's counts (overdue now, owed by now) counted live; the nightly check finds and repairs a drift."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import JudicialRecommendation, Referral
from meetings.models import Decision
from members.models import Region
from stats import drift, rollups
from stats.breakdowns import breakdowns
from stats.drilldown import drill_counts
from stats.figures import compute, compute_live, figure_values
from stats.models import Rollup, RollupChange, RollupCheck, RollupState
from stats.scope import Scope
from stats.services import _fresh_data
from stats.tasks import check_rollups_task, flush_rollups_task
from tests.stats.conftest import World, at

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 10)
Y2025 = Scope(date(2025, 1, 1), date(2025, 12, 31))


def _populate(w: World) -> dict[str, Any]:
    lanzhou = w.region
    chengguan = Region.objects.get(code="620102")
    tianshui = w.other_region
    places = [None, lanzhou, chengguan, tianshui]
    for i, region in enumerate(places):
        tasks = [w.task1] if i % 2 else [w.task1, w.task8]
        # recommendations: replied on time, replied late, open past due (overdue), open not yet due
        w.rec(
            date(2025, 2, 3 + i),
            reply_due=date(2025, 3, 1),
            replied_at=at(2025, 2, 20, 9),
            region=region,
            tasks=tasks,
            status="replied",
        )
        w.rec(
            date(2025, 5, 10 + i),
            reply_due=date(2025, 6, 1),
            replied_at=at(2025, 6, 20, 9),
            region=region,
            status="replied",
        )
        w.rec(date(2025, 11, 3 + i), reply_due=date(2025, 12, 1), region=region, tasks=tasks)
        w.rec(date(2026, 3, 1 + i), reply_due=date(2026, 4, 1), region=region)
        # referrals of three kinds, concluded and open, one overdue
        w.ref("mediation", at(2025, 1, 31, 23, 30), status="concluded", outcome="resolved", region=region, tasks=tasks)
        w.ref("mediation", at(2025, 7, 15, 10), status="accepted", due=date(2025, 8, 1), region=region)
        # open, not yet due on TODAY: "overdue now" is the open ones with a due date less these (``Source.less``)
        w.ref("mediation", at(2025, 10, 9, 10), status="acknowledged", due=date(2026, 3, 10 + i), region=region)
        w.ref("criminal_transfer", at(2025, 9, 1, 0, 10), status="concluded", outcome="case_opened", region=region)
        w.ref("tribunal_mediation", at(2025, 12, 31, 23, 59), status="concluded", outcome="resolved", region=region)
        meeting = w.meeting(at(2025, 4, 2 + i, 9), region=region, tasks=tasks)
        w.meeting(at(2025, 6, 2, 9), kind="case_symposium", region=region)
        w.decision(meeting, date(2025, 5, 1))
        w.decision(meeting, date(2026, 6, 1), status="done")
        w.decision(meeting, date(2026, 3, 9 + i))  # overdue from the 10th for the first, not yet for the others
        w.consultation(date(2025, 3, 31), region=region, tasks=tasks)
        w.consultation(date(2025, 8, 1), region=region)
    return {"lanzhou": lanzhou, "chengguan": chengguan, "tianshui": tianshui}


def _scopes(w: World, places: dict[str, Any]) -> list[Scope]:
    lz, cg = places["lanzhou"], places["chengguan"]
    return [
        Y2025,
        Scope(date(2021, 1, 1), date(2026, 12, 31)),
        Scope(date(2025, 1, 15), date(2025, 9, 1)),  # part months at both ends
        Scope(date(2025, 2, 1), date(2025, 2, 28)),
        Scope(date(2025, 1, 1), date(2025, 12, 31), lz.pk, level="city"),
        Scope(date(2025, 1, 1), date(2025, 12, 31), cg.pk, level="county"),
        Scope(date(2025, 1, 1), date(2025, 12, 31), None, w.task1.pk),
        Scope(date(2025, 1, 20), date(2026, 3, 5), lz.pk, w.task8.pk, level="city"),
        Scope(date(2026, 1, 1), date(2026, 12, 31)),
    ]


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_the_rollups_give_what_counting_the_records_gives_at_every_level_task_and_period(world: World) -> None:
    places = _populate(world)
    for scope in _scopes(world, places):
        rolled, live = compute(scope, today=TODAY), compute_live(scope, today=TODAY)
        assert rolled.counts == live.counts, scope
        assert rolled.monthly == live.monthly, scope
        assert breakdowns(scope) == _live_breakdowns(scope), scope
        assert drill_counts(scope, TODAY) == _live_drill(scope), scope
    # Not nothing: the comparison above compares real numbers.
    figures = compute(Y2025, today=TODAY).counts
    assert figures["recommendations_issued"] == 12
    assert figures["recommendations_reply_expected"] == 12  # eight replied, four past due
    assert figures["recommendations_overdue"] == 4
    assert figures["mediation_resolved"] == 4


def _live_breakdowns(scope: Scope) -> Any:
    """The breakdowns counted from the records. Under a task filter the by-task block shows that task alone (the
    rollups' reading, and what each bar's link lists), where the records also gave the filtered records' other tasks."""
    from stats import breakdowns as module

    blocks = module.live_breakdowns(scope)
    if scope.task:
        block = blocks["task"]
        keep = [i for i, k in enumerate(block["ids"]) if k == scope.task]
        blocks["task"] = {
            "labels": [block["labels"][i] for i in keep],
            "ids": [block["ids"][i] for i in keep],
            "series": {k: [v[i] for i in keep] for k, v in block["series"].items()},
        }
    return blocks


def _live_drill(scope: Scope) -> Any:
    from stats import drilldown as module

    return module.live_drill_counts(scope, TODAY)


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_a_figure_is_exact_the_moment_a_record_is_saved_changed_or_deleted(world: World) -> None:
    _populate(world)
    assert figure_values(Y2025)["recommendations_issued"] == {"value": 12}
    rec = world.rec(date(2025, 6, 1), reply_due=date(2025, 7, 1))
    assert figure_values(Y2025)["recommendations_issued"] == {"value": 13}
    assert figure_values(Y2025)["recommendations_overdue"] == {"value": 5}
    # A raw UPDATE, behind every service's back, is noted by the trigger too.
    JudicialRecommendation.objects.filter(pk=rec.pk).update(replied_at=at(2025, 6, 20, 9), status="replied")
    assert compute(Y2025).counts["recommendations_replied"] == 9
    assert figure_values(Y2025)["recommendations_overdue"] == {"value": 4}
    # Moved to another year: out of this one.
    JudicialRecommendation.objects.filter(pk=rec.pk).update(issued_on=date(2024, 6, 1))
    assert figure_values(Y2025)["recommendations_issued"] == {"value": 12}
    rec.delete()
    assert figure_values(Scope(date(2024, 1, 1), date(2024, 12, 31)))["recommendations_issued"] == {"value": 0}
    # A task added later (the many-to-many row) counts under that task.
    rec2 = world.rec(date(2025, 6, 2))
    task_scope = Scope(Y2025.start, Y2025.end, None, world.task8.pk)
    before = figure_values(task_scope)["recommendations_issued"]["value"]
    rec2.tasks.add(world.task8)
    assert figure_values(task_scope)["recommendations_issued"]["value"] == before + 1
    # A change of the record a source follows: a decision is dated by its meeting.
    decision = Decision.objects.select_related("meeting").first()
    assert decision is not None
    decision.meeting.__class__.objects.filter(pk=decision.meeting_id).update(starts_at=at(2024, 5, 1, 9))
    assert compute(Y2025).counts == compute_live(Y2025).counts


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_bulk_created_records_are_counted_in_bulk(world: World) -> None:
    _populate(world)
    rollups.flush()
    kind = Referral.objects.first().kind  # type: ignore[union-attr]
    Referral.objects.bulk_create(
        [
            Referral(
                kind=kind,
                sender=world.cast.court,
                receiver=world.cast.unit,
                case_number=f"(2025)批{i}号",
                subject="批量",
                status="sent",
                sent_at=at(2025, 10, 1 + i % 28, 10),
            )
            for i in range(300)
        ]
    )
    assert RollupChange.objects.count() >= 300
    with CaptureQueriesContext(connection) as ctx:
        assert rollups.flush() >= 300
    # the lock, the changes; the measures that follow the referrals; the referrals' lines and task lines; their old
    # lines; the sums moved in one statement; the new lines; the changes taken; the state (and savepoints): the
    # same handful for 300 records as for one
    limit = 16 if connection.vendor == "postgresql" else 24  # SQLite's inserts come in smaller batches
    assert len(ctx.captured_queries) <= limit, [q["sql"][:60] for q in ctx.captured_queries]
    assert compute(Y2025).counts == compute_live(Y2025).counts


def _a_change_yet_to_commit(world: World) -> tuple[list[int], Callable[[], None], Callable[[], None]]:
    """One change taken (a recommendation replied) and one saved but not yet committed (a new recommendation's, left
    out of the queue): the ids taken, a function that commits the late one meanwhile with a LOWER id, and one that
    checks the queue then holds that change only."""
    _populate(world)
    rollups.flush()
    JudicialRecommendation.objects.filter(pk=world.rec(date(2025, 6, 1)).pk).update(status="replied")
    taken = list(RollupChange.objects.values_list("pk", flat=True))
    late = world.rec(date(2025, 6, 2), reply_due=date(2025, 7, 1))
    RollupChange.objects.filter(pk__gt=max(taken)).delete()  # its changes, not yet committed when they are taken
    table = JudicialRecommendation._meta.db_table

    def commit() -> None:
        RollupChange.objects.create(pk=min(taken) - 1, table_name=table, record_id=late.pk)

    def only_it_left() -> None:
        assert list(RollupChange.objects.values_list("pk", "record_id")) == [(min(taken) - 1, late.pk)]

    return taken, commit, only_it_left


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_a_change_committed_while_a_flush_runs_stays_for_the_next_one(world: World, monkeypatch: Any) -> None:
    """Ids are given when rows are written, not when they commit: a writer that took id n-1 may commit after the
    flush took n. The flush removes the changes it took, not every id up to the highest."""
    _taken, commit, only_it_left = _a_change_yet_to_commit(world)
    real_affected = rollups.affected

    def committed_meanwhile(changes: Any) -> Any:
        found = real_affected(changes)
        commit()
        return found

    monkeypatch.setattr(rollups, "affected", committed_meanwhile)
    rollups.flush()
    only_it_left()
    monkeypatch.setattr(rollups, "affected", real_affected)
    assert rollups.flush() == 3  # the record, in each source it counts in (issued, rectified, visited)
    assert not RollupChange.objects.exists()
    assert compute(Y2025).counts == compute_live(Y2025).counts
    assert figure_values(Y2025)["recommendations_issued"] == {"value": 14}


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_a_change_committed_while_a_rebuild_runs_stays_for_the_next_flush(world: World, monkeypatch: Any) -> None:
    """A rebuild takes the changes as a flush does, in one statement before it counts: a writer whose change has a
    lower id but commits while the rebuild counts keeps it for the next flush (it was deleted with every id up to
    the highest seen at the start)."""
    taken, commit, only_it_left = _a_change_yet_to_commit(world)
    real_build = rollups.build_source
    built: list[str] = []

    def committed_meanwhile(source: Any) -> None:
        real_build(source)
        if not built:
            commit()
        built.append(source.key)

    monkeypatch.setattr(rollups, "build_source", committed_meanwhile)
    rollups.rebuild()
    only_it_left()
    assert RollupState.objects.get(pk=1).changes_through == max(taken)
    monkeypatch.setattr(rollups, "build_source", real_build)
    rollups.flush()
    assert not RollupChange.objects.exists()
    assert compute(Y2025).counts == compute_live(Y2025).counts
    assert figure_values(Y2025)["recommendations_issued"] == {"value": 14}


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_a_bulk_move_of_a_column_the_figures_never_read_is_no_change_to_recount(world: World) -> None:
    """The alert engine moves ``next_alert_at`` over thousands of records at once: the triggers fire on an UPDATE of
    the columns the ledger reads only, so those moves leave nothing to recount, and a status change still does."""
    from stats import triggers

    _populate(world)
    rollups.flush()
    Referral.objects.update(next_alert_at=at(2026, 3, 11, 9))
    JudicialRecommendation.objects.update(next_alert_at=at(2026, 3, 11, 9))
    assert not RollupChange.objects.exists()
    models = triggers._models()
    for table, noted, _column in triggers.targets():
        if table == noted:
            assert "next_alert_at" not in triggers.read_columns(table, models[table])
    referral = Referral.objects.exclude(status__in=["concluded", "draft", "revoked"]).first()
    assert referral is not None
    Referral.objects.filter(pk=referral.pk).update(status="concluded", outcome="resolved", concluded_at=at(2026, 3, 9))
    assert set(RollupChange.objects.values_list("record_id", flat=True)) == {referral.pk}  # SQLite: OLD and NEW
    assert compute(Y2025).counts == compute_live(Y2025).counts
    assert drift.check(repair=False).drifted == 0


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_linking_many_rows_in_one_statement_notes_the_owner_once_and_counts_it(world: World) -> None:
    """A draft repeating many earlier recommendations links them in one INSERT: on PostgreSQL one change per owner
    and statement (statement triggers over the transition tables), not one per link; the figures follow."""
    _populate(world)
    rollups.flush()
    owner = world.rec(date(2025, 6, 1))
    earlier = list(JudicialRecommendation.objects.exclude(pk=owner.pk)[:5])
    rollups.flush()
    owner.recurrence_of.add(*earlier)
    noted = list(RollupChange.objects.values_list("table_name", "record_id"))
    assert set(noted) == {(JudicialRecommendation._meta.db_table, owner.pk)}
    assert len(noted) == (1 if connection.vendor == "postgresql" else len(earlier))
    assert compute(Y2025).counts == compute_live(Y2025).counts
    assert compute(Y2025).counts["recommendation_recurrences"] >= 1
    owner.recurrence_of.remove(*earlier[:2])
    assert set(RollupChange.objects.values_list("record_id", flat=True)) == {owner.pk}
    owner.recurrence_of.clear()
    assert compute(Y2025).counts == compute_live(Y2025).counts


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_reading_with_nothing_changed_costs_one_query_more_than_the_sums(world: World) -> None:
    _populate(world)
    rollups.flush()
    with CaptureQueriesContext(connection) as ctx:
        compute(Y2025)
    # the pending changes (none); the sums and the day's counts among the open records, in one UNION ALL
    assert len(ctx.captured_queries) == 2, [q["sql"][:80] for q in ctx.captured_queries]


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_the_nightly_check_finds_an_injected_drift_and_repairs_it(world: World) -> None:
    _populate(world)
    clean = check_rollups_task()
    assert clean["drifted"] == 0
    # Drift: a sum changed behind the rollups' back (as a lost update or a bug would).
    row = Rollup.objects.filter(source="referrals", unit_id=0, task_id=0).order_by("month").first()
    assert row is not None
    Rollup.objects.filter(pk=row.pk).update(c0=row.c0 + 5)
    assert compute(Y2025).counts["referrals_sent"] == compute_live(Y2025).counts["referrals_sent"] + 5
    found = drift.check()
    assert found.drifted >= 1 and found.sources == "referrals"
    assert found.detail[0]["source"] == "referrals"
    assert compute(Y2025).counts == compute_live(Y2025).counts  # repaired
    assert drift.check().drifted == 0
    assert RollupCheck.objects.count() == 3


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_a_check_without_repair_leaves_the_drift_for_the_administrator(world: World) -> None:
    _populate(world)
    rollups.flush()
    row = Rollup.objects.filter(source="consultations", task_id=0, unit_id=0).first()
    assert row is not None
    Rollup.objects.filter(pk=row.pk).update(c0=row.c0 - 1)
    assert drift.check(repair=False).drifted >= 1
    assert Rollup.objects.get(pk=row.pk).c0 == row.c0 - 1  # unchanged


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_rebuild_gives_the_same_sums_as_keeping_them(world: World) -> None:
    _populate(world)
    rollups.flush()
    kept = sorted(
        Rollup.objects.exclude(c0=0, c1=0, c2=0).values_list(
            "source", "month", "region_id", "unit_id", "task_id", "c0", "c1"
        )
    )
    rollups.rebuild()
    built = sorted(
        Rollup.objects.exclude(c0=0, c1=0, c2=0).values_list(
            "source", "month", "region_id", "unit_id", "task_id", "c0", "c1"
        )
    )
    assert kept == built
    assert flush_rollups_task() == 0


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_the_day_moves_the_live_counts_without_any_write(world: World) -> None:
    world.rec(date(2025, 11, 3), reply_due=date(2026, 3, 20))
    assert compute(Y2025).counts["recommendations_overdue"] == 0
    later = compute(Y2025, today=date(2026, 3, 21)).counts
    assert later["recommendations_overdue"] == 1
    assert later["recommendations_reply_expected"] == 1
    assert later == compute_live(Y2025, today=date(2026, 3, 21)).counts


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_overdue_now_is_the_open_records_with_a_due_date_less_those_not_yet_due(world: World) -> None:
    """``Source.less``: the rollups keep every open referral and decision with a due date; the day's part (not yet
    due) is counted live and taken off. Moving the day, closing a record and an open record with no due date."""
    first = world.ref("mediation", at(2025, 7, 15, 10), status="accepted", due=date(2026, 3, 12))
    world.ref("mediation", at(2025, 7, 16, 10), status="acknowledged", due=None)  # no clock: never overdue
    world.decision(world.meeting(at(2025, 4, 2, 9)), date(2026, 3, 11))
    day = {d: compute(Y2025, today=date(2026, 3, d)).counts for d in (10, 11, 12, 13)}
    assert [day[d]["referrals_overdue"] for d in (10, 11, 12, 13)] == [0, 0, 0, 1]
    assert [day[d]["decisions_overdue"] for d in (10, 11, 12, 13)] == [0, 0, 1, 1]
    for d in (10, 13):
        assert day[d] == compute_live(Y2025, today=date(2026, 3, d)).counts
    Referral.objects.filter(pk=first.pk).update(status="concluded", outcome="resolved")
    assert compute(Y2025, today=date(2026, 3, 13)).counts["referrals_overdue"] == 0


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_a_snapshot_freezes_the_same_numbers_as_the_records_give(world: World) -> None:
    _populate(world)
    data = _fresh_data(Y2025)
    live = compute_live(Y2025, today=TODAY).counts
    assert data["counts"]["referrals_sent"] == live["referrals_sent"]
    assert Decimal(data["counts"]["enforcement_amount_paid"]) == live["enforcement_amount_paid"]


def test_every_day_count_is_either_split_or_counted_live_whole() -> None:
    """A count that depends on the day is never frozen into the rollups."""
    from stats.sources import ALL_SOURCES

    day, later = date(2025, 1, 1), date(2025, 1, 1) + timedelta(days=400)
    for source in ALL_SOURCES.values():
        for name, make_q in source.counts.items():
            sql = [str(source.base().filter(make_q(d)).query) for d in (day, later)]
            if sql[0] != sql[1]:
                assert rollups.dynamic_q(source, name, day) is not None, name
            else:  # kept whole in the rollups: not counted live again
                assert rollups.dynamic_q(source, name, day) is None, name
                assert rollups.static_q(source, name) is not None, name


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_the_command_and_the_admin_show_a_drift(world: World, admin_client: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    _populate(world)
    out = StringIO()
    call_command("stats_rollups", "flush", stdout=out)
    row = Rollup.objects.filter(source="meetings", task_id=0, unit_id=0).first()
    assert row is not None
    Rollup.objects.filter(pk=row.pk).update(c0=row.c0 + 2)
    call_command("stats_rollups", "check", "--no-repair", stdout=out)
    assert "rows drifted meetings" in out.getvalue()
    assert Rollup.objects.get(pk=row.pk).c0 == row.c0 + 2  # reported, not repaired
    page = admin_client.get("/admin/stats/rollupcheck/")
    assert page.status_code == 200 and "meetings" in page.content.decode()
    call_command("stats_rollups", "rebuild", stdout=out)
    key = {f: getattr(row, f) for f in ("source", "grain", "month", "region_id", "city_id", "unit_id", "task_id")}
    assert Rollup.objects.get(**key).c0 == row.c0


def test_the_charts_main_count_is_each_record_sources_first() -> None:
    """The by-unit sums carry ``c0`` only (thousands of units): each charted source's main count must be its first."""
    from stats.sources import SOURCES

    for source in SOURCES.values():
        assert next(iter(source.counts)) == source.main, source.key


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_the_chart_reads_only_the_busiest_units_and_draws_the_same_bars(world: World) -> None:
    """The dashboard's by-unit chart draws the twenty busiest units: the database ranks them (with every unit tied
    with the twentieth, so the bars are those the whole list gives), whole months and part months alike."""
    from members.models import MemberUnit
    from stats.selectors import UNIT_CHART_LIMIT, chart_data

    units = list(MemberUnit.objects.exclude(kind="court").order_by("pk")[:27])
    for i, unit in enumerate(units):  # 1, 1, 2, 2 … 13, 13, 14: the twentieth place is tied with the twenty-first
        for k in range(i // 2 + 1):
            world.ref("mediation", at(2025, 3 + k % 9, 2, 10), receiver=unit)
    for scope in (Y2025, Scope(date(2025, 3, 2), date(2025, 11, 20))):
        every = breakdowns(scope)
        with CaptureQueriesContext(connection) as ctx:
            busiest = breakdowns(scope, units=UNIT_CHART_LIMIT)
        assert len(ctx.captured_queries) <= 7
        assert len(busiest["unit"]["ids"]) == UNIT_CHART_LIMIT + 1 < len(every["unit"]["ids"])  # the tie read too
        drawn = [chart_data(scope, {"monthly": {}, "breakdowns": b})["by_unit"] for b in (every, busiest)]
        assert drawn[0] == drawn[1]
        assert len(drawn[0]["ids"]) == UNIT_CHART_LIMIT
        assert busiest["task"] == every["task"] and busiest["region"] == every["region"]


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_the_late_panel_counts_from_the_rollups_what_the_records_give(world: World) -> None:
    """The late panel's totals (every record late now, whatever its date) from the yearly rows less the day's part:
    equal to counting the records, at every level and task, as the day moves and a record is settled."""
    from stats.late import late_items, late_totals_query

    places = _populate(world)
    world.ref("mediation", at(2019, 5, 1, 10), status="accepted", due=date(2019, 6, 1))  # years before any period
    rollups.flush()
    for day in (TODAY, date(2027, 1, 1)):
        for scope in _scopes(world, places):
            live = {row["src"]: row["total"] for row in late_totals_query(scope, day)}
            with CaptureQueriesContext(connection) as ctx:
                panel = late_items(scope, today=day)
            assert {k: g["total"] for k, g in panel.items()} == {k: live.get(k, 0) for k in panel}, (scope, day)
            # the changes taken, the totals, the rows (SQLite: the rows of each source in a query of their own)
            assert len(ctx.captured_queries) <= (3 if connection.vendor == "postgresql" else 5)
    assert late_items(Y2025, today=TODAY)["referrals"]["total"] == 5  # one per place, and 2019's
    Referral.objects.filter(due=date(2019, 6, 1)).update(status="concluded")
    assert late_items(Y2025, today=TODAY)["referrals"]["total"] == 4
