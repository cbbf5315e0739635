"""The work plan's alert ladders, run by the one alert engine through the Celery task, with frozen time.

Item (due Tuesday 30 June 2026): due soon Tuesday 23 June 09:00 (7 days before) to the lead unit; overdue
Wednesday 1 July 09:00 to the lead unit and the office of the plan's level.

督办 (issued 5 February 2026, reply due Thursday 12 February): due soon 11 February 09:00 to the lead unit;
unanswered Friday 13 February 09:00 to the lead unit and the office; escalated 3 working days after the
deadline on the official calendar: 13 Feb (Fri) and 14 Feb (Sat, 调休 make-up workday) count, the Spring
Festival 15–23 Feb does not, so Tuesday 24 February 09:00 (Monday to Friday counting would say 17 Feb).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from members.models import Notification
from plans import services
from plans.alerts import scan_alerts
from plans.models import PlanItem, Supervision
from plans.tasks import scan_plan_alerts
from tests import levels
from tests.factories import make_user
from tests.plans.fixtures import Place, place, publish

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
LEVELS = [levels.PROVINCE, levels.LANZHOU, levels.CHENGGUAN]


def at(day: str, hour: int = 9, minute: int = 0) -> datetime:
    y, m, d = (int(p) for p in day.split("-"))
    return datetime(y, m, d, hour, minute, tzinfo=TZ)


def scan(when: datetime) -> int:
    """One beat of the periodic task (the Celery task's function, as the worker runs it)."""
    with time_machine.travel(when, tick=False):
        return scan_plan_alerts()


def notices(event: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(event=event).values_list("stage", "recipient__username"))


def published(code: str, when: str = "2026-03-02") -> Place:
    with time_machine.travel(at(when, 10), tick=False):
        return publish(place(code))


# --- Items ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", LEVELS)
def test_an_item_reminds_its_lead_unit_7_days_before_and_is_overdue_the_day_after(code: str) -> None:
    p = published(code)
    assert p.item.next_alert_at == at("2026-06-23")
    assert scan(at("2026-06-23", 8, 59)) == 0
    assert notices("plan_item_due") == []
    assert scan(at("2026-06-23")) == 1
    assert notices("plan_item_due") == [("due-soon@20260630", p.lead_liaison.username)]  # not the supporting unit
    assert scan(at("2026-06-23", 9, 5)) == 0  # a double scan sends nothing more
    assert scan(at("2026-06-30", 23, 59)) == 0  # the due date itself is not overdue
    assert notices("plan_item_overdue") == []
    assert scan(at("2026-07-01")) == 1
    # The lead unit and the office of the plan's level, nobody else (no office above, no supporting unit).
    assert notices("plan_item_overdue") == sorted(
        [("overdue@20260630", p.lead_liaison.username), ("overdue@20260630", p.office.username)]
    )
    p.item.refresh_from_db()
    assert p.item.next_alert_at is None
    assert scan(at("2026-07-08")) == 0
    assert Notification.objects.filter(event__in=["plan_item_due", "plan_item_overdue"]).count() == 3


def test_the_overdue_notice_of_a_county_plan_reaches_its_county_office_not_the_city_one() -> None:
    city_office = levels.office_user_at(levels.LANZHOU)
    p = published(levels.CHENGGUAN)
    scan(at("2026-07-01"))
    people = {u for _, u in notices("plan_item_overdue")}
    assert p.office.username in people and city_office.username not in people


def test_a_changed_due_date_rearms_the_ladder() -> None:
    p = published(levels.LANZHOU)
    scan(at("2026-06-23"))
    with time_machine.travel(at("2026-06-24", 10), tick=False):
        services.item_update(item=p.item, by=p.office, due=date(2026, 8, 31))
    p.item.refresh_from_db()
    assert p.item.next_alert_at == at("2026-08-24")
    assert scan(at("2026-07-01")) == 0  # the old date's overdue stage is gone
    assert notices("plan_item_overdue") == []
    assert scan(at("2026-08-24")) == 1
    assert notices("plan_item_due") == [
        ("due-soon@20260630", p.lead_liaison.username),
        ("due-soon@20260831", p.lead_liaison.username),
    ]


def test_an_item_reported_done_or_accepted_is_disarmed_and_a_returned_one_rearmed() -> None:
    p = published(levels.CHENGGUAN)
    with time_machine.travel(at("2026-06-25", 10), tick=False):
        services.item_complete(item=p.item, by=p.lead_liaison, summary="完成")
    p.item.refresh_from_db()
    assert p.item.next_alert_at is None
    assert scan(at("2026-07-01")) == 0 and notices("plan_item_overdue") == []
    with time_machine.travel(at("2026-07-02", 10), tick=False):
        services.item_return(item=p.item, by=p.office, reason="缺少佐证材料")
    p.item.refresh_from_db()
    assert p.item.next_alert_at == at("2026-07-01")  # at work again, past its due date: overdue at the next beat
    assert scan(at("2026-07-02", 10, 5)) == 1
    assert [u for _, u in notices("plan_item_overdue")] == sorted([p.lead_liaison.username, p.office.username])
    with time_machine.travel(at("2026-07-03", 10), tick=False):
        services.item_complete(item=p.item, by=p.lead_liaison, summary="补齐材料")
        services.item_accept(item=p.item, by=p.office)
    p.item.refresh_from_db()
    assert p.item.next_alert_at is None
    assert scan(at("2026-12-31")) == 0


def test_a_draft_plans_items_are_not_armed() -> None:
    with time_machine.travel(at("2026-03-02", 10), tick=False):
        p = place(levels.PROVINCE)
    assert p.item.next_alert_at is None and PlanItem.objects.filter(next_alert_at__isnull=False).count() == 0
    assert scan(at("2026-07-01")) == 0


# --- 督办 ------------------------------------------------------------------------------------------------


def supervised(code: str) -> tuple[Place, Supervision, object]:
    """A published plan (2 Feb) with a 督办 issued 5 Feb, due 12 Feb; the lead unit has a supervising authority."""
    p = published(code, "2026-02-02")
    authority = levels.unit_at(code, f"主管部门{code}")
    p.lead.supervisor = authority
    p.lead.save()
    boss = make_user("liaison", authority, username=f"authority{code}")
    with time_machine.travel(at("2026-02-05", 10), tick=False):
        sup = services.supervision_issue(item=p.item, by=p.office, text="请说明滞后原因", due=date(2026, 2, 12))
    return p, sup, boss


@pytest.mark.parametrize(
    ("code", "above"),
    [(levels.PROVINCE, None), (levels.LANZHOU, levels.PROVINCE), (levels.CHENGGUAN, levels.LANZHOU)],
)
def test_a_supervision_reminds_then_is_overdue_then_escalates_on_the_official_calendar(
    code: str, above: str | None
) -> None:
    office_above = levels.office_user_at(above, username=f"above{above}") if above else None
    below = levels.office_user_at(levels.QILIHE, username="below") if code != levels.CHENGGUAN else None
    p, sup, boss = supervised(code)
    assert sup.next_alert_at == at("2026-02-11")
    assert scan(at("2026-02-11")) == 1
    assert notices("supervision_due") == [("due-soon@20260212", p.lead_liaison.username)]
    assert scan(at("2026-02-12", 23, 59)) == 0
    assert scan(at("2026-02-13")) == 1
    assert notices("supervision_overdue") == sorted(
        [("overdue@20260212", p.lead_liaison.username), ("overdue@20260212", p.office.username)]
    )
    sup.refresh_from_db()
    assert sup.next_alert_at == at("2026-02-24")  # 13 Feb, 14 Feb (调休), holiday 15–23, 24 Feb
    assert scan(at("2026-02-17")) == 0  # three weekdays later, but in the Spring Festival holiday
    assert notices("supervision_escalated") == []
    assert scan(at("2026-02-24")) == 1
    expected = {p.lead_liaison.username, p.office.username, boss.username}
    if office_above is not None:
        expected.add(office_above.username)  # the office one level up: county → city, city → province
    escalated = notices("supervision_escalated")
    assert {u for _, u in escalated} == expected and {s for s, _ in escalated} == {"escalated@20260212"}
    if below is not None:
        assert below.username not in {u for _, u in escalated}
    assert scan(at("2026-02-24", 9, 5)) == 0 and scan(at("2026-03-31")) == 0
    sup.refresh_from_db()
    assert sup.next_alert_at is None


def test_a_provincial_supervisions_escalation_reaches_the_provincial_office_and_no_one_above() -> None:
    city_office = levels.office_user_at(levels.LANZHOU, username="city_office")
    p, _sup, boss = supervised(levels.PROVINCE)
    scan(at("2026-02-13"))
    scan(at("2026-02-24"))
    people = {u for _, u in notices("supervision_escalated")}
    assert people == {p.lead_liaison.username, p.office.username, boss.username}
    assert city_office.username not in people


def test_an_answered_supervision_is_disarmed() -> None:
    p, sup, _boss = supervised(levels.LANZHOU)
    scan(at("2026-02-13"))
    with time_machine.travel(at("2026-02-13", 15), tick=False):
        services.supervision_answer(supervision=sup, by=p.lead_liaison, text="本月底完成")
    sup.refresh_from_db()
    assert sup.status == Supervision.Status.ANSWERED and sup.next_alert_at is None
    assert scan(at("2026-02-24")) == 0
    assert notices("supervision_escalated") == []


def test_two_scans_of_the_same_beat_send_each_notice_once() -> None:
    _p, _sup, _boss = supervised(levels.CHENGGUAN)
    with time_machine.travel(at("2026-02-13"), tick=False):
        scan_alerts(now=at("2026-02-13"))
        Supervision.objects.update(next_alert_at=at("2026-02-13"))  # as if a second beat claimed it again
        scan_alerts(now=at("2026-02-13"))
    assert len(notices("supervision_overdue")) == 2  # lead + office, once each
    assert len(notices("supervision_due")) == 0  # its window closed at midnight before: not sent late


# --- Cost ------------------------------------------------------------------------------------------------


def test_the_scan_with_nothing_due_costs_one_query(django_assert_num_queries) -> None:
    for code in LEVELS:
        supervised(code)  # armed rows whose stages are still to come
    with time_machine.travel(at("2026-02-06"), tick=False):
        with django_assert_num_queries(1) as ctx:
            # PlanItem: next_alert_at <= now (the partial index planitem_alert_due) UNION ALL
            # Supervision: next_alert_at <= now (the partial index supervision_alert_due); no join
            assert scan_plan_alerts() == 0
    sql = ctx.captured_queries[0]["sql"]
    assert sql.count('"next_alert_at" <=') == 2 and "UNION ALL" in sql and "JOIN" not in sql
    assert "plans_planitem" in sql and "plans_supervision" in sql
