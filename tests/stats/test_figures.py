"""The figures: the transcript's numbers, period edges, empty periods, each definition, filters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cases.models import Referral, ReferralKind
from stats.breakdowns import breakdown, breakdowns
from stats.figures import FIGURES, FIGURES_BY_KEY, compute, figure_values
from stats.referrals import mediation_figures as mediation_counts
from stats.scope import Scope, rate
from tests.stats.conftest import at

pytestmark = pytest.mark.django_db
Y2025 = Scope(date(2025, 1, 1), date(2025, 12, 31))
Y2026 = Scope(date(2026, 1, 1), date(2026, 12, 31))


def test_rate_rounds_half_up_and_is_none_for_zero() -> None:
    assert rate(10150, 15955) == Decimal("63.62")
    assert rate(1, 8) == Decimal("12.50")
    assert rate(1, 200) == Decimal("0.50")
    assert rate(1, 3) == Decimal("33.33")
    assert rate(2, 3) == Decimal("66.67")
    assert rate(0, 0) is None
    assert rate(5, 0) is None


def test_the_transcripts_mediation_numbers(world) -> None:  # type: ignore[no-untyped-def]
    """15,955 delegated, 10,150 resolved → 63.62 (bulk-created: the figure is one aggregate)."""
    kind = ReferralKind.objects.get(code="mediation")
    cast = world.cast
    rows = [
        Referral(
            kind=kind,
            sender=cast.court,
            receiver=cast.unit,
            case_number=f"(2025)甘调{i}号",
            subject="委派调解",
            status="concluded" if i < 12000 else "accepted",
            outcome=("resolved" if i < 10150 else "failed") if i < 12000 else "",
            sent_at=at(2025, 1 + i % 12, 1 + i % 28, 10),
        )
        for i in range(15955)
    ]
    Referral.objects.bulk_create(rows, batch_size=5000)
    figures = figure_values(Y2025)
    assert figures["mediation_delegated"] == {"value": 15955}
    assert figures["mediation_resolved"] == {"value": 10150}
    assert figures["mediation_success_rate"] == {"numerator": 10150, "denominator": 15955, "rate": Decimal("63.62")}
    # The referral pages' helper is the same definition.
    same = mediation_counts(start=Y2025.start, end=Y2025.end)
    assert (same["delegated"], same["resolved"], same["success_rate"]) == (15955, 10150, Decimal("63.62"))


def test_empty_period_gives_zero_counts_and_no_rate(world) -> None:  # type: ignore[no-untyped-def]
    world.rec(date(2025, 3, 1))
    figures = figure_values(Scope(date(2030, 1, 1), date(2030, 12, 31)))
    for figure in FIGURES:
        if figure.is_rate:
            assert figures[figure.key] == {"numerator": 0, "denominator": 0, "rate": None}
        else:
            assert figures[figure.key] == {"value": 0}


@pytest.mark.parametrize(
    "key",
    ["consultations", "joint_meetings", "case_symposiums", "recommendations_issued", "mediation_delegated",
     "criminal_transfers", "decisions_open"],
)  # fmt: skip
def test_a_record_on_31_december_2359_shanghai_belongs_to_that_year(world, key) -> None:  # type: ignore[no-untyped-def]
    last_moment, first_moment = at(2025, 12, 31, 23, 59, 59), at(2026, 1, 1, 0, 0)
    for moment in (last_moment, first_moment):
        day = moment.date()
        if key == "consultations":
            world.consultation(day)
        elif key == "joint_meetings":
            world.meeting(moment)
        elif key == "case_symposiums":
            world.meeting(moment, kind="case_symposium")
        elif key == "recommendations_issued":
            world.rec(day)
        elif key == "mediation_delegated":
            world.ref("mediation", moment)
        elif key == "criminal_transfers":
            world.ref("criminal_transfer", moment, sender=world.cast.unit, receiver=world.cast.other_unit)
        elif key == "decisions_open":
            world.decision(world.meeting(moment), date(2026, 6, 30))
    assert figure_values(Y2025)[key] == {"value": 1}
    assert figure_values(Y2026)[key] == {"value": 1}
    assert figure_values(Scope(date(2025, 12, 31), date(2026, 1, 1)))[key] == {"value": 2}
    assert figure_values(Scope(date(2025, 12, 1), date(2025, 12, 30)))[key] == {"value": 0}
    monthly = compute(Y2025).monthly
    assert monthly["2025-12"][FIGURES_BY_KEY[key].count] == 1
    assert sum(m[FIGURES_BY_KEY[key].count] for m in monthly.values()) == 1


def test_recommendation_figures(world, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(at(2025, 12, 1, 10), tick=False)
    w = world
    w.rec(
        date(2025, 3, 1), status="replied", reply_due=date(2025, 5, 10), replied_at=at(2025, 5, 10, 23, 30)
    )  # on time
    w.rec(date(2025, 3, 2), status="closed", reply_due=date(2025, 5, 10), replied_at=at(2025, 5, 11, 0, 30))  # late
    w.rec(date(2025, 4, 1), status="acknowledged", reply_due=date(2025, 6, 1),
          escalated_at=at(2025, 7, 2, 9))  # overdue, escalated  # fmt: skip
    w.rec(date(2025, 11, 1), status="acknowledged", reply_due=date(2026, 1, 1))  # not yet due
    w.rec(date(2025, 11, 2), status="issued")  # not acknowledged: no due date yet
    w.rec(date(2025, 5, 1), status="withdrawn")  # withdrawn: not counted
    f = figure_values(Y2025)
    assert f["recommendations_issued"] == {"value": 5}
    assert f["recommendation_reply_rate"] == {"numerator": 2, "denominator": 5, "rate": Decimal("40.00")}
    # On time ÷ (replied or past due) = 1 ÷ 3.
    assert f["recommendation_on_time_reply_rate"] == {"numerator": 1, "denominator": 3, "rate": Decimal("33.33")}
    assert f["recommendations_overdue"] == {"value": 1}
    assert f["recommendations_escalated"] == {"value": 1}


def test_referral_meeting_and_decision_figures(world, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(at(2025, 12, 1, 10), tick=False)
    w, cast = world, world.cast
    w.ref("criminal_transfer", at(2025, 2, 1, 9), status="concluded", outcome="case_opened",
          sender=cast.unit, receiver=cast.other_unit)  # fmt: skip
    w.ref("criminal_transfer", at(2025, 2, 2, 9), status="concluded", outcome="case_not_opened",
          sender=cast.unit, receiver=cast.other_unit)  # fmt: skip
    w.ref("mediation", at(2025, 3, 1, 9), status="accepted", due=date(2025, 4, 1))  # overdue
    w.ref("mediation", at(2025, 3, 2, 9), status="sent", due=None)
    Referral.objects.filter(pk=w.ref("mediation", at(2025, 3, 3, 9)).pk).update(status="revoked")  # not counted
    w.meeting(at(2025, 4, 1, 9))
    w.meeting(at(2025, 4, 2, 9), kind="leading_group", status="closed")
    w.meeting(at(2025, 4, 3, 9), status="planned")  # not held
    w.meeting(at(2025, 4, 4, 9), status="cancelled")
    held = w.meeting(at(2025, 5, 1, 9), kind="case_symposium")
    w.decision(held, date(2025, 6, 1))  # open, overdue
    w.decision(held, date(2026, 6, 1))  # open
    w.decision(held, date(2025, 6, 1), status="done")
    f = figure_values(Y2025)
    assert f["criminal_transfers"] == {"value": 2}
    assert f["criminal_cases_opened"] == {"value": 1}
    assert f["mediation_delegated"] == {"value": 2}
    assert f["referrals_overdue"] == {"value": 1}
    assert f["joint_meetings"] == {"value": 2}
    assert f["case_symposiums"] == {"value": 1}
    assert f["decisions_open"] == {"value": 2}
    assert f["decisions_overdue"] == {"value": 1}


def test_region_task_and_unit_filters(world) -> None:  # type: ignore[no-untyped-def]
    w, cast = world, world.cast
    w.rec(date(2025, 3, 1), tasks=[w.task1])
    w.rec(date(2025, 3, 1), court=cast.other_court, addressee=cast.other_unit, tasks=[w.task8])
    w.consultation(date(2025, 3, 1), region=w.region, tasks=[w.task1, w.task8])
    w.consultation(date(2025, 3, 1), region=w.other_region, unit=cast.other_unit)
    assert figure_values(Scope(Y2025.start, Y2025.end, region=w.region.pk))["recommendations_issued"]["value"] == 1
    assert figure_values(Scope(Y2025.start, Y2025.end, task=w.task8.pk))["recommendations_issued"]["value"] == 1
    assert figure_values(Scope(Y2025.start, Y2025.end, task=w.task8.pk))["consultations"]["value"] == 1
    assert figure_values(Scope(Y2025.start, Y2025.end, region=w.other_region.pk))["consultations"]["value"] == 1
    mine = figure_values(Scope(Y2025.start, Y2025.end, unit=cast.unit.pk))
    assert mine["recommendations_issued"]["value"] == 1
    assert mine["consultations"]["value"] == 1
    # A court's own view counts what it issued.
    assert (
        figure_values(Scope(Y2025.start, Y2025.end, unit=cast.other_court.pk))["recommendations_issued"]["value"] == 1
    )


def test_breakdowns_count_per_task_region_and_unit(world) -> None:  # type: ignore[no-untyped-def]
    w, cast = world, world.cast
    w.rec(date(2025, 3, 1), tasks=[w.task1, w.task8])
    w.rec(date(2025, 4, 1), court=cast.other_court, addressee=cast.other_unit, tasks=[w.task8])
    by_task = breakdown(Y2025, "task")
    assert by_task["labels"] == ["法治政府建设", "纠纷多元化解"]  # the short titles, in the tasks' order
    assert by_task["series"]["recommendations"] == [1, 2]
    by_region = breakdown(Y2025, "region")
    assert sorted(by_region["series"]["recommendations"]) == [1, 1]
    by_unit = breakdown(Y2025, "unit")
    assert dict(zip(by_unit["ids"], by_unit["series"]["recommendations"], strict=True)) == {
        cast.unit.pk: 1,
        cast.other_unit.pk: 1,
    }
    # The dashboard's two-query form gives the same blocks.
    assert breakdowns(Y2025) == {"task": by_task, "region": by_region, "unit": by_unit}


def test_every_figure_of_api_md_is_registered() -> None:
    required = {
        "consultations", "joint_meetings", "case_symposiums", "recommendations_issued", "recommendation_reply_rate",
        "recommendation_on_time_reply_rate", "recommendations_overdue", "recommendations_escalated",
        "mediation_delegated", "mediation_resolved", "mediation_success_rate", "criminal_transfers",
        "criminal_cases_opened", "referrals_overdue", "decisions_open", "decisions_overdue", "tribunal_resolution_rate",
        "hearings_held", "agency_head_appearances", "agency_head_appearance_rate",
    }  # fmt: skip
    beyond_api_md = {"attendance_rate"}  # 参会率 from the sign-in lists (issue 14)
    # The work plan's (issue 15).
    beyond_api_md |= {"plan_items", "plan_items_done", "plan_items_overdue", "plan_item_completion_rate"}
    # 知识产权案件调撤率 (issue 16: the rate is an API key, its two counts are not).
    required |= {"ip_mediation_withdrawal_rate"}
    beyond_api_md |= {"ip_cases_concluded", "ip_cases_mediated_or_withdrawn"}
    # Legal opinions (issue 16; API.md's opinions/ names the first two).
    beyond_api_md |= {"opinions_requested", "opinions_given", "opinions_given_on_time", "opinion_on_time_rate"}
    # Enforcement results (issue 16, task 7): the keys the issue names, and the amounts paid out and frozen.
    beyond_api_md |= {"enforcement_concluded", "enforcement_amount_recovered", "enforcement_amount_paid"}
    beyond_api_md |= {"enforcement_amount_frozen"}
    # Recommendations followed through (issue 17, item 7: "in the API's stats/summary/").
    required |= {"recommendation_adoption_rate", "recommendation_rectification_rate", "recommendation_visits"}
    required |= {"recommendation_recurrences"}
    beyond_api_md |= {"recommendations_due_for_rectification", "recommendations_rectified"}
    beyond_api_md |= {"recommendations_not_rectified"}
    # The library (issue 18: documents published per type, the transcript's 54 white papers, and per level).
    beyond_api_md |= {"library_documents", "white_papers", "typical_cases", "normative_documents"}
    beyond_api_md |= {"judicial_interpretations", "losing_case_reports", "work_briefs"}
    beyond_api_md |= {"library_province", "library_city", "library_county"}
    assert required | beyond_api_md == set(FIGURES_BY_KEY)
    assert all(str(f.definition) and str(f.label) for f in FIGURES)
