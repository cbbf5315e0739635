"""The library's figures (stats): documents published per type, per level and per work task, within the period,
region and unit of the scope, like every other figure; the transcript's 54 white papers have their row."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse

from library.models import LibraryDocument
from members.models import MemberUnit, WorkTask
from stats import transcript
from stats.figures import compute, source_counts
from stats.scope import Scope
from tests.conftest import Cast, client_for
from tests.levels import CHENGGUAN, JIAYUGUAN, LANZHOU, region, unit_at
from tests.library.docs import make_document

pytestmark = pytest.mark.django_db
YEAR = Scope(date(2026, 1, 1), date(2026, 12, 31))
NOW = "2026-07-15 10:00 +0800"
T = LibraryDocument.Type


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00+08:00")


@pytest.fixture
def world(cast: Cast) -> dict[str, MemberUnit]:
    units = {
        "province": MemberUnit.objects.get(short_name="省司法厅"),
        "lanzhou": unit_at(LANZHOU, "兰州市测试局"),
        "chengguan": unit_at(CHENGGUAN, "城关区测试局"),
        "jiayuguan": unit_at(JIAYUGUAN, "嘉峪关市测试局"),
    }
    first, second = WorkTask.objects.order_by("number")[:2]
    make_document(units["province"], type=T.WHITE_PAPER, published_at=at("2026-03-01"), tasks=[first.pk])
    make_document(units["province"], type=T.WHITE_PAPER, published_at=at("2026-04-01"), tasks=[first.pk, second.pk])
    make_document(units["lanzhou"], type=T.TYPICAL_CASE, published_at=at("2026-05-01"), tasks=[second.pk])
    make_document(units["chengguan"], type=T.BRIEF, published_at=at("2026-06-01"))
    make_document(units["chengguan"], type=T.NORMATIVE, published_at=at("2026-06-02"))
    make_document(units["jiayuguan"], type=T.LOSING_CASES, published_at=at("2026-06-03"))
    make_document(units["jiayuguan"], type=T.INTERPRETATION, published_at=at("2026-06-04"))
    # not counted: last year's, a draft, a withdrawn one
    make_document(units["province"], type=T.WHITE_PAPER, published_at=at("2025-12-31"))
    make_document(units["province"], type=T.WHITE_PAPER, status=LibraryDocument.Status.DRAFT)
    make_document(units["lanzhou"], type=T.TYPICAL_CASE, status=LibraryDocument.Status.WITHDRAWN,
                  published_at=at("2026-05-02"))  # fmt: skip
    return units


@time_machine.travel(NOW, tick=False)
def test_documents_per_type_and_level_in_the_period(world: dict[str, MemberUnit]) -> None:
    counts = source_counts("library", YEAR)
    assert counts == {
        "library_documents": 7,
        "white_papers": 2,
        "typical_cases": 1,
        "normative_documents": 1,
        "judicial_interpretations": 1,
        "losing_case_reports": 1,
        "work_briefs": 1,
        "library_province": 2,
        "library_city": 3,  # 兰州市's typical case and 嘉峪关市's two
        "library_county": 2,
    }
    figures = compute(YEAR).figures()
    assert figures["white_papers"] == {"value": 2} and figures["library_documents"] == {"value": 7}
    assert compute(Scope(date(2025, 1, 1), date(2025, 12, 31))).figures()["white_papers"] == {"value": 1}


@time_machine.travel(NOW, tick=False)
def test_region_task_and_unit_scopes(world: dict[str, MemberUnit]) -> None:
    lanzhou = Scope(YEAR.start, YEAR.end, region=region(LANZHOU).pk)
    assert source_counts("library", lanzhou)["library_documents"] == 3  # 兰州市 and 城关区
    assert source_counts("library", lanzhou)["library_county"] == 2
    chengguan = Scope(YEAR.start, YEAR.end, region=region(CHENGGUAN).pk)
    assert source_counts("library", chengguan)["work_briefs"] == 1
    assert source_counts("library", chengguan)["library_documents"] == 2
    first, second = WorkTask.objects.order_by("number")[:2]
    assert source_counts("library", Scope(YEAR.start, YEAR.end, task=first.pk))["white_papers"] == 2
    assert source_counts("library", Scope(YEAR.start, YEAR.end, task=second.pk))["library_documents"] == 2
    by_unit = Scope(YEAR.start, YEAR.end, unit=world["jiayuguan"].pk)
    assert source_counts("library", by_unit)["library_documents"] == 2


def test_the_transcript_names_the_54_white_papers() -> None:
    [row] = [row for row in transcript.ROWS if str(row.label) == "行政白皮书"]
    assert row.announced == "54" and row.keys == ("white_papers",)


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_shows_the_library_figures(world: dict[str, MemberUnit], cast: Cast) -> None:
    response = client_for(cast.office).get(reverse("dashboard"), {"from": "2026-01-01", "to": "2026-12-31"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "行政白皮书" in page and "共享文件发布" in page and "县市区发布的共享文件" in page
