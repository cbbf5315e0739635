"""The figures of task 1: hearings held, responsible persons appearing and the rate (two decimals, None when no
hearing was held), by period and region (through the records' region/city columns), and the agency table."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from cases.hearings import services
from stats.definitions import COUNT_LABELS, formula
from stats.figures import FIGURES_BY_KEY, figure_values
from stats.league import agency_table
from stats.scope import Scope
from tests import levels
from tests.cases.hearings_support import NOW, World, at, world

pytestmark = pytest.mark.django_db

YEAR = Scope(date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def w() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield world()


def held(w: World, n: int, appeared: str, when: str = "2026-03-20T09:30:00+08:00") -> None:
    for i in range(n):
        with time_machine.travel(at(when) - timedelta(days=10), tick=False):
            h = w.notified(case_number=f"{appeared}{when}{i}", hearing_at=at(when))
        with time_machine.travel(at(when).replace(hour=12), tick=False):
            services.hearing_record(hearing=h, by=w.clerk, appeared=appeared, name="某")


def test_no_hearing_held_is_a_null_rate(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        w.notified()  # notified, not held: not counted
    values = figure_values(YEAR)
    assert values["hearings_held"] == {"value": 0}
    assert values["agency_head_appearance_rate"] == {"numerator": 0, "denominator": 0, "rate": None}


def test_rate_two_decimals_by_period_and_region(w: World) -> None:
    held(w, 1, "head")
    held(w, 1, "deputy")
    held(w, 1, "staff")
    held(w, 1, "head", when="2025-12-20T09:30:00+08:00")  # another year
    values = figure_values(YEAR)
    assert values["hearings_held"] == {"value": 3}
    assert values["agency_head_appearances"] == {"value": 2}
    assert values["agency_head_appearance_rate"]["rate"] == Decimal("66.67")
    lanzhou = Scope(YEAR.start, YEAR.end, levels.region(levels.LANZHOU).pk)
    jiayuguan = Scope(YEAR.start, YEAR.end, levels.region(levels.JIAYUGUAN).pk)
    assert figure_values(lanzhou)["hearings_held"] == {"value": 3}
    assert figure_values(jiayuguan)["hearings_held"] == {"value": 0}
    rows = agency_table(YEAR)
    assert [(r["name"], r["held"], r["head_appeared"], r["appearance_rate"]) for r in rows] == [
        (w.defendant.name, 3, 2, Decimal("66.67"))
    ]


def test_definitions_name_both_counts() -> None:
    figure = FIGURES_BY_KEY["agency_head_appearance_rate"]
    assert figure.numerator in COUNT_LABELS and figure.denominator in COUNT_LABELS
    assert formula(figure).startswith("负责人")
