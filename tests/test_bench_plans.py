"""The work-plan benchmark's generator (``bench/plans.py``) at a tiny scale: one plan per year and region with
an office, items stamped as the services stamp them (region, city, year, lead and supporting units of the
plan's region, due in the year), statuses by age, progress reports and 督办 that agree with their items, and
nothing left for the alert scan."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
import time_machine
from django.db.models import Count
from django.utils import timezone

from bench import plans as bench_plans
from bench import tree
from members.models import MemberUnit, Region
from members.roles import Role
from plans.alerts import scan_alerts
from plans.models import Plan, PlanItem, PlanMilestone, PlanProgress, Supervision
from tests.conftest import ensure_organisation
from tests.factories import make_user

PER_PLAN = {"province": 12, "city": 4, "county": 2}
NOW = "2026-11-30 12:00 +0800"


@pytest.fixture
def built(db: None) -> bench_plans.Built:
    ensure_organisation()
    tree.build_units()
    make_user(Role.LIAISON, MemberUnit.objects.get(short_name="省司法厅"), username="bench-test-liaison")
    with time_machine.travel(NOW, tick=False):
        return bench_plans.build(count=3, per_plan=PER_PLAN, seed=3)


@time_machine.travel(NOW, tick=False)
def test_one_plan_per_year_and_region_with_items_by_level(built: bench_plans.Built) -> None:
    regions = Counter(Region.objects.values_list("level", flat=True))
    assert built.plans == Plan.objects.count() == 3 * sum(regions.values())
    assert sorted(set(Plan.objects.values_list("year", flat=True))) == [2024, 2025, 2026]
    assert set(Plan.objects.values_list("status", flat=True)) == {"published"}
    want = {level: 3 * n * PER_PLAN[level] for level, n in regions.items()}
    assert built.items_by_level == want
    assert PlanItem.objects.count() == built.items == sum(want.values())
    by_level = Counter(PlanItem.objects.values_list("region__level", flat=True))
    assert dict(by_level) == want
    # the ten tasks share every plan's items, numbered within their task
    per_task = PlanItem.objects.filter(plan__region__level="province", year=2026).values("task").annotate(n=Count("id"))
    assert sorted(r["n"] for r in per_task) == [1] * 8 + [2] * 2
    assert built.progress == PlanProgress.objects.count() > 0
    assert built.milestones == PlanMilestone.objects.count() > 0
    assert built.supervisions == Supervision.objects.count() > 0


@time_machine.travel(NOW, tick=False)
def test_items_are_stamped_and_owned_as_the_services_would(built: bench_plans.Built) -> None:
    items = PlanItem.objects.select_related("plan__region", "lead_unit").prefetch_related("supporting_units")
    for item in items:
        plan = item.plan
        assert (item.region_id, item.city_id, item.year) == (plan.region_id, plan.region.city_id, plan.year)
        assert plan.city_id == plan.region.city_id
        assert item.due.year == plan.year
        assert item.lead_unit.region_id == plan.region_id and item.lead_unit.kind != "mediation"
        supporting = list(item.supporting_units.all())
        assert all(u.region_id == plan.region_id and u.pk != item.lead_unit_id for u in supporting)
        assert item.text.startswith(bench_plans.PREFIX)
    county = PlanItem.objects.filter(region__level="county").select_related("region").first()
    assert county is not None and county.city_id == county.region.parent_id


@time_machine.travel(NOW, tick=False)
def test_statuses_by_age_and_alerts_armed_for_what_is_still_to_come(built: bench_plans.Built) -> None:
    now, today = timezone.now(), timezone.localdate()
    old = set(PlanItem.objects.filter(year=2024).values_list("status", flat=True))
    assert old == {"accepted"}
    this_year = Counter(PlanItem.objects.filter(year=2026).values_list("status", flat=True))
    assert {"accepted", "done", "open"} <= set(this_year)
    assert PlanItem.objects.filter(year=2026).overdue().exists()
    assert PlanItem.objects.filter(year=2026, status="done", due__gte=today).exists()  # awaiting acceptance
    for item in PlanItem.objects.all():
        if item.status in PlanItem.WORKING:
            assert item.done_at is None or item.status == "returned"
            assert item.next_alert_at is None or item.next_alert_at > now
        else:
            assert item.next_alert_at is None and item.done_at is not None and item.done_at <= now
            assert item.percent == 100
        if item.status == "accepted":
            assert item.done_at <= item.accepted_at <= now
    assert PlanItem.objects.filter(next_alert_at__gt=now).exists()
    assert scan_alerts(now=now) == 0  # nothing due: the stages already past count as sent


@time_machine.travel(NOW, tick=False)
def test_progress_reports_agree_with_their_items(built: bench_plans.Built) -> None:
    now = timezone.now()
    per_item = dict(PlanProgress.objects.values("item").annotate(n=Count("id")).values_list("item", "n"))
    for item_id in PlanItem.objects.values_list("pk", flat=True):
        assert per_item[item_id] == bench_plans.PROGRESS_MIN + (item_id * 7919) % bench_plans.PROGRESS_SPREAD
    rows = PlanProgress.objects.select_related("item__plan").prefetch_related("item__supporting_units")
    for row in rows:
        item = row.item
        assert item.plan.published_at <= row.created_at <= (item.done_at or now)
        if row.percent is None:  # a supporting unit's part
            assert row.unit_id in {u.pk for u in item.supporting_units.all()}
        else:
            assert row.unit_id == item.lead_unit_id and row.percent <= item.percent
    assert PlanProgress.objects.filter(percent__isnull=True).exists()
    by_person = PlanProgress.objects.filter(by__isnull=False).select_related("by")
    assert by_person.exists() and all(row.by.unit_id == row.unit_id for row in by_person)


@time_machine.travel(NOW, tick=False)
def test_supervisions_on_lagging_items_mostly_answered(built: bench_plans.Built) -> None:
    now = timezone.now()
    sups = list(Supervision.objects.select_related("item"))
    for sup in sups:
        assert (sup.region_id, sup.city_id) == (sup.item.region_id, sup.item.city_id)
        assert sup.issued_at <= now and timezone.localdate(sup.issued_at) > sup.item.due
        if sup.status == "answered":
            assert sup.answer and sup.issued_at < sup.answered_at <= now and sup.next_alert_at is None
        else:
            assert sup.item.status in PlanItem.WORKING
            assert sup.next_alert_at is None or sup.next_alert_at > now
    answered = sum(s.status == "answered" for s in sups)
    assert answered > len(sups) / 2


@time_machine.travel(NOW, tick=False)
def test_build_is_kept_once_made(built: bench_plans.Built) -> None:
    again = bench_plans.build(count=3, per_plan=PER_PLAN, seed=3)
    assert again.items == 0
    assert PlanItem.objects.count() == built.items
    assert bench_plans.next_item_alert(datetime(2026, 12, 10).date(), timezone.now()) == bench_plans._at(
        datetime(2026, 12, 3).date()
    )
