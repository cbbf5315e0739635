"""The XLSX import of IP cases: the template, every row checked first with its problems named by row and
column (in Chinese), all or nothing, 案号 the court already has skipped and counted, limits, who may import."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cases.ipcases import intake
from cases.ipcases.models import IPCase
from fuyuan.lib.errors import NotPermitted
from tests.cases.ipcases.support import TODAY, Courts, record, sheet
from tests.conftest import client_for
from tests.levels import CHENGGUAN, PROVINCE, office_user_at

pytestmark = pytest.mark.django_db


def upload(data: BytesIO) -> SimpleUploadedFile:
    return SimpleUploadedFile("ip.xlsx", data.getvalue())


def run(courts: Courts, rows: list[list], header: list[str] | None = None) -> intake.SheetCheck:
    return intake.ipcase_import(by=courts.clerks.cg, upload=upload(sheet(rows, header)), today=TODAY)


def test_the_template_has_the_columns_and_an_example_row_the_import_ignores(courts: Courts) -> None:
    ws = load_workbook(BytesIO(intake.template_response().content)).active
    assert [c.value for c in ws[1]] == ["案号", "案件类型", "结案日期", "结案方式", "调解组织", "备注"]
    check = run(courts, [intake.EXAMPLE_ROW, ["(2026)甘0102知民初1号", "专利", "2026-03-01", "判决", "", ""]])
    assert check.ok and check.created == 1


def test_a_valid_sheet_is_saved_whole_with_its_places_tasks_and_history(courts: Courts) -> None:
    rows = [
        ["(2026)甘0102知民初1号", "专利", "2026-03-01", "判决", "", ""],
        ["(2026)甘0102知民初2号", "trademark", "2026/03/02", "调解", courts.mediator.name, "和解"],
        ["(2026)甘0102知民初3号", "著作权", "2026年3月3日", "撤诉", "", ""],
    ]
    check = run(courts, rows)
    assert check.ok and (check.created, check.skipped) == (3, 0)
    cases = {c.case_number: c for c in IPCase.objects.prefetch_related("tasks")}
    second = cases["(2026)甘0102知民初2号"]
    assert (second.kind, second.outcome, second.mediated_by, second.note) == (
        "trademark",
        "mediation",
        courts.mediator,
        "和解",
    )
    assert all(c.region.code == CHENGGUAN and c.imported for c in cases.values())
    assert all([t.number for t in c.tasks.all()] == [6] for c in cases.values())
    assert all(c.history.count() == 1 for c in cases.values())


def test_every_problem_is_named_by_row_and_column_and_nothing_is_saved(courts: Courts) -> None:
    rows = [
        ["(2026)甘0102知民初1号", "专利", "2026-03-01", "判决", "", ""],  # valid, but the sheet fails
        ["", "外观", "2026-13-01", "和解", "不存在的调解组织", ""],
        ["(2026)甘0102知民初1号", "专利", "2026-12-01", "判决", "", ""],
        ["(2026)甘0102知民初4号", "专利", "2026-03-01", "调解", courts.courts.cg.name, ""],
    ]
    check = run(courts, rows)
    assert not IPCase.objects.exists() and check.created == 0
    found = {(e.line, e.column, e.message) for e in check.errors}
    assert found == {
        (3, "案号", "请填写案号。"),
        (3, "案件类型", "“外观”不是可选的值。"),
        (3, "结案日期", "“2026-13-01”不是有效日期(应为 2026-01-05 这样的格式)。"),
        (3, "结案方式", "“和解”不是可选的值。"),
        (3, "调解组织", "未知单位“不存在的调解组织”。"),
        (4, "案号", "与第 2 行的案号相同。"),
        (4, "结案日期", "结案日期不能晚于今天。"),
        (5, "调解组织", "调解组织不能是承办法院本身。"),
    }
    page = client_for(courts.clerks.cg).post(reverse("ipcase-import"), {"file": upload(sheet(rows))})
    html = page.content.decode()
    assert 'data-testid="import-errors"' in html and "与第 2 行的案号相同。" in html
    assert not IPCase.objects.exists()


def test_case_numbers_the_court_already_has_are_skipped_and_counted(courts: Courts) -> None:
    record(courts.clerks.cg, case_number="(2026)甘0102知民初1号")
    record(courts.clerks.lz, case_number="(2026)甘0102知民初2号")  # another court's: not a duplicate
    rows = [
        ["(2026)甘0102知民初1号", "专利", "2026-03-01", "调解", "", ""],
        ["(2026)甘0102知民初2号", "专利", "2026-03-01", "判决", "", ""],
    ]
    check = run(courts, rows)
    assert (check.created, check.skipped) == (1, 1)
    assert IPCase.objects.get(case_number="(2026)甘0102知民初1号").outcome == "judgment"  # left as it was
    again = run(courts, rows)
    assert (again.created, again.skipped) == (0, 2) and IPCase.objects.count() == 3


def test_a_wrong_header_an_empty_sheet_and_a_file_that_is_not_a_sheet(courts: Courts) -> None:
    wrong = run(courts, [["x", "专利", "2026-03-01", "判决"]], header=["编号", "案件类型", "结案日期", "结案方式"])
    assert wrong.errors[0].line == 1 and "第 1 列应为“案号”,实际为“编号”。" in wrong.errors[0].message
    empty = run(courts, [])
    assert [e.message for e in empty.errors] == ["表格中没有数据行。"]
    with pytest.raises(ValidationError) as refused:
        intake.ipcase_import(by=courts.clerks.cg, upload=SimpleUploadedFile("ip.xlsx", b"%PDF-1.4 not a sheet"))
    assert "file" in refused.value.message_dict
    assert not IPCase.objects.exists()


def test_too_many_rows_are_refused_before_any_is_saved(courts: Courts, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake, "MAX_ROWS", 2)
    rows = [[f"(2026)甘0102知民初{i}号", "专利", "2026-03-01", "判决", "", ""] for i in range(1, 4)]
    check = run(courts, rows)
    assert check.errors and "每次最多导入 2 行" in check.errors[0].message
    assert not IPCase.objects.exists()


def test_only_a_courts_clerk_imports(courts: Courts) -> None:
    rows = [["(2026)甘0102知民初1号", "专利", "2026-03-01", "判决", "", ""]]
    for user in (office_user_at(PROVINCE), courts.mediator_liaison):
        with pytest.raises(NotPermitted):
            intake.ipcase_import(by=user, upload=upload(sheet(rows)), today=TODAY)
        assert client_for(user).get(reverse("ipcase-import")).status_code == 403
    assert not IPCase.objects.exists()
    page = client_for(courts.clerks.cg).post(reverse("ipcase-import"), {"file": upload(sheet(rows))})
    assert 'data-testid="import-ok"' in page.content.decode() and IPCase.objects.count() == 1
