"""API per API.md (plans/, plan-items/, supervisions/) at each level: the plan cycle, the issue's bad input and
scope cases, every refused transition (state unchanged), outsiders (404), leaders (403 on writes), token auth
and query counts that do not grow with the rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.forms.models import model_to_dict
from django.test import Client

from members import services as member_services
from members.models import Notification, User
from plans import services
from plans.models import Plan, PlanItem, PlanMilestone, PlanProgress, Supervision
from tests import levels
from tests.conftest import client_for
from tests.meetings.conftest import page_queries
from tests.plans.fixtures import YEAR, Place, place, publish, task

pytestmark = pytest.mark.django_db

JSON = "application/json"
LEVELS = [levels.PROVINCE, levels.LANZHOU, levels.CHENGGUAN]
NOW = "2026-03-02 10:00 +0800"
API = "/api/v1"


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def post(user: User, url: str, body: dict[str, Any] | None = None) -> Any:
    return client_for(user).post(f"{API}/{url}", body or {}, content_type=JSON)


def patch(user: User, url: str, body: dict[str, Any]) -> Any:
    return client_for(user).patch(f"{API}/{url}", body, content_type=JSON)


def get(user: User, url: str, params: dict[str, Any] | None = None) -> Any:
    return client_for(user).get(f"{API}/{url}", params or {})


def state(obj: Any) -> dict[str, Any]:
    obj.refresh_from_db()
    return model_to_dict(obj)


def item_body(p: Place, **extra: Any) -> dict[str, Any]:
    body = {
        "plan": p.plan.pk,
        "task": task(3).pk,
        "text": "开展涉企案件府院会商",
        "lead_unit": p.lead.pk,
        "supporting_units": [p.support.pk],
        "due": "2026-09-30",
    }
    return {**body, **extra}


def sup_body(p: Place) -> dict[str, Any]:
    return {"item": p.item.pk, "text": "催办", "due": "2026-03-09"}


def supervision_of(p: Place, text: str = "请加快进度") -> Supervision:
    return services.supervision_issue(item=p.item, by=p.office, text=text, due=date(2026, 3, 9))


# --- the cycle ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", LEVELS)
def test_the_office_drafts_a_plan_adds_items_with_milestones_and_publishes_it(code: str) -> None:
    p = place(code)
    region = levels.region(code)
    response = post(p.office, "plans/", {"year": 2027, "region": region.pk})
    assert response.status_code == 201, response.json()
    plan = response.json()
    assert plan["status"] == "draft" and plan["region"] == region.pk and plan["year"] == 2027
    assert plan["title"] == f"{region.name}府院联动2027年度工作要点" and plan["items_total"] == 0
    assert plan["actions"] == ["add_item", "delete", "edit", "publish"]

    milestones = [{"title": "6月底前出台方案", "due": "2027-06-30"}, {"title": "全面推开", "due": None}]
    body = {**item_body(p, plan=plan["id"], due="2027-10-31"), "milestones": milestones}
    response = post(p.office, "plan-items/", body)
    assert response.status_code == 201, response.json()
    item = response.json()
    assert item["status"] == "open" and item["overdue"] is False and item["percent"] == 0
    assert item["number"] == 1 and item["task_number"] == 3 and item["year"] == 2027
    assert item["supporting_units"] == [p.support.pk] and item["lead_unit_name"] == p.lead.name
    assert [(m["title"], m["due"], m["reached_at"]) for m in item["milestones"]] == [
        ("6月底前出台方案", "2027-06-30", None),
        ("全面推开", None, None),
    ]
    assert PlanMilestone.objects.filter(item_id=item["id"]).count() == 2
    assert get(p.lead_liaison, f"plans/{plan['id']}/").status_code == 404  # a draft: the office's only

    renamed = patch(p.office, f"plans/{plan['id']}/", {"title": "改定的标题", "year": 1999})
    assert renamed.status_code == 200 and renamed.json()["title"] == "改定的标题"
    assert renamed.json()["year"] == 2027  # the year and the region never move

    response = post(p.office, f"plans/{plan['id']}/publish/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "published" and response.json()["items_total"] == 1
    assert Notification.objects.filter(event="plan_published", recipient=p.lead_liaison).count() == 1
    assert get(p.lead_liaison, f"plans/{plan['id']}/").json()["actions"] == []
    assert get(p.lead_liaison, f"plan-items/{item['id']}/").json()["actions"] == ["add_progress", "complete"]


@pytest.mark.parametrize("code", LEVELS)
def test_an_item_goes_from_progress_through_supervision_and_return_to_acceptance(code: str) -> None:
    p = publish(place(code))
    milestone = PlanMilestone.objects.create(item=p.item, title="出台方案", due=date(2026, 5, 31))
    url = f"plan-items/{p.item.pk}/"

    response = post(p.lead_liaison, f"{url}progress/", {"text": "已起草方案", "percent": 40, "milestone": milestone.pk})
    assert response.status_code == 201, response.json()
    assert response.json()["unit"] == p.lead.pk and response.json()["milestone_title"] == "出台方案"
    assert post(p.support_liaison, f"{url}progress/", {"text": "配合提供数据", "percent": 90}).status_code == 201
    listed = get(p.office, f"{url}progress/").json()
    assert listed["count"] == 2 and [r["text"] for r in listed["results"]] == ["已起草方案", "配合提供数据"]
    data = get(p.office, url).json()
    assert data["percent"] == 40 and data["milestones"][0]["reached_at"] is not None

    response = post(p.office, "supervisions/", {"item": p.item.pk, "text": "请加快进度", "due": "2026-03-09"})
    assert response.status_code == 201, response.json()
    sup = response.json()
    assert sup["status"] == "open" and sup["lead_unit"] == p.lead.pk and sup["actions"] == []
    assert get(p.office, url).json()["supervisions_open"] == 1
    assert get(p.lead_liaison, f"supervisions/{sup['id']}/").json()["actions"] == ["answer"]
    answered = post(p.lead_liaison, f"supervisions/{sup['id']}/answer/", {"text": "本月底完成"})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert answered.json()["answer"] == "本月底完成" and get(p.office, url).json()["supervisions_open"] == 0

    done = post(p.lead_liaison, f"{url}complete/", {"summary": "方案已印发"})
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["percent"] == 100
    assert get(p.office, url).json()["actions"] == ["accept", "return"]
    returned = post(p.office, f"{url}return/", {"reason": "缺少佐证材料"})
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned" and returned.json()["return_reason"] == "缺少佐证材料"
    assert post(p.lead_liaison, f"{url}complete/", {"summary": "已补充材料"}).json()["status"] == "done"
    accepted = post(p.office, f"{url}accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    p.item.refresh_from_db()
    assert p.item.status == PlanItem.Status.ACCEPTED and p.item.accepted_by == p.office
    assert get(p.office, f"plans/{p.plan.pk}/").json()["items_accepted"] == 1


def test_overdue_and_the_filters() -> None:
    p = publish(place(levels.LANZHOU))
    later = services.item_add(
        plan=p.plan, by=p.office, task=task(5), text="联合开展生态环境执法", lead_unit=p.support, due=date(2026, 11, 30)
    )
    with time_machine.travel("2026-07-02 10:00 +0800", tick=False):
        overdue = get(p.office, "plan-items/", {"overdue": "true"}).json()
        assert [r["id"] for r in overdue["results"]] == [p.item.pk] and overdue["results"][0]["overdue"] is True
        assert get(p.office, f"plans/{p.plan.pk}/").json()["items_overdue"] == 1
    assert [r["id"] for r in get(p.office, "plan-items/", {"task": task(5).pk}).json()["results"]] == [later.pk]
    assert {r["id"] for r in get(p.office, "plan-items/", {"unit": p.support.pk}).json()["results"]} == {
        p.item.pk,
        later.pk,
    }
    assert [r["id"] for r in get(p.office, "plan-items/", {"search": "生态"}).json()["results"]] == [later.pk]
    assert [r["id"] for r in get(p.office, "plan-items/", {"ordering": "-due"}).json()["results"]] == [
        later.pk,
        p.item.pk,
    ]
    assert get(p.office, "plans/", {"year": YEAR}).json()["count"] == 1
    assert get(p.office, "plans/", {"year": 2030}).json()["count"] == 0


# --- the issue's bad input and scope -------------------------------------------------------------------------


@pytest.mark.parametrize("code", LEVELS)
def test_an_item_due_after_the_plans_year_is_400_and_nothing_is_saved(code: str) -> None:
    p = place(code)
    before = PlanItem.objects.count()
    response = post(p.office, "plan-items/", item_body(p, due="2027-01-15"))
    assert response.status_code == 400
    assert response.json() == {"due": ["完成时限应在 2026 年度内。"]}
    assert PlanItem.objects.count() == before
    unchanged = state(p.item)
    assert patch(p.office, f"plan-items/{p.item.pk}/", {"due": "2027-01-15", "text": "改"}).status_code == 400
    assert state(p.item) == unchanged


@pytest.mark.parametrize(
    ("code", "outside"),
    [
        (levels.LANZHOU, levels.JIAYUGUAN),  # another 市州
        (levels.CHENGGUAN, levels.QILIHE),  # another county of the same 市州
        (levels.CHENGGUAN, levels.LANZHOU),  # the level above
    ],
)
def test_a_lead_unit_outside_the_offices_region_is_400(code: str, outside: str) -> None:
    p = place(code)
    stranger = levels.unit_at(outside, f"区划外单位{outside}")
    before = PlanItem.objects.count()
    response = post(p.office, "plan-items/", item_body(p, lead_unit=stranger.pk))
    assert response.status_code == 400 and "lead_unit" in response.json()
    assert stranger.name in response.json()["lead_unit"][0]
    assert PlanItem.objects.count() == before
    unchanged = state(p.item)
    assert patch(p.office, f"plan-items/{p.item.pk}/", {"lead_unit": stranger.pk}).status_code == 400
    assert patch(p.office, f"plan-items/{p.item.pk}/", {"supporting_units": [stranger.pk]}).status_code == 400
    assert state(p.item) == unchanged and list(p.item.supporting_units.all()) == [p.support]


@pytest.mark.parametrize("code", LEVELS)
def test_a_supporting_units_liaison_completing_the_item_is_403_and_unchanged(code: str) -> None:
    p = publish(place(code))
    before = state(p.item)
    response = post(p.support_liaison, f"plan-items/{p.item.pk}/complete/", {"summary": "已完成"})
    assert response.status_code == 403 and response.json()["detail"] == "只有牵头单位可以报告事项完成。"
    assert state(p.item) == before and p.item.status == PlanItem.Status.OPEN


@pytest.mark.parametrize("code", LEVELS)
def test_accepting_an_item_twice_is_409_and_unchanged(code: str) -> None:
    p = publish(place(code))
    services.item_complete(item=p.item, by=p.lead_liaison, summary="已完成")
    assert post(p.office, f"plan-items/{p.item.pk}/accept/").status_code == 200
    before = state(p.item)
    response = post(p.office, f"plan-items/{p.item.pk}/accept/")
    assert response.status_code == 409 and response.json()["detail"] == "该事项已验收。"
    assert state(p.item) == before
    assert Notification.objects.filter(event="plan_item_accepted", recipient=p.lead_liaison).count() == 1


# --- every other refusal: the status, and nothing changed -----------------------------------------------------


@pytest.mark.parametrize("code", LEVELS)
def test_refused_transitions_are_409_and_change_nothing(code: str) -> None:
    p = place(code)
    url = f"plan-items/{p.item.pk}/"
    # A draft plan: nothing may be reported or supervised yet.
    draft = state(p.item)
    assert post(p.lead_liaison, f"{url}complete/", {"summary": "x"}).status_code == 404  # not published: unseen
    assert post(p.office, f"{url}progress/", {"text": "x"}).status_code == 409
    assert post(p.office, "supervisions/", sup_body(p)).status_code == 409
    assert state(p.item) == draft and not Supervision.objects.exists() and not PlanProgress.objects.exists()

    publish(p)
    plan_before = state(p.plan)
    assert post(p.office, f"plans/{p.plan.pk}/publish/").status_code == 409
    assert state(p.plan) == plan_before
    opened = state(p.item)
    assert post(p.office, f"{url}accept/").status_code == 409  # not reported done yet
    assert post(p.office, f"{url}return/", {"reason": "x"}).status_code == 409
    assert state(p.item) == opened

    sup = supervision_of(p)
    services.supervision_answer(supervision=sup, by=p.lead_liaison, text="已落实")
    answered = state(sup)
    assert post(p.lead_liaison, f"supervisions/{sup.pk}/answer/", {"text": "再答"}).status_code == 409
    assert state(sup) == answered

    services.item_complete(item=p.item, by=p.lead_liaison, summary="已完成")
    done = state(p.item)
    assert post(p.lead_liaison, f"{url}complete/", {"summary": "again"}).status_code == 409
    assert post(p.lead_liaison, f"{url}progress/", {"text": "补充"}).status_code == 409
    assert patch(p.office, url, {"text": "改写"}).status_code == 409
    assert post(p.office, "supervisions/", sup_body(p)).status_code == 409
    assert state(p.item) == done and PlanProgress.objects.count() == 0
    assert Supervision.objects.count() == 1


@pytest.mark.parametrize("code", LEVELS)
def test_refused_actors_are_403_and_change_nothing(code: str) -> None:
    p = publish(place(code))
    url = f"plan-items/{p.item.pk}/"
    sup = supervision_of(p)
    item_before, sup_before, plan_before = state(p.item), state(sup), state(p.plan)
    assert post(p.office, f"{url}complete/", {"summary": "代报"}).status_code == 403
    assert post(p.lead_liaison, "plans/", {"year": 2027}).status_code == 403
    assert patch(p.lead_liaison, f"plans/{p.plan.pk}/", {"title": "改"}).status_code == 403
    assert post(p.lead_liaison, "plan-items/", item_body(p)).status_code == 403
    assert patch(p.lead_liaison, url, {"text": "改写"}).status_code == 403
    assert post(p.lead_liaison, "supervisions/", sup_body(p)).status_code == 403
    assert post(p.support_liaison, f"supervisions/{sup.pk}/answer/", {"text": "代答"}).status_code == 403
    assert post(p.office, f"supervisions/{sup.pk}/answer/", {"text": "代答"}).status_code == 403
    services.item_complete(item=p.item, by=p.lead_liaison, summary="已完成")
    item_before = state(p.item)
    assert post(p.lead_liaison, f"{url}accept/").status_code == 403
    assert post(p.support_liaison, f"{url}return/", {"reason": "不行"}).status_code == 403
    assert state(p.item) == item_before and state(sup) == sup_before and state(p.plan) == plan_before
    assert PlanItem.objects.count() == 1 and Supervision.objects.count() == 1 and Plan.objects.count() == 1


@pytest.mark.parametrize("code", LEVELS)
def test_bad_bodies_are_400_with_a_chinese_message_and_change_nothing(code: str) -> None:
    p = publish(place(code))
    url = f"plan-items/{p.item.pk}/"
    other = services.item_add(
        plan=p.plan, by=p.office, task=task(2), text="另一事项", lead_unit=p.lead, due=date(2026, 8, 1)
    )
    foreign = PlanMilestone.objects.create(item=other, title="别人的节点")  # a milestone of another item
    before = state(p.item)
    assert post(p.lead_liaison, f"{url}progress/", {"text": "进展", "percent": 101}).status_code == 400
    response = post(p.lead_liaison, f"{url}progress/", {"text": "进展", "milestone": foreign.pk})
    assert response.status_code == 400 and response.json() == {"milestone": ["该节点不属于本事项。"]}
    assert post(p.lead_liaison, f"{url}progress/", {"text": "  "}).json() == {"text": ["该字段不能为空。"]}
    assert post(p.lead_liaison, f"{url}complete/", {"summary": " "}).json() == {"summary": ["该字段不能为空。"]}
    response = post(p.office, "supervisions/", {"item": p.item.pk, "text": "催办", "due": "2026-03-01"})
    assert response.status_code == 400 and response.json() == {"due": ["答复时限不能早于今天。"]}
    assert state(p.item) == before and not PlanProgress.objects.exists() and not Supervision.objects.exists()
    response = post(p.office, "plans/", {"year": YEAR, "region": levels.region(code).pk})
    assert response.status_code == 400 and "已存在" in response.json()["year"][0]
    assert Plan.objects.filter(year=YEAR, region__code=code).count() == 1


def test_a_city_office_may_not_draft_for_another_city() -> None:
    p = place(levels.LANZHOU)
    response = post(p.office, "plans/", {"year": 2027, "region": levels.region(levels.JIAYUGUAN).pk})
    assert response.status_code == 400 and response.json() == {"region": ["只能为本级或下级区划起草工作要点。"]}
    assert not Plan.objects.filter(year=2027).exists()
    response = post(p.office, "plans/", {"year": 2027})  # no region: the office's own
    assert response.status_code == 201 and response.json()["region"] == levels.region(levels.LANZHOU).pk


def assert_refused_alike(user: User, url: str, body: dict[str, Any], field: str) -> None:
    """``body[field]`` (an id outside ``user``'s scope) is refused exactly as an id that does not exist."""
    missing = 987654
    hidden, absent = post(user, url, body), post(user, url, {**body, field: missing})
    assert hidden.status_code == absent.status_code == 400 and field in hidden.json()
    assert hidden.content.decode().replace(str(body[field]), "<id>") == absent.content.decode().replace(
        str(missing), "<id>"
    )


# --- scope ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", LEVELS)
def test_another_citys_office_and_an_unrelated_liaison_get_404(code: str) -> None:
    p = publish(place(code))
    sup = supervision_of(p)
    outsiders = [
        levels.office_user_at(levels.JIAYUGUAN, username="office_jyg"),
        levels.liaison_at(levels.unit_at(code, f"无关单位{code}"), username="stranger"),
    ]
    item_before, sup_before, plan_before = state(p.item), state(sup), state(p.plan)
    for user in outsiders:
        for url in (f"plans/{p.plan.pk}/", f"plan-items/{p.item.pk}/", f"supervisions/{sup.pk}/"):
            assert get(user, url).status_code == 404, (user, url)
        assert get(user, f"plan-items/{p.item.pk}/progress/").status_code == 404
        for url, body in (
            (f"plans/{p.plan.pk}/publish/", {}),
            (f"plan-items/{p.item.pk}/progress/", {"text": "x"}),
            (f"plan-items/{p.item.pk}/complete/", {"summary": "x"}),
            (f"plan-items/{p.item.pk}/accept/", {}),
            (f"plan-items/{p.item.pk}/return/", {"reason": "x"}),
            (f"supervisions/{sup.pk}/answer/", {"text": "x"}),
        ):
            assert post(user, url, body).status_code == 404, (user, url)
        assert patch(user, f"plan-items/{p.item.pk}/", {"text": "x"}).status_code == 404
        assert patch(user, f"plans/{p.plan.pk}/", {"title": "x"}).status_code == 404
        # An item or a plan outside the scope is refused as a missing one.
        assert_refused_alike(user, "supervisions/", sup_body(p), "item")
        assert_refused_alike(user, "plan-items/", item_body(p), "plan")
        for url in ("plans/", "plan-items/", "supervisions/"):
            assert get(user, url).json()["count"] == 0, (user, url)
    assert state(p.item) == item_before and state(sup) == sup_before and state(p.plan) == plan_before
    assert PlanItem.objects.count() == 1 and Supervision.objects.count() == 1


@pytest.mark.parametrize("code", LEVELS)
def test_the_office_above_reads_and_acts_on_the_level_below(code: str) -> None:
    p = publish(place(code))
    province = levels.office_user_at(levels.PROVINCE, username="office_province")
    assert get(province, f"plan-items/{p.item.pk}/").status_code == 200
    services.item_complete(item=p.item, by=p.lead_liaison, summary="已完成")
    assert post(province, f"plan-items/{p.item.pk}/accept/").json()["status"] == "accepted"


@pytest.mark.parametrize("code", LEVELS)
def test_a_leader_reads_everything_of_the_level_and_gets_403_on_writes(code: str) -> None:
    p = publish(place(code))
    sup = supervision_of(p)
    assert get(p.leader, f"plan-items/{p.item.pk}/").status_code == 200
    assert get(p.leader, f"supervisions/{sup.pk}/").status_code == 200
    assert get(p.leader, "plans/").json()["count"] == 1
    item_before, sup_before = state(p.item), state(sup)
    for url, body in (
        ("plans/", {"year": 2027}),
        ("plan-items/", item_body(p)),
        ("supervisions/", sup_body(p)),
        (f"plans/{p.plan.pk}/publish/", {}),
        (f"plan-items/{p.item.pk}/progress/", {"text": "x"}),
        (f"plan-items/{p.item.pk}/complete/", {"summary": "x"}),
        (f"plan-items/{p.item.pk}/accept/", {}),
        (f"supervisions/{sup.pk}/answer/", {"text": "x"}),
    ):
        assert post(p.leader, url, body).status_code == 403, url
    assert patch(p.leader, f"plan-items/{p.item.pk}/", {"text": "x"}).status_code == 403
    assert state(p.item) == item_before and state(sup) == sup_before and PlanItem.objects.count() == 1


def test_a_draft_plan_is_the_offices_only() -> None:
    p = place(levels.LANZHOU)
    assert get(p.office, f"plan-items/{p.item.pk}/").status_code == 200
    for user in (p.leader, p.lead_liaison, p.support_liaison):
        assert get(user, f"plan-items/{p.item.pk}/").status_code == 404
        assert get(user, f"plans/{p.plan.pk}/").status_code == 404


def test_token_auth_works_and_anonymous_is_401() -> None:
    p = publish(place(levels.PROVINCE))
    for url in ("plans/", "plan-items/", "supervisions/", f"plan-items/{p.item.pk}/"):
        assert Client().get(f"{API}/{url}").status_code == 401
    token = member_services.api_token_issue(user=p.lead_liaison)
    client = Client(headers={"Authorization": f"Token {token}"})
    assert client.get(f"{API}/plan-items/{p.item.pk}/").json()["id"] == p.item.pk
    response = client.post(f"{API}/plan-items/{p.item.pk}/progress/", {"text": "令牌填报"}, content_type=JSON)
    assert response.status_code == 201 and PlanProgress.objects.get().by == p.lead_liaison


# --- no N+1 -------------------------------------------------------------------------------------------------------


def test_list_queries_do_not_grow_with_the_rows() -> None:
    p = publish(place(levels.LANZHOU))
    supervision_of(p)
    services.progress_report(item=p.item, by=p.lead_liaison, text="一")
    client = client_for(p.office)
    urls = ("plans/", "plan-items/", "supervisions/", f"plan-items/{p.item.pk}/progress/")
    few = {url: page_queries(client, f"{API}/{url}")[0] for url in urls}
    for year in (2027, 2028):
        plan = services.plan_create(by=p.office, year=year, region=p.plan.region)
        services.item_add(plan=plan, by=p.office, task=task(2), text="破产", lead_unit=p.lead, due=date(year, 5, 1))
    for n in range(5):
        item = services.item_add(
            plan=p.plan,
            by=p.office,
            task=task(n + 1),
            text=f"事项{n}",
            lead_unit=p.support,
            supporting_units=[p.lead],
            due=date(2026, 8, 1),
            milestones=[("节点", None)],
        )
        services.supervision_issue(item=item, by=p.office, text=f"督办{n}", due=date(2026, 3, 20))
        services.progress_report(item=p.item, by=p.support_liaison, text=f"进展{n}")
    many = {url: page_queries(client, f"{API}/{url}") for url in urls}
    assert many["plans/"][1].json()["count"] == 3 and many["plan-items/"][1].json()["count"] == 8
    assert many["supervisions/"][1].json()["count"] == 6
    assert many[f"plan-items/{p.item.pk}/progress/"][1].json()["count"] == 6
    assert {url: n for url, (n, _r) in many.items()} == few
