"""The figures of the mechanism (DOMAIN.md, API.md ``stats/summary/``), each defined ONCE here.

A figure is a count, a rate (numerator ÷ denominator, a percentage with two decimals,
``None`` when the denominator is 0) or an amount (``sum``: a ``Decimal`` in yuan with two decimals, summed exactly
by the database; the API sends it as a string, "2236000000.00").
Every count is one named ``Count(filter=Q(...))`` of one *source* (consultations, meetings, recommendations,
referrals, decisions, enforcement cases …); a source is the set of records that belong to a period
[from, to] (Asia/Shanghai calendar days), a region and its subtree (through the records' own
``region``/``city`` columns), a work task and, for a unit's own view, a unit. The dashboard, the unit
view, the report, the snapshots and the API all read the figures through :func:`compute`, so they cannot disagree.

Queries: :func:`compute` reads the rollups that the records' changes keep (``stats.rollups``, ``stats.tally``): one
query after one that takes the latest changes; a unit's own view counts the records in one query (``UNION ALL``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    QuerySet,
    Sum,
    Value,
)
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from stats import tally
from stats.scope import Scope, rate
from stats.sources import ALL_SOURCES, COUNT_SOURCE, MAX_COUNTS, MAX_SUMS, SUM_SOURCE, TRIBUNAL, Source

CENT = Decimal("0.01")  # amounts in yuan: two decimals


def amount(value: Any) -> Decimal:
    """An amount in yuan as an exact ``Decimal`` with two decimals (from a Decimal, an int or a stored string)."""
    return Decimal(str(value if value is not None else 0)).quantize(CENT)


# --- the figures -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure: a count (``count``) or a rate (``numerator`` ÷ ``denominator``)."""

    key: str
    label: Promise
    definition: Promise
    count: str = ""
    sum: str = ""  # an amount (yuan): a sum of the source's ``sums``
    numerator: str = ""
    denominator: str = ""
    link: dict[str, Any] = field(default_factory=dict)  # extra list filters of the count (or the numerator)
    denominator_link: dict[str, Any] = field(default_factory=dict)
    period: bool = True  # False: a list of what is late now is not limited to the period

    @property
    def is_rate(self) -> bool:
        return bool(self.numerator)

    @property
    def is_amount(self) -> bool:
        return bool(self.sum)

    @property
    def source(self) -> Source:
        if self.sum:
            return ALL_SOURCES[SUM_SOURCE[self.sum]]
        return ALL_SOURCES[COUNT_SOURCE[self.count or self.numerator]]

    def result(self, counts: dict[str, Any]) -> dict[str, Any]:
        if self.is_rate:
            n, d = counts.get(self.numerator, 0), counts.get(self.denominator, 0)
            return {"numerator": n, "denominator": d, "rate": rate(n, d)}
        if self.sum:
            return {"value": amount(counts.get(self.sum))}
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


def _period_params(source: Source, params: dict[str, Any]) -> dict[str, Any]:
    """The scope's ``from``/``to``/``year`` under the names the source's list reads them by (none: left out)."""
    names = dict(zip(("from", "to", "year"), source.period_params, strict=True))
    return {names.get(k, k): v for k, v in params.items() if names.get(k, k)}


def list_url(source: Source, scope: Scope, extra: dict[str, Any] | None = None, *, period: bool = True) -> str:
    base = _reverse(source.list_url)
    if not base:
        return ""
    params = {**_period_params(source, scope.params(period=period)), **source.main_params, **(extra or {})}
    return f"{base}?{urlencode({k: v for k, v in params.items() if v is not None})}"


#: The IP case list's filter for the cases the 调撤率 counts (mediated or withdrawn).
SETTLED_LINK = "mediation,withdrawal"
#: The recommendation list's filters for the replied ones, and of those the adopting replies (full or partial).
REPLIED_LINK = {"replied": "true"}
ADOPTING_LINK = "adopted,partly_adopted"

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
        "hearings_held",
        _("行政案件开庭"),
        _("期间内(按开庭时间)已开庭并登记出庭情况的行政案件(被告为行政机关)件数;草稿、已取消的不计。"),
        count="hearings_held",
        link={"status": "held"},
    ),
    Figure(
        "agency_head_appearances",
        _("负责人出庭应诉"),
        _("期间内已开庭的行政案件中,被告行政机关负责人(正职或副职)出庭应诉的件数。"),
        count="agency_head_appearances",
        link={"status": "held", "responsible": "true"},
    ),
    Figure(
        "agency_head_appearance_rate",
        _("行政机关负责人出庭应诉率"),
        _("负责人(正职或副职)出庭应诉的件数 ÷ 已开庭的行政案件件数(同一期间、同一范围)。"),
        numerator="agency_head_appearances",
        denominator="hearings_held",
        link={"status": "held", "responsible": "true"},
        denominator_link={"status": "held"},
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
        link=REPLIED_LINK,
    ),
    Figure(
        "recommendation_on_time_reply_rate",
        _("司法建议按期回复率"),
        _("期间内发出的司法建议中在回复期限内(含期限当日)回复的件数 ÷ 应已回复的件数(已回复的,或回复期限已过的)。"),
        numerator="recommendations_replied_on_time",
        denominator="recommendations_reply_expected",
        link=REPLIED_LINK,
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
        "recommendation_adoption_rate",
        _("司法建议采纳率"),
        _("期间内发出的司法建议中,回复采纳或部分采纳的件数 ÷ 已书面回复的件数(同一期间、同一范围)。"),
        numerator="recommendations_adopted",
        denominator="recommendations_replied",
        link={"outcome": ADOPTING_LINK},
        denominator_link=REPLIED_LINK,
    ),
    Figure(
        "recommendations_due_for_rectification",
        _("司法建议应整改"),
        _(
            "回复采纳或部分采纳、整改期限在期间内的司法建议中,截至今日整改期限已过(期限当日不计)"
            "或已整改完成的件数。按整改期限统计,不按发出日期。"
        ),
        count="recommendations_due_for_rectification",
        link={"rectification": "due"},
    ),
    Figure(
        "recommendations_rectified",
        _("司法建议已整改"),
        _(
            "回复采纳或部分采纳、整改期限在期间内的司法建议中已整改完成的件数:回访结果为“已整改”的,"
            "或尚未回访而收文单位已报告整改完成的(不论是否逾期报告);回访结果为“部分整改”“未整改”的不计。"
        ),
        count="recommendations_rectified",
        link={"rectification": "rectified"},
    ),
    Figure(
        "recommendation_rectification_rate",
        _("司法建议整改率"),
        _("已整改的件数 ÷ 应整改的件数(整改期限在期间内,同一范围)。"),
        numerator="recommendations_rectified",
        denominator="recommendations_due_for_rectification",
        link={"rectification": "rectified"},
        denominator_link={"rectification": "due"},
    ),
    Figure(
        "recommendation_visits",
        _("司法建议回访"),
        _("期间内(按回访日期)法院登记了回访结果的司法建议件数。"),
        count="recommendation_visits",
    ),
    Figure(
        "recommendations_not_rectified",
        _("回访未整改"),
        _("期间内(按回访日期)回访结果为“未整改”的司法建议件数(已通报主管部门);“部分整改”的不计。"),
        count="recommendations_not_rectified",
        link={"visit_result": "not_rectified"},
    ),
    Figure(
        "recommendation_recurrences",
        _("问题复发"),
        _(
            "期间内(按发出日期)发出的司法建议中,收文单位在复发认定期内(默认 12 个月)已采纳过同类司法建议、"
            "被认定为问题复发的件数;按收文单位计,已撤回的不计。"
        ),
        count="recommendation_recurrences",
        link={"recurrence_issued": "true"},
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
        "enforcement_concluded",
        _("执行联动结案"),
        _("期间内(按结案日期)法院登记的通过府院联动执结的执行案件数。"),
        count="enforcement_concluded",
    ),
    Figure(
        "enforcement_amount_recovered",
        _("执行到位金额(元)"),
        _("期间内(按结案日期)通过府院联动执结的执行案件的到位金额之和,以元计,精确到分。"),
        sum="enforcement_amount_recovered",
    ),
    Figure(
        "enforcement_amount_paid",
        _("发放案款(元)"),
        _("期间内(按结案日期)通过府院联动执结的执行案件已发放给申请执行人的案款之和,以元计,精确到分。"),
        sum="enforcement_amount_paid",
    ),
    Figure(
        "enforcement_amount_frozen",
        _("执行查控冻结金额(元)"),
        _("期间内(按办结时间)办结的执行查控移送中,接收单位登记的冻结财产金额之和,以元计,精确到分。"),
        sum="enforcement_amount_frozen",
        link={"kind": "enforcement_inquiry", "status": "concluded"},
        period=False,
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
    Figure(
        "ip_cases_concluded",
        _("知识产权案件结案"),
        _("期间内(按结案日期)各级法院登记的已结知识产权案件数(专利、商标、著作权、不正当竞争等)。"),
        count="ip_cases_concluded",
    ),
    Figure(
        "ip_cases_mediated_or_withdrawn",
        _("知识产权案件调撤"),
        _("期间内结案的知识产权案件中,以调解或撤诉方式结案的件数。"),
        count="ip_cases_mediated_or_withdrawn",
        link={"outcome": SETTLED_LINK},
    ),
    Figure(
        "ip_mediation_withdrawal_rate",
        _("知识产权案件调撤率"),
        _("期间内结案的知识产权案件中,调解结案与撤诉结案的件数之和 ÷ 结案件数(同一期间、同一范围)。"),
        numerator="ip_cases_mediated_or_withdrawn",
        denominator="ip_cases_concluded",
        link={"outcome": SETTLED_LINK},
    ),
    Figure(
        "opinions_requested",
        _("咨询意见(提出)"),
        _("期间内(按咨询日期)政府及其部门向法院提出、或法院主动提供的咨询意见和合法性论证件数;已撤回的不计。"),
        count="opinions_requested",
    ),
    Figure(
        "opinions_given",
        _("咨询意见"),
        _("期间内提出的咨询中,法院已答复(出具咨询意见)的件数。"),
        count="opinions_given",
        link={"status": "answered"},
    ),
    Figure(
        "opinions_given_on_time",
        _("咨询意见按期答复"),
        _("期间内提出的咨询中,在答复期限内(含期限当日)答复的件数。"),
        count="opinions_given_on_time",
        link={"status": "answered"},
    ),
    Figure(
        "opinion_on_time_rate",
        _("咨询意见按期答复率"),
        _("按期答复的件数 ÷ 应已答复的件数(已答复的,或答复期限已过的),同一期间、同一范围。"),
        numerator="opinions_given_on_time",
        denominator="opinions_answer_expected",
        link={"status": "answered"},
    ),
]
# 信息共享 (issue 18): documents published to the library, by type and by level.
FIGURES += [
    Figure(
        "library_documents",
        _("共享文件发布"),
        _("期间内(按发布时间)在信息共享栏目发布的文件数;草稿和已撤回的不计。"),
        count="library_documents",
    ),
    *[
        Figure(key, label, definition, count=key, link={"type": code})
        for key, label, definition, code in [
            ("white_papers", _("行政白皮书"), _("期间内发布的共享文件中,类型为白皮书的件数。"), "white_paper"),
            ("typical_cases", _("典型案例发布"), _("期间内发布的共享文件中,类型为典型案例的件数。"), "typical_case"),
            (
                "normative_documents",
                _("规范性文件共享"),
                _("期间内发布的共享文件中,类型为规范性文件的件数。"),
                "normative",
            ),
            (
                "judicial_interpretations",
                _("司法解释共享"),
                _("期间内发布的共享文件中,类型为司法解释的件数。"),
                "interpretation",
            ),
            (
                "losing_case_reports",
                _("败诉案件通报"),
                _("期间内发布的共享文件中,类型为败诉案件通报的件数。"),
                "losing_cases",
            ),
            ("work_briefs", _("工作简报"), _("期间内发布的共享文件中,类型为工作简报的件数。"), "brief"),
        ]
    ],
    Figure(
        "library_province",
        _("省级发布的共享文件"),
        _("期间内发布的共享文件中,发布单位属省级的件数。"),
        count="library_province",
    ),
    Figure(
        "library_city",
        _("市州发布的共享文件"),
        _("期间内发布的共享文件中,发布单位属市州本级的件数。"),
        count="library_city",
    ),
    Figure(
        "library_county",
        _("县市区发布的共享文件"),
        _("期间内发布的共享文件中,发布单位属县市区的件数。"),
        count="library_county",
    ),
]
FIGURES_BY_KEY: dict[str, Figure] = {f.key: f for f in FIGURES}

# --- computing ---------------------------------------------------------------------------------------------------


@dataclass
class Computed:
    scope: Scope
    today: date
    counts: dict[str, Any]  # every count (int) and, under the sums' names, every amount (Decimal)
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


AMOUNT = DecimalField(max_digits=20, decimal_places=2)


def sum_columns(source: Source, today: date, width: int = MAX_SUMS) -> dict[str, Any]:
    """``s0``…: the sums of the source (exact decimals), padded with 0.00 to ``width``."""
    columns: dict[str, Any] = {}
    names = list(source.sums)
    for i in range(width):
        if i < len(names):
            column, make_q = source.sums[names[i]]
            q = make_q(today)
            columns[f"s{i}"] = Sum(column, filter=q, output_field=AMOUNT) if q else Sum(column, output_field=AMOUNT)
        else:
            columns[f"s{i}"] = Value(Decimal("0.00"), output_field=AMOUNT)
    return columns


def monthly_query(scope: Scope, today: date) -> QuerySet:
    """ONE query: per source and month, every count and sum of the source (UNION ALL of grouped aggregates)."""
    parts = [
        source.in_scope(scope)
        .annotate(src=Value(source.key), month=source.month_expression())
        .values("src", "month")
        .annotate(**count_columns(source, today), **sum_columns(source, today))
        .order_by()
        for source in ALL_SOURCES.values()
    ]
    return parts[0].union(*parts[1:], all=True)


def compute(scope: Scope, *, today: date | None = None) -> Computed:
    """Every count and sum for the scope, per month and in total: from the rollups; a unit's view from the records."""
    today = today or timezone.localdate()
    if scope.unit:
        return compute_live(scope, today=today)
    counts, monthly = tally.counts_by_month(scope, today)
    return Computed(scope=scope, today=today, counts=counts, monthly=monthly)


def compute_live(scope: Scope, *, today: date | None = None) -> Computed:
    """:func:`compute` from the records themselves, in one query (a unit's view; the rollups' tests compare)."""
    today = today or timezone.localdate()
    counts: dict[str, Any] = {**dict.fromkeys(COUNT_SOURCE, 0), **{name: Decimal("0.00") for name in SUM_SOURCE}}
    monthly: dict[str, dict[str, int]] = {m.strftime("%Y-%m"): dict.fromkeys(COUNT_SOURCE, 0) for m in scope.months()}
    for row in monthly_query(scope, today):
        source = ALL_SOURCES[row["src"]]
        month = row["month"].strftime("%Y-%m") if row["month"] else ""
        bucket = monthly.setdefault(month, dict.fromkeys(COUNT_SOURCE, 0))
        for i, name in enumerate(source.counts):
            value = int(row[f"c{i}"] or 0)
            counts[name] += value
            bucket[name] += value
        for i, name in enumerate(source.sums):
            counts[name] += amount(row[f"s{i}"])
    return Computed(scope=scope, today=today, counts=counts, monthly=dict(sorted(monthly.items())))


def figure_values(scope: Scope, *, today: date | None = None) -> dict[str, dict[str, Any]]:
    """The figures of API.md for the scope: ``{key: {"value"} | {"numerator", "denominator", "rate"}}``."""
    return compute(scope, today=today).figures()


ALL_TIME = (date(1970, 1, 1), date(2999, 12, 31))


def source_counts(key: str, scope: Scope, *, today: date | None = None) -> dict[str, Any]:
    """Every count of ONE source for the scope, in one aggregate (for a page that needs only that source)."""
    source, today = ALL_SOURCES[key], today or timezone.localdate()
    columns: dict[str, Any] = {}
    for name, make_q in source.counts.items():
        q = make_q(today)
        columns[name] = Count("pk", filter=q) if q else Count("pk")
    for name, (column, make_sum_q) in source.sums.items():
        q = make_sum_q(today)
        columns[name] = Sum(column, filter=q, output_field=AMOUNT) if q else Sum(column, output_field=AMOUNT)
    values = source.in_scope(scope).aggregate(**columns)
    return {name: amount(values[name]) if name in source.sums else values[name] for name in values}
