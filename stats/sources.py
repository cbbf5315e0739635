"""The sources of the figures: which records belong to a scope (period, region subtree, task, unit) and their
named counts. ``stats.figures`` defines the figures over these counts; a new kind of record adds its Source here
(at most ``MAX_COUNTS`` counts) and its figures there.

A source may also name *sums* of a decimal column (``sums={"enforcement_amount_recovered": ("amount_recovered",
lambda today: Q())}``, at most ``MAX_SUMS``): amounts in yuan, summed exactly by the database (``numeric`` on
PostgreSQL) alongside the counts, in the same query, and kept as ``Decimal`` (never a float)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import (
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate, TruncMonth
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import (
    EnforcementCase,
    EnforcementMeasure,
    Hearing,
    IPCase,
    JudicialRecommendation,
    Opinion,
    Referral,
    ReferralKind,
)
from cases.recommendations import counting
from library.models import LibraryDocument
from meetings.models import Consultation, Decision, Invitation, Meeting
from plans.models import Plan, PlanItem
from plans.selectors import items_of_units
from stats.scope import SHANGHAI, Scope

MAX_COUNTS = 10  # the widest source (the library) has ten counts; the others are padded with zeros
MAX_SUMS = 2  # the widest source (enforcement cases) has two sums; the others are padded with 0.00

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
    sums: dict[str, tuple[str, Callable[[date], Q]]] = field(default_factory=dict)  # name → (decimal column, filter)
    # The list's parameters for the period's first and last day and its year ("": none), on the date the source
    # counts by (the recommendation list reads ``from``/``to`` as the issue date, ``visited_from`` … as the visit's).
    period_params: tuple[str, str, str] = ("from", "to", "year")
    # The relations whose rows, when they change, change what a record counts (``decisions`` date by their meeting):
    # the rollups (``stats.rollups``) recount a record when its own row, one of its many-to-many rows or one of these
    # changes.
    follows: tuple[str, ...] = ()
    # A count that depends on the day (``reply_due < today``) is split in two disjoint parts: one that does not
    # (kept in the rollups) and one counted live among the open records (``name → (static Q, day's Q)``). A day
    # count not split here is counted live whole.
    split: dict[str, tuple[Callable[[], Q], Callable[[date], Q]]] = field(default_factory=dict)
    # Or the difference of two parts: "overdue now" is every open record with a due date (kept in the rollups) less
    # those not yet due (counted live), ``name → (static Q, day's Q)``. Overdue records pile up over the years;
    # those not yet due are the few of the last weeks, so the live part stays small however long the history.
    less: dict[str, tuple[Callable[[], Q], Callable[[date], Q]]] = field(default_factory=dict)

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
                "recommendations_adopted": lambda today: counting.adopted_q(),
                "recommendation_recurrences": lambda today: counting.recurrence_q(),
            },
            main="recommendations_issued",
            list_url="recommendation-list",
            less={
                # replied, or past its reply date: every one replied or with a reply date, less the unreplied not
                # yet due
                "recommendations_reply_expected": (
                    lambda: Q(replied_at__isnull=False) | Q(reply_due__isnull=False),
                    lambda today: Q(replied_at__isnull=True, reply_due__gte=today),
                ),
                "recommendations_overdue": (R.objects.due_set_q, R.objects.not_yet_due_q),
            },
            # The 文号 year is the draft's: a draft of December issued in January would fall out of ``year``.
            period_params=("from", "to", ""),
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
            less={"referrals_overdue": (Referral.objects.due_set_q, Referral.objects.not_yet_due_q)},
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
            follows=("meeting",),
            less={"decisions_overdue": (Decision.objects.due_set_q, Decision.objects.not_yet_due_q)},
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
    follows=("meeting",),
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
    follows=("plan",),
    split={
        "plan_items_expected": (
            lambda: Q(status=PlanItem.Status.ACCEPTED),
            lambda today: ~Q(status=PlanItem.Status.ACCEPTED) & Q(due__lte=today),
        )
    },
)
# 执行联动结案: a court's enforcement cases concluded through linkage, by their day of conclusion, with the amounts
# recovered (到位金额) and paid out (发放案款). Counted with the figures, not drawn in the breakdown charts.
ENFORCEMENT = Source(
    key="enforcement",
    label=_("执行联动结案"),
    base=lambda: EnforcementCase.objects.all(),
    date_field="concluded_on",
    is_datetime=False,
    unit_field="court",
    task_field="tasks",
    task_filter=lambda t: _tasks_exists(EnforcementCase.tasks.through, "enforcementcase_id", t),
    unit_filter=lambda u: (
        Q(court_id=u)
        | Exists(
            EnforcementCase.partner_units.through.objects.filter(enforcementcase_id=OuterRef("pk"), memberunit_id=u)
        )
    ),
    counts={"enforcement_concluded": lambda today: Q()},
    sums={
        "enforcement_amount_recovered": ("amount_recovered", lambda today: Q()),
        "enforcement_amount_paid": ("amount_paid", lambda today: Q()),
    },
    main="enforcement_concluded",
    list_url="enforcement-case-list",
)
# 执行查控措施: what concluded enforcement inquiries found and did, by the referral's conclusion time; the frozen
# amount (冻结) and the amount transferred (扣划).
MEASURES = Source(
    key="enforcement_measures",
    label=_("执行查控措施"),
    base=lambda: EnforcementMeasure.objects.filter(
        referral__kind_id=_kind("enforcement_inquiry"), referral__status=FS.CONCLUDED
    ),
    date_field="referral__concluded_at",
    is_datetime=True,
    unit_field="referral__receiver",
    task_field="referral__tasks",
    task_filter=lambda t: Exists(
        Referral.tasks.through.objects.filter(referral_id=OuterRef("referral_id"), worktask_id=t)
    ),
    unit_filter=lambda u: Q(referral__sender_id=u) | Q(referral__receiver_id=u) | Q(referral__handler_id=u),
    counts={"enforcement_measures": lambda today: Q()},
    sums={
        "enforcement_amount_frozen": ("amount", lambda today: Q(measure=EnforcementMeasure.Measure.FREEZE)),
        "enforcement_amount_deducted": ("amount", lambda today: Q(measure=EnforcementMeasure.Measure.DEDUCT)),
    },
    main="enforcement_measures",
    list_url="referral-list",
    main_params={"kind": "enforcement_inquiry", "status": "concluded"},
    path="referral__",
    follows=("referral",),
)
# 知识产权案件 (task 6): the IP cases the courts concluded in the period, and how many ended by mediation or withdrawal.
IP_CASES = Source(
    key="ip_cases",
    label=_("知识产权案件"),
    base=lambda: IPCase.objects.all(),
    date_field="concluded_on",
    is_datetime=False,
    unit_field="court",
    task_field="tasks",
    task_filter=lambda t: _tasks_exists(IPCase.tasks.through, "ipcase_id", t),
    unit_filter=lambda u: Q(court_id=u) | Q(mediated_by_id=u),
    counts={
        "ip_cases_concluded": lambda today: Q(),
        "ip_cases_mediated_or_withdrawn": lambda today: Q(outcome__in=IPCase.SETTLED),
    },
    main="ip_cases_concluded",
    list_url="ipcase-list",
)
# 咨询意见: the opinions requested in the period (by request date; withdrawn ones not counted), and of those the
# ones answered, answered by their due date, and owed by now (answered, or past their due date).
OPINIONS = Source(
    key="opinions",
    label=_("咨询意见"),
    base=lambda: Opinion.objects.exclude(status=Opinion.Status.WITHDRAWN).annotate(
        answered_on=TruncDate("answered_at", tzinfo=SHANGHAI)
    ),
    date_field="requested_on",
    is_datetime=False,
    unit_field="court",
    task_field="tasks",
    task_filter=lambda t: _tasks_exists(Opinion.tasks.through, "opinion_id", t),
    unit_filter=lambda u: Q(requester_id=u) | Q(court_id=u),
    counts={
        "opinions_requested": lambda today: Q(),
        "opinions_given": lambda today: Q(status=Opinion.Status.ANSWERED),
        "opinions_given_on_time": lambda today: Q(status=Opinion.Status.ANSWERED, answered_on__lte=F("due")),
        "opinions_answer_expected": lambda today: Q(status=Opinion.Status.ANSWERED) | Q(due__lt=today),
        "opinions_overdue": Opinion.objects.overdue_q,
    },
    main="opinions_requested",
    list_url="opinion-list",
    split={
        "opinions_answer_expected": (
            lambda: Q(status=Opinion.Status.ANSWERED),
            lambda today: ~Q(status=Opinion.Status.ANSWERED) & Q(due__lt=today),
        )
    },
)
# 负责人出庭应诉 (task 1): the held hearings, dated by their hearing time.
HEARINGS = Source(
    key="hearings",
    label=_("负责人出庭应诉"),
    base=lambda: Hearing.objects.filter(status=Hearing.Status.HELD),
    date_field="hearing_at",
    is_datetime=True,
    unit_field="defendant",
    task_field="tasks",
    task_filter=lambda t: _tasks_exists(Hearing.tasks.through, "hearing_id", t),
    unit_filter=lambda u: Q(defendant_id=u) | Q(court_id=u),
    counts={
        "hearings_held": lambda today: Q(),
        "agency_head_appearances": lambda today: Q(appeared__in=Hearing.RESPONSIBLE),
    },
    main="hearings_held",
    list_url="hearing-list",
    main_params={"status": "held"},
)
# 整改 (issue 17): the adopted recommendations with a rectification deadline, dated by that deadline (the
# recommendations whose rectification fell due in the period), and of those the ones due by now and rectified.
RECTIFICATIONS = Source(
    key="rectifications",
    label=_("司法建议整改"),
    base=lambda: R.objects.filter(counting.rectification_q()),
    date_field="rectification_due",
    is_datetime=False,
    unit_field="addressee",
    task_field="tasks",
    task_filter=lambda t: _tasks_exists(R.tasks.through, "judicialrecommendation_id", t),
    unit_filter=lambda u: Q(addressee_id=u) | Q(court_id=u),
    counts={
        "recommendations_due_for_rectification": counting.due_for_rectification_q,
        "recommendations_rectified": lambda today: counting.rectified_q(),
    },
    main="recommendations_due_for_rectification",
    list_url="recommendation-list",
    split={
        "recommendations_due_for_rectification": (
            lambda: counting.rectification_q() & counting.rectified_q(),
            lambda today: counting.rectification_q() & ~counting.rectified_q() & Q(rectification_due__lt=today),
        )
    },
    period_params=("rectification_due_from", "rectification_due_to", ""),
)
# 回访 (issue 17): the follow-up visits the courts recorded, dated by the day of the visit, and their results.
VISITS = Source(
    key="recommendation_visits",
    label=_("司法建议回访"),
    base=lambda: R.objects.filter(counting.visited_q()),
    date_field="visited_on",
    is_datetime=False,
    unit_field="addressee",
    task_field="tasks",
    task_filter=lambda t: _tasks_exists(R.tasks.through, "judicialrecommendation_id", t),
    unit_filter=lambda u: Q(addressee_id=u) | Q(court_id=u),
    counts={
        "recommendation_visits": lambda today: Q(),
        "recommendations_not_rectified": lambda today: counting.not_rectified_q(),
    },
    main="recommendation_visits",
    list_url="recommendation-list",
    period_params=("visited_from", "visited_to", ""),
)
# 信息共享 (issue 18): the library's documents published in the period (by publication time; drafts and withdrawn
# ones not counted), by type and by the level of the publisher's region: the province (no 市州), a 市州 (its own
# region is the 市州), a 县市区. Counted with the figures, not drawn in the breakdown charts.
Doc = LibraryDocument.Type
LIBRARY = Source(
    key="library",
    label=_("共享文件"),
    base=lambda: LibraryDocument.objects.filter(status=LibraryDocument.Status.PUBLISHED),
    date_field="published_at",
    is_datetime=True,
    unit_field="publisher_unit",
    task_field="tasks",
    task_filter=lambda t: _tasks_exists(LibraryDocument.tasks.through, "librarydocument_id", t),
    unit_filter=lambda u: Q(publisher_unit_id=u),
    counts={
        "library_documents": lambda today: Q(),
        "white_papers": lambda today: Q(type=Doc.WHITE_PAPER),
        "typical_cases": lambda today: Q(type=Doc.TYPICAL_CASE),
        "normative_documents": lambda today: Q(type=Doc.NORMATIVE),
        "judicial_interpretations": lambda today: Q(type=Doc.INTERPRETATION),
        "losing_case_reports": lambda today: Q(type=Doc.LOSING_CASES),
        "work_briefs": lambda today: Q(type=Doc.BRIEF),
        "library_province": lambda today: Q(city__isnull=True),
        "library_city": lambda today: Q(city__isnull=False, region_id=F("city_id")),
        "library_county": lambda today: Q(city__isnull=False) & ~Q(region_id=F("city_id")),
    },
    main="library_documents",
    list_url="library-list",
)
#: Every source the figures count (the charts and the report draw ``SOURCES``, the records themselves).
ALL_SOURCES: dict[str, Source] = {
    **SOURCES,
    ATTENDANCE.key: ATTENDANCE,
    PLAN_ITEMS.key: PLAN_ITEMS,
    IP_CASES.key: IP_CASES,
    OPINIONS.key: OPINIONS,
    HEARINGS.key: HEARINGS,
    ENFORCEMENT.key: ENFORCEMENT,
    MEASURES.key: MEASURES,
    RECTIFICATIONS.key: RECTIFICATIONS,
    VISITS.key: VISITS,
    LIBRARY.key: LIBRARY,
}
COUNT_SOURCE: dict[str, str] = {name: s.key for s in ALL_SOURCES.values() for name in s.counts}
SUM_SOURCE: dict[str, str] = {name: s.key for s in ALL_SOURCES.values() for name in s.sums}
