"""Bulk intake of mediation delegations from XLSX: row-by-row errors first, one transaction, no duplicates."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from cases.models import Party, Referral, ReferralImport
from cases.referrals import intake
from tests.cases.referrals.support import joined_days_ago, sheet_row, xlsx
from tests.conftest import client_for
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def court_on_the_platform_for_a_year(cast):
    """The court has used the platform for a year: rows delegated a week ago may be imported."""
    joined_days_ago(cast.court, 365)


@pytest.fixture
def mediators(db):
    return [UnitFactory(name=f"调解委员会{i}", short_name=f"调委{i}", kind="mediation") for i in range(3)]


def upload(data: BytesIO) -> SimpleUploadedFile:
    return SimpleUploadedFile("sheet.xlsx", data.getvalue(), content_type="application/octet-stream")


def check(cast, data: BytesIO):
    return intake.referral_import_check(sender=cast.court, fileobj=data)


def test_template_is_a_valid_sheet_with_the_columns(cast):
    ws = load_workbook(BytesIO(intake.import_template_response().content)).active
    assert [c.value for c in ws[1]] == [label for _k, label in intake.IMPORT_COLUMNS]
    resp = client_for(cast.clerk).get("/referrals/import/template.xlsx")
    assert resp.status_code == 200 and resp.content[:2] == b"PK"


def test_wrong_column_is_reported_and_nothing_read(cast, mediators):
    header = [label for _k, label in intake.IMPORT_COLUMNS]
    header[2] = "案件类型"
    result = check(cast, xlsx([sheet_row("A-1", "调委0")], header=header))
    assert not result.ok and result.errors[0][0] == 1
    assert "第 3 列应为“案由”,实际为“案件类型”" in result.errors[0][1][0]


def test_each_bad_row_is_reported_with_its_line(cast, mediators):
    rows = [
        sheet_row("A-1", "调委0"),
        sheet_row("A-2", "调委0", on="2026-02-30"),  # bad date
        sheet_row("A-3", "不存在的调解组织"),  # unknown unit
        sheet_row("A-1", "调委1"),  # duplicate row
        sheet_row("A-5", cast.court.name),  # oneself
        ["A-6", "调委0", "纠纷", "2026-01-05", "赵六", "12345", "abc", "", "", "", ""],
    ]
    result = check(cast, xlsx(rows))
    errors = dict(result.errors)
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert "委派日期“2026-02-30”不是有效日期" in errors[3][0]
    assert "未知单位“不存在的调解组织”" in errors[4][0]
    assert "重复行:案号与第 2 行相同" in errors[5][0]
    assert "不能委派给本单位" in errors[6][0]
    assert any("身份证号" in e for e in errors[7]) and any("电话" in e for e in errors[7])
    assert Referral.objects.count() == 0


def test_inactive_unit_and_future_date_are_errors(cast, mediators):
    mediators[2].active = False
    mediators[2].save()
    result = check(cast, xlsx([sheet_row("A-1", "调委2"), sheet_row("A-2", "调委0", on="2099-01-01")]))
    errors = dict(result.errors)
    assert "已停用" in errors[2][0] and "不能晚于今天" in errors[3][0]


def test_upload_page_shows_errors_row_by_row_and_saves_nothing(cast, mediators):
    c = client_for(cast.clerk)
    resp = c.post(
        "/referrals/import/", {"file": upload(xlsx([sheet_row("A-1", "调委0"), sheet_row("A-2", "无此单位")]))}
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "import-errors" in html and "未知单位“无此单位”" in html and "<td>3</td>" in html
    assert Referral.objects.count() == 0 and ReferralImport.objects.count() == 0


def test_a_file_that_is_not_xlsx_is_refused(cast):
    resp = client_for(cast.clerk).post(
        "/referrals/import/", {"file": SimpleUploadedFile("x.xlsx", b"%PDF-1.4 not a sheet")}
    )
    assert "请上传 XLSX 格式" in resp.content.decode()


def test_valid_sheet_is_created_once_and_reupload_creates_no_duplicates(
    cast, mediators, django_capture_on_commit_callbacks
):
    rows = [sheet_row(f"(2026)甘01民诉前调{i}号", f"调委{i % 2}") for i in range(1, 8)]
    c = client_for(cast.clerk)
    resp = c.post("/referrals/import/", {"file": upload(xlsx(rows))})
    assert "import-ok" in resp.content.decode()
    imp = ReferralImport.objects.get()
    assert imp.new_rows == 7 and imp.status == "ready"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        resp = c.post(f"/referrals/import/{imp.pk}/confirm/")
    assert resp.status_code == 302 and len(callbacks) == 1
    intake.referral_import_run(import_id=imp.pk)  # what the Celery task does
    imp.refresh_from_db()
    assert imp.status == "done" and imp.created_count == 7
    assert Referral.objects.filter(sender=cast.court, kind__code="mediation", status="sent").count() == 7
    assert Party.objects.filter(referral__sender=cast.court).count() == 14
    r = Referral.objects.get(case_number="(2026)甘01民诉前调1号")
    assert r.tasks.filter(number=8).exists() and r.events.get().action == "import" and r.next_alert_at
    assert r.history.count() == 1
    # the same sheet again, plus one new row
    imp2, result = intake.referral_import_prepare(
        by=cast.clerk, upload=upload(xlsx([*rows, sheet_row("新-1", "调委0")]))
    )
    assert result.ok and imp2.new_rows == 1 and imp2.skipped_count == 7
    intake.referral_import_queue(imp=imp2, by=cast.clerk)
    intake.referral_import_run(import_id=imp2.pk)
    imp2.refresh_from_db()
    assert imp2.created_count == 1 and imp2.skipped_count == 7
    assert Referral.objects.filter(sender=cast.court).count() == 8
    # running the same import twice does nothing more
    intake.referral_import_run(import_id=imp2.pk)
    assert Referral.objects.filter(sender=cast.court).count() == 8


def test_progress_page_polls_until_done(cast, mediators):
    imp, _r = intake.referral_import_prepare(by=cast.clerk, upload=upload(xlsx([sheet_row("P-1", "调委0")])))
    c = client_for(cast.clerk)
    html = c.get(f"/referrals/import/{imp.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in html
    intake.referral_import_run(import_id=imp.pk)
    html = c.get(f"/referrals/import/{imp.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html and "100%" in html and "已创建 1 项" in html
    assert client_for(cast.other_clerk).get(f"/referrals/import/{imp.pk}/").status_code == 404


def test_five_thousand_rows_in_one_transaction(cast, mediators, monkeypatch):
    rows = [sheet_row(f"(2026)甘01民诉前调{i}号", f"调委{i % 2}") for i in range(5000)]
    data = xlsx(rows)
    imp, result = intake.referral_import_prepare(by=cast.clerk, upload=upload(data))
    assert result.ok and imp.new_rows == 5000
    # A failure in the last batch leaves nothing behind: one transaction.
    real = Party.objects.bulk_create
    calls = {"n": 0}

    def failing(objs, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("disk full")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(Party.objects, "bulk_create", failing)
    imp = intake.referral_import_run(import_id=imp.pk)
    assert imp.status == "failed" and "disk full" in imp.error
    assert Referral.objects.count() == 0
    monkeypatch.setattr(Party.objects, "bulk_create", real)
    ReferralImport.objects.filter(pk=imp.pk).update(status="queued")
    imp = intake.referral_import_run(import_id=imp.pk)
    assert imp.status == "done" and imp.created_count == 5000
    assert Referral.objects.filter(sender=cast.court).count() == 5000


def test_every_cell_is_checked_on_the_first_pass(cast, mediators):
    """Issue 14: one upload reports every problem of a row (not the ID number and phone on a second one)."""
    row = ["", "不存在的调解组织", "", "2026-13-01", "", "12345", "abc", "某公司", "99", "110", ""]
    errors = dict(check(cast, xlsx([row])).errors)[2]
    for expected in ("案号不能为空", "未知单位", "案由不能为空", "不是有效日期", "申请人不能为空", "身份证号", "电话"):
        assert any(expected in e for e in errors), expected


def test_reupload_with_nothing_new_says_so_and_keeps_nothing(cast, mediators):
    """Issue 14: a sheet whose rows all exist says "3 行均已存在,未重复导入", not "已完成 · 0 / 0 行"."""
    rows = [sheet_row(f"R-{i}", "调委0") for i in range(3)]
    imp, _r = intake.referral_import_prepare(by=cast.clerk, upload=upload(xlsx(rows)))
    intake.referral_import_run(import_id=imp.pk)
    resp = client_for(cast.clerk).post("/referrals/import/", {"file": upload(xlsx(rows))})
    html = resp.content.decode()
    assert "3 行均已存在,未重复导入" in html and "确认导入" not in html
    assert ReferralImport.objects.count() == 1 and Referral.objects.count() == 3


def test_the_templates_sample_row_is_ignored(cast, mediators):
    """Issue 14: the sample row left in the downloaded template is not imported (nor an error)."""
    template = BytesIO(client_for(cast.clerk).get("/referrals/import/template.xlsx").content)
    assert not check(cast, template).ok  # the template alone has no data row
    ws = load_workbook(template).active
    ws.append(sheet_row("S-1", "调委0"))
    out = BytesIO()
    ws.parent.save(out)
    out.seek(0)
    result = check(cast, out)
    assert result.ok and [r.case_number for r in result.rows] == ["S-1"]
