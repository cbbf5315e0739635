"""Helpers of the enforcement tests: an enforcement inquiry (执行查控) accepted by its receiver, and a court's case."""

from __future__ import annotations

from datetime import date
from typing import Any

from cases.enforcement import services as enforcement_services
from cases.enforcement.models import EnforcementCase
from cases.models import Referral, ReferralKind
from cases.referrals import services
from members.models import MemberUnit, User
from tests import levels


def accepted_inquiry(clerk: User, receiver_liaison: User, *, number: str = "（2026）甘01执1号") -> Referral:
    """An enforcement inquiry from the clerk's court, acknowledged and accepted by the liaison's unit."""
    r = services.referral_create(
        by=clerk,
        kind=ReferralKind.objects.get(code="enforcement_inquiry"),
        receiver=receiver_liaison.unit,
        case_number=number,
        subject="查询被执行人不动产",
    )
    services.referral_send(referral=r, by=clerk)
    services.referral_acknowledge(referral=r, by=receiver_liaison)
    services.referral_accept(referral=r, by=receiver_liaison)
    r.refresh_from_db()
    return r


def record(
    clerk: User,
    *,
    number: str = "（2026）甘01执100号",
    day: date = date(2026, 2, 10),
    recovered: Any = "1000.00",
    paid: Any = "600.00",
    **kw: Any,
) -> EnforcementCase:
    return enforcement_services.enforcement_case_create(
        by=clerk, case_number=number, concluded_on=day, amount_recovered=recovered, amount_paid=paid, **kw
    )


def court_and_clerk(code: str, username: str) -> tuple[MemberUnit, User]:
    court = levels.court_at(code)
    return court, levels.clerk_at(court, username=username)
