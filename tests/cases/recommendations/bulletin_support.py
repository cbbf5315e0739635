"""A year of judicial recommendations for the quarterly bulletin tests, written through the services at the
days they happen (time travel), and small helpers.

The quarter under test is 2026 Q3 (1 July – 30 September); its bulletins are made on 8 October 2026, the first
working day of Q4 after the National Day holidays. The cast's 测试局甲 (``cast.unit``) answers to the supervising
authority ``sup`` (its liaison ``sup_liaison``), 测试局乙 (``cast.other_unit``) to ``other_sup``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from cases.models import BulletinEntry, JudicialRecommendation, RecommendationBulletin
from cases.recommendations import followup, services
from members.models import MemberUnit, User
from members.roles import Role
from tests.factories import UnitFactory, make_user

TZ = ZoneInfo("Asia/Shanghai")
Q3 = (2026, 3)
GENERATION_DAY = date(2026, 10, 8)
Category = JudicialRecommendation.Category
Outcome = JudicialRecommendation.Outcome

_n = {"n": 0}


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


def travel(day: date, hour: int = 10) -> Any:
    return time_machine.travel(at(day, hour), tick=False)


def issue(
    clerk: User, addressee: MemberUnit, day: date, *, category: str = Category.OTHER, title: str = ""
) -> JudicialRecommendation:
    """A recommendation of the clerk's court to ``addressee``, issued on ``day`` (its policy: no approval)."""
    _n["n"] += 1
    with travel(day):
        rec = services.recommendation_create(
            by=clerk,
            title=title or f"季度通报测试司法建议{_n['n']}",
            addressee=addressee,
            number=f"({day.year})测中法建字第{_n['n']}号",
            case_number=f"({day.year})甘01行初{_n['n']}号",
            problem="执法程序不规范。",
            recommendation="建议规范执法程序。",
            category=category,
        )
        return services.recommendation_issue(recommendation=rec, by=clerk)


def acknowledge(rec: JudicialRecommendation, liaison: User, day: date) -> JudicialRecommendation:
    """签收 on ``day``: the reply is due two calendar months later (the courts' default policy)."""
    with travel(day):
        return services.recommendation_acknowledge(recommendation=rec, by=liaison)


def reply(
    rec: JudicialRecommendation, liaison: User, day: date, outcome: str, *, rectification_due: date | None = None
) -> JudicialRecommendation:
    adopting = outcome in JudicialRecommendation.ADOPTING
    with travel(day):
        return services.recommendation_reply(
            recommendation=rec,
            by=liaison,
            outcome=outcome,
            content="已研究。",
            measures="整改措施。" if adopting else "",
            reason="" if adopting else "法律依据不同。",
            rectification_due=rectification_due if adopting else None,
        )


def rectified(rec: JudicialRecommendation, liaison: User, day: date) -> JudicialRecommendation:
    with travel(day):
        return followup.recommendation_rectified(recommendation=rec, by=liaison, note="已完成整改。")


def visit(rec: JudicialRecommendation, clerk: User, day: date, result: str) -> JudicialRecommendation:
    with travel(day):
        return followup.recommendation_visit(recommendation=rec, by=clerk, result=result, note="回访情况。")


@dataclass
class Year:
    """The records of the year, by what they show, and the supervising authorities."""

    sup: MemberUnit
    other_sup: MemberUnit
    quiet_sup: MemberUnit
    sup_liaison: User
    other_sup_liaison: User
    recs: dict[str, JudicialRecommendation] = field(default_factory=dict)

    def number(self, key: str) -> str:
        return self.recs[key].number


def build_year(cast: Any) -> Year:
    """The records (each a case of the rules; their reply due dates follow from the 签收 day + 2 months)."""
    sup = UnitFactory(name="测试主管厅甲", short_name="主管甲")
    other_sup = UnitFactory(name="测试主管厅乙", short_name="主管乙")
    quiet_sup = UnitFactory(name="测试主管厅丙", short_name="主管丙")
    quiet_unit = UnitFactory(name="测试局丙", short_name="丙局", supervisor=quiet_sup)
    quiet_liaison = make_user(Role.LIAISON, quiet_unit, username="quiet_liaison")
    MemberUnit.objects.filter(pk=cast.unit.pk).update(supervisor=sup)
    MemberUnit.objects.filter(pk=cast.other_unit.pk).update(supervisor=other_sup)
    cast.unit.refresh_from_db()
    cast.other_unit.refresh_from_db()
    year = Year(
        sup=sup,
        other_sup=other_sup,
        quiet_sup=quiet_sup,
        sup_liaison=make_user(Role.LIAISON, sup, username="sup_liaison"),
        other_sup_liaison=make_user(Role.LIAISON, other_sup, username="other_sup_liaison"),
    )
    clerk, liaison, unit = cast.clerk, cast.liaison, cast.unit
    recs = year.recs

    # Due 10 July, never replied: late (unreplied past due).
    recs["late_unreplied"] = r = issue(clerk, unit, date(2026, 5, 5), category=Category.LAW_ENFORCEMENT)
    acknowledge(r, liaison, date(2026, 5, 10))
    # Due 11 July, replied (adopting) on 20 July: late (replied late in the quarter), and nothing else.
    recs["late_replied"] = r = issue(clerk, unit, date(2026, 5, 6), category=Category.REGULATION)
    acknowledge(r, liaison, date(2026, 5, 11))
    reply(r, liaison, date(2026, 7, 20), Outcome.ADOPTED, rectification_due=date(2026, 12, 31))
    # Due 6 May, replied late on 3 July (Q3): late in Q3 although its due date passed in Q2.
    recs["late_from_q2"] = r = issue(clerk, unit, date(2026, 3, 5), category=Category.SOCIAL_GOVERNANCE)
    acknowledge(r, liaison, date(2026, 3, 6))
    reply(r, liaison, date(2026, 7, 3), Outcome.PARTLY_ADOPTED, rectification_due=date(2026, 12, 31))
    # Due 12 July, replied on time (1 July) and adopted: not listed.
    recs["on_time"] = r = issue(clerk, unit, date(2026, 5, 7), category=Category.FINANCE)
    acknowledge(r, liaison, date(2026, 5, 12))
    reply(r, liaison, date(2026, 7, 1), Outcome.ADOPTED, rectification_due=date(2026, 12, 31))
    # Due 2 August, not adopted on 15 July (on time): not adopted only.
    recs["not_adopted"] = r = issue(clerk, unit, date(2026, 6, 1), category=Category.ENVIRONMENT)
    acknowledge(r, liaison, date(2026, 6, 2))
    reply(r, liaison, date(2026, 7, 15), Outcome.NOT_ADOPTED)
    # Due 11 June, not adopted on 8 July: late and not adopted.
    recs["late_not_adopted"] = r = issue(clerk, unit, date(2026, 4, 10), category=Category.BUSINESS)
    acknowledge(r, liaison, date(2026, 4, 11))
    reply(r, liaison, date(2026, 7, 8), Outcome.NOT_ADOPTED)
    # Adopted in April with rectification due 31 August, never reported done: not rectified (deadline passed).
    recs["rect_overdue"] = r = issue(clerk, unit, date(2026, 2, 2), category=Category.LAW_ENFORCEMENT)
    acknowledge(r, liaison, date(2026, 2, 3))
    reply(r, liaison, date(2026, 3, 1), Outcome.ADOPTED, rectification_due=date(2026, 8, 31))
    # Adopted, rectification due 15 August, reported done on 10 August: not listed.
    recs["rect_done"] = r = issue(clerk, unit, date(2026, 2, 4), category=Category.REGULATION)
    acknowledge(r, liaison, date(2026, 2, 5))
    reply(r, liaison, date(2026, 3, 2), Outcome.ADOPTED, rectification_due=date(2026, 8, 15))
    rectified(r, liaison, date(2026, 8, 10))
    # Adopted, rectification due 31 May (Q2), reported done, visited on 5 July: not rectified (the visit).
    recs["visit_not_rectified"] = r = issue(clerk, unit, date(2026, 1, 6), category=Category.SOCIAL_GOVERNANCE)
    acknowledge(r, liaison, date(2026, 1, 7))
    reply(r, liaison, date(2026, 2, 2), Outcome.ADOPTED, rectification_due=date(2026, 5, 31))
    rectified(r, liaison, date(2026, 5, 30))
    visit(r, clerk, date(2026, 7, 5), JudicialRecommendation.VisitResult.NOT_RECTIFIED)
    # Issued 3 August, the same category as "rect_overdue" (adopted 1 March): a recurrence issued in Q3.
    recs["recurred"] = issue(clerk, unit, date(2026, 8, 3), category=Category.LAW_ENFORCEMENT)
    # Issued 1 June, repeating "late_replied"? No: that one was adopted in July. This one repeats "rect_done"
    # (regulation, adopted 2 March) but was issued in Q2: not listed for Q3.
    recs["recurred_in_q2"] = issue(clerk, unit, date(2026, 6, 3), category=Category.REGULATION)
    # Due 9 July, withdrawn by the court on 20 June: not listed.
    recs["withdrawn"] = r = issue(clerk, unit, date(2026, 5, 8), category=Category.FINANCE)
    acknowledge(r, liaison, date(2026, 5, 9))
    with travel(date(2026, 6, 20)):
        services.recommendation_withdraw(recommendation=r, by=clerk, reason="案件已调解。")
    # Another supervisor: its unit's recommendation due 20 September, unreplied.
    recs["other_late"] = r = issue(clerk, cast.other_unit, date(2026, 7, 1), category=Category.OTHER)
    acknowledge(r, cast.other_liaison, date(2026, 7, 20))
    # A third supervisor whose unit replied on time: no bulletin at all.
    recs["quiet"] = r = issue(clerk, quiet_unit, date(2026, 6, 1), category=Category.OTHER)
    acknowledge(r, quiet_liaison, date(2026, 6, 2))
    reply(r, quiet_liaison, date(2026, 7, 2), Outcome.ADOPTED, rectification_due=date(2026, 12, 31))
    for key, rec in recs.items():
        recs[key] = JudicialRecommendation.objects.get(pk=rec.pk)
    return year


def reasons_by_number(bulletin: RecommendationBulletin) -> dict[str, set[str]]:
    return {e.number: set(e.reasons) for e in BulletinEntry.objects.filter(bulletin=bulletin)}


def make_bulletin(supervisor: MemberUnit, year: int, quarter: int, *, entries: int = 2) -> RecommendationBulletin:
    """A bulletin written directly (for the list, scope and query-count tests), with ``entries`` late rows."""
    from cases.recommendations.bulletins import quarter_bounds
    from members.levels import stamp

    start, end = quarter_bounds(year, quarter)
    bulletin = RecommendationBulletin(
        supervisor=supervisor,
        year=year,
        quarter=quarter,
        period_start=start,
        period_end=end,
        issuer="甘肃省府院联动工作领导小组办公室",
        entry_count=entries,
        late_reply_count=entries,
    )
    stamp(bulletin, supervisor)
    bulletin.save()
    BulletinEntry.objects.bulk_create(
        BulletinEntry(
            bulletin=bulletin,
            late_reply=True,
            number=f"(2026)直接第{bulletin.pk}-{i}号",
            title=f"直接写入的通报事项{i}",
            court_name="测试中级人民法院甲",
            addressee_name="测试局甲",
            reply_due=start,
        )
        for i in range(entries)
    )
    return bulletin
