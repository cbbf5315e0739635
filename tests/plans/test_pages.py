"""The pages of the work plan: every page at each level for each role, the scope (404 outside it), the forms
(bad input: a Chinese message on the field, nothing saved), refused actions (a message, state unchanged),
the item's cycle through its page, the ``?unit=`` highlight, exports, and query counts that do not grow."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from members.models import MemberUnit, Notification, Region
from members.roles import Role
from plans import selectors, services
from plans.models import Plan, PlanItem, PlanMilestone, PlanProgress, Supervision
from tests import levels
from tests.conftest import client_for
from tests.factories import make_user
from tests.meetings.conftest import page_queries
from tests.plans.fixtures import YEAR, Place, place, publish, task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday_in_march() -> Any:
    """Every test here runs on Monday 2026-03-02 at 10:00 in Shanghai (the items are due in 2026)."""
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        yield


LEVELS = [levels.PROVINCE, levels.LANZHOU, levels.CHENGGUAN]


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def pages(p: Place) -> list[str]:
    return [
        reverse("plan-list"),
        reverse("plan-detail", args=[p.plan.pk]),
        reverse("plan-export", args=[p.plan.pk]),
        reverse("plan-item-detail", args=[p.item.pk]),
        reverse("plan-item-list"),
        reverse("plan-item-export"),
        reverse("supervision-list"),
        reverse("supervision-export"),
    ]


def add_item(p: Place, *, lead: MemberUnit | None = None, number: int = 2, text: str = "另一项工作") -> PlanItem:
    return services.item_add(
        plan=p.plan, by=p.office, task=task(number), text=text, lead_unit=lead or p.lead, due=date(YEAR, 9, 30)
    )


# --- Every page, each level, each role ------------------------------------------------------------------


@pytest.mark.parametrize("code", LEVELS)
def test_every_page_opens_for_each_role_at_each_level(code: str) -> None:
    p = publish(place(code))
    services.supervision_issue(item=p.item, by=p.office, text="请加快进度", due=date(2026, 3, 9))
    admin = make_user(Role.ADMIN, None, username=f"admin{code}")
    for user in (p.office, p.leader, p.lead_liaison, p.support_liaison, admin):
        client = client_for(user)
        for url in pages(p):
            response = client.get(url)
            assert response.status_code == 200, (user.username, url)
        detail = client.get(reverse("plan-detail", args=[p.plan.pk])).content.decode()
        assert "推动行政机关负责人出庭应诉常态化" in detail
        assert "1.1" in detail  # 任务.序号
    # A court clerk of the level whose court has no item: the lists open, empty; the plan and item are 404.
    clerk = levels.clerk_at(levels.court_at(code), username=f"clerk{code}")
    client = client_for(clerk)
    assert client.get(reverse("plan-list")).status_code == 200
    assert not client.get(reverse("plan-list")).context["rows"]
    assert client.get(reverse("plan-detail", args=[p.plan.pk])).status_code == 404
    assert client.get(reverse("plan-item-detail", args=[p.item.pk])).status_code == 404


def test_the_nav_has_the_plan_entry_for_every_role() -> None:
    p = publish(place())
    for user in (p.office, p.leader, p.lead_liaison):
        nav = [i["url"] for i in client_for(user).get(reverse("home")).context["nav_items"]]
        assert reverse("plan-list") in nav


# --- Scope ----------------------------------------------------------------------------------------------


def test_outside_the_scope_is_404() -> None:
    p = publish(place(levels.LANZHOU))
    sup = services.supervision_issue(item=p.item, by=p.office, text="请加快进度", due=date(2026, 3, 9))
    other_office = levels.office_user_at(levels.JIAYUGUAN, username="office-jyg")
    stranger = levels.liaison_at(levels.unit_at(levels.LANZHOU, "无关单位"), username="stranger")
    for user in (other_office, stranger):
        client = client_for(user)
        for url in (
            reverse("plan-detail", args=[p.plan.pk]),
            reverse("plan-export", args=[p.plan.pk]),
            reverse("plan-item-detail", args=[p.item.pk]),
            reverse("plan-item-edit", args=[p.item.pk]),
            reverse("plan-item-create", args=[p.plan.pk]),
        ):
            assert client.get(url).status_code == 404, (user.username, url)
        assert (
            client.post(reverse("plan-item-action", args=[p.item.pk, "progress"]), {"progress-text": "x"}).status_code
            == 404
        )
        assert (
            client.post(reverse("supervision-answer", args=[sup.pk]), {f"answer-{sup.pk}-text": "x"}).status_code == 404
        )
        assert p.item.pk not in [
            i.pk for i in client.get(reverse("plan-item-list"), {"unit": ""}).context["listing"].object_list
        ]
    assert not PlanProgress.objects.exists()
    sup.refresh_from_db()
    assert sup.status == Supervision.Status.OPEN


def test_a_draft_is_404_for_leaders_and_units_until_published() -> None:
    p = place(levels.LANZHOU)
    for user in (p.leader, p.lead_liaison):
        client = client_for(user)
        assert client.get(reverse("plan-detail", args=[p.plan.pk])).status_code == 404
        assert client.get(reverse("plan-item-detail", args=[p.item.pk])).status_code == 404
    assert client_for(p.office).get(reverse("plan-detail", args=[p.plan.pk])).status_code == 200
    publish(p)
    assert client_for(p.leader).get(reverse("plan-detail", args=[p.plan.pk])).status_code == 200


# --- Drafting a plan -------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", LEVELS)
def test_the_office_drafts_a_plan_for_its_region(code: str) -> None:
    office = levels.office_user_at(code, username=f"drafter{code}")
    client = client_for(office)
    form = client.get(reverse("plan-create")).context["form"]
    assert form.initial["region"] == levels.region(code).pk
    response = client.post(reverse("plan-create"), {"year": 2027, "region": levels.region(code).pk, "title": ""})
    plan = Plan.objects.get(year=2027, region__code=code)
    assert response.status_code == 302 and response["Location"] == reverse("plan-detail", args=[plan.pk])
    assert plan.status == Plan.Status.DRAFT and "2027" in plan.title


def test_drafting_refuses_bad_input_and_saves_nothing() -> None:
    office = levels.office_user_at(levels.CHENGGUAN, username="drafter")
    client = client_for(office)
    response = client.post(reverse("plan-create"), {"year": 1999, "region": levels.region(levels.CHENGGUAN).pk})
    assert response.status_code == 200
    assert "年度应在 2000 至 2100 之间。" in response.context["form"].errors["year"]
    # A county office may not pick its city: not a choice.
    response = client.post(reverse("plan-create"), {"year": 2027, "region": levels.region(levels.LANZHOU).pk})
    assert response.status_code == 200 and "region" in response.context["form"].errors
    services.plan_create(by=office, year=2027, region=levels.region(levels.CHENGGUAN))
    response = client.post(reverse("plan-create"), {"year": 2027, "region": levels.region(levels.CHENGGUAN).pk})
    assert "已存在" in " ".join(response.context["form"].errors["year"])
    assert Plan.objects.count() == 1


def test_only_the_office_may_draft() -> None:
    p = place()
    for user in (p.leader, p.lead_liaison):
        assert client_for(user).get(reverse("plan-create")).status_code == 403
        assert (
            client_for(user).post(reverse("plan-create"), {"year": 2030, "region": p.plan.region_id}).status_code == 403
        )
    assert not Plan.objects.filter(year=2030).exists()


def test_the_office_edits_the_title_and_others_may_not() -> None:
    p = publish(place(levels.LANZHOU))
    assert client_for(p.leader).post(reverse("plan-edit", args=[p.plan.pk]), {"title": "改"}).status_code == 403
    response = client_for(p.office).post(reverse("plan-edit", args=[p.plan.pk]), {"title": "  新标题 "})
    assert response.status_code == 302
    p.plan.refresh_from_db()
    assert p.plan.title == "新标题"


# --- Items ------------------------------------------------------------------------------------------------


def item_post(p: Place, **over: Any) -> dict[str, Any]:
    data = {
        "task": task(3).pk,
        "text": "建立企业信用修复协同机制",
        "lead_unit": p.lead.pk,
        "supporting_units": [p.support.pk],
        "due": "2026-10-31",
        "ms-TOTAL_FORMS": "3",
        "ms-INITIAL_FORMS": "0",
        "ms-0-title": "6月底前出台方案",
        "ms-0-due": "2026-06-30",
        "ms-1-title": "",
        "ms-1-due": "",
        "ms-2-title": "",
        "ms-2-due": "",
    }
    data.update(over)
    return data


@pytest.mark.parametrize("code", LEVELS)
def test_the_office_adds_an_item_with_milestones(code: str) -> None:
    p = place(code)
    client = client_for(p.office)
    assert (
        client.get(reverse("plan-item-create", args=[p.plan.pk]) + "?task=3").context["form"].initial["task"].number
        == 3
    )
    response = client.post(reverse("plan-item-create", args=[p.plan.pk]), item_post(p))
    item = PlanItem.objects.get(text="建立企业信用修复协同机制")
    assert response.status_code == 302
    assert (item.task.number, item.number, item.lead_unit, item.due) == (3, 1, p.lead, date(2026, 10, 31))
    assert list(item.supporting_units.all()) == [p.support]
    assert list(item.milestones.values_list("title", flat=True)) == ["6月底前出台方案"]


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"due": "2027-01-15"}, "due", "完成时限应在 2026 年度内。"),
        ({"text": "  "}, "text", "该字段是必填项。"),
        ({"ms-0-due": "2026-12-31"}, None, "节点时限不能晚于事项的完成时限。"),
    ],
)
def test_item_form_bad_input_shows_the_message_and_saves_nothing(
    over: dict[str, str], field: str | None, message: str
) -> None:
    p = place(levels.LANZHOU)
    response = client_for(p.office).post(reverse("plan-item-create", args=[p.plan.pk]), item_post(p, **over))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in (errors[field] if field else errors["__all__"])
    assert PlanItem.objects.count() == 1 and not PlanMilestone.objects.exists()


def test_a_lead_unit_outside_the_plans_region_is_refused_by_name() -> None:
    p = place(levels.CHENGGUAN)
    outside = levels.unit_at(levels.QILIHE, "七里河区某局")
    response = client_for(p.office).post(
        reverse("plan-item-create", args=[p.plan.pk]), item_post(p, lead_unit=outside.pk)
    )
    assert "七里河区某局" in response.context["form"].errors["lead_unit"][0]
    assert PlanItem.objects.count() == 1


def test_the_office_edits_an_item_and_adds_a_milestone() -> None:
    p = place(levels.LANZHOU)
    client = client_for(p.office)
    form = client.get(reverse("plan-item-edit", args=[p.item.pk])).context["form"]
    assert form.initial["lead_unit"] == p.lead.pk
    data = item_post(p, task=task(1).pk, text="改后的内容", supporting_units=[])
    assert client.post(reverse("plan-item-edit", args=[p.item.pk]), data).status_code == 302
    p.item.refresh_from_db()
    assert p.item.text == "改后的内容" and not p.item.supporting_units.exists()
    assert p.item.milestones.count() == 1
    assert client_for(p.lead_liaison).get(reverse("plan-item-edit", args=[p.item.pk])).status_code == 404  # draft


def test_a_unit_may_not_edit_an_item() -> None:
    p = publish(place())
    response = client_for(p.lead_liaison).post(reverse("plan-item-edit", args=[p.item.pk]), item_post(p, text="改"))
    assert response.status_code == 403
    p.item.refresh_from_db()
    assert p.item.text == "推动行政机关负责人出庭应诉常态化"


# --- Publishing and deleting --------------------------------------------------------------------------


def test_publishing_from_the_page_tells_the_units_and_shows_the_highlight() -> None:
    p = place(levels.LANZHOU)
    other = add_item(p, lead=levels.unit_at(levels.LANZHOU, "另一牵头单位"))
    page = client_for(p.office).get(reverse("plan-detail", args=[p.plan.pk])).content.decode()
    assert "每个牵头单位和配合单位都会收到通知" in page  # the confirmation dialog's words
    response = client_for(p.office).post(reverse("plan-action", args=[p.plan.pk, "publish"]))
    assert response.status_code == 302
    p.plan.refresh_from_db()
    assert p.plan.status == Plan.Status.PUBLISHED
    notice = Notification.objects.get(event="plan_published", recipient=p.lead_liaison)
    assert notice.url.endswith(f"?unit={p.lead.pk}")
    # The office follows the notice's link: the whole plan, that unit's item highlighted.
    response = client_for(p.office).get(notice.url)
    rows = dict(r for g in response.context["groups"] for r in g["items"])
    assert rows == {p.item: "lead", other: ""}
    assert response.context["highlighted"] == 1
    only = client_for(p.office).get(notice.url + "&only=1")
    assert [i for g in only.context["groups"] for i, _r in g["items"]] == [p.item]
    # Published: no second publication, no deletion.
    client_for(p.office).post(reverse("plan-action", args=[p.plan.pk, "delete"]))
    assert Plan.objects.filter(pk=p.plan.pk).exists()
    response = client_for(p.office).post(reverse("plan-action", args=[p.plan.pk, "publish"]), follow=True)
    assert "工作要点已印发。" in messages_of(response)
    assert Notification.objects.filter(event="plan_published", recipient=p.lead_liaison).count() == 1


def test_a_leader_may_not_publish_and_the_office_deletes_a_draft() -> None:
    p = place()
    assert client_for(p.leader).post(reverse("plan-action", args=[p.plan.pk, "publish"])).status_code == 404
    p.plan.refresh_from_db()
    assert p.plan.status == Plan.Status.DRAFT
    assert client_for(p.office).post(reverse("plan-action", args=[p.plan.pk, "nonsense"])).status_code == 404
    response = client_for(p.office).post(reverse("plan-action", args=[p.plan.pk, "delete"]))
    assert response["Location"] == reverse("plan-list")
    assert not Plan.objects.exists()


# --- The item's cycle through its page --------------------------------------------------------------------


def act(user: Any, item: PlanItem, action: str, data: dict[str, Any] | None = None) -> Any:
    return client_for(user).post(reverse("plan-item-action", args=[item.pk, action]), data or {}, follow=True)


@pytest.mark.parametrize("code", LEVELS)
def test_an_item_goes_through_its_page_from_progress_to_acceptance(code: str) -> None:
    p = publish(place(code))
    ms = PlanMilestone.objects.create(item=p.item, title="出台方案", due=date(2026, 5, 31))
    page = client_for(p.lead_liaison).get(reverse("plan-item-detail", args=[p.item.pk]))
    assert page.context["actions"] == {"add_progress", "complete"}
    response = act(
        p.lead_liaison,
        p.item,
        "progress",
        {"progress-text": "已起草", "progress-percent": "40", "progress-milestone": ms.pk},
    )
    assert "进展已填报。" in messages_of(response)
    p.item.refresh_from_db()
    ms.refresh_from_db()
    assert p.item.percent == 40 and ms.reached_at is not None

    response = act(p.office, p.item, "supervise", {"supervise-text": "请加快", "supervise-due": "2026-03-06"})
    sup = Supervision.objects.get()
    assert response.redirect_chain[-1][0].endswith(f"#supervision-{sup.pk}")
    page = client_for(p.lead_liaison).get(reverse("plan-item-detail", args=[p.item.pk])).content.decode()
    assert f'id="supervision-{sup.pk}"' in page and "答复督办" in page
    response = client_for(p.lead_liaison).post(
        reverse("supervision-answer", args=[sup.pk]), {f"answer-{sup.pk}-text": "月底完成"}, follow=True
    )
    assert "督办已答复,已通知办公室。" in messages_of(response)
    sup.refresh_from_db()
    assert sup.status == Supervision.Status.ANSWERED and sup.answer == "月底完成"

    act(p.lead_liaison, p.item, "complete", {"complete-summary": "方案已印发"})
    p.item.refresh_from_db()
    assert p.item.status == PlanItem.Status.DONE
    assert client_for(p.office).get(reverse("plan-item-detail", args=[p.item.pk])).context["actions"] >= {
        "accept",
        "return",
    }
    act(p.office, p.item, "accept")
    p.item.refresh_from_db()
    assert p.item.status == PlanItem.Status.ACCEPTED
    response = act(p.office, p.item, "accept")  # twice: refused, nothing changes
    assert "该事项已验收。" in messages_of(response)
    p.item.refresh_from_db()
    assert p.item.status == PlanItem.Status.ACCEPTED


def test_the_office_returns_an_item_with_a_reason() -> None:
    p = publish(place(levels.LANZHOU))
    services.item_complete(item=p.item, by=p.lead_liaison, summary="完成")
    response = act(p.office, p.item, "return", {"return-reason": ""})
    assert response.context["return_form"].errors["reason"]
    p.item.refresh_from_db()
    assert p.item.status == PlanItem.Status.DONE
    act(p.office, p.item, "return", {"return-reason": "材料不全"})
    p.item.refresh_from_db()
    assert (p.item.status, p.item.return_reason) == (PlanItem.Status.RETURNED, "材料不全")


@pytest.mark.parametrize(
    ("who", "action", "data", "message"),
    [
        ("support_liaison", "complete", {"complete-summary": "完成"}, "只有牵头单位可以报告事项完成。"),
        ("leader", "progress", {"progress-text": "x"}, "只有牵头单位、配合单位或办公室可以填报进展。"),
        (
            "lead_liaison",
            "supervise",
            {"supervise-text": "x", "supervise-due": "2026-03-09"},
            "只有本级领导小组办公室可以办理此事项。",
        ),
        ("lead_liaison", "accept", {}, "只有本级领导小组办公室可以办理此事项。"),
        ("office", "accept", {}, "牵头单位报完成后才能验收。"),
    ],
)
def test_refused_actions_leave_the_item_unchanged(who: str, action: str, data: dict[str, str], message: str) -> None:
    p = publish(place(levels.LANZHOU))
    response = act(getattr(p, who), p.item, action, data)
    assert message in messages_of(response)
    p.item.refresh_from_db()
    assert (p.item.status, p.item.percent) == (PlanItem.Status.OPEN, 0)
    assert not PlanProgress.objects.exists() and not Supervision.objects.exists()


def test_a_supporting_unit_may_not_answer_a_supervision() -> None:
    p = publish(place())
    sup = services.supervision_issue(item=p.item, by=p.office, text="请加快", due=date(2026, 3, 9))
    response = client_for(p.support_liaison).post(
        reverse("supervision-answer", args=[sup.pk]), {f"answer-{sup.pk}-text": "我来答"}, follow=True
    )
    assert "只有牵头单位可以答复督办。" in messages_of(response)
    sup.refresh_from_db()
    assert sup.status == Supervision.Status.OPEN and sup.answer == ""


@pytest.mark.parametrize(
    ("action", "data", "form", "field", "message"),
    [
        (
            "progress",
            {"progress-text": "进展", "progress-percent": "150"},
            "progress_form",
            "percent",
            "完成进度应在 0 至 100 之间。",
        ),
        (
            "supervise",
            {"supervise-text": "请加快", "supervise-due": "2026-03-01"},
            "supervise_form",
            "due",
            "答复时限不能早于今天。",
        ),
        (
            "supervise",
            {"supervise-text": "", "supervise-due": "2026-03-09"},
            "supervise_form",
            "text",
            "该字段是必填项。",
        ),
    ],
)
def test_bad_input_on_the_item_page_shows_on_the_field(
    action: str, data: dict[str, str], form: str, field: str, message: str
) -> None:
    p = publish(place(levels.CHENGGUAN))
    response = act(p.office, p.item, action, data)
    assert response.status_code == 200
    assert message in response.context[form].errors[field]
    assert "请检查填写的内容。" in messages_of(response)
    p.item.refresh_from_db()
    assert p.item.percent == 0 and not PlanProgress.objects.exists() and not Supervision.objects.exists()


def test_an_unknown_action_is_404() -> None:
    p = publish(place())
    assert client_for(p.office).post(reverse("plan-item-action", args=[p.item.pk, "explode"])).status_code == 404


# --- Lists and exports -------------------------------------------------------------------------------------


def test_the_item_list_shows_a_units_people_their_units_items_by_default() -> None:
    p = publish(place(levels.LANZHOU))
    client = client_for(p.support_liaison)
    listed = client.get(reverse("plan-item-list")).context["listing"].object_list
    assert [i.pk for i in listed] == [p.item.pk]
    office_list = client_for(p.office).get(reverse("plan-item-list"), {"overdue": "1"}).context["listing"]
    assert list(office_list.object_list) == []
    with time_machine.travel("2026-07-02 10:00 +0800", tick=False):
        overdue = client_for(p.office).get(reverse("plan-item-list"), {"overdue": "1"}).context["listing"]
        assert [i.pk for i in overdue.object_list] == [p.item.pk]


def test_the_item_list_as_a_liaison_costs_at_most_ten_queries_and_holds_their_unit() -> None:
    """The benchmark's target (``bench/plans.py``): 11 before issue 19, when the unit pickers' form was validated as
    it rendered (one more query for the liaison's unit). The bar rendered, and then read from the fragments."""
    from fuyuan.lib import fragments

    p = publish(place(levels.LANZHOU))
    client = client_for(p.lead_liaison)
    client.get(reverse("plan-item-list"))
    fragments.store().clear()
    for _round in range(2):
        count, response = page_queries(client, reverse("plan-item-list"))
        assert count <= 10
        html = response.content.decode()
        assert f'<option value="{p.lead.pk}" selected>{p.lead.name}</option>' in html
        assert [i.pk for i in response.context["listing"].object_list] == [p.item.pk]


def test_a_liaison_whose_unit_has_sub_units_sees_their_own_units_items_by_default() -> None:
    """The default ``unit`` filter is left out only when it narrows nothing (the scope is the unit's items)."""
    p = place(levels.LANZHOU)
    below = levels.unit_at(levels.LANZHOU, "下属测试单位", parent=p.lead)
    theirs = add_item(p, lead=below)
    publish(p)
    client = client_for(p.lead_liaison)
    by_default = client.get(reverse("plan-item-list")).context["listing"].object_list
    assert [i.pk for i in by_default] == [p.item.pk]
    everything = client.get(reverse("plan-item-list"), {"unit": ""}).context["listing"].object_list
    assert {i.pk for i in everything} == {p.item.pk, theirs.pk}
    assert selectors.reads_only_own_unit(p.support_liaison) and not selectors.reads_only_own_unit(p.lead_liaison)
    assert not selectors.reads_only_own_unit(p.office)


def test_the_plan_list_counts_items_by_state() -> None:
    p = place(levels.LANZHOU)
    add_item(p)
    publish(p)
    services.item_complete(item=p.item, by=p.lead_liaison, summary="完成")
    rows = client_for(p.office).get(reverse("plan-list"), {"year": YEAR}).context["rows"]
    ((plan, counts),) = rows
    assert plan == p.plan
    assert (counts["total"], counts["working"], counts["done"], counts["overdue"]) == (2, 1, 1, 0)
    assert client_for(p.office).get(reverse("plan-list"), {"year": 1990}).context["rows"] == []


def workbook(response: Any) -> list[tuple[Any, ...]]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def test_exports_hold_the_rows_in_scope() -> None:
    p = publish(place(levels.LANZHOU))
    PlanMilestone.objects.create(item=p.item, title="出台方案")
    services.supervision_issue(item=p.item, by=p.office, text='=HYPERLINK("x")', due=date(2026, 3, 9))
    rows = workbook(client_for(p.office).get(reverse("plan-export", args=[p.plan.pk])))
    assert rows[0][:5] == ("年度", "层级区划", "工作任务", "序号", "工作内容")
    assert rows[1][3:6] == ("1.1", "推动行政机关负责人出庭应诉常态化", p.lead.name)
    assert rows[1][6] == p.support.name and "出台方案" in rows[1][11]
    assert len(workbook(client_for(p.support_liaison).get(reverse("plan-item-export")))) == 2
    sups = workbook(client_for(p.office).get(reverse("supervision-export")))
    assert sups[1][4] == '=HYPERLINK("x")'  # text, not a formula
    stranger = levels.office_user_at(levels.JIAYUGUAN, username="office-jyg")
    assert len(workbook(client_for(stranger).get(reverse("plan-item-export")))) == 1
    assert len(workbook(client_for(stranger).get(reverse("supervision-export")))) == 1


# --- Query counts ------------------------------------------------------------------------------------------


def grow(p: Place, n: int) -> None:
    for i in range(n):
        unit = levels.unit_at(p.code, f"加量单位{i}")
        item = services.item_add(
            plan=p.plan,
            by=p.office,
            task=task(1 + i % 10),
            text=f"加量事项{i}",
            lead_unit=unit,
            supporting_units=[p.support, p.lead],
            due=date(YEAR, 8, 1),
        )
        PlanMilestone.objects.create(item=item, title=f"节点{i}")
        if p.plan.is_published:
            services.progress_report(item=item, by=p.office, text="进展", percent=10)
            services.supervision_issue(item=item, by=p.office, text="督办", due=date(2026, 3, 9))


@pytest.mark.parametrize("who", ["office", "support_liaison"])
def test_list_and_detail_pages_do_not_grow_with_rows(who: str) -> None:
    p = publish(place(levels.LANZHOU))
    services.progress_report(item=p.item, by=p.office, text="进展", percent=10)
    services.supervision_issue(item=p.item, by=p.office, text="督办", due=date(2026, 3, 9))
    user = getattr(p, who)
    urls = [
        reverse("plan-list"),
        reverse("plan-detail", args=[p.plan.pk]) + f"?unit={p.lead.pk}",
        reverse("plan-item-list") + f"?lead={p.lead.pk}&unit=",
        reverse("supervision-list"),
        reverse("plan-item-detail", args=[p.item.pk]),
    ]
    before = {url: page_queries(client_for(user), url)[0] for url in urls}
    grow(p, 6)
    for i in range(3):
        services.progress_report(item=p.item, by=p.office, text=f"又一次进展{i}", percent=20 + i)
        services.supervision_issue(item=p.item, by=p.office, text=f"又一次督办{i}", due=date(2026, 3, 9))
    services.plan_create(by=p.office, year=YEAR + 1, region=p.plan.region)  # a second row on the plan list
    after = {url: page_queries(client_for(user), url)[0] for url in urls}
    assert after == before
    assert max(after.values()) <= 20, after


def test_search_region_and_level_filters_find_the_item() -> None:
    """Searching a word finds the item by its text; the region and level filters keep it; a word it lacks
    finds nothing."""
    p = publish(place(levels.CHENGGUAN))
    client = client_for(p.office)
    found = client.get(
        reverse("plan-item-list"), {"q": "出庭应诉", "region": Region.objects.get(code=levels.CHENGGUAN).pk}
    )
    assert [i.pk for i in found.context["listing"].object_list] == [p.item.pk]
    assert not client.get(reverse("plan-item-list"), {"q": "没有这个词"}).context["listing"].object_list
    assert [
        i.pk for i in client.get(reverse("plan-item-list"), {"level": "county"}).context["listing"].object_list
    ] == [p.item.pk]
