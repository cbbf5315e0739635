"""The work plan (issue 15): ten years × every level of plans under the ten tasks.

A published plan (年度工作要点) for each of the ten years up to this one and each region with an office (the
province, 14 市州, 86 县市区): about 50,000 items with lead and supporting units of the plan's region, due
dates in the year, milestones on a fifth of them, about 500,000 progress reports and about 5,000 督办.
Older years are accepted (a late tenth was pressed with a 督办, answered); last year keeps a small tail
still awaiting acceptance or carried over; this year is mixed: accepted, reported done awaiting acceptance,
sent back, overdue (most pressed with a 督办, some still unanswered) and not yet due. Every row carries the
``region``/``city``/``year`` stamps and the ``next_alert_at`` the services would have written, with the
stages already past taken as sent (the catch-up scan before measuring sends whatever came due since).

Items, milestones and 督办 are ``bulk_create``\\ d; progress reports are one ``INSERT … SELECT`` over
``generate_series``. Measured: the item scan with nothing due and with 1,000 due items, the task page
(``task-detail``) at each level and as a leader, the item list and a plan's page as office and liaison, the
API ``plan-items/`` list. Run alone with ``python -m bench --only plans``.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from functools import partial
from typing import Any

from bench.runner import Report, client_for, get_ok

PREFIX = "[基准]"
YEARS = 10
#: Items per plan by level: 10 × (100 + 14 × 70 + 86 × 45) = 49,500 items.
ITEMS_PER_PLAN = {"province": 100, "city": 70, "county": 45}
#: Progress reports per item: PROGRESS_MIN + 0 … PROGRESS_SPREAD - 1 (10 on average).
PROGRESS_MIN, PROGRESS_SPREAD = 4, 13
MILESTONE_SHARE = 0.2
LATE_SHARE = 0.1  # items of past years done late, after a 督办
DUE_IN_SCAN = 1000
BATCH = 5000
LEADER = "bench-plan-leader"
LIAISONS = {"city": ("bench-plan-liaison-city", "兰州市司法局"), "county": ("bench-plan-liaison-county", None)}
VERBS = ["健全", "推动", "深化", "完善", "落实", "开展", "建立", "规范"]
WORK = ["工作机制", "联席会议制度", "信息共享平台", "专项行动", "考核评价办法", "协同调解机制", "案件移送流程"]
PROGRESS_TEXTS = ["已制定工作方案", "召开专题会议研究部署", "完成阶段性任务", "开展督导检查", "形成阶段总结",
                  "配合提供相关材料"]  # fmt: skip
RETURN_REASON = "佐证材料不完整,请补充后重新报送。"


@dataclass
class Built:
    """What the generator wrote (for the report and the tests)."""

    plans: int = 0
    items: int = 0
    progress: int = 0
    milestones: int = 0
    supervisions: int = 0
    seconds: float = 0.0
    items_by_level: dict[str, int] = field(default_factory=dict)


def years(today: date, count: int = YEARS) -> list[int]:
    return list(range(today.year - count + 1, today.year + 1))


def _at(day: date, hour: int = 9) -> datetime:
    from plans.alerts import at_hour

    return at_hour(day, clock(hour, 0))


def next_item_alert(due: date, now: datetime) -> datetime | None:
    """The item ladder's (``plans.alerts.item_stages``) first stage still to come after ``now``; the stages
    already past count as sent."""
    from plans.alerts import due_soon_days

    times = [_at(due - timedelta(days=due_soon_days())), _at(due + timedelta(days=1))]
    return min((t for t in times if t > now), default=None)


def next_supervision_alert(due: date, now: datetime) -> datetime | None:
    from fuyuan.lib.workdays import add_working_days
    from plans.alerts import escalate_working_days

    times = [
        _at(due - timedelta(days=1)),
        _at(due + timedelta(days=1)),
        _at(add_working_days(due, escalate_working_days())),
    ]
    return min((t for t in times if t > now), default=None)


def _candidates(places: Any) -> dict[int, tuple[int, list[int]]]:
    """Per region: its office unit and the units that may lead or support (not mediation bodies nor 人民法庭)."""
    out: dict[int, tuple[int, list[int]]] = {}
    for region_id in places.level_of_region:
        units = [u for u in places.units.values() if u.region_id == region_id]
        office = next((u.pk for u in units if u.hosts_office), None)
        able = [u.pk for u in units if u.kind != "mediation" and u.court_level != "tribunal"]
        if office is not None and len(able) >= 3:
            out[region_id] = (office, able)
    return out


def _state(rnd: random.Random, year: int, due: date, today: date) -> tuple[str, date | None, bool]:
    """``(status, day reported done, pressed with a 督办)`` of an item due on ``due``, seen ``today``."""
    r = rnd.random()
    if year < today.year:
        late = rnd.random() < LATE_SHARE
        done = due + timedelta(days=rnd.randint(5, 40)) if late else due - timedelta(days=rnd.randint(0, 25))
        if year == today.year - 1 and r < 0.03:
            return "done", min(done, today - timedelta(days=1)), late
        if year == today.year - 1 and r < 0.04:
            return "open", None, True
        return "accepted", done, late
    if due < today:
        done = min(due - timedelta(days=rnd.randint(0, 25)), today - timedelta(days=1))
        if r < 0.65:
            return "accepted", done, False
        if r < 0.80:
            return "done", done, False
        return ("returned", done, True) if r < 0.84 else ("open", None, True)
    done = today - timedelta(days=rnd.randint(1, 60))
    if r < 0.10:
        return "accepted", done, False
    return ("done", done, False) if r < 0.40 else ("open", None, False)


def _item(
    rnd: random.Random, plan: Any, task: Any, number: int, unit: int, today: date, now: datetime
) -> tuple[Any, bool]:
    """An item of ``plan`` and whether it lagged (a 督办 was issued on it)."""
    from plans.models import PlanItem

    quarter_ends = [date(plan.year, 3, 31), date(plan.year, 6, 30), date(plan.year, 9, 30), date(plan.year, 12, 31)]
    due = (
        rnd.choice(quarter_ends) if rnd.random() < 0.5 else date(plan.year, 2, 1) + timedelta(days=rnd.randint(0, 333))
    )
    status, done_day, lagging = _state(rnd, plan.year, due, today)
    start = timezone_date(plan.published_at)
    done_day = max(done_day, start + timedelta(days=1)) if done_day is not None else None
    done_at = _at(done_day, rnd.randint(9, 17)) if done_day else None
    item = PlanItem(
        plan=plan,
        task=task,
        number=number,
        text=f"{PREFIX}{rnd.choice(VERBS)}{task.short_title}{rnd.choice(WORK)}(第{number}项)",
        lead_unit_id=unit,
        due=due,
        status=status,
        percent=100 if done_at else rnd.randint(10, 90),
        done_at=done_at,
        done_summary="已按期完成各项任务。" if done_at else "",
        region_id=plan.region_id,
        city_id=plan.city_id,
        year=plan.year,
    )
    if status == "accepted" and done_at:
        item.accepted_at = min(done_at + timedelta(days=rnd.randint(2, 10)), now - timedelta(hours=1))
    if status == "returned" and done_at:
        item.returned_at = min(done_at + timedelta(days=3), now - timedelta(hours=1))
        item.return_reason, item.percent = RETURN_REASON, 90
    if status in PlanItem.WORKING:
        item.next_alert_at = next_item_alert(due, now)
    return item, lagging


def timezone_date(moment: datetime) -> date:
    from django.utils import timezone

    return timezone.localdate(moment)


def _supervision(rnd: random.Random, item: Any, today: date, now: datetime) -> Any:
    """The 督办 on a lagging item, after its due date: answered if the item is finished; if it is still at
    work, answered six times in ten (unless issued within the last days)."""
    from plans.models import Supervision

    if item.status in item.WORKING:  # still at work, overdue: pressed since, perhaps not answered yet
        late = (today - item.due).days
        issued = item.due + timedelta(days=rnd.randint(1, max(1, min(30, late - 1))))
    else:  # finished late: pressed a few days after its due date, answered
        issued = item.due + timedelta(days=rnd.randint(1, 4))
    due = issued + timedelta(days=7)
    answered = issued + timedelta(days=rnd.randint(1, 6))
    answer = answered < today and (item.status not in item.WORKING or rnd.random() < 0.6)
    return Supervision(
        item=item,
        text=f"{PREFIX}该事项已超过完成时限,请于{due:%m月%d日}前报告进展并说明原因。",
        due=due,
        status="answered" if answer else "open",
        issued_at=min(_at(issued, 10), now - timedelta(hours=1)),
        answer="已加快推进,预计两周内完成。" if answer else "",
        answered_at=min(_at(answered, 15), now) if answer else None,
        next_alert_at=None if answer else next_supervision_alert(due, now),
        region_id=item.region_id,
        city_id=item.city_id,
    )


def _milestones(rnd: random.Random, item: Any, today: date) -> list[Any]:
    from plans.models import PlanMilestone

    first = max(date(item.year, 1, 31), item.due - timedelta(days=90))
    rows = []
    for title, day in (("制定实施方案", first), ("完成阶段任务", item.due - timedelta(days=15))):
        day = max(day, date(item.year, 1, 31))
        reached = day < today and (item.done_at is not None or rnd.random() < 0.6)
        rows.append(PlanMilestone(item=item, title=title, due=day, reached_at=_at(day, 16) if reached else None))
    return rows


def _people() -> None:
    """Who the benchmark reads as: the province office (as ``bench.foundation`` makes it), the offices of 兰州市
    and 城关区 (``bench.levels``), a provincial leader, a liaison of 兰州市司法局 and of a 城关区 department."""
    from django.contrib.auth.models import Group

    from bench import levels
    from members.models import Liaison, MemberUnit, User
    from members.roles import Role

    levels.ensure_offices()
    county_unit = MemberUnit.objects.filter(
        region__name=levels.COUNTY, region__parent__name=levels.CITY, kind="government", hosts_office=False
    ).order_by("pk")[0]
    wanted = [
        ("bench-office", Role.OFFICE, None),  # as ``bench.foundation`` makes it
        (LEADER, Role.LEADER, MemberUnit.objects.get(short_name="省司法厅")),
        (LIAISONS["city"][0], Role.LIAISON, MemberUnit.objects.get(name=LIAISONS["city"][1])),
        (LIAISONS["county"][0], Role.LIAISON, county_unit),
    ]
    for username, role, unit in wanted:
        user, created = User.objects.get_or_create(
            username=username, defaults={"name": username, "unit": unit, "password": "!"}
        )
        if created:
            user.groups.add(Group.objects.get(name=role))
            if role == Role.LIAISON:
                Liaison.objects.get_or_create(user=user)


def build(*, count: int = YEARS, per_plan: dict[str, int] | None = None, seed: int = 15) -> Built:
    """Build the dataset once (a database holding benchmark plans is kept as it is)."""
    from django.db import transaction
    from django.utils import timezone

    from bench import tree
    from members.models import WorkTask
    from plans.models import Plan

    tree.build_units()
    built = Built()
    if Plan.objects.filter(title__startswith=PREFIX).exists():
        _people()
        return built
    started = time.perf_counter()
    per_plan = per_plan or ITEMS_PER_PLAN
    rnd = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate(now)
    places = tree.Places.load()
    candidates = _candidates(places)
    tasks = list(WorkTask.objects.order_by("number"))
    with transaction.atomic():
        plans = Plan.objects.bulk_create(
            [
                Plan(
                    year=year,
                    region_id=region_id,
                    city_id=places.city_of_region[region_id],
                    title=f"{PREFIX}{places.units[office].name}{year}年度府院联动工作要点",
                    status="published",
                    published_at=_at(date(year, 1, 20), 10),
                )
                for year in years(today, count)
                for region_id, (office, _able) in sorted(candidates.items())
            ],
            batch_size=BATCH,
        )
        _items(built, rnd, plans, tasks, candidates, places, per_plan, today, now)
        built.progress = _progress(now)
    built.plans = len(plans)
    _people()
    _analyze()
    built.seconds = time.perf_counter() - started
    print(
        f"    dataset: {built.plans:,} plans ({count} years × {len(candidates)} regions), {built.items:,} items "
        f"{built.items_by_level}, {built.milestones:,} milestones, {built.progress:,} progress reports, "
        f"{built.supervisions:,} 督办 built in {built.seconds:.1f} s",
        flush=True,
    )
    return built


def _items(
    built: Built,
    rnd: random.Random,
    plans: list[Any],
    tasks: list[Any],
    candidates: dict[int, tuple[int, list[int]]],
    places: Any,
    per_plan: dict[str, int],
    today: date,
    now: datetime,
) -> None:
    from plans.models import PlanItem, PlanMilestone, Supervision

    items, supporting, lagging = [], [], []
    for plan in plans:
        office, able = candidates[plan.region_id]
        level = places.level_of_region[plan.region_id]
        numbers = dict.fromkeys(range(len(tasks)), 0)
        for k in range(per_plan[level]):
            numbers[k % len(tasks)] += 1
            lead = office if rnd.random() < 0.25 else rnd.choice(able)
            item, late = _item(rnd, plan, tasks[k % len(tasks)], numbers[k % len(tasks)], lead, today, now)
            items.append(item)
            lagging.append(late)
            others = [u for u in able if u != lead]
            supporting.append(rnd.sample(others, min(len(others), rnd.choice([0, 1, 1, 2, 2, 3]))))
            built.items_by_level[level] = built.items_by_level.get(level, 0) + 1
    items = PlanItem.objects.bulk_create(items, batch_size=BATCH)
    through = PlanItem.supporting_units.through
    through.objects.bulk_create(
        [through(planitem_id=i.pk, memberunit_id=u) for i, units in zip(items, supporting, strict=True) for u in units],
        batch_size=BATCH,
    )
    milestones = [m for i in items if rnd.random() < MILESTONE_SHARE for m in _milestones(rnd, i, today)]
    PlanMilestone.objects.bulk_create(milestones, batch_size=BATCH)
    sups = [_supervision(rnd, i, today, now) for i, late in zip(items, lagging, strict=True) if late]
    Supervision.objects.bulk_create(sups, batch_size=BATCH)
    from django.db import connection

    with connection.cursor() as cur:  # created a week before publication (auto_now_add wrote now)
        cur.execute(
            "UPDATE plans_planitem i SET created_at = p.published_at - interval '7 days' FROM plans_plan p "
            "WHERE p.id = i.plan_id AND i.id >= %s",
            [items[0].pk],
        )
    built.items, built.milestones, built.supervisions = len(items), len(milestones), len(sups)


PROGRESS_SQL = """
WITH support AS (
  SELECT planitem_id, min(memberunit_id) AS unit_id FROM plans_planitem_supporting_units GROUP BY planitem_id
), person AS (
  SELECT DISTINCT ON (unit_id) unit_id, id FROM members_user WHERE unit_id IS NOT NULL ORDER BY unit_id, id
), item AS (
  SELECT i.id, i.lead_unit_id, i.percent, s.unit_id AS support, p.published_at AS start,
    coalesce(i.done_at, %(now)s) AS stop, %(min)s + (i.id * 7919) %% %(spread)s AS n
  FROM plans_planitem i JOIN plans_plan p ON p.id = i.plan_id LEFT JOIN support s ON s.planitem_id = i.id
  WHERE p.title LIKE %(prefix)s
), report AS (
  SELECT item.*, g, g %% 4 = 0 AND support IS NOT NULL AS by_support FROM item, generate_series(1, item.n) AS g
)
INSERT INTO plans_planprogress (item_id, text, percent, milestone_id, unit_id, by_id, created_at)
SELECT r.id, (%(texts)s::text[])[1 + (r.g + r.id) %% 6],
  CASE WHEN r.by_support THEN NULL ELSE r.percent * r.g / r.n END, NULL,
  CASE WHEN r.by_support THEN r.support ELSE r.lead_unit_id END, person.id,
  r.start + (r.stop - r.start) * r.g / (r.n + 1)
FROM report r LEFT JOIN person ON person.unit_id = CASE WHEN r.by_support THEN r.support ELSE r.lead_unit_id END
"""


def _progress(now: datetime) -> int:
    """About ten reports per item, spread from publication to the day it was reported done (or now); every
    fourth by a supporting unit (its own part: no percentage); the lead unit's climb to the item's."""
    from django.db import connection

    with connection.cursor() as cur:
        params = {"now": now, "min": PROGRESS_MIN, "spread": PROGRESS_SPREAD, "prefix": f"{PREFIX}%"}
        cur.execute(PROGRESS_SQL, {**params, "texts": PROGRESS_TEXTS})
        return cur.rowcount


def _analyze() -> None:
    from django.db import connection

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cur:
        for table in ("plan", "planitem", "planitem_supporting_units", "planmilestone", "planprogress", "supervision"):
            cur.execute(f"VACUUM ANALYZE plans_{table}")


# --- Measuring -----------------------------------------------------------------------------------------


def sizes() -> dict[str, int]:
    from plans.models import Plan, PlanItem, PlanMilestone, PlanProgress, Supervision

    return {
        "plans": Plan.objects.count(),
        "items": PlanItem.objects.count(),
        "progress": PlanProgress.objects.count(),
        "milestones": PlanMilestone.objects.count(),
        "supervisions": Supervision.objects.count(),
        "due_in_30_days": PlanItem.objects.filter(next_alert_at__isnull=False).count(),
    }


def _scan_with_due(count: int) -> tuple[float, int, int]:
    """Make ``count`` of this year's items at work due (a stage come), scan once; roll it all back."""
    from django.db import transaction
    from django.utils import timezone

    from members.models import Notification
    from plans.alerts import scan_alerts
    from plans.models import PlanItem

    class Rollback(Exception):
        pass

    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            now = timezone.now()
            ids = list(
                PlanItem.objects.filter(year=timezone.localdate(now).year, status__in=PlanItem.WORKING)
                .order_by("pk")
                .values_list("pk", flat=True)[:count]
            )
            PlanItem.objects.filter(pk__in=ids).update(
                due=timezone.localdate(now) + timedelta(days=3), next_alert_at=now - timedelta(minutes=1)
            )
            before = Notification.objects.count()
            t0 = time.perf_counter()
            result["rows"] = scan_alerts(now=now)
            result["ms"] = (time.perf_counter() - t0) * 1000
            result["notices"] = Notification.objects.count() - before
            raise Rollback
    except Rollback:
        pass
    return result["ms"], result["rows"], result["notices"]


def _url(name: str, *args: Any) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _page(report: Report, name: str, client: Any, url: str | None, **options: Any) -> None:
    """One page; one not built yet in this branch (no URL name, or not 200) is reported, and the run goes on."""
    if url is None:
        print(f"{name:<58} NOT MEASURED: no such URL name in this build", flush=True)
        return
    try:
        report.measure(name, get_ok(client, url), **options)
    except RuntimeError as exc:
        print(f"{name:<58} NOT MEASURED: {exc}", flush=True)


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def _scans(report: Report) -> None:
    from plans.alerts import scan_alerts

    t0 = time.perf_counter()
    caught_up = scan_alerts()  # whatever came due since the dataset was built, so that "nothing due" is true
    report.record("plans: catch-up scan before measuring", (time.perf_counter() - t0) * 1000, note=f"{caught_up} rows")
    report.measure(
        "plans: item and 督办 alert scan, nothing due",
        scan_alerts,
        repeat=50,
        target_p95_ms=5,
        target_queries=2,  # one probe of each partial index on next_alert_at
        check=lambda r: _expect(r == 0, f"scan found work: {r}"),
    )
    runs = [_scan_with_due(DUE_IN_SCAN) for _ in range(3)]
    report.record(
        f"plans: alert scan, {DUE_IN_SCAN:,} items due → notices",
        statistics.median(ms for ms, _rows, _n in runs),
        target_ms=5000,
        note=f"{runs[0][1]} rows, {runs[0][2]} notices (lead units' liaisons), rolled back; median of 3",
    )


def _selectors(report: Report) -> None:
    """The reads the task page and the item list are made of, through ``plans.selectors.visible_to`` (the
    scope), measurable before the pages exist: one task's items of this year with their figures, and the
    first page of all the items a reader may see, with its count."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from bench import levels
    from members.models import User
    from plans import selectors
    from plans.models import PlanItem

    year, today = timezone.localdate().year, timezone.localdate()
    overdue = Q(status__in=PlanItem.OVERDUE_STATUSES, due__lt=today)
    for label, username in [
        ("province office", "bench-office"),
        ("city office", levels.OFFICES["city"][0]),
        ("county office", levels.OFFICES["county"][0]),
        ("city liaison", LIAISONS["city"][0]),
    ]:
        user = User.objects.get(username=username)

        def task_reads(user: User = user) -> tuple[dict[str, int], int]:
            qs = selectors.visible_to(user).filter(task__number=1, year=year)
            figures = qs.aggregate(
                total=Count("id"),
                accepted=Count("id", filter=Q(status="accepted")),
                done=Count("id", filter=Q(status="done")),
                overdue=Count("id", filter=overdue),
            )
            rows = list(qs.select_related("lead_unit", "plan").order_by("number", "id")[:50])
            return figures, len(rows)

        def list_reads(user: User = user, **where: Any) -> tuple[int, int]:
            qs = selectors.visible_to(user).filter(**where)  # in the model's order (task, number)
            rows = list(qs.select_related("lead_unit", "task", "plan")[:20])
            return qs.count(), len(rows)

        figures, _rows = task_reads()
        note = f"{figures['total']:,} items of task 1 in {year}"
        report.measure(f"plans: task 1 items + figures, {year}, {label} (selector)", task_reads, repeat=20,
                       target_p95_ms=50, target_queries=2, note=note)  # fmt: skip
        for what, where in (("all years", {}), (str(year), {"year": year})):
            count, _rows = list_reads(user, **where)
            report.measure(f"plans: items page 1 + count, {what}, {label} (selector)",
                           partial(list_reads, user, **where), repeat=20, target_p95_ms=50, target_queries=2,
                           note=f"{count:,} visible")  # fmt: skip


def _pages(report: Report) -> None:
    from django.utils import timezone

    from bench import levels
    from plans.models import Plan, PlanItem

    year = timezone.localdate().year
    task = 1
    task_url = _url("task-detail", task)
    readers = [
        ("province office", "bench-office"),
        ("city office", levels.OFFICES["city"][0]),
        ("county office", levels.OFFICES["county"][0]),
        ("province leader", LEADER),
    ]
    for label, username in readers:
        client = client_for(username)
        _page(report, f"plans: task {task} page, {label}", client, task_url, target_p95_ms=100, target_queries=15)
    city_plan = Plan.objects.get(year=year, region__name=levels.CITY)
    plan_url = _url("plan-detail", city_plan.pk)
    items_of_plan = PlanItem.objects.filter(plan=city_plan).count()
    list_target = {"target_p95_ms": 50, "target_queries": 10}
    for label, username in [
        ("province office", "bench-office"),
        ("city office", levels.OFFICES["city"][0]),
        ("city liaison", LIAISONS["city"][0]),
        ("county liaison", LIAISONS["county"][0]),
    ]:
        client = client_for(username)
        _page(report, f"plans: item list page 1, {label}", client, "/plans/items/", **list_target)
        _page(report, f"plans: item list page 1, {year}, {label}", client, f"/plans/items/?year={year}", **list_target)
        _page(report, f"plans: API plan-items/ page 1, {label}", client, "/api/v1/plan-items/", **list_target)
        if not label.startswith("county"):
            name = f"plans: {levels.CITY} {year} plan page ({items_of_plan} items), {label}"
            _page(report, name, client, plan_url, target_p95_ms=100, target_queries=15)


def run(report: Report) -> None:
    from bench import foundation

    foundation.build()  # the units of every level and 10,000 users (the liaisons the notices reach)
    build()
    _analyze()
    print(f"    sizes: {sizes()}", flush=True)
    _scans(report)
    _selectors(report)
    _pages(report)
