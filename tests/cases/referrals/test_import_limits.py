"""Issue 12, findings 2 and 6: the intake of mediation delegations is bounded and only a court's.

Finding 2: a small hostile sheet (a cell at row 20,000,000; 300,000 blank rows; a ZIP that inflates
to far more than it weighs) tied up a web worker. Now the declared dimension is refused before a row
is read, rows are counted as they stream (blank ones too) and reading stops at the limit, the check
has a deadline, and the ZIP is bounded before openpyxl opens it.

Finding 6: a liaison imported back-dated delegations. Now only units that send delegations (courts)
import them, and a 委派日期 before the court's first day on the platform or older than
``FUYUAN_IMPORT_BACKDATE_DAYS`` is refused row by row.

Every test checks that nothing was saved: no ReferralImport, no Referral.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Sequence
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Referral, ReferralImport
from cases.referrals import intake
from fuyuan.lib.errors import NotPermitted
from tests.cases.referrals.support import days_ago, header_row, joined_days_ago, raw_xlsx, sheet_row, xlsx
from tests.conftest import Cast, client_for
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def mediators(db: None) -> list[Any]:
    return [UnitFactory(name=f"调解委员会{i}", short_name=f"调委{i}", kind="mediation") for i in range(2)]


@pytest.fixture(autouse=True)
def court_on_the_platform_for_a_year(cast: Cast) -> None:
    joined_days_ago(cast.court, 365)


def post_sheet(cast: Cast, content: bytes, *, user: Any = None) -> str:
    response = client_for(user or cast.clerk).post(
        "/referrals/import/", {"file": SimpleUploadedFile("sheet.xlsx", content)}
    )
    assert response.status_code in (200, 403)
    return response.content.decode()


def nothing_saved() -> bool:
    return ReferralImport.objects.count() == 0 and Referral.objects.count() == 0


def counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the data rows the check reads (the rows openpyxl hands it)."""
    seen = [0]
    real = intake._data_rows

    def rows(ws: Any) -> Iterator[Sequence[Any]]:
        for row in real(ws):
            seen[0] += 1
            yield row

    monkeypatch.setattr(intake, "_data_rows", rows)
    return seen


def test_finding2_far_row_refused_before_reading_rows(cast: Cast, mediators: Any, monkeypatch: Any) -> None:
    def no_rows(ws: Any) -> Iterable[Sequence[Any]]:
        raise AssertionError("a row was read")

    monkeypatch.setattr(intake, "_data_rows", no_rows)
    # The reported file: the template's header and one cell at row 20,000,000, 5 KB of XLSX.
    far = raw_xlsx({1: header_row(), 20_000_000: ["(2026)1号"]}, dimension="A1:K20000000")
    assert len(far) < 5000
    html = post_sheet(cast, far)
    assert "超出 Excel 的行列上限" in html
    # Within Excel's limits but past the intake's: refused by the sheet's declared dimension.
    beyond = raw_xlsx({1: header_row(), intake.IMPORT_MAX_ROWS + 2: sheet_row("A-1", "调委0")}, dimension="A1:K20002")
    html = post_sheet(cast, beyond)
    assert "每次最多导入 20000 行(空行也计入)" in html and "import-errors" in html
    assert nothing_saved()


@pytest.mark.parametrize("dimension", [None, "A1:K2"], ids=["no dimension", "lying dimension"])
def test_finding2_blank_rows_count_toward_limit(
    cast: Cast, mediators: Any, monkeypatch: Any, dimension: str | None
) -> None:
    """Blank rows count, and reading stops at the limit whatever the file says about its size."""
    monkeypatch.setattr(intake, "IMPORT_MAX_ROWS", 50)
    seen = counting(monkeypatch)
    sheet = raw_xlsx({1: header_row(), 2: sheet_row("A-1", "调委0")}, blank_rows=range(3, 100_000), dimension=dimension)
    html = post_sheet(cast, sheet)
    assert "每次最多导入 50 行(空行也计入)" in html
    assert seen[0] == 51  # the limit, and the one row past it that tells
    # a far row past the blank ones, the file saying nothing of its size: the same
    seen[0] = 0
    html = post_sheet(cast, raw_xlsx({1: header_row(), 900_000: sheet_row("A-2", "调委0")}))
    assert "每次最多导入 50 行(空行也计入)" in html and seen[0] == 51
    # within the limit, trailing blank rows are ignored as before
    ok = raw_xlsx({1: header_row(), 2: sheet_row("A-1", "调委0")}, blank_rows=range(3, 40))
    check = intake.referral_import_check(sender=cast.court, fileobj=BytesIO(ok))
    assert check.ok and check.total == 1
    assert nothing_saved()


def test_finding2_check_time_is_bounded(cast: Cast, mediators: Any, monkeypatch: Any, settings: Any) -> None:
    """A clock that moves one second per look: the check stops once FUYUAN_IMPORT_MAX_SECONDS have passed."""
    settings.FUYUAN_IMPORT_MAX_SECONDS = 5
    clock = iter(range(1_000_000))
    monkeypatch.setattr(intake, "monotonic", lambda: float(next(clock)))
    seen = counting(monkeypatch)
    rows = [sheet_row(f"T-{i}", "调委0") for i in range(20)]
    html = post_sheet(cast, xlsx(rows).getvalue())
    assert "表格检查超过 5 秒仍未完成,已停止" in html
    assert seen[0] < 10  # stopped early, not after reading the sheet
    assert nothing_saved()


def _with_parts(base: bytes, parts: dict[str, bytes]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(base)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def test_finding2_zip_bomb_refused(cast: Cast, mediators: Any, settings: Any, monkeypatch: Any) -> None:
    """Refused by the ZIP's directory, before openpyxl opens it: too large once inflated, or too many parts."""
    settings.FUYUAN_MAX_UNZIPPED_BYTES = 1024 * 1024
    opened: list[Any] = []
    monkeypatch.setattr(intake, "load_workbook", lambda *a, **k: opened.append(a))
    template = xlsx([sheet_row("Z-1", "调委0")]).getvalue()
    bomb = _with_parts(template, {"xl/media/image1.png": b"\0" * (4 * 1024 * 1024)})
    assert len(bomb) < 50_000
    assert "解压后超过 1 MB 的大小限制" in post_sheet(cast, bomb)
    many = _with_parts(template, {f"xl/media/p{i}.xml": b"<x/>" for i in range(1001)})
    assert "包含的部件过多" in post_sheet(cast, many)
    assert opened == [] and nothing_saved()


def test_finding6_liaison_cannot_import_delegations(cast: Cast, mediators: Any) -> None:
    """Only a court (a unit that sends mediation delegations) imports them: a liaison's unit and the
    office are refused with the reason, by the page and by the service, and are not offered the button."""
    sheet = xlsx([sheet_row("L-1", "调委0", on=days_ago(1))]).getvalue()
    for user in (cast.liaison, cast.office):
        c = client_for(user)
        page = c.get("/referrals/import/")
        assert page.status_code == 403 and "只有人民法院可以批量导入委派调解" in page.content.decode()
        assert "只有人民法院可以批量导入委派调解" in post_sheet(cast, sheet, user=user)
        with pytest.raises(NotPermitted):
            intake.referral_import_prepare(by=user, upload=SimpleUploadedFile("s.xlsx", sheet))
        assert "/referrals/import/" not in c.get("/referrals/sent/").content.decode()
    assert "/referrals/import/" in client_for(cast.clerk).get("/referrals/sent/").content.decode()
    assert nothing_saved()


def test_finding6_backdated_rows_refused_row_by_row(cast: Cast, mediators: Any, settings: Any) -> None:
    """Each back-dated row has its own error; the other rows are fine; nothing is saved until all are."""
    settings.FUYUAN_IMPORT_BACKDATE_DAYS = 90
    joined_days_ago(cast.court, 200)
    rows = [
        sheet_row("B-1", "调委0", on="2001-01-05"),  # the reported row: before the court was on the platform
        sheet_row("B-2", "调委0", on=days_ago(100)),  # older than the window
        sheet_row("B-3", "调委1", on=days_ago(10)),  # fine
    ]
    check = intake.referral_import_check(sender=cast.court, fileobj=xlsx(rows))
    errors = dict(check.errors)
    assert sorted(errors) == [2, 3] and [r.case_number for r in check.rows] == ["B-3"]
    assert "委派日期不能早于本单位开始使用平台的日期" in errors[2][0]
    assert f"委派日期不能早于 {days_ago(90)}(只能导入 90 天以内的委派)" in errors[3][0]
    # a window wider than the court's time on the platform: its first day still bounds it
    settings.FUYUAN_IMPORT_BACKDATE_DAYS = 3650
    check = intake.referral_import_check(sender=cast.court, fileobj=xlsx(rows))
    assert [line for line, _p in check.errors] == [2] and len(check.rows) == 2
    html = post_sheet(cast, xlsx(rows).getvalue())
    assert "import-errors" in html and "委派日期不能早于本单位开始使用平台的日期" in html
    assert nothing_saved()
