"""The work plan's figures (plan_items, plan_items_done, plan_items_overdue, plan_item_completion_rate) in
stats/summary/ by task and region, and the report's section per task (items done / in progress / overdue,
the targets' rendering)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from plans import services
from stats import report
from stats.definitions import COUNT_LABELS
from stats.figures import FIGURES_BY_KEY, figure_values
from stats.scope import Scope
from tests import levels
from tests.conftest import client_for
from tests.plans.fixtures import Place, place, publish, task

pytestmark = pytest.mark.django_db
YEAR = {"from": "2026-01-01", "to": "2026-12-31"}
SCOPE = Scope(date(2026, 1, 1), date(2026, 12, 31))


def _add(p: Place, due: date, *, number: int = 1, text: str = "事项") -> Any:
    return services.item_add(plan=p.plan, by=p.office, task=task(number), text=text, lead_unit=p.lead, due=due)


@pytest.fixture
def plans() -> dict[str, Place]:
    """The province: its fixture item (due 06-30) and three more under task 1 — one accepted (due 03-31), one
    reported done (due 09-30), one due 12-31 — and one under task 2; 兰州市: one item under task 1 (due 06-30);
    嘉峪关市: a DRAFT plan with one item (never counted)."""
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        prov, lz = place(levels.PROVINCE), place(levels.LANZHOU)
        accepted, done = _add(prov, date(2026, 3, 31)), _add(prov, date(2026, 9, 30))
        _add(prov, date(2026, 12, 31))
        _add(prov, date(2026, 5, 31), number=2)
        publish(prov), publish(lz)
        place(levels.JIAYUGUAN)
        services.item_complete(item=accepted, by=prov.lead_liaison, summary="完成")
        services.item_accept(item=accepted, by=prov.office)
        services.item_complete(item=done, by=prov.lead_liaison, summary="完成")
    return {"province": prov, "lanzhou": lz}


@time_machine.travel("2026-07-15 10:00 +0800", tick=False)
def test_the_plan_figures_count_published_items_due_in_the_period(plans: dict[str, Place]) -> None:
    figures = figure_values(SCOPE)
    assert figures["plan_items"] == {"value": 6}  # 5 of the province, 1 of 兰州市; the draft of 嘉峪关市 not
    assert figures["plan_items_done"] == {"value": 1}
    assert figures["plan_items_overdue"] == {"value": 3}  # due 06-30 (×2) and 05-31, still open
    # Expected: due by today (03-31, 05-31, 06-30 ×2) or accepted → 4; accepted 1 → 25.00.
    assert figures["plan_item_completion_rate"] == {"numerator": 1, "denominator": 4, "rate": Decimal("25.00")}


@time_machine.travel("2026-07-15 10:00 +0800", tick=False)
def test_the_plan_figures_by_task_and_region_in_the_summary_api(plans: dict[str, Place]) -> None:
    office = client_for(plans["province"].office)
    url = reverse("api:stats-summary")
    by_task = office.get(url, {**YEAR, "task": task(1).pk}).json()["figures"]
    assert by_task["plan_items"]["value"] == 5 and by_task["plan_items_overdue"]["value"] == 2
    assert by_task["plan_item_completion_rate"] == {
        **by_task["plan_item_completion_rate"],
        "numerator": 1,
        "denominator": 3,
        "rate": 33.33,
    }
    lanzhou = office.get(url, {**YEAR, "region": levels.region(levels.LANZHOU).pk}).json()["figures"]
    assert lanzhou["plan_items"]["value"] == 1 and lanzhou["plan_items_done"]["value"] == 0
    # A 市州 office reads its own region; another 市州's figures are 404.
    lz_office = client_for(plans["lanzhou"].office)
    assert lz_office.get(url, YEAR).json()["figures"]["plan_items"]["value"] == 1
    assert lz_office.get(url, {**YEAR, "region": levels.region(levels.JIAYUGUAN).pk}).status_code == 404
    # A liaison gets its own unit's: the province's lead unit leads the five.
    liaison = client_for(plans["province"].lead_liaison).get(url, YEAR).json()["figures"]
    assert liaison["plan_items"]["value"] == 5


def test_the_completion_rate_is_null_with_nothing_due_and_its_words_are_defined(db: None) -> None:
    with time_machine.travel("2026-01-05 10:00 +0800", tick=False):
        publish(place(levels.PROVINCE))  # one item due 06-30: nothing due yet
        rate = figure_values(SCOPE)["plan_item_completion_rate"]
    assert rate == {"numerator": 0, "denominator": 0, "rate": None}
    figure = FIGURES_BY_KEY["plan_item_completion_rate"]
    assert figure.numerator in COUNT_LABELS and figure.denominator in COUNT_LABELS


# --- the report: a section per task -----------------------------------------------------------------------------


@time_machine.travel("2026-07-15 10:00 +0800", tick=False)
def test_the_report_has_each_tasks_items_done_in_progress_and_overdue(plans: dict[str, Place]) -> None:
    ctx = report.report_context(SCOPE)
    by_number = {t["task"].number: t for t in ctx["tasks"]}
    assert by_number[1]["plan"] == {"total": 5, "done": 1, "in_progress": 4, "overdue": 2}
    assert by_number[2]["plan"] == {"total": 1, "done": 0, "in_progress": 1, "overdue": 1}
    assert by_number[3]["plan"]["total"] == 0 and by_number[3]["quiet"]
    assert not by_number[2]["quiet"]  # a task with only plan items still has its section
    # 兰州市's report holds only its own item.
    lanzhou = report.report_context(Scope(date(2026, 1, 1), date(2026, 12, 31), levels.region(levels.LANZHOU).pk))
    assert {t["task"].number: t["plan"]["total"] for t in lanzhou["tasks"] if t["plan"]["total"]} == {1: 1}

    office = client_for(plans["province"].office)
    page = office.get(reverse("stats-report"), {"period": "year", "year": 2026}).content.decode()
    assert "工作要点事项 5 项:已完成(验收)1 项,推进中 4 项,其中逾期 2 项。" in page
    docx = office.get(reverse("stats-report-download", args=["docx"]), {"period": "year", "year": 2026})
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "工作要点事项 5 项:已完成(验收)1 项,推进中 4 项,其中逾期 2 项。" in text
    xlsx = office.get(reverse("stats-report-download", args=["xlsx"]), {"period": "year", "year": 2026})
    sheet = load_workbook(io.BytesIO(xlsx.content))["工作要点与指标"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:5] == (f"1. {task(1).title}", 5, 1, 4, 2)


def test_a_target_row_is_rendered_met_or_not() -> None:
    row = {"figure_label": "委派调解成功率", "comparator_label": "≥", "value": 60, "actual": Decimal("63.62")}
    assert report.target_text({**row, "met": True}) == "委派调解成功率 目标 ≥ 60,实际 63.62,达标"
    assert report.target_text({**row, "actual": None, "met": False}) == "委派调解成功率 目标 ≥ 60,实际 —,未达标"


@time_machine.travel("2026-07-15 10:00 +0800", tick=False)
def test_the_task_page_and_the_report_show_the_levels_targets_against_the_figures(plans: dict[str, Place]) -> None:
    """Targets wired into the task page and the report: the plan completion rate of task 1 at the province is
    1 accepted ÷ 3 due (03-31, and 06-30 at the province and in 兰州市) = 33.33, short of a 60 target (red,
    未达标); a liaison's task page shows no targets; another task's target is not on task 1's page."""
    from stats import targets

    prov = plans["province"]
    region = levels.region(levels.PROVINCE)
    targets.target_set(
        by=prov.office, year=2026, region=region, task=task(1), figure="plan_item_completion_rate", value=Decimal(60)
    )
    targets.target_set(by=prov.office, year=2026, region=region, task=task(2), figure="plan_items", value=Decimal(9))
    page = client_for(prov.office).get(reverse("task-detail", args=[1]), {"year": 2026})
    rows = page.context["targets"]
    assert [(r.figure.key, r.actual["rate"], r.met, r.light) for r in rows] == [
        ("plan_item_completion_rate", Decimal("33.33"), False, "red")
    ]
    assert not client_for(prov.lead_liaison).get(reverse("task-detail", args=[1])).context["targets"]

    context = report.report_context(SCOPE)
    by_number = {t["task"].number: t["targets"] for t in context["tasks"]}
    assert [(r["figure_label"], r["met"]) for r in by_number[1]] == [
        (FIGURES_BY_KEY["plan_item_completion_rate"].label, False)
    ]
    assert [r["actual"] for r in by_number[2]] == [1]  # one published item under task 2 at the province
    assert "未达标" in report.target_text(by_number[1][0])
