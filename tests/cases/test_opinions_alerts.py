"""The alert ladder of legal opinions through the one alert engine, with frozen time (Asia/Shanghai).

Asked Monday 2 March 2026 → due Monday 23 March (15 working days): due soon Friday 20 March 09:00 (the court's
clerks) · overdue Tuesday 24 March 09:00 (the clerks and the office of the opinion's level) · escalated
Thursday 2 April 09:00, 10 days overdue (the office one level up, and the office of its level again).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.opinions import services
from cases.tasks import scan_opinion_alerts
from tests.cases.opinions_support import ask, notices
from tests.levels import CHENGGUAN, LANZHOU, PROVINCE, clerk_at, court_at, liaison_at, office_user_at, unit_at

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
ASKED = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


def at(day: str, hour: int = 9, minute: int = 0) -> datetime:
    y, m, d = (int(p) for p in day.split("-"))
    return datetime(y, m, d, hour, minute, tzinfo=TZ)


def scan(when: datetime) -> int:
    with time_machine.travel(when, tick=False):
        return scan_opinion_alerts()


@pytest.fixture
def county():
    """An opinion of 城关区 (a county department asks the 城关区 basic court), with the offices of the county,
    of 兰州市 above it and of the province."""
    unit = unit_at(CHENGGUAN, "城关区测试局")
    court = court_at(CHENGGUAN)
    people = {
        "liaison": liaison_at(unit, "cg_liaison"),
        "clerk": clerk_at(court, "cg_clerk"),
        "county_office": office_user_at(CHENGGUAN, "cg_office"),
        "city_office": office_user_at(LANZHOU, "lz_office"),
        "province_office": office_user_at(PROVINCE, "prov_office"),
    }
    with time_machine.travel(ASKED, tick=False):
        opinion = ask(people["liaison"], court)
    return opinion, people


def test_the_ladder_due_soon_overdue_escalated_each_once(county):
    opinion, _people = county
    assert opinion.due == date(2026, 3, 23)
    assert opinion.next_alert_at == at("2026-03-20")
    assert scan(at("2026-03-20", 8, 59)) == 0
    assert notices("opinion_due_soon") == []
    assert scan(at("2026-03-20")) == 1
    assert notices("opinion_due_soon") == [("opinion_due_soon", "due-soon@20260323", "cg_clerk")]
    assert scan(at("2026-03-20", 12)) == 0  # nothing due until the overdue stage
    scan(at("2026-03-24"))
    assert notices("opinion_overdue") == [
        ("opinion_overdue", "overdue@20260323", "cg_clerk"),
        ("opinion_overdue", "overdue@20260323", "cg_office"),
    ]
    opinion.refresh_from_db()
    assert opinion.escalated_at is None and opinion.overdue
    scan(at("2026-04-02", 8))
    assert notices("opinion_escalated") == []
    scan(at("2026-04-02"))
    assert notices("opinion_escalated") == [
        ("opinion_escalated", "escalated@20260323", "cg_clerk"),
        ("opinion_escalated", "escalated@20260323", "cg_office"),
        ("opinion_escalated", "escalated@20260323", "lz_office"),
    ]
    opinion.refresh_from_db()
    assert opinion.escalated_at is not None and opinion.next_alert_at is None
    before = notices()
    scan(at("2026-05-01"))  # a repeated or late scan sends nothing more
    assert notices() == before


def test_a_missed_scan_catches_up_without_sending_a_stage_past_its_window(county):
    scan(at("2026-03-25"))  # the scanner was down from before the due-soon stage until after the overdue one
    events = {event for event, _stage, _who in notices()}
    assert "opinion_overdue" in events and "opinion_due_soon" not in events


def test_an_answer_stops_the_ladder(county):
    opinion, people = county
    with time_machine.travel(at("2026-03-20", 10), tick=False):
        scan_opinion_alerts()
        services.opinion_answer(opinion=opinion, by=people["clerk"], answer="答复")
    opinion.refresh_from_db()
    assert opinion.next_alert_at is None
    scan(at("2026-04-30"))
    assert notices("opinion_overdue") == [] and notices("opinion_escalated") == []
    assert not opinion.overdue


def test_a_new_due_date_starts_a_fresh_ladder(county):
    opinion, people = county
    scan(at("2026-03-24"))
    assert len(notices("opinion_overdue")) == 2
    with time_machine.travel(at("2026-03-24", 11), tick=False):
        services.opinion_update(opinion=opinion, by=people["liaison"], changes={"due": date(2026, 3, 31)})
    opinion.refresh_from_db()
    assert opinion.next_alert_at == at("2026-03-28")
    scan(at("2026-04-01"))
    stages = {stage for _event, stage, _who in notices("opinion_overdue")}
    assert stages == {"overdue@20260323", "overdue@20260331"}


def test_a_provincial_opinion_has_no_office_above(cast):
    """The cast's units have no region: their opinion lives in the province, whose office (``office``) hears."""
    with time_machine.travel(ASKED, tick=False):
        opinion = ask(cast.liaison, cast.court)
    scan(at("2026-03-23") + timedelta(days=11))
    escalated = notices("opinion_escalated")
    assert {who for _e, _s, who in escalated} == {"clerk", "office"}
    opinion.refresh_from_db()
    assert opinion.escalated_at is not None


def test_a_scan_with_nothing_due_is_one_query(county, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert scan(at("2026-03-10")) == 0
