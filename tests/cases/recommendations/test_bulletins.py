"""The quarterly 通报: which recommendations go in and why, generating it twice, the daily task on the official
calendar, the notices, and the supervisor's liaisons' access to the listed recommendations."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError
from django_celery_beat.models import PeriodicTask

from cases.models import BulletinEntry, JudicialRecommendation, RecommendationBulletin
from cases.recommendations import bulletins
from cases.recommendations.bulletin_models import Reason
from cases.tasks import generate_recommendation_bulletins
from members.models import Notification
from tests.cases.recommendations.bulletin_support import (
    GENERATION_DAY,
    Year,
    build_year,
    reasons_by_number,
    travel,
)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

LATE, NOT_ADOPTED, NOT_RECTIFIED, RECURRED = (
    Reason.LATE_REPLY,
    Reason.NOT_ADOPTED,
    Reason.NOT_RECTIFIED,
    Reason.RECURRED,
)
EXPECTED = {
    "late_unreplied": {LATE},
    "late_replied": {LATE},
    "late_from_q2": {LATE},
    "not_adopted": {NOT_ADOPTED},
    "late_not_adopted": {LATE, NOT_ADOPTED},
    "rect_overdue": {NOT_RECTIFIED},
    "visit_not_rectified": {NOT_RECTIFIED},
    "recurred": {RECURRED},
}
NOT_LISTED = ("on_time", "rect_done", "recurred_in_q2", "withdrawn", "other_late", "quiet")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def year(cast) -> Year:
    return build_year(cast)


def generate(today: date = GENERATION_DAY) -> bulletins.Generated | None:
    with travel(today, hour=7):
        return bulletins.run_scheduled()


# --- The calendar ------------------------------------------------------------------------------------


def test_the_first_working_day_of_q4_2026_is_8_october_after_the_national_day_holidays():
    assert not chinese_calendar.is_workday(date(2026, 10, 7))
    assert chinese_calendar.is_workday(date(2026, 10, 8))
    assert bulletins.first_working_day(2026, 4) == date(2026, 10, 8)
    # 1 January 2026 is a holiday and 4 January (a Sunday) a make-up working day.
    assert bulletins.first_working_day(2026, 1) == date(2026, 1, 4)
    assert bulletins.first_working_day(2026, 3) == date(2026, 7, 1)
    assert bulletins.is_first_working_day_of_quarter(date(2026, 10, 8))
    for day in (date(2026, 10, 1), date(2026, 10, 7), date(2026, 10, 9), date(2026, 10, 10), date(2026, 11, 2)):
        assert not bulletins.is_first_working_day_of_quarter(day), day


def test_quarters_and_the_previous_quarter():
    assert bulletins.quarter_bounds(2026, 3) == (date(2026, 7, 1), date(2026, 9, 30))
    assert bulletins.quarter_bounds(2024, 1) == (date(2024, 1, 1), date(2024, 3, 31))
    assert bulletins.previous_quarter(date(2026, 10, 8)) == (2026, 3)
    assert bulletins.previous_quarter(date(2026, 1, 4)) == (2025, 4)


# --- Which recommendations, and why ------------------------------------------------------------------


def test_each_reason_is_picked_and_nothing_else(cast, year):
    result = generate()
    assert result is not None and (result.year, result.quarter) == (2026, 3)
    bulletin = RecommendationBulletin.objects.get(supervisor=year.sup, year=2026, quarter=3)
    found = reasons_by_number(bulletin)
    assert found == {year.number(key): reasons for key, reasons in EXPECTED.items()}
    for key in NOT_LISTED:
        assert year.number(key) not in found, key
    # The counts per reason, and the period and place stamped on it.
    assert (bulletin.entry_count, bulletin.late_reply_count, bulletin.not_adopted_count) == (8, 4, 2)
    assert (bulletin.not_rectified_count, bulletin.recurred_count) == (2, 1)
    assert (bulletin.period_start, bulletin.period_end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert bulletin.region is not None and bulletin.region.level == "province" and bulletin.city_id is None
    assert bulletin.issuer == f"{bulletin.region.name}府院联动工作领导小组办公室"
    assert bulletin.title == "关于2026年第三季度司法建议办理情况的通报"


def test_a_supervisor_gets_a_bulletin_only_for_its_own_units_and_none_without_entries(cast, year):
    generate()
    other = RecommendationBulletin.objects.get(supervisor=year.other_sup, year=2026, quarter=3)
    assert reasons_by_number(other) == {year.number("other_late"): {LATE}}
    assert not RecommendationBulletin.objects.filter(supervisor=year.quiet_sup).exists()
    assert RecommendationBulletin.objects.count() == 2


def test_a_recommendation_replied_on_time_and_adopted_is_not_listed(cast, year):
    rec = year.recs["on_time"]
    assert rec.reply_outcome == "adopted" and rec.replied_at is not None and rec.reply_due == date(2026, 7, 12)
    assert bulletins.reasons_of(rec, date(2026, 7, 1), date(2026, 9, 30)) == set()
    generate()
    assert not BulletinEntry.objects.filter(recommendation=rec).exists()


def test_the_entries_are_a_snapshot_of_what_was_sent(cast, year):
    generate()
    rec = year.recs["late_unreplied"]
    entry = BulletinEntry.objects.get(recommendation=rec)
    assert (entry.number, entry.title, entry.court_name, entry.addressee_name) == (
        rec.number,
        rec.title,
        cast.court.name,
        cast.unit.name,
    )
    assert (entry.reply_due, entry.replied_on, entry.days_late) == (date(2026, 7, 10), None, 82)
    late_replied = BulletinEntry.objects.get(recommendation=year.recs["late_replied"])
    assert (late_replied.reply_due, late_replied.replied_on, late_replied.days_late) == (
        date(2026, 7, 11),
        date(2026, 7, 20),
        9,
    )
    # The agency replies afterwards: the 通报 stays what it was, also when generated again.
    from tests.cases.recommendations.bulletin_support import reply

    reply(rec, cast.liaison, date(2026, 10, 9), "not_adopted")
    generate()
    entry.refresh_from_db()
    assert (entry.replied_on, entry.reply_outcome, entry.late_reply, entry.not_adopted) == (None, "", True, False)
    recurred = BulletinEntry.objects.get(recommendation=year.recs["recurred"])
    assert recurred.recurrence_numbers == year.number("rect_overdue")


def test_a_late_reply_judged_at_the_quarter_end(cast, year):
    """The rules, one record at a time: the due date passing in the quarter, a reply after the quarter."""
    rec = year.recs["late_unreplied"]  # due 10 July
    q2, q3 = (date(2026, 4, 1), date(2026, 6, 30)), (date(2026, 7, 1), date(2026, 9, 30))
    assert bulletins.reasons_of(rec, *q3) == {LATE}
    assert bulletins.reasons_of(rec, *q2) == set()
    rec.replied_at = bulletins.day_start(date(2026, 10, 20))  # replied in Q4, late
    rec.reply_outcome = "adopted"
    assert LATE in bulletins.reasons_of(rec, *q3)  # at the end of Q3 it was still unreplied
    assert bulletins.reasons_of(rec, date(2026, 10, 1), date(2026, 12, 31)) >= {LATE}  # and replied late in Q4
    rec.replied_at = bulletins.day_start(date(2026, 7, 10))  # on the due day: on time
    assert bulletins.reasons_of(rec, *q3) == set()


# --- Generating twice, sending once ------------------------------------------------------------------


def test_a_second_run_makes_no_duplicate_and_sends_nothing_twice(cast, year):
    first = generate()
    assert first is not None and (first.created, first.sent) == (2, 2)
    notices = Notification.objects.filter(event="recommendation.bulletin")
    sent = sorted(notices.values_list("recipient__username", flat=True))
    # The supervisor's liaisons and the office of the supervisor's level (here the province's).
    assert sent == sorted(["sup_liaison", "other_sup_liaison", "office", "office"])
    bulletin = RecommendationBulletin.objects.get(supervisor=year.sup)
    first_sent_at, entries = bulletin.sent_at, BulletinEntry.objects.count()
    assert first_sent_at is not None

    with travel(GENERATION_DAY, hour=15):
        second = bulletins.generate_bulletins(year=2026, quarter=3)
    assert (second.created, second.sent, len(second.bulletins)) == (0, 0, 2)
    assert RecommendationBulletin.objects.count() == 2
    assert BulletinEntry.objects.count() == entries
    assert notices.count() == 4
    bulletin.refresh_from_db()
    assert bulletin.sent_at == first_sent_at


def test_a_notice_reads_as_the_bulletin(cast, year):
    generate()
    notice = Notification.objects.get(event="recommendation.bulletin", recipient=year.sup_liaison)
    bulletin = RecommendationBulletin.objects.get(supervisor=year.sup)
    assert notice.subject == "司法建议季度通报:2026年第三季度(测试主管厅甲)"
    assert "8 件司法建议列入通报" in notice.body
    assert "逾期未回复 4 件" in notice.body
    assert notice.url == bulletin.get_absolute_url()


def test_a_bulletin_with_nobody_to_tell_is_sent_by_a_later_run(cast, year):
    year.sup_liaison.is_active = False
    year.sup_liaison.save()
    cast.office.is_active = False
    cast.office.save()
    generate()
    bulletin = RecommendationBulletin.objects.get(supervisor=year.sup)
    assert bulletin.sent_at is None
    assert not Notification.objects.filter(event="recommendation.bulletin", object_id=bulletin.pk).exists()
    year.sup_liaison.is_active = True
    year.sup_liaison.save()
    with travel(date(2026, 10, 9)):
        result = bulletins.generate_bulletins(year=2026, quarter=3)
    bulletin.refresh_from_db()
    assert result.sent == 1 and bulletin.sent_at is not None


def test_a_quarter_not_yet_over_is_refused_and_nothing_is_made(cast, year):
    with travel(date(2026, 9, 30)), pytest.raises(ValidationError) as refused:
        bulletins.generate_bulletins(year=2026, quarter=3)
    assert "尚未结束" in str(refused.value)
    for year_, quarter in ((2026, 0), (2026, 5), (1999, 1)):
        with travel(GENERATION_DAY), pytest.raises(ValidationError):
            bulletins.generate_bulletins(year=year_, quarter=quarter)
    assert not RecommendationBulletin.objects.exists()
    assert not Notification.objects.filter(event="recommendation.bulletin").exists()


# --- The daily task ----------------------------------------------------------------------------------


def test_the_task_acts_only_on_the_first_working_day_of_the_quarter(cast, year):
    for day in (date(2026, 10, 1), date(2026, 10, 7), date(2026, 9, 30)):
        with travel(day, hour=7):
            assert generate_recommendation_bulletins() is None, day
    assert not RecommendationBulletin.objects.exists()
    with travel(date(2026, 10, 8), hour=7):
        assert generate_recommendation_bulletins() == 2
    # The day after: nothing more (and nothing twice).
    notices = Notification.objects.filter(event="recommendation.bulletin").count()
    with travel(date(2026, 10, 9), hour=7):
        assert generate_recommendation_bulletins() is None
    assert Notification.objects.filter(event="recommendation.bulletin").count() == notices
    assert RecommendationBulletin.objects.filter(year=2026, quarter=3).count() == 2


def test_the_task_is_scheduled_daily_in_the_database_scheduler():
    task = PeriodicTask.objects.get(name="司法建议季度通报")
    assert task.task == "cases.generate_recommendation_bulletins"
    assert task.crontab is not None
    assert (task.crontab.hour, task.crontab.day_of_month, task.crontab.month_of_year) == ("7", "*", "*")
    assert str(task.crontab.timezone) == "Asia/Shanghai"


def test_on_the_first_working_day_of_january_the_bulletin_is_last_years_q4(cast):
    from tests.cases.recommendations.bulletin_support import acknowledge, issue

    sup = cast.other_unit
    cast.unit.supervisor = sup
    cast.unit.save()
    rec = issue(cast.clerk, cast.unit, date(2025, 9, 1))
    acknowledge(rec, cast.liaison, date(2025, 9, 2))  # due 2 November 2025
    with travel(date(2026, 1, 1), hour=7):
        assert bulletins.run_scheduled() is None  # New Year's Day
    with travel(date(2026, 1, 4), hour=7):  # a Sunday, and a make-up working day
        result = bulletins.run_scheduled()
    assert result is not None and (result.year, result.quarter) == (2025, 4)
    assert RecommendationBulletin.objects.get().supervisor == sup


# --- The supervisor's liaisons may open what was reported to them ---------------------------------------


def test_the_supervisors_liaisons_may_open_the_listed_recommendations_after_generation(cast, year):
    rec = year.recs["not_adopted"]  # neither escalated nor a recurrence: not yet known to the supervisor
    assert rec.supervisor_informed_at is None
    page = f"/recommendations/{rec.pk}/"
    assert client_for(year.sup_liaison).get(page).status_code == 404
    generate()
    rec.refresh_from_db()
    assert rec.supervisor_informed_at is not None
    assert client_for(year.sup_liaison).get(page).status_code == 200
    # Audited, and a second run leaves the first time as it was.
    assert rec.history.filter(history_change_reason="bulletin").count() == 1
    informed = rec.supervisor_informed_at
    with travel(GENERATION_DAY + timedelta(days=1)):
        bulletins.generate_bulletins(year=2026, quarter=3)
    rec.refresh_from_db()
    assert rec.supervisor_informed_at == informed
    assert rec.history.filter(history_change_reason="bulletin").count() == 1
    # Not listed: still closed to the supervisor.
    on_time = year.recs["on_time"]
    assert JudicialRecommendation.objects.get(pk=on_time.pk).supervisor_informed_at is None
    assert client_for(year.sup_liaison).get(f"/recommendations/{on_time.pk}/").status_code == 404


def test_generating_by_hand_needs_the_provincial_office_or_an_administrator(cast, year):
    from fuyuan.lib.errors import NotPermitted

    for user in (cast.liaison, year.sup_liaison, cast.clerk, cast.leader):
        with travel(GENERATION_DAY), pytest.raises(NotPermitted):
            bulletins.generate_by_hand(by=user, year=2026, quarter=3)
    assert not RecommendationBulletin.objects.exists()
    with travel(GENERATION_DAY):
        assert len(bulletins.generate_by_hand(by=cast.office, year=2026, quarter=3).bulletins) == 2
        assert bulletins.generate_by_hand(by=cast.admin, year=2026, quarter=3).sent == 0
