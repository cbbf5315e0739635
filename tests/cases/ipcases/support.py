"""IP cases in known places: a court at each level (城关区, 兰州市, 嘉峪关市, the province) with its clerk, and
a mediation organisation in 城关区 with its liaison."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import Workbook
from rest_framework.test import APIClient

from cases.ipcases import intake, services
from cases.ipcases.models import IPCase
from members.models import MemberUnit, User
from tests.levels import CHENGGUAN, JIAYUGUAN, LANZHOU, PROVINCE, clerk_at, court_at, liaison_at, unit_at

_seq = itertools.count(1)
TODAY = date(2026, 6, 30)


def number(prefix: str = "甘0102知民初") -> str:
    return f"(2026){prefix}{next(_seq)}号"


@dataclass
class Courts:
    courts: SimpleNamespace
    clerks: SimpleNamespace
    mediator: MemberUnit
    mediator_liaison: User


@pytest.fixture
def courts(db: None) -> Courts:
    courts = SimpleNamespace(
        cg=court_at(CHENGGUAN), lz=court_at(LANZHOU), jyg=court_at(JIAYUGUAN), high=court_at(PROVINCE)
    )
    clerks = SimpleNamespace(**{name: clerk_at(court) for name, court in vars(courts).items()})
    mediator = unit_at(CHENGGUAN, "城关区知识产权调解中心", kind=MemberUnit.Kind.MEDIATION)
    return Courts(courts=courts, clerks=clerks, mediator=mediator, mediator_liaison=liaison_at(mediator))


def record(clerk: User, outcome: str = "judgment", *, on: date = date(2026, 3, 1), **kw: Any) -> IPCase:
    return services.ipcase_record(
        by=clerk,
        case_number=kw.pop("case_number", None) or number(),
        kind=kw.pop("kind", "patent"),
        concluded_on=on,
        outcome=outcome,
        today=kw.pop("today", TODAY),
        **kw,
    )


def sheet(rows: list[list[Any]], header: list[str] | None = None) -> BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(header if header is not None else intake.LABELS)
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "ip.xlsx"
    return out


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
