"""Helpers shared by the referral tests (imported by tests/cases/test_referrals_*.py)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

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


def sheet_row(number: str, receiver: str, *, on: str = "2026-01-05", name: str = "张三丰") -> list[Any]:
    return [number, receiver, "买卖合同纠纷", on, name, ID, PHONE, "某某有限公司", "", "", ""]
