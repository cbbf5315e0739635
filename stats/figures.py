"""The figures of the mechanism (DOMAIN.md, API.md ``stats/summary/``), each defined ONCE here.

A figure is either a count or a rate (numerator ÷ denominator, a percentage with two decimals,
``None`` when the denominator is 0). Every count is one named ``Count(filter=Q(...))`` of one
*source* (consultations, meetings, recommendations, referrals, decisions); a source is the set
of records that belong to a period [from, to] (Asia/Shanghai calendar days), a region and its subtree
(through the records' own ``region``/``city`` columns), a
work task and, for a unit's own view, a unit. The dashboard, the unit view, the report, the
snapshots and the API all read the figures through :func:`compute`, so they cannot disagree.

Queries: :func:`compute` runs ONE query for all sources and all months (a ``UNION ALL`` of one
grouped aggregate per source); the totals are the sums of the months. :func:`breakdown` runs one
query per dimension (work task, region, unit) for every source at once (:mod:`stats.breakdowns`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import TruncDate, TruncMonth
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import JudicialRecommendation, Referral, ReferralKind
from meetings.models import Consultation, Decision, Invitation, Meeting
from plans.models import Plan, PlanItem
from plans.selectors import items_of_units
from stats.scope import SHANGHAI, Scope, rate

MAX_COUNTS = 9  # the widest source (referrals) has nine counts; the others are padded with zeros

# --- sources: which records belong to a scope, and their named counts ---------------------------------------


def _tasks_exists(through: Any, own: str, task: int) -> Exists:
    return Exists(through.objects.filter(**{own: OuterRef("pk"), "worktask_id": task}))


@dataclass(frozen=True)
class Source:
    key: str
    label: Promise
    base: Callable[[], QuerySet]
    date_field: str
    is_datetime: bool
    unit_field: str  # the unit a record is counted for in the by-unit breakdown (the unit that must act)
    task_field: str  # the task id reached through the M2M (for the by-task breakdown)
    task_filter: Callable[[int], Any]
    unit_filter: Callable[[int], Any]  # a Q, or a Q combined with an Exists
    counts: dict[str, Callable[[date], Q]]
    main: str  # the count drawn in the breakdown charts
    list_url: str
    main_params: dict[str, Any] = field(default_factory=dict)
    path: str = ""  # how a record reaches the ``region``/``city`` columns it lives by ("meeting__": its meeting's)

    def in_scope(self, scope: Scope, *, period: bool = True) -> QuerySet:
        qs = self.base()
        if period:
            if self.is_datetime:
                qs = qs.filter(
                    **{f"{self.date_field}__gte": scope.start_at, f"{self.date_field}__lt": scope.end_before}
                )
            else:
                qs = qs.filter(**{f"{self.date_field}__gte": scope.start, f"{self.date_field}__lte": scope.end})
        if scope.region:
            qs = qs.filter(scope.region_q(region_field=f"{self.path}region", city_field=f"{self.path}city"))
        if scope.task:
            qs = qs.filter(self.task_filter(scope.task))
        if scope.unit:
            qs = qs.filter(self.unit_filter(scope.unit))
        return qs

    def month_expression(self) -> Any:
        if self.is_datetime:
            return TruncMonth(self.date_field, tzinfo=SHANGHAI, output_field=DateField())
        return TruncMonth(self.date_field, output_field=DateField())


R = JudicialRecommendation
RS = JudicialRecommendation.Status
FS = Referral.Status
HELD = (Meeting.Status.HELD, Meeting.Status.CLOSED)
JOINT_KINDS = (Meeting.Kind.JOINT_MEETING, Meeting.Kind.LEADING_GROUP)
ATTENDED = (Invitation.Attendance.PRESENT, Invitation.Attendance.DELEGATE)  # came, in person or by a delegate
TRIBUNAL = "tribunal_mediation"  # 人民法庭对接化解 (a ReferralKind code)


def _recommendations() -> QuerySet:
    return (
        R.objects.filter(issued_on__isnull=False)
        .exclude(status=RS.WITHDRAWN)
        .annotate(replied_on=TruncDate("replied_at", tzinfo=SHANGHAI))
    )


def _kind(code: str) -> Subquery:
    """A referral kind's id by its code, as a subquery the database runs once per query (no join per row)."""
    return Subquery(ReferralKind.objects.filter(code=code).values("pk")[:1])


def _referrals() -> QuerySet:
    return Referral.objects.filter(sent_at__isnull=False).exclude(status__in=[FS.DRAFT, FS.REVOKED])


# "Overdue" is one rule (fuyuan.lib.deadlines.OverdueQuerySet); each model says its statuses and due field.
recommendation_overdue_q = R.objects.overdue_q
referral_overdue_q = Referral.objects.overdue_q
decision_overdue_q = Decision.objects.overdue_q


SOURCES: dict[str, Source] = {
    s.key: s
    for s in [
        Source(
            key="consultations",
            label=_("会商"),
            base=lambda: Consultation.objects.all(),
            date_field="held_on",
            is_datetime=False,
            unit_field="logging_unit",
            task_field="tasks",
            task_filter=lambda t: _tasks_exists(Consultation.tasks.through, "consultation_id", t),
            unit_filter=lambda u: (
                Q(logging_unit_id=u)
                | Exists(Consultation.units.through.objects.filter(consultation_id=OuterRef("pk"), memberunit_id=u))
            ),
            counts={"consultations": lambda today: Q()},
            main="consultations",
            list_url="consultation-list",
        ),
        Source(
            key="meetings",
            label=_("会议"),
            base=lambda: Meeting.objects.filter(status__in=HELD),
            date_field="starts_at",
            is_datetime=True,
            unit_field="convener",
            task_field="tasks",
            task_filter=lambda t: _tasks_exists(Meeting.tasks.through, "meeting_id", t),
            unit_filter=lambda u: (
                Q(convener_id=u) | Exists(Invitation.objects.filter(meeting_id=OuterRef("pk"), unit_id=u))
            ),
            counts={
                "meetings_held": lambda today: Q(),
                "joint_meetings": lambda today: Q(kind__in=JOINT_KINDS),
                "case_symposiums": lambda today: Q(kind=Meeting.Kind.CASE_SYMPOSIUM),
            },
            main="meetings_held",
            list_url="meeting-list",
        ),
        Source(
            key="recommendations",
            label=_("司法建议"),
            base=_recommendations,
            date_field="issued_on",
            is_datetime=False,
            unit_field="addressee",
            task_field="tasks",
            task_filter=lambda t: _tasks_exists(R.tasks.through, "judicialrecommendation_id", t),
            unit_filter=lambda u: Q(addressee_id=u) | Q(court_id=u),
            counts={
                "recommendations_issued": lambda today: Q(),
                "recommendations_replied": lambda today: Q(replied_at__isnull=False),
                "recommendations_replied_on_time": lambda today: Q(
                    replied_at__isnull=False, reply_due__isnull=False, replied_on__lte=F("reply_due")
                ),
                "recommendations_reply_expected": lambda today: Q(replied_at__isnull=False) | Q(reply_due__lt=today),
                "recommendations_overdue": recommendation_overdue_q,
                "recommendations_escalated": lambda today: Q(escalated_at__isnull=False),
            },
            main="recommendations_issued",
            list_url="recommendation-list",
        ),
        Source(
            key="referrals",
            label=_("案件移送"),
            base=_referrals,
            date_field="sent_at",
            is_datetime=True,
            unit_field="receiver",
            task_field="tasks",
            task_filter=lambda t: _tasks_exists(Referral.tasks.through, "referral_id", t),
            unit_filter=lambda u: Q(sender_id=u) | Q(receiver_id=u) | Q(handler_id=u),
            counts={
                "referrals_sent": lambda today: Q(),
                "mediation_delegated": lambda today: Q(kind_id=_kind("mediation")),
                "mediation_resolved": lambda today: Q(
                    kind_id=_kind("mediation"), status=FS.CONCLUDED, outcome="resolved"
                ),
                "criminal_transfers": lambda today: Q(kind_id=_kind("criminal_transfer")),
                "criminal_decided": lambda today: Q(kind_id=_kind("criminal_transfer"), status=FS.CONCLUDED),
                "criminal_cases_opened": lambda today: Q(
                    kind_id=_kind("criminal_transfer"), status=FS.CONCLUDED, outcome="case_opened"
                ),
                "referrals_overdue": referral_overdue_q,
                "tribunal_concluded": lambda today: Q(kind_id=_kind(TRIBUNAL), status=FS.CONCLUDED),
                "tribunal_resolved": lambda today: Q(kind_id=_kind(TRIBUNAL), status=FS.CONCLUDED, outcome="resolved"),
            },
            main="referrals_sent",
            list_url="referral-list",
        ),
        Source(
            key="decisions",
            label=_("议定事项"),
            base=lambda: Decision.objects.all(),
            date_field="meeting__starts_at",
            is_datetime=True,
            unit_field="owner_unit",
            task_field="meeting__tasks",
            task_filter=lambda t: Exists(
                Meeting.tasks.through.objects.filter(meeting_id=OuterRef("meeting_id"), worktask_id=t)
            ),
            unit_filter=lambda u: (
                Q(owner_unit_id=u)
                | Exists(Decision.supporting_units.through.objects.filter(decision_id=OuterRef("pk"), memberunit_id=u))
            ),
            counts={
                "decisions": lambda today: Q(),
                "decisions_open": lambda today: Q(status=Decision.Status.OPEN),
                "decisions_overdue": decision_overdue_q,
            },
            main="decisions",
            list_url="decision-list",
            main_params={"status": ""},
        ),
    ]
}
# 签到: the invited units of held meetings, for the attendance rate. Counted with the figures, not drawn in the
# breakdown charts (a unit per meeting would dwarf the records there).
ATTENDANCE = Source(
    key="attendance",
    label=_("会议签到"),
    base=lambda: Invitation.objects.filter(meeting__status__in=HELD, signed_at__isnull=False),  # on a saved list
    date_field="meeting__starts_at",
    is_datetime=True,
    unit_field="unit",
    task_field="meeting__tasks",
    task_filter=lambda t: Exists(
        Meeting.tasks.through.objects.filter(meeting_id=OuterRef("meeting_id"), worktask_id=t)
    ),
    unit_filter=lambda u: Q(unit_id=u),
    counts={
        "units_signed": lambda today: Q(),
        "units_attended": lambda today: Q(attendance__in=ATTENDED),
    },
    main="units_attended",
    list_url="meeting-list",
    path="meeting__",
)
# 工作要点: the items of published plans due in the period (a year's plan: its items, each due in that year).
PLAN_ITEMS = Source(
    key="plans",
    label=_("工作要点事项"),
    base=lambda: PlanItem.objects.filter(plan__status=Plan.Status.PUBLISHED),
    date_field="due",
    is_datetime=False,
    unit_field="lead_unit",
    task_field="task",
    task_filter=lambda t: Q(task_id=t),
    unit_filter=lambda u: items_of_units((u,)),
    counts={
        "plan_items": lambda today: Q(),
        "plan_items_done": lambda today: Q(status=PlanItem.Status.ACCEPTED),
        "plan_items_overdue": PlanItem.objects.overdue_q,
        "plan_items_expected": lambda today: Q(due__lte=today) | Q(status=PlanItem.Status.ACCEPTED),
    },
    main="plan_items",
    list_url="plan-item-list",
)
#: Every source the figures count (the charts and the report draw ``SOURCES``, the records themselves).
ALL_SOURCES: dict[str, Source] = {**SOURCES, ATTENDANCE.key: ATTENDANCE, PLAN_ITEMS.key: PLAN_ITEMS}
COUNT_SOURCE: dict[str, str] = {name: s.key for s in ALL_SOURCES.values() for name in s.counts}

# --- the figures -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure: a count (``count``) or a rate (``numerator`` ÷ ``denominator``)."""

    key: str
    label: Promise
    definition: Promise
    count: str = ""
    numerator: str = ""
    denominator: str = ""
    link: dict[str, Any] = field(default_factory=dict)  # extra list filters of the count (or the numerator)
    denominator_link: dict[str, Any] = field(default_factory=dict)
    period: bool = True  # False: a list of what is late now is not limited to the period

    @property
    def is_rate(self) -> bool:
        return bool(self.numerator)

    @property
    def source(self) -> Source:
        return ALL_SOURCES[COUNT_SOURCE[self.count or self.numerator]]

    def result(self, counts: dict[str, int]) -> dict[str, Any]:
        if self.is_rate:
            n, d = counts.get(self.numerator, 0), counts.get(self.denominator, 0)
            return {"numerator": n, "denominator": d, "rate": rate(n, d)}
        return {"value": counts.get(self.count, 0)}

    def url(self, scope: Scope, *, denominator: bool = False) -> str:
        extra = self.denominator_link if denominator else self.link
        return list_url(self.source, scope, extra)


@lru_cache(maxsize=64)
def _reverse(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:  # the list page is not installed
        return ""


def list_url(source: Source, scope: Scope, extra: dict[str, Any] | None = None, *, period: bool = True) -> str:
    base = _reverse(source.list_url)
    if not base:
        return ""
    params = {**scope.params(period=period), **source.main_params, **(extra or {})}
    return f"{base}?{urlencode({k: v for k, v in params.items() if v is not None})}"


FIGURES: list[Figure] = [
    Figure(
        "consultations",
        _("府院联席会商"),
        _("期间内(按会商日期)登记的会商件数,含各级法院和行政机关登记的联席会商。"),
        count="consultations",
    ),
    Figure(
        "joint_meetings",
        _("府院联席会议"),
        _("期间内(按开始时间)已召开或已办结的联席会议和领导小组会议次数;已安排未召开、已取消的不计。"),
        count="joint_meetings",
        link={"kind": "joint_meeting"},
    ),
    Figure(
        "case_symposiums",
        _("重大案件座谈"),
        _("期间内(按开始时间)已召开或已办结的重大案件座谈次数。"),
        count="case_symposiums",
        link={"kind": "case_symposium"},
    ),
    Figure(
        "attendance_rate",
        _("参会率"),
        _(
            "期间内(按开始时间)已召开或已办结、已登记签到表的会议中,出席(含委派代表出席)的受邀单位数"
            " ÷ 受邀单位数;未登记签到表的会议不计。"
        ),
        numerator="units_attended",
        denominator="units_signed",
    ),
    Figure(
        "recommendations_issued",
        _("司法建议"),
        _("期间内(按发出日期)发出的司法建议件数;草稿和已撤回的不计。"),
        count="recommendations_issued",
    ),
    Figure(
        "recommendation_reply_rate",
        _("司法建议回复率"),
        _("期间内发出的司法建议中已书面回复的件数 ÷ 期间内发出的件数。"),
        numerator="recommendations_replied",
        denominator="recommendations_issued",
        link={"status": "replied"},
    ),
    Figure(
        "recommendation_on_time_reply_rate",
        _("司法建议按期回复率"),
        _("期间内发出的司法建议中在回复期限内(含期限当日)回复的件数 ÷ 应已回复的件数(已回复的,或回复期限已过的)。"),
        numerator="recommendations_replied_on_time",
        denominator="recommendations_reply_expected",
        link={"status": "replied"},
    ),
    Figure(
        "recommendations_overdue",
        _("司法建议逾期未复"),
        _("期间内发出的司法建议中,截至今日已过回复期限仍未回复的件数。"),
        count="recommendations_overdue",
        link={"overdue": "true"},
    ),
    Figure(
        "recommendations_escalated",
        _("通报主管部门"),
        _("期间内发出的司法建议中,因逾期未回复已通报主管部门的件数。"),
        count="recommendations_escalated",
        link={"escalated": "true"},
    ),
    Figure(
        "mediation_delegated",
        _("委派调解"),
        _("期间内(按移送时间)委派调解的案件数;草稿和已撤回的不计。"),
        count="mediation_delegated",
        link={"kind": "mediation"},
    ),
    Figure(
        "mediation_resolved",
        _("委派调解成功"),
        _("期间内委派的调解案件中,已办结且结果为调解成功的件数。"),
        count="mediation_resolved",
        link={"kind": "mediation", "status": "concluded"},
    ),
    Figure(
        "mediation_success_rate",
        _("委派调解成功率"),
        _("调解成功件数 ÷ 委派调解件数(同一期间、同一范围)。"),
        numerator="mediation_resolved",
        denominator="mediation_delegated",
        link={"kind": "mediation", "status": "concluded"},
        denominator_link={"kind": "mediation"},
    ),
    Figure(
        "tribunal_resolution_rate",
        _("人民法庭对接化解率"),
        _("期间内(按移送时间)人民法庭对接化解的案件中,已办结且结果为化解成功的件数 ÷ 已办结的件数。"),
        numerator="tribunal_resolved",
        denominator="tribunal_concluded",
        link={"kind": TRIBUNAL, "status": "concluded"},
        denominator_link={"kind": TRIBUNAL, "status": "concluded"},
    ),
    Figure(
        "criminal_transfers",
        _("两法衔接移送"),
        _("期间内(按移送时间)行政执法机关移送公安机关的涉嫌犯罪案件数。"),
        count="criminal_transfers",
        link={"kind": "criminal_transfer"},
    ),
    Figure(
        "criminal_cases_opened",
        _("移送后立案"),
        _("期间内移送的涉嫌犯罪案件中,公安机关决定立案的件数。"),
        count="criminal_cases_opened",
        link={"kind": "criminal_transfer", "status": "concluded"},
    ),
    Figure(
        "referrals_overdue",
        _("案件移送逾期"),
        _("期间内移送的案件中,已签收或已受理、截至今日已过办理期限仍未办结的件数。"),
        count="referrals_overdue",
        link={"overdue": "true"},
    ),
    Figure(
        "decisions_open",
        _("议定事项未办结"),
        _("期间内召开的会议形成的议定事项中,截至今日仍在办理的件数。"),
        count="decisions_open",
        link={"status": "open"},
    ),
    Figure(
        "decisions_overdue",
        _("议定事项逾期"),
        _("期间内召开的会议形成的议定事项中,截至今日已过完成时限仍未办结的件数。"),
        count="decisions_overdue",
        link={"status": "open", "overdue": "1"},
    ),
    Figure("plan_items", _("工作要点事项"), _("已印发的年度工作要点中,完成时限在期间内的事项数。"), count="plan_items"),
    Figure(
        "plan_items_done",
        _("工作要点已验收"),
        _("完成时限在期间内的工作要点事项中,办公室已验收的件数。"),
        count="plan_items_done",
        link={"status": "accepted"},
    ),
    Figure(
        "plan_items_overdue",
        _("工作要点逾期"),
        _("完成时限在期间内的工作要点事项中,截至今日已过完成时限仍在推进(或被退回)的件数。"),
        count="plan_items_overdue",
        link={"overdue": "true"},
    ),
    Figure(
        "plan_item_completion_rate",
        _("工作要点完成率"),
        _("已验收的件数 ÷ 截至今日应完成的件数(完成时限已到的,或已验收的)。"),
        numerator="plan_items_done",
        denominator="plan_items_expected",
        link={"status": "accepted"},
    ),
]
FIGURES_BY_KEY: dict[str, Figure] = {f.key: f for f in FIGURES}

# --- computing ---------------------------------------------------------------------------------------------------


@dataclass
class Computed:
    scope: Scope
    today: date
    counts: dict[str, int]
    monthly: dict[str, dict[str, int]]  # "YYYY-MM" → counts of that month

    def figures(self) -> dict[str, dict[str, Any]]:
        return {f.key: f.result(self.counts) for f in FIGURES}


def count_columns(
    source: Source, today: date, names: list[str] | None = None, width: int = MAX_COUNTS
) -> dict[str, Any]:
    """``c0``…: the counts ``names`` of the source (all by default), padded with zeros to ``width``."""
    columns: dict[str, Any] = {}
    names = list(source.counts) if names is None else names
    for i in range(width):
        if i < len(names):
            q = source.counts[names[i]](today)
            columns[f"c{i}"] = Count("pk", filter=q) if q else Count("pk")
        else:
            columns[f"c{i}"] = Value(0, output_field=IntegerField())
    return columns


def monthly_query(scope: Scope, today: date) -> QuerySet:
    """ONE query: per source and month, every count of the source (UNION ALL of grouped aggregates)."""
    parts = [
        source.in_scope(scope)
        .annotate(src=Value(source.key), month=source.month_expression())
        .values("src", "month")
        .annotate(**count_columns(source, today))
        .order_by()
        for source in ALL_SOURCES.values()
    ]
    return parts[0].union(*parts[1:], all=True)


def compute(scope: Scope, *, today: date | None = None) -> Computed:
    """Every count of every source for the scope, per month and in total, in one query."""
    today = today or timezone.localdate()
    counts = dict.fromkeys(COUNT_SOURCE, 0)
    monthly: dict[str, dict[str, int]] = {m.strftime("%Y-%m"): dict.fromkeys(COUNT_SOURCE, 0) for m in scope.months()}
    for row in monthly_query(scope, today):
        names = list(ALL_SOURCES[row["src"]].counts)
        month = row["month"].strftime("%Y-%m") if row["month"] else ""
        bucket = monthly.setdefault(month, dict.fromkeys(COUNT_SOURCE, 0))
        for i, name in enumerate(names):
            value = int(row[f"c{i}"] or 0)
            counts[name] += value
            bucket[name] += value
    return Computed(scope=scope, today=today, counts=counts, monthly=dict(sorted(monthly.items())))


def figure_values(scope: Scope, *, today: date | None = None) -> dict[str, dict[str, Any]]:
    """The figures of API.md for the scope: ``{key: {"value"} | {"numerator", "denominator", "rate"}}``."""
    return compute(scope, today=today).figures()


ALL_TIME = (date(1970, 1, 1), date(2999, 12, 31))


def source_counts(key: str, scope: Scope, *, today: date | None = None) -> dict[str, int]:
    """Every count of ONE source for the scope, in one aggregate (for a page that needs only that source)."""
    source, today = ALL_SOURCES[key], today or timezone.localdate()
    columns = {}
    for name, make_q in source.counts.items():
        q = make_q(today)
        columns[name] = Count("pk", filter=q) if q else Count("pk")
    return source.in_scope(scope).aggregate(**columns)
