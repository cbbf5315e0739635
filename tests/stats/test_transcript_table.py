"""The statistics page shows every figure of the transcript's table (DOMAIN.md) with its definition."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from stats import transcript
from stats.figures import FIGURES_BY_KEY
from stats.scope import Scope
from tests.cases.ipcases.support import Courts, courts, record
from tests.conftest import client_for
from tests.levels import LANZHOU, PROVINCE, office_user_at, region

__all__ = ["courts"]
YEAR = Scope(date(2026, 1, 1), date(2026, 12, 31))
# The keys of the other streams of issue 16 (not in this branch): the merger empties this set.
DOMAIN_ROWS = [
    "府院联席会商",
    "府院联席会议",
    "重大案件座谈",
    "行政白皮书",
    "司法建议",
    "咨询意见",
    "委派调解成功率",
    "人民法庭对接化解率",
    "知识产权案件调撤率",
    "执结 / 到位金额 / 发放案款",
    "行政机关负责人出庭应诉率",
]


def test_every_row_of_the_transcripts_table_has_its_figures() -> None:
    assert [str(row.label) for row in transcript.ROWS] == DOMAIN_ROWS
    for row in transcript.ROWS:
        assert row.keys, row.label
        for key in row.keys:
            assert key in FIGURES_BY_KEY, (row.label, key)


def test_a_key_not_yet_counted_shows_a_dash_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transcript, "ROWS", [transcript.Row("试行", "1", ("consultations", "no_such_figure"))])
    [row] = transcript.table(YEAR, {})
    counted, missing = row["cells"]
    assert (
        counted["counted"]
        and counted["value"] == 0
        and counted["definition"] == FIGURES_BY_KEY["consultations"].definition
    )
    assert missing == {"key": "no_such_figure", "counted": False, "label": "no_such_figure", "definition": "尚未统计"}


@pytest.mark.django_db
@time_machine.travel("2026-07-15 10:00 +0800", tick=False)
def test_the_dashboard_shows_the_table_with_values_for_the_period_and_region(courts: Courts) -> None:
    c = courts.clerks
    record(c.cg, "mediation", on=date(2026, 3, 1), today=date(2026, 7, 15))
    record(c.cg, "judgment", on=date(2026, 3, 2), today=date(2026, 7, 15))
    record(c.jyg, "judgment", on=date(2026, 3, 3), today=date(2026, 7, 15))
    client = client_for(office_user_at(PROVINCE))
    page = client.get(reverse("dashboard"), {"period": "year", "year": "2026"})
    html = page.content.decode()
    assert 'data-testid="transcript-table"' in html and "发布会通报数据" in html
    for label in DOMAIN_ROWS:
        assert label in html, label
    rows = {cell["key"]: cell for row in page.context["transcript"] for cell in row["cells"]}
    ip = rows["ip_mediation_withdrawal_rate"]
    assert (ip["numerator"], ip["denominator"], ip["rate"]) == (1, 3, Decimal("33.33"))
    assert str(ip["definition"]) in html and "÷" in str(ip["formula"])
    assert all(cell["counted"] for cell in rows.values())  # every figure of the table is counted now
    assert 'data-testid="not-counted"' not in html
    lanzhou = client.get(reverse("dashboard"), {"period": "year", "year": "2026", "region": region(LANZHOU).pk})
    cells = {cell["key"]: cell for row in lanzhou.context["transcript"] for cell in row["cells"]}
    ip = cells["ip_mediation_withdrawal_rate"]
    assert (ip["numerator"], ip["denominator"]) == (1, 2)
    empty = client.get(reverse("dashboard"), {"period": "year", "year": "2024"}).context["transcript"]
    cells = {cell["key"]: cell for row in empty for cell in row["cells"]}
    assert cells["ip_mediation_withdrawal_rate"]["rate"] is None
