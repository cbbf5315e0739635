"""The work plan's admin: its pages load with bounded queries, its actions go through the services, a refused
action changes nothing, and the lifecycle fields cannot be written there."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from members.models import Notification
from members.roles import Role, ensure_roles
from plans import services
from plans.models import Plan, PlanItem
from tests import levels
from tests.conftest import client_for
from tests.factories import make_user
from tests.plans.fixtures import YEAR, place, publish, task

pytestmark = pytest.mark.django_db
NOW = "2026-03-02 10:00 +0800"


@pytest.fixture
def admin_user():
    ensure_roles()  # the plans permissions exist once the app's tables do (as a later migrate would)
    return make_user(Role.ADMIN, None, username="plans_admin")


def add_items(p, n: int) -> None:
    for i in range(n):
        lead = levels.unit_at(p.code, f"加办单位{i}")
        services.item_add(
            plan=p.plan, by=p.office, task=task(1 + i % 10), text=f"事项{i}", lead_unit=lead,
            supporting_units=[p.support], due=date(YEAR, 9, 30),
        )  # fmt: skip


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


def test_the_alert_scan_is_in_the_beat_schedule():
    periodic = PeriodicTask.objects.get(task="plans.scan_plan_alerts")
    assert periodic.enabled and periodic.interval.every == 300 and periodic.interval.period == "seconds"


@time_machine.travel(NOW, tick=False)
def test_changelists_and_change_pages_load_with_queries_that_do_not_grow(admin_user):
    p = publish(place(levels.PROVINCE))
    sup = services.supervision_issue(item=p.item, by=p.office, text="请加快", due=date(2026, 3, 9))
    services.progress_report(item=p.item, by=p.lead_liaison, text="已起草", percent=30)
    c = client_for(admin_user)
    pages = [
        "/admin/plans/plan/",
        "/admin/plans/planitem/",
        "/admin/plans/planitem/?overdue=1",
        "/admin/plans/planprogress/",
        "/admin/plans/supervision/",
        "/admin/plans/planmilestone/",
        f"/admin/plans/plan/{p.plan.pk}/change/",
        f"/admin/plans/planitem/{p.item.pk}/change/",
        f"/admin/plans/supervision/{sup.pk}/change/",
        f"/admin/plans/plan/{p.plan.pk}/history/",
        f"/admin/plans/planitem/{p.item.pk}/history/",
    ]
    before = {url: queries(c, url) for url in pages}
    add_items(p, 12)
    services.supervision_issue(item=PlanItem.objects.last(), by=p.office, text="再督办", due=date(2026, 3, 9))
    for url in pages:
        assert queries(c, url) <= before[url], url


@time_machine.travel(NOW, tick=False)
def test_the_publish_action_goes_through_the_service_and_reports_a_refusal(admin_user):
    draft = place(levels.PROVINCE)
    done = publish(place(levels.LANZHOU))
    c = client_for(admin_user)
    r = c.post(
        "/admin/plans/plan/",
        {"action": "publish", "_selected_action": [draft.plan.pk, done.plan.pk]},
        follow=True,
    )
    texts = [str(m) for m in get_messages(r.wsgi_request)]
    assert any("工作要点已印发" in t for t in texts)  # the published one: refused, named
    assert any("已印发 1 份" in t for t in texts)
    draft.plan.refresh_from_db()
    assert draft.plan.status == Plan.Status.PUBLISHED and draft.plan.published_by == admin_user
    # The service told the units and armed the item, as on the page.
    assert Notification.objects.filter(event="plan_published", recipient=draft.lead_liaison).count() == 1
    assert PlanItem.objects.get(pk=draft.item.pk).next_alert_at is not None
    assert Plan.objects.get(pk=done.plan.pk).published_by == done.office  # not re-published by the admin
    assert Notification.objects.filter(event="plan_published", recipient=done.lead_liaison).count() == 1


@time_machine.travel(NOW, tick=False)
def test_publishing_an_empty_plan_in_the_admin_is_refused_and_changes_nothing(admin_user):
    office = levels.office_user_at(levels.CHENGGUAN)
    empty = services.plan_create(by=office, year=YEAR, region=levels.region(levels.CHENGGUAN))
    r = client_for(admin_user).post(
        "/admin/plans/plan/", {"action": "publish", "_selected_action": [empty.pk]}, follow=True
    )
    assert any("还没有事项" in str(m) for m in get_messages(r.wsgi_request))
    empty.refresh_from_db()
    assert empty.status == Plan.Status.DRAFT and empty.published_at is None
    assert not Notification.objects.filter(event="plan_published").exists()


@time_machine.travel(NOW, tick=False)
def test_the_accept_action_accepts_reported_items_and_refuses_the_others(admin_user):
    p = publish(place(levels.LANZHOU))
    services.item_complete(item=p.item, by=p.lead_liaison, summary="已完成")
    open_item = services.item_add(
        plan=p.plan, by=p.office, task=task(2), text="仍在推进", lead_unit=p.lead, due=date(YEAR, 8, 1)
    )
    c = client_for(admin_user)
    r = c.post(
        "/admin/plans/planitem/",
        {"action": "accept", "_selected_action": [p.item.pk, open_item.pk]},
        follow=True,
    )
    texts = [str(m) for m in get_messages(r.wsgi_request)]
    assert any("牵头单位报完成后才能验收" in t for t in texts) and any("已验收 1 项" in t for t in texts)
    p.item.refresh_from_db()
    open_item.refresh_from_db()
    assert p.item.status == PlanItem.Status.ACCEPTED and p.item.accepted_by == admin_user
    assert Notification.objects.filter(event="plan_item_accepted", recipient=p.lead_liaison).count() == 1
    assert open_item.status == PlanItem.Status.OPEN and open_item.accepted_at is None
    # Accepting again: refused, nothing changes, no second notice.
    accepted_at = p.item.accepted_at
    c.post("/admin/plans/planitem/", {"action": "accept", "_selected_action": [p.item.pk]})
    p.item.refresh_from_db()
    assert p.item.accepted_at == accepted_at
    assert Notification.objects.filter(event="plan_item_accepted").count() == 1


def change_form(item: PlanItem, **override) -> dict:
    data = {
        "task": item.task_id,
        "text": item.text,
        "lead_unit": item.lead_unit_id,
        "supporting_units": [u.pk for u in item.supporting_units.all()],
        "due": item.due.isoformat(),
        **{f"{prefix}-{k}": v for prefix in ("milestones", "progress", "supervisions")
           for k, v in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0}.items()},
    }  # fmt: skip
    data.update(override)
    return data


@time_machine.travel(NOW, tick=False)
def test_editing_an_item_goes_through_the_service_and_rearms_it(admin_user):
    p = publish(place(levels.PROVINCE))
    armed = p.item.next_alert_at
    c = client_for(admin_user)
    r = c.post(f"/admin/plans/planitem/{p.item.pk}/change/", change_form(p.item, due="2026-09-30", status="accepted"))
    assert r.status_code == 302, r.content.decode()[:2000]
    p.item.refresh_from_db()
    assert p.item.due == date(2026, 9, 30) and p.item.next_alert_at != armed  # re-armed by item_update
    assert p.item.status == PlanItem.Status.OPEN  # the status is not a field of the form


@time_machine.travel(NOW, tick=False)
def test_bad_content_in_the_admin_is_a_form_error_and_nothing_is_saved(admin_user):
    p = publish(place(levels.LANZHOU))
    outside = levels.unit_at(levels.JIAYUGUAN, "嘉峪关市某局")
    c = client_for(admin_user)
    url = f"/admin/plans/planitem/{p.item.pk}/change/"
    r = c.post(url, change_form(p.item, due="2027-01-15"))
    assert r.status_code == 200 and "完成时限应在 2026 年度内" in r.content.decode()
    r = c.post(url, change_form(p.item, lead_unit=outside.pk))
    assert r.status_code == 200 and "不在兰州市范围内" in r.content.decode()
    p.item.refresh_from_db()
    assert p.item.due == date(2026, 6, 30) and p.item.lead_unit_id == p.lead.pk


@time_machine.travel(NOW, tick=False)
def test_an_accepted_item_is_read_only_in_the_admin(admin_user):
    p = publish(place(levels.PROVINCE))
    services.item_complete(item=p.item, by=p.lead_liaison, summary="已完成")
    services.item_accept(item=p.item, by=p.office)
    c = client_for(admin_user)
    c.post(f"/admin/plans/planitem/{p.item.pk}/change/", change_form(p.item, text="改写", due="2026-12-01"))
    p.item.refresh_from_db()
    assert p.item.text == "推动行政机关负责人出庭应诉常态化" and p.item.due == date(2026, 6, 30)
    assert p.item.status == PlanItem.Status.ACCEPTED


def test_the_office_and_units_have_no_admin(admin_user):
    p = place(levels.PROVINCE)
    for user in (p.office, p.lead_liaison, p.leader):
        assert client_for(user).get("/admin/plans/planitem/").status_code == 302  # to the admin's login
