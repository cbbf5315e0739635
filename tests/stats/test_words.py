"""The statistics pages in words (issue 14): formulas with the figures' names, not API codes; an empty
chart says so; the lights have a legend; the work tasks by their short titles."""

from __future__ import annotations

import pytest
from django.urls import reverse

from members.models import WorkTask
from stats.breakdowns import breakdown
from stats.definitions import COUNT_LABELS, formula
from stats.figures import FIGURES
from tests.conftest import client_for
from tests.stats.conftest import at
from tests.stats.test_figures import Y2025
from tests.stats.test_pages import YEAR, populate

pytestmark = pytest.mark.django_db


def test_every_rate_divides_counts_that_have_names() -> None:
    for figure in FIGURES:
        if figure.is_rate:
            assert figure.numerator in COUNT_LABELS and figure.denominator in COUNT_LABELS, figure.key


def test_the_definitions_page_gives_formulas_in_words(cast) -> None:  # type: ignore[no-untyped-def]
    html = client_for(cast.liaison).get(reverse("stats-definitions")).content.decode()
    assert "已书面回复的件数 ÷ 发出的司法建议件数 × 100" in html
    assert "调解成功件数 ÷ 委派调解件数 × 100" in html
    assert "recommendations_replied ÷" not in html and "mediation_resolved ÷" not in html
    reply_rate = next(f for f in FIGURES if f.key == "recommendation_reply_rate")
    assert formula(reply_rate) == "已书面回复的件数 ÷ 发出的司法建议件数 × 100"


def test_an_empty_chart_says_it_is_empty(cast, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(at(2025, 12, 1, 10), tick=False)
    html = client_for(cast.office).get(reverse("dashboard"), YEAR).content.decode()
    for key in ("trend", "by_task", "by_unit"):
        assert f'data-testid="chart-empty-{key}"' in html, key
        assert f'data-chart="{key}"' not in html, key
    assert "所选期间和范围内暂无数据" in html


def test_charts_with_data_are_drawn_and_the_late_panel_has_a_legend(world, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(at(2025, 12, 1, 10), tick=False)
    populate(world)
    html = client_for(world.cast.office).get(reverse("dashboard"), YEAR).content.decode()
    assert 'data-chart="by_task"' in html and 'data-testid="chart-empty-by_task"' not in html
    assert 'data-testid="light-legend"' in html and "逾期" in html


def test_the_task_axis_reads_short_titles(world, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(at(2025, 12, 1, 10), tick=False)
    populate(world)
    WorkTask.objects.filter(number=8).update(short_title="")  # no short title: the title itself
    block = breakdown(Y2025, "task")
    assert block["labels"] == ["法治政府建设", "联动推进纠纷多元化解"]
    assert not any(label.startswith("任务") for label in block["labels"])
