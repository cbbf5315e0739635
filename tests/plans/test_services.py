"""The work plan's services refuse bad input, actions out of turn and people out of scope, at each level.

Each refusal is checked twice over: the error's kind (``ValidationError`` → 400, ``NotPermitted`` → 403,
``TransitionNotAllowed`` → 409) and that nothing changed: every row of the plan's tables, their history,
and the inbox are as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from members.models import Notification
from plans import services
from plans.models import Plan, PlanItem, PlanMilestone, PlanProgress, Supervision
from tests import levels
from tests.plans.fixtures import YEAR, Place, place, publish, task

pytestmark = pytest.mark.django_db
LEVELS = [levels.PROVINCE, levels.LANZHOU, levels.CHENGGUAN]


@pytest.fixture(autouse=True)
def _monday_2_march_2026() -> Iterator[None]:
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        yield


def state() -> dict[str, Any]:
    return {
        "plans": list(Plan.objects.order_by("pk").values()),
        "items": list(PlanItem.objects.order_by("pk").values()),
        "supporting": sorted(PlanItem.supporting_units.through.objects.values_list("planitem_id", "memberunit_id")),
        "milestones": list(PlanMilestone.objects.order_by("pk").values()),
        "progress": list(PlanProgress.objects.order_by("pk").values()),
        "supervisions": list(Supervision.objects.order_by("pk").values()),
        "history": [PlanItem.history.count(), Plan.history.count(), Supervision.history.count()],
        "notices": list(Notification.objects.order_by("pk").values_list("pk", flat=True)),
    }


def refused(error: type[Exception], action: Callable[[], Any], *words: str) -> None:
    """``action`` raises ``error`` (whose message holds ``words``) and changes nothing at all."""
    before = state()
    with pytest.raises(error) as caught:
        action()
    text = str(getattr(caught.value, "message_dict", None) or getattr(caught.value, "message", caught.value))
    for word in words:
        assert word in text, text
    assert state() == before


def reported(p: Place) -> Place:
    publish(p)
    services.item_complete(item=p.item, by=p.lead_liaison, summary="方案已印发")
    p.item.refresh_from_db()
    return p


# --- The issue's list ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", LEVELS)
def test_an_item_due_after_the_plans_year_is_refused(code: str) -> None:
    p = place(code)
    refused(
        ValidationError,
        lambda: services.item_add(
            plan=p.plan, by=p.office, task=task(2), text="破产处置", lead_unit=p.lead, due=date(YEAR + 1, 1, 15)
        ),
        "完成时限应在 2026 年度内",
    )
    refused(ValidationError, lambda: services.item_update(item=p.item, by=p.office, due=date(YEAR - 1, 12, 31)))


@pytest.mark.parametrize("outside", [levels.PROVINCE, levels.JIAYUGUAN])
def test_a_lanzhou_plan_refuses_a_lead_unit_outside_lanzhou(outside: str) -> None:
    p = place(levels.LANZHOU)
    stranger = levels.unit_at(outside, f"区外单位{outside}")
    refused(
        ValidationError,
        lambda: services.item_add(
            plan=p.plan, by=p.office, task=task(2), text="破产处置", lead_unit=stranger, due=date(YEAR, 9, 1)
        ),
        "不在兰州市范围内",
    )
    refused(ValidationError, lambda: services.item_update(item=p.item, by=p.office, lead_unit=stranger))
    refused(
        ValidationError,
        lambda: services.item_update(item=p.item, by=p.office, supporting_units=[stranger]),
        "配合单位不在本级范围内",
    )


def test_a_county_units_item_fits_its_citys_plan_but_not_the_other_way_round() -> None:
    city = place(levels.LANZHOU)
    county = place(levels.CHENGGUAN)
    services.item_add(
        plan=city.plan, by=city.office, task=task(2), text="城关区承办", lead_unit=county.lead, due=date(YEAR, 9, 1)
    )
    refused(
        ValidationError,
        lambda: services.item_add(
            plan=county.plan, by=county.office, task=task(2), text="市级承办", lead_unit=city.lead, due=date(YEAR, 9, 1)
        ),
        "不在城关区范围内",
    )


@pytest.mark.parametrize("code", LEVELS)
def test_a_supporting_units_liaison_cannot_mark_the_item_done(code: str) -> None:
    p = publish(place(code))
    refused(
        NotPermitted,
        lambda: services.item_complete(item=p.item, by=p.support_liaison, summary="我们做完了"),
        "只有牵头单位",
    )
    assert services.allowed_actions(p.item, p.support_liaison) == {"add_progress"}


@pytest.mark.parametrize("code", LEVELS)
def test_accepting_an_item_twice_is_refused(code: str) -> None:
    p = reported(place(code))
    services.item_accept(item=p.item, by=p.office)
    refused(TransitionNotAllowed, lambda: services.item_accept(item=p.item, by=p.office), "已验收")
    assert Notification.objects.filter(event="plan_item_accepted").count() == 1


# --- Every other refused transition ---------------------------------------------------------------


def test_publishing_twice_is_refused() -> None:
    p = publish(place(levels.LANZHOU))
    refused(TransitionNotAllowed, lambda: services.plan_publish(plan=p.plan, by=p.office), "已印发")


def test_publishing_a_plan_without_items_is_refused() -> None:
    office = levels.office_user_at(levels.CHENGGUAN)
    empty = services.plan_create(by=office, year=YEAR, region=levels.region(levels.CHENGGUAN))
    refused(ValidationError, lambda: services.plan_publish(plan=empty, by=office), "还没有事项")


def test_a_second_plan_for_the_same_year_and_region_is_refused() -> None:
    p = place(levels.LANZHOU)
    refused(
        ValidationError,
        lambda: services.plan_create(by=p.office, year=YEAR, region=levels.region(levels.LANZHOU)),
        "已存在",
    )


def test_progress_on_a_draft_is_refused() -> None:
    p = place(levels.PROVINCE)
    refused(
        TransitionNotAllowed,
        lambda: services.progress_report(item=p.item, by=p.lead_liaison, text="已起草", percent=10),
        "不能填报进展",
    )


def test_a_percentage_above_100_is_refused() -> None:
    p = publish(place(levels.PROVINCE))
    refused(
        ValidationError,
        lambda: services.progress_report(item=p.item, by=p.lead_liaison, text="超额", percent=120),
        "0 至 100",
    )


def test_completing_after_done_is_refused() -> None:
    p = reported(place(levels.LANZHOU))
    refused(
        TransitionNotAllowed,
        lambda: services.item_complete(item=p.item, by=p.lead_liaison, summary="再报一次"),
        "已报完成",
    )


def test_returning_without_a_reason_is_refused() -> None:
    p = reported(place(levels.CHENGGUAN))
    refused(ValidationError, lambda: services.item_return(item=p.item, by=p.office, reason="  "), "退回理由")


def test_returning_an_item_not_reported_done_is_refused() -> None:
    p = publish(place(levels.CHENGGUAN))
    refused(TransitionNotAllowed, lambda: services.item_return(item=p.item, by=p.office, reason="不合格"))


def test_a_supervision_on_an_accepted_item_is_refused() -> None:
    p = reported(place(levels.PROVINCE))
    services.item_accept(item=p.item, by=p.office)
    refused(
        TransitionNotAllowed,
        lambda: services.supervision_issue(item=p.item, by=p.office, text="督办", due=date(2026, 3, 9)),
        "推进中",
    )


def test_a_supervision_due_in_the_past_is_refused() -> None:
    p = publish(place(levels.LANZHOU))
    refused(
        ValidationError,
        lambda: services.supervision_issue(item=p.item, by=p.office, text="督办", due=date(2026, 3, 1)),
        "不能早于今天",
    )


@pytest.mark.parametrize("who", ["support", "other_unit", "office"])
def test_only_the_lead_unit_answers_a_supervision(who: str) -> None:
    p = publish(place(levels.LANZHOU))
    sup = services.supervision_issue(item=p.item, by=p.office, text="请加快", due=date(2026, 3, 9))
    by = {
        "support": p.support_liaison,
        "other_unit": levels.liaison_at(levels.unit_at(levels.LANZHOU, "另一单位"), username="other_unit"),
        "office": p.office,
    }[who]
    refused(NotPermitted, lambda: services.supervision_answer(supervision=sup, by=by, text="已办"), "牵头单位")


def test_answering_a_supervision_twice_is_refused() -> None:
    p = publish(place(levels.CHENGGUAN))
    sup = services.supervision_issue(item=p.item, by=p.office, text="请加快", due=date(2026, 3, 9))
    services.supervision_answer(supervision=sup, by=p.lead_liaison, text="本月完成")
    refused(
        TransitionNotAllowed,
        lambda: services.supervision_answer(supervision=sup, by=p.lead_liaison, text="再答一次"),
        "已答复",
    )


def test_the_office_of_another_city_can_do_nothing_to_lanzhous_plan() -> None:
    p = reported(place(levels.LANZHOU))
    other = levels.office_user_at(levels.JIAYUGUAN)
    county = levels.office_user_at(levels.CHENGGUAN)  # below 兰州市: a city plan is above its scope
    for office in (other, county):
        refused(NotPermitted, lambda o=office: services.item_accept(item=p.item, by=o), "本级领导小组办公室")
        refused(NotPermitted, lambda o=office: services.item_return(item=p.item, by=o, reason="不合格"))
        refused(
            NotPermitted,
            lambda o=office: services.item_add(
                plan=p.plan, by=o, task=task(2), text="越权", lead_unit=p.lead, due=date(YEAR, 9, 1)
            ),
        )
        refused(NotPermitted, lambda o=office: services.plan_update(plan=p.plan, by=o, title="改名"))
    draft = place(levels.QILIHE)
    refused(NotPermitted, lambda: services.plan_publish(plan=draft.plan, by=other))
    refused(
        ValidationError,
        lambda: services.plan_create(by=other, year=YEAR + 1, region=levels.region(levels.LANZHOU)),
        "本级或下级",
    )


def test_the_province_office_may_act_on_a_citys_plan() -> None:
    p = reported(place(levels.LANZHOU))
    services.item_accept(item=p.item, by=levels.office_user_at(levels.PROVINCE))
    p.item.refresh_from_db()
    assert p.item.status == PlanItem.Status.ACCEPTED


@pytest.mark.parametrize("code", LEVELS)
def test_a_leader_reads_but_does_not_act(code: str) -> None:
    p = reported(place(code))
    leader = p.leader
    refused(NotPermitted, lambda: services.item_accept(item=p.item, by=leader))
    refused(NotPermitted, lambda: services.item_return(item=p.item, by=leader, reason="不合格"))
    refused(NotPermitted, lambda: services.progress_report(item=p.item, by=leader, text="领导批示"))
    refused(NotPermitted, lambda: services.item_complete(item=p.item, by=leader, summary="完成"))
    refused(
        NotPermitted,
        lambda: services.plan_create(by=leader, year=YEAR + 1, region=levels.region(code)),
    )
    assert services.allowed_actions(p.item, leader) == set()
    assert services.plan_actions(p.plan, leader) == set()


def test_a_leader_cannot_issue_a_supervision() -> None:
    p = publish(place(levels.PROVINCE))
    refused(
        NotPermitted,
        lambda: services.supervision_issue(item=p.item, by=p.leader, text="督办", due=date(2026, 3, 9)),
    )


def test_a_published_plan_and_its_items_cannot_be_deleted_and_a_done_item_cannot_be_edited() -> None:
    p = reported(place(levels.CHENGGUAN))
    refused(TransitionNotAllowed, lambda: services.plan_delete(plan=p.plan, by=p.office))
    refused(TransitionNotAllowed, lambda: services.item_delete(item=p.item, by=p.office))
    refused(TransitionNotAllowed, lambda: services.item_update(item=p.item, by=p.office, text="改写"))


def test_a_milestone_of_another_item_is_refused() -> None:
    p = place(levels.PROVINCE)
    other = services.item_add(
        plan=p.plan, by=p.office, task=task(4), text="金融协同", lead_unit=p.lead, due=date(YEAR, 10, 1),
        milestones=[("出台方案", date(YEAR, 5, 1))],
    )  # fmt: skip
    publish(p)
    refused(
        ValidationError,
        lambda: services.progress_report(item=p.item, by=p.lead_liaison, text="节点", milestone=other.milestones.get()),
        "不属于本事项",
    )
