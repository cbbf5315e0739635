"""The page of a work task (/tasks/<number>/): scope by role and level, the item counts, the timeline, the
figures, the query count; and the list of the ten tasks with each task's year.

Places (tests.plans.fixtures): the province 620000, 兰州市 620100, its county 城关区 620102 and another 市州
嘉峪关市 620200, each with a published 2026 plan (one item under task 1, due 2026-06-30, led by a unit of
that level) and records of every kind tagged with task 1, titled with the place's code.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import JudicialRecommendation, Referral, ReferralKind
from meetings.models import Consultation, Decision, Meeting
from members.models import Region, User, WorkTask
from plans import services
from stats import rollups
from stats.taskpage import year_counts
from stats.timeline import PAGE_SIZE, timeline_page, timeline_query
from tests import levels
from tests.conftest import client_for
from tests.meetings.test_sqlite_scope import _rows, sqlite  # noqa: F401 — the fixture
from tests.plans.fixtures import Place, place, publish, task
from tests.stats.conftest import ensure_referral_kinds

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
CODES = (levels.PROVINCE, levels.LANZHOU, levels.CHENGGUAN, levels.JIAYUGUAN)
_seq = itertools.count(1)
KINDS = ("meeting", "consultation", "recommendation", "referral", "decision", "plan_item", "plan_progress")


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SH)


def _put(record: Any, region: Region) -> None:
    type(record).objects.filter(pk=record.pk).update(region=region, city_id=region.city_id)


def tag_records(p: Place, *, day: date, n: int = 1, task_number: int = 1) -> None:
    """``n`` records of each domain kind, tagged with the task, living in the place's region, involving its
    lead unit (convener, logger, addressee, receiver, owner), titled with the place's code."""
    ensure_referral_kinds()
    region, work = levels.region(p.code), task(task_number)
    court = levels.court_at(p.code)
    for _i in range(n):
        i = next(_seq)
        meeting = Meeting.objects.create(
            kind="joint_meeting",
            title=f"会议{p.code}-{i}",
            convener=p.lead,
            starts_at=_at(day),
            ends_at=_at(day, 12),
            status="held",
        )
        meeting.tasks.set([work])
        consultation = Consultation.objects.create(
            topic_kind="legal_issue", held_on=day, topic=f"会商{p.code}-{i}", logging_unit=p.lead
        )
        consultation.tasks.set([work])
        rec = JudicialRecommendation.objects.create(
            year=day.year,
            court=court,
            addressee=p.lead,
            title=f"司法建议{p.code}-{i}",
            status="issued",
            issued_on=day,
            issued_at=_at(day),
        )
        rec.tasks.set([work])
        ref = Referral.objects.create(
            kind=ReferralKind.objects.get(code="mediation"),
            sender=court,
            receiver=p.lead,
            case_number=f"(2026)测{p.code}-{i}号",
            subject=f"移送{p.code}-{i}",
            status="sent",
            sent_at=_at(day),
        )
        ref.tasks.set([work])
        decision = Decision.objects.create(
            meeting=meeting, text=f"议定事项{p.code}-{i}", owner_unit=p.lead, due=day + timedelta(days=30)
        )
        for record in (meeting, consultation, rec, ref, decision):
            _put(record, region)


@dataclass
class World:
    places: dict[str, Place]
    task: WorkTask


@pytest.fixture
def world() -> World:
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        places = {code: publish(place(code)) for code in CODES}
        for p in places.values():
            tag_records(p, day=date(2026, 3, 2))
            services.progress_report(item=p.item, by=p.lead_liaison, text=f"进展{p.code}", percent=30)
    return World(places=places, task=task(1))


def _titles(response: Any) -> str:
    return response.content.decode()


def _page(user: User, number: int = 1, **params: Any) -> Any:
    return client_for(user).get(reverse("task-detail", args=[number]), params)


# --- scope: each role and level sees only its own ------------------------------------------------------------


@time_machine.travel("2026-07-15 10:00 +0800", tick=False)
@pytest.mark.parametrize(
    ("who", "seen", "unseen"),
    [
        ("office620000", CODES, ()),
        ("leader620000", CODES, ()),
        ("office620100", (levels.LANZHOU, levels.CHENGGUAN), (levels.PROVINCE, levels.JIAYUGUAN)),
        ("leader620100", (levels.LANZHOU, levels.CHENGGUAN), (levels.PROVINCE, levels.JIAYUGUAN)),
        ("office620102", (levels.CHENGGUAN,), (levels.PROVINCE, levels.LANZHOU, levels.JIAYUGUAN)),
        ("office620200", (levels.JIAYUGUAN,), (levels.PROVINCE, levels.LANZHOU, levels.CHENGGUAN)),
        ("lead620100", (levels.LANZHOU,), (levels.PROVINCE, levels.CHENGGUAN, levels.JIAYUGUAN)),
        ("lead620102", (levels.CHENGGUAN,), (levels.PROVINCE, levels.LANZHOU, levels.JIAYUGUAN)),
    ],
)
def test_the_timeline_shows_each_role_and_level_only_its_scope(
    world: World, who: str, seen: tuple[str, ...], unseen: tuple[str, ...]
) -> None:
    user = User.objects.get(username=who)
    html = _titles(_page(user))
    for code in seen:
        for word in ("会议", "会商", "司法建议", "移送", "议定事项"):
            assert f"{word}{code}-" in html, (who, code, word)
        assert f"进展{code}" in html, (who, code)
    for code in unseen:
        for word in ("会议", "会商", "司法建议", "移送", "议定事项", "进展"):
            assert f"{word}{code}" not in html, (who, code, word)


@time_machine.travel("2026-07-15 10:00 +0800", tick=False)
def test_a_liaison_sees_only_what_involves_its_unit(world: World) -> None:
    lz = world.places[levels.LANZHOU]
    page = timeline_page(lz.lead_liaison, world.task.pk, _scope_of(lz.lead_liaison, world.task))
    kinds = {e.kind for e in page.entries}
    assert kinds >= {"meeting", "consultation", "recommendation", "referral", "decision", "plan_item"}
    assert all(levels.LANZHOU in e.title or e.title.startswith("推动") or "进展" in e.title for e in page.entries)
    # The supporting unit's liaison reads the item (it supports it) but not the lead unit's meeting.
    support = timeline_page(lz.support_liaison, world.task.pk, _scope_of(lz.support_liaison, world.task))
    assert {e.kind for e in support.entries} == {"plan_item", "plan_progress"}
    # A liaison of an unrelated unit of the same city sees nothing.
    stranger = levels.liaison_at(levels.unit_at(levels.LANZHOU, "无关局"), username="stranger")
    assert not _page(stranger).context["timeline"].entries


def _scope_of(user: User, work: WorkTask) -> Any:
    from stats.taskpage import where

    return where(user, work, {"year": 2026}, today=date(2026, 7, 15)).scope


@time_machine.travel("2026-07-15 10:00 +0800", tick=False)
def test_a_region_outside_the_users_reach_and_an_unknown_task_are_404(world: World) -> None:
    lz_office = world.places[levels.LANZHOU].office
    assert _page(lz_office, region=levels.region(levels.JIAYUGUAN).pk).status_code == 404
    assert _page(lz_office, region=levels.region(levels.PROVINCE).pk).status_code == 404
    assert _page(lz_office, region=999999).status_code == 404
    assert _page(lz_office, number=11).status_code == 404
    assert _page(lz_office, number=0).status_code == 404
    # Inside the reach: the county of the city, and its plan items only.
    response = _page(lz_office, region=levels.region(levels.CHENGGUAN).pk)
    assert response.status_code == 200
    assert [i.pk for i in response.context["items"]] == [world.places[levels.CHENGGUAN].item.pk]
    assert "会议620100-" not in _titles(response)


def test_signed_out_is_sent_to_sign_in(world: World) -> None:
    from django.test import Client

    response = Client().get(reverse("task-detail", args=[1]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the year's items ----------------------------------------------------------------------------------------


def test_the_item_counts_by_state_and_overdue_with_frozen_time(world: World) -> None:
    prov = world.places[levels.PROVINCE]
    with time_machine.travel("2026-03-03 10:00 +0800", tick=False):
        extra = [
            services.item_add(
                plan=prov.plan,
                by=prov.office,
                task=world.task,
                text=f"事项{i}",
                lead_unit=prov.lead,
                due=date(2026, 6, 30),
            )
            for i in range(3)
        ]
        services.item_complete(item=extra[0], by=prov.lead_liaison, summary="完成")
        services.item_accept(item=extra[0], by=prov.office)
        services.item_complete(item=extra[1], by=prov.lead_liaison, summary="完成")
        services.item_complete(item=extra[2], by=prov.lead_liaison, summary="完成")
        services.item_return(item=extra[2], by=prov.office, reason="材料不全")
        services.item_add(  # under another task: not counted on task 1's page
            plan=prov.plan, by=prov.office, task=task(2), text="其他任务", lead_unit=prov.lead, due=date(2026, 6, 30)
        )
    with time_machine.travel("2026-06-30 10:00 +0800", tick=False):  # due today: not yet overdue
        counts = _page(prov.office).context["counts"]
        assert counts == {"total": 4, "open": 1, "done": 1, "accepted": 1, "returned": 1, "overdue": 0}
    with time_machine.travel("2026-07-01 10:00 +0800", tick=False):  # the open and the returned are late now
        response = _page(prov.office)
        assert response.context["counts"]["overdue"] == 2
        assert len(response.context["items"]) == 4
        assert all(i.region_id == levels.region(levels.PROVINCE).pk for i in response.context["items"])
        # Another year holds none of them.
        assert _page(prov.office, year=2025).context["counts"]["total"] == 0


@time_machine.travel("2026-07-15 10:00 +0800", tick=False)
def test_a_draft_plan_is_read_by_its_office_only(world: World) -> None:
    draft_office = levels.office_user_at(levels.QILIHE, username="office-qilihe")
    lead = levels.unit_at(levels.QILIHE, "七里河区牵头局")
    draft = services.plan_create(by=draft_office, year=2026, region=levels.region(levels.QILIHE))
    services.item_add(
        plan=draft, by=draft_office, task=world.task, text="草稿事项", lead_unit=lead, due=date(2026, 9, 30)
    )
    assert _page(draft_office).context["counts"]["total"] == 1
    assert "草稿事项" in _titles(_page(draft_office))
    # Neither the lead unit nor the leaders learn of an item of an unpublished plan.
    for reader in (
        levels.liaison_at(lead, username="lead-qilihe"),
        levels.leader_at(levels.QILIHE, username="leader-qilihe"),
        world.places[levels.LANZHOU].leader,
    ):
        response = _page(reader, region=levels.region(levels.QILIHE).pk)
        assert response.context["counts"]["total"] == 0 and "草稿事项" not in _titles(response)


# --- the figures ---------------------------------------------------------------------------------------------


@time_machine.travel("2026-07-15 10:00 +0800", tick=False)
def test_the_task_figures_are_the_dashboards_filtered_by_task_and_region(world: World) -> None:
    cards = {c["key"]: c for c in _page(world.places[levels.LANZHOU].office).context["cards"]}
    # 兰州市 and 城关区: one joint meeting and one item each (due 2026-06-30, still open: overdue).
    assert cards["joint_meetings"]["value"] == 2
    assert cards["plan_items"]["value"] == 2
    assert cards["plan_items_overdue"]["value"] == 2
    assert cards["plan_item_completion_rate"]["denominator"] == 2
    assert cards["plan_item_completion_rate"]["rate"] == 0
    province = {c["key"]: c for c in _page(world.places[levels.PROVINCE].office).context["cards"]}
    assert province["joint_meetings"]["value"] == 4
    # Task 2 has none of them.
    task2 = {c["key"]: c for c in _page(world.places[levels.PROVINCE].office, number=2).context["cards"]}
    assert task2["joint_meetings"]["value"] == 0 and task2["plan_items"]["value"] == 0


# --- the timeline: paging and query count -------------------------------------------------------------------


@time_machine.travel("2026-07-15 10:00 +0800", tick=False)
def test_the_timeline_is_newest_first_and_pages(world: World) -> None:
    prov = world.places[levels.PROVINCE]
    with time_machine.travel("2026-05-02 10:00 +0800", tick=False):
        tag_records(prov, day=date(2026, 5, 2), n=8)  # 40 records of the province
    first = _page(prov.office).context["timeline"]
    assert len(first.entries) == PAGE_SIZE and first.has_next
    days = [e.at for e in first.entries]
    assert days == sorted(days, reverse=True) and days[0] == date(2026, 5, 2)
    second = client_for(prov.office).get(
        reverse("task-detail", args=[1]), {"year": 2026, "page": 2}, headers={"HX-Request": "true"}
    )
    assert second.status_code == 200 and "<h1" not in second.content.decode()  # the entries only
    rest = second.context["timeline"]
    total = 4 * 5 + 4 * 2 + 40  # the domain records of 4 places, their items and progress, the 40 new ones
    assert len(first.entries) + len(rest.entries) == min(total, 2 * PAGE_SIZE)
    seen = {(e.kind, e.title) for e in first.entries}
    assert not seen & {(e.kind, e.title) for e in rest.entries}  # no entry twice across pages
    assert {e.kind for e in first.entries + rest.entries} >= set(KINDS) - {"plan_item", "plan_progress"}


@time_machine.travel("2026-07-15 10:00 +0800", tick=False)
def test_the_page_query_count_does_not_grow_with_records(world: World) -> None:
    prov = world.places[levels.PROVINCE]
    client = client_for(prov.office)
    url = reverse("task-detail", args=[1])
    client.get(url)  # warm the session and the process caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    with time_machine.travel("2026-05-02 10:00 +0800", tick=False):
        tag_records(prov, day=date(2026, 5, 2), n=12)
        for i in range(20):
            item = services.item_add(
                plan=prov.plan,
                by=prov.office,
                task=world.task,
                text=f"事项{i}",
                lead_unit=prov.lead,
                due=date(2026, 9, 1),
            )
            services.progress_report(item=item, by=prov.lead_liaison, text="进展", percent=10)
            services.supervision_issue(item=item, by=prov.office, text="请加快", due=date(2026, 5, 9))
    rollups.flush()  # the records written above are taken into the rollups first (measured on its own)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200 and len(response.context["items"]) == 21
    assert len(many) == len(few) <= 15
    liaison = client_for(world.places[levels.LANZHOU].lead_liaison)
    liaison.get(url)
    with CaptureQueriesContext(connection) as as_liaison:
        liaison.get(url)
    assert len(as_liaison) <= 15


# --- the list of the ten tasks -------------------------------------------------------------------------------


@time_machine.travel("2026-07-15 10:00 +0800", tick=False)
def test_the_list_of_tasks_shows_each_tasks_year_and_links_its_page(world: World) -> None:
    prov = world.places[levels.PROVINCE]
    counts = year_counts(prov.office)
    assert counts["year"] == 2026
    assert counts["by_task"][world.task.pk] == {"total": 1, "accepted": 0, "overdue": 1}  # the province's own
    assert year_counts(world.places[levels.LANZHOU].support_liaison)["by_task"][world.task.pk]["total"] == 1
    assert year_counts(levels.liaison_at(levels.unit_at(levels.LANZHOU, "无关局"), "nobody"))["by_task"] == {}
    html = client_for(prov.office).get(reverse("task-list")).content.decode()
    assert reverse("task-detail", args=[1]) in html and reverse("task-detail", args=[10]) in html
    assert 'data-testid="task-year-1"' in html


# --- SQLite (a new user's `make run`) ------------------------------------------------------------------------


@time_machine.travel("2026-07-15 10:00 +0800", tick=False)
@pytest.mark.parametrize("who", ["office620000", "office620100", "lead620100"])
def test_the_timeline_query_runs_on_sqlite(world: World, sqlite: Any, who: str) -> None:  # noqa: F811
    """SQLite refuses ORDER BY inside a compound statement: there the parts are not cut, and the query runs."""
    user = User.objects.get(username=who)
    scope = _scope_of(user, world.task)
    assert sqlite.features.supports_slicing_ordering_in_compound is False
    qs = timeline_query(user, world.task.pk, scope, offset=0, limit=PAGE_SIZE + 1, cut=False)
    assert _rows(sqlite, qs) == []  # the tables are empty there; the point is that SQLite accepts the SQL
    # The same query on PostgreSQL, cut or not, gives the same rows.
    assert list(qs) == list(timeline_query(user, world.task.pk, scope, offset=0, limit=PAGE_SIZE + 1, cut=True))
