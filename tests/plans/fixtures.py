"""Places for the work-plan tests: a plan of a level with an item, its lead and supporting units' people.

``place(code)`` builds, at the level of region ``code`` (``tests.levels``: PROVINCE, LANZHOU, CHENGGUAN…),
the office, a leader, a lead unit with a liaison, a supporting unit with a liaison, and a draft plan for
2026 with one item under task 1 due 2026-06-30. Publish it with ``publish(place)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from members.models import MemberUnit, User, WorkTask
from plans import services
from plans.models import Plan, PlanItem
from tests import levels

YEAR = 2026


@dataclass
class Place:
    code: str
    office: User
    leader: User
    lead: MemberUnit
    lead_liaison: User
    support: MemberUnit
    support_liaison: User
    plan: Plan
    item: PlanItem


def task(number: int = 1) -> WorkTask:
    levels.office_unit_at(levels.PROVINCE)  # the organisation (tasks, units, regions) is loaded
    return WorkTask.objects.get(number=number)


def place(code: str = levels.PROVINCE, *, suffix: str = "") -> Place:
    office = levels.office_user_at(code, username=f"office{code}{suffix}")
    leader = levels.leader_at(code, username=f"leader{code}{suffix}")
    lead = levels.unit_at(code, f"牵头单位{code}{suffix}")
    support = levels.unit_at(code, f"配合单位{code}{suffix}")
    lead_liaison = levels.liaison_at(lead, username=f"lead{code}{suffix}")
    support_liaison = levels.liaison_at(support, username=f"support{code}{suffix}")
    plan = services.plan_create(by=office, year=YEAR, region=levels.region(code))
    item = services.item_add(
        plan=plan,
        by=office,
        task=task(1),
        text="推动行政机关负责人出庭应诉常态化",
        lead_unit=lead,
        supporting_units=[support],
        due=date(YEAR, 6, 30),
    )
    return Place(code, office, leader, lead, lead_liaison, support, support_liaison, plan, item)


def publish(p: Place) -> Place:
    services.plan_publish(plan=p.plan, by=p.office)
    p.plan.refresh_from_db()
    p.item.refresh_from_db()
    return p
