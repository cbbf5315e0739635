"""The home page's work-plan to-do at each level: a unit's items at work (overdue first) and open 督办; the
office's items awaiting acceptance and overdue 督办 of its scope; nothing for others; bounded queries."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from plans import services
from plans.home import home_panel, plan_todo
from tests import levels
from tests.conftest import client_for
from tests.plans.fixtures import YEAR, Place, place, publish, task

pytestmark = pytest.mark.django_db
ISSUED = "2026-07-01 10:00 +0800"
TODAY = "2026-07-06 10:00 +0800"  # a Monday: item 1 (due 06-30) and the 督办 (due 07-03) are overdue
LEVELS = [levels.PROVINCE, levels.LANZHOU, levels.CHENGGUAN]


def world(code: str, *, suffix: str = "") -> tuple[Place, dict[str, object]]:
    """Item 1 overdue with an open 督办, a later item at work, and one reported done."""
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        p = place(code, suffix=suffix)
        later = services.item_add(
            plan=p.plan, by=p.office, task=task(3), text="优化营商环境", lead_unit=p.lead, due=date(YEAR, 11, 30)
        )
        reported = services.item_add(
            plan=p.plan, by=p.office, task=task(8), text="诉调对接", lead_unit=p.lead, due=date(YEAR, 12, 31)
        )
        publish(p)
        services.item_complete(item=reported, by=p.lead_liaison, summary="已建成诉调对接平台")
    with time_machine.travel(ISSUED, tick=False):
        sup = services.supervision_issue(item=p.item, by=p.office, text="请说明滞后原因", due=date(YEAR, 7, 3))
    return p, {"later": later, "reported": reported, "sup": sup}


@pytest.mark.parametrize("code", LEVELS)
@time_machine.travel(TODAY, tick=False)
def test_the_lead_unit_sees_its_items_at_work_overdue_first_and_its_open_supervisions(code: str) -> None:
    p, w = world(code)
    todo = plan_todo(p.lead_liaison)
    assert todo is not None and todo["unit"] and not todo["office"]
    assert [i.pk for i in todo["led_items"]] == [p.item.pk, w["later"].pk]  # the done one is not at work
    assert todo["led_items"][0].overdue and not todo["led_items"][1].overdue
    assert [s.pk for s in todo["open_supervisions"]] == [w["sup"].pk]
    html = client_for(p.lead_liaison).get("/").content.decode()
    assert "本单位牵头的工作要点事项" in html and "请说明滞后原因" in html and "答复时限 2026-07-03" in html
    assert "已建成诉调对接平台" not in html and "待验收的工作要点事项" not in html


@pytest.mark.parametrize("code", LEVELS)
@time_machine.travel(TODAY, tick=False)
def test_an_answered_supervision_and_an_accepted_item_leave_the_lists(code: str) -> None:
    p, w = world(code)
    services.supervision_answer(supervision=w["sup"], by=p.lead_liaison, text="7月底前完成")
    services.item_accept(item=w["reported"], by=p.office)
    assert plan_todo(p.lead_liaison)["open_supervisions"] == []
    office = plan_todo(p.office)
    assert office["to_accept"] == [] and office["overdue_supervisions"] == []


@pytest.mark.parametrize("code", LEVELS)
@time_machine.travel(TODAY, tick=False)
def test_the_office_of_the_level_sees_items_awaiting_acceptance_and_overdue_supervisions(code: str) -> None:
    p, w = world(code)
    todo = plan_todo(p.office)
    assert todo is not None and todo["office"] and not todo["unit"]
    assert [i.pk for i in todo["to_accept"]] == [w["reported"].pk]
    assert [s.pk for s in todo["overdue_supervisions"]] == [w["sup"].pk]
    html = client_for(p.office).get("/").content.decode()
    assert "待验收的工作要点事项" in html and "诉调对接" in html and "逾期未答复的督办" in html


@time_machine.travel(TODAY, tick=False)
def test_a_supervision_not_yet_due_is_not_in_the_offices_overdue_list() -> None:
    p, _w = world(levels.LANZHOU)
    with time_machine.travel("2026-07-02 10:00 +0800", tick=False):
        assert plan_todo(p.office)["overdue_supervisions"] == []  # due 07-03: not late yet
    assert len(plan_todo(p.office)["overdue_supervisions"]) == 1


@time_machine.travel(TODAY, tick=False)
def test_no_office_sees_anothers_region_and_the_province_sees_below() -> None:
    city, cw = world(levels.LANZHOU)
    county, kw = world(levels.CHENGGUAN)
    other = levels.office_user_at(levels.JIAYUGUAN)
    assert plan_todo(other)["to_accept"] == [] and plan_todo(other)["overdue_supervisions"] == []
    assert [i.pk for i in plan_todo(county.office)["to_accept"]] == [kw["reported"].pk]  # not the city's
    assert {i.pk for i in plan_todo(city.office)["to_accept"]} == {cw["reported"].pk, kw["reported"].pk}
    province = levels.office_user_at(levels.PROVINCE)
    assert {s.pk for s in plan_todo(province)["overdue_supervisions"]} == {cw["sup"].pk, kw["sup"].pk}


@time_machine.travel(TODAY, tick=False)
def test_supporting_units_leaders_and_other_units_get_nothing_to_do() -> None:
    p, _ = world(levels.LANZHOU)
    support = plan_todo(p.support_liaison)
    assert support["led_items"] == [] and support["open_supervisions"] == []  # it leads none of them
    assert home_panel(p.leader) is None
    stranger = levels.liaison_at(levels.unit_at(levels.LANZHOU, "无关单位"), username="stranger")
    assert plan_todo(stranger)["led_items"] == []


@time_machine.travel(TODAY, tick=False)
def test_a_draft_plans_items_are_not_on_the_lead_units_home() -> None:
    p = place(levels.CHENGGUAN)
    assert plan_todo(p.lead_liaison)["led_items"] == []


def test_the_panel_costs_two_queries_per_part_whatever_the_rows(django_assert_num_queries) -> None:
    with time_machine.travel(TODAY, tick=False):
        p, _ = world(levels.LANZHOU)
        plan_todo(p.lead_liaison), plan_todo(p.office)  # the users' roles and reach, read once per request
        with django_assert_num_queries(2):  # the unit's items at work; its open 督办
            plan_todo(p.lead_liaison)
        with django_assert_num_queries(2):  # the items reported done in scope; the overdue 督办 in scope
            plan_todo(p.office)
        for n in range(12):
            item = services.item_add(
                plan=p.plan, by=p.office, task=task(1 + n % 10), text=f"事项{n}", lead_unit=p.lead,
                due=date(YEAR, 12, 1),
            )  # fmt: skip
            services.supervision_issue(item=item, by=p.office, text=f"督办{n}", due=date(YEAR, 7, 7))
            services.item_complete(item=item, by=p.lead_liaison, summary="完成")
        with django_assert_num_queries(2):
            todo = plan_todo(p.lead_liaison)
        assert todo["open_supervisions_more"] and len(todo["open_supervisions"]) == 8
        with django_assert_num_queries(2):
            assert plan_todo(p.office)["to_accept_more"]
