"""The 知识产权案件调撤率 (task 6): (mediated + withdrawn) ÷ concluded, by period (结案日期, Asia/Shanghai),
region at each level, task and unit; two decimals, null when none; on the dashboard, the API and SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import ConnectionHandler
from django.urls import reverse

from members.models import WorkTask
from stats.definitions import COUNT_LABELS
from stats.figures import FIGURES_BY_KEY, figure_values, monthly_query
from stats.scope import Scope
from tests.cases.ipcases.support import Courts, courts, record
from tests.conftest import client_for
from tests.levels import CHENGGUAN, JIAYUGUAN, LANZHOU, PROVINCE, office_user_at, region

__all__ = ["courts"]
pytestmark = pytest.mark.django_db
KEY = "ip_mediation_withdrawal_rate"
YEAR = Scope(date(2026, 1, 1), date(2026, 12, 31))
NOW = "2026-07-15 10:00 +0800"


def scope_at(code: str) -> Scope:
    where = region(code)
    return Scope(YEAR.start, YEAR.end, None if code == PROVINCE else where.pk, level=str(where.level))


@pytest.fixture
def cases(courts: Courts) -> Courts:
    """城关区: mediated ×2, withdrawn, judgment (and one mediated in 2025, outside the year); 兰州中院: judgment,
    mediated; 嘉峪关中院: judgment ×3; the High Court: withdrawn, and one 'other' on 2026-12-31."""
    with time_machine.travel(NOW, tick=False):
        c = courts.clerks
        for outcome in ("mediation", "mediation", "withdrawal", "judgment"):
            record(c.cg, outcome, on=date(2026, 3, 1), today=date(2026, 7, 15))
        record(c.cg, "mediation", on=date(2025, 12, 31), today=date(2026, 7, 15))
        record(c.lz, "judgment", on=date(2026, 1, 1), today=date(2026, 7, 15))
        record(c.lz, "mediation", on=date(2026, 6, 30), today=date(2026, 7, 15))
        for _i in range(3):
            record(c.jyg, "judgment", on=date(2026, 2, 1), today=date(2026, 7, 15))
        record(c.high, "withdrawal", on=date(2026, 7, 15), today=date(2026, 7, 15))
    return courts


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("code", "concluded", "settled", "rate"),
    [
        (PROVINCE, 10, 5, Decimal("50.00")),
        (LANZHOU, 6, 4, Decimal("66.67")),
        (CHENGGUAN, 4, 3, Decimal("75.00")),
        (JIAYUGUAN, 3, 0, Decimal("0.00")),
    ],
)
def test_the_rate_at_each_level(cases: Courts, code: str, concluded: int, settled: int, rate: Decimal) -> None:
    figures = figure_values(scope_at(code))
    assert figures["ip_cases_concluded"] == {"value": concluded}
    assert figures["ip_cases_mediated_or_withdrawn"] == {"value": settled}
    assert figures[KEY] == {"numerator": settled, "denominator": concluded, "rate": rate}


@time_machine.travel(NOW, tick=False)
def test_the_period_follows_the_conclusion_day_and_a_period_without_cases_is_null(cases: Courts) -> None:
    assert figure_values(Scope(date(2025, 12, 31), date(2025, 12, 31)))[KEY] == {
        "numerator": 1,
        "denominator": 1,
        "rate": Decimal("100.00"),
    }
    assert figure_values(Scope(date(2024, 1, 1), date(2024, 12, 31)))[KEY] == {
        "numerator": 0,
        "denominator": 0,
        "rate": None,
    }
    q1 = figure_values(Scope(date(2026, 1, 1), date(2026, 3, 31)))[KEY]
    assert (q1["numerator"], q1["denominator"]) == (3, 8)


@time_machine.travel(NOW, tick=False)
def test_by_task_and_by_unit(cases: Courts) -> None:
    six, one = WorkTask.objects.get(number=6).pk, WorkTask.objects.get(number=1).pk
    assert figure_values(Scope(YEAR.start, YEAR.end, task=six))[KEY]["denominator"] == 10
    assert figure_values(Scope(YEAR.start, YEAR.end, task=one))[KEY]["denominator"] == 0
    lz = figure_values(Scope(YEAR.start, YEAR.end, unit=cases.courts.lz.pk))[KEY]
    assert (lz["numerator"], lz["denominator"]) == (1, 2)


@time_machine.travel(NOW, tick=False)
def test_the_summary_api_and_the_dashboard_card(cases: Courts) -> None:
    url = reverse("api:stats-summary")
    period = {"from": "2026-01-01", "to": "2026-12-31"}
    office = client_for(office_user_at(PROVINCE))
    figures = office.get(url, period).json()["figures"]
    assert figures[KEY] == {**figures[KEY], "numerator": 5, "denominator": 10, "rate": 50.0}
    lanzhou = office.get(url, {**period, "region": region(LANZHOU).pk}).json()["figures"][KEY]
    assert (lanzhou["numerator"], lanzhou["denominator"], lanzhou["rate"]) == (4, 6, 66.67)
    page = office.get(reverse("dashboard"), {"period": "year", "year": "2026"}).content.decode()
    assert f'data-testid="figure-{KEY}"' in page
    numerator_link = FIGURES_BY_KEY[KEY].url(YEAR)
    assert "outcome=mediation%2Cwithdrawal" in numerator_link
    listed = office.get(numerator_link).context["listing"].object_list
    assert len(listed) == 5


def test_the_rates_words_are_defined() -> None:
    figure = FIGURES_BY_KEY[KEY]
    assert figure.is_rate and figure.numerator in COUNT_LABELS and figure.denominator in COUNT_LABELS


@pytest.fixture
def sqlite() -> Iterator[BaseDatabaseWrapper]:
    handler = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
    memory = handler["default"]
    with memory.schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy:
                editor.create_model(model)
    yield memory
    memory.close()


def test_the_figure_query_with_ip_cases_runs_on_sqlite(courts: Courts, sqlite: BaseDatabaseWrapper) -> None:
    six = WorkTask.objects.get(number=6).pk
    for scope in (YEAR, scope_at(LANZHOU), scope_at(CHENGGUAN), Scope(YEAR.start, YEAR.end, task=six, unit=1)):
        sql, params = monthly_query(scope, date(2026, 7, 15)).query.get_compiler(connection=sqlite).as_sql()
        with sqlite.cursor() as cursor:
            cursor.execute(sql, params)
            assert cursor.fetchall() == []  # empty tables: nothing counted, but the query runs
