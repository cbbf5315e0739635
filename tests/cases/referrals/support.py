"""Helpers shared by the referral tests (imported by tests/cases/test_referrals_*.py)."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from typing import Any

from django.utils import timezone

from cases.models import Referral, ReferralKind
from cases.referrals import intake, services
from members.models import User

ID = "620102199001011234"
PHONE = "13812345678"


def kind(code: str) -> ReferralKind:
    return ReferralKind.objects.get(code=code)


def draft(
    by: User, receiver: Any, *, code: str = "mediation", number: str = "(2026)甘01民诉前调1号", **kw: Any
) -> Referral:
    return services.referral_create(
        by=by,
        kind=kind(code),
        receiver=receiver,
        case_number=number,
        subject=kw.pop("subject", "买卖合同纠纷"),
        parties=kw.pop("parties", [{"role": "applicant", "name": "张三丰", "id_number": ID, "phone": PHONE}]),
        **kw,
    )


def sent(by: User, receiver: Any, **kw: Any) -> Referral:
    r = draft(by, receiver, **kw)
    return services.referral_send(referral=r, by=by, now=kw.get("now"))


def xlsx(rows: list[list[Any]], header: list[str] | None = None) -> BytesIO:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header if header is not None else [label for _k, label in intake.IMPORT_COLUMNS])
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "sheet.xlsx"
    return out


def days_ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


def sheet_row(number: str, receiver: str, *, on: str | None = None, name: str = "张三丰") -> list[Any]:
    """A valid row; delegated a week ago unless ``on`` says otherwise (within FUYUAN_IMPORT_BACKDATE_DAYS)."""
    return [number, receiver, "买卖合同纠纷", on or days_ago(7), name, ID, PHONE, "某某有限公司", "", "", ""]


def joined_days_ago(unit: Any, days: int) -> None:
    """The unit's people joined the platform ``days`` ago (its first day on the platform)."""
    User.objects.filter(unit=unit).update(date_joined=timezone.now() - timedelta(days=days))


def raw_xlsx(rows: dict[int, list[str]], *, blank_rows: range = range(0), dimension: str | None = None) -> bytes:
    """An XLSX written by hand, as a hostile file may be: ``rows`` by row number (any number, past what
    openpyxl writes), ``blank_rows`` as rows whose cells hold nothing, and the ``<dimension>`` element
    as given (omitted when None, so it may lie or be missing). Compressed, it stays a few KB."""
    import zipfile

    from openpyxl.utils import get_column_letter

    def row_xml(n: int, values: list[str]) -> str:
        cells = "".join(
            f'<c r="{get_column_letter(i)}{n}" t="inlineStr"><is><t>{v}</t></is></c>'
            for i, v in enumerate(values, start=1)
        )
        return f'<row r="{n}">{cells}</row>'

    numbers = sorted(set(rows) | set(blank_rows))
    body = "".join(row_xml(n, rows[n]) if n in rows else f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in numbers)
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="委派调解" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}">'
            f"{dim}<sheetData>{body}</sheetData></worksheet>"
        ),
    }
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def header_row() -> list[str]:
    return [label for _k, label in intake.IMPORT_COLUMNS]
