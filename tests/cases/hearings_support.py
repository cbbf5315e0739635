"""A small world for the hearing tests: 兰州中院 hears a case against 城关区市场监管局 (supervised by 兰州市市场监管局);
the record lives in 兰州市. People at every level around it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cases.hearings import services
from cases.hearings.models import Hearing
from members.models import MemberUnit, User
from tests import levels

NOW = "2026-03-02 10:00 +0800"
HEARING_AT = "2026-03-20T09:30:00+08:00"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass
class World:
    court: MemberUnit
    defendant: MemberUnit
    supervisor: MemberUnit
    other_unit: MemberUnit
    clerk: User
    liaison: User
    supervisor_liaison: User
    other_liaison: User
    high_clerk: User
    county_clerk: User
    office_province: User
    office_city: User
    office_county: User
    office_other_city: User
    leader_city: User

    def draft(self, **kw: Any) -> Hearing:
        data: dict[str, Any] = {
            "case_number": "(2026)甘01行初12号",
            "defendant": self.defendant,
            "hearing_at": at(HEARING_AT),
            "place": "第三法庭",
        }
        data.update(kw)
        return services.hearing_create(by=self.clerk, **data)

    def notified(self, **kw: Any) -> Hearing:
        return services.hearing_notify(hearing=self.draft(**kw), by=self.clerk)


def world() -> World:
    court = levels.court_at(levels.LANZHOU)
    supervisor = levels.unit_at(levels.LANZHOU, "兰州市市场监督管理局")
    defendant = levels.unit_at(levels.CHENGGUAN, "城关区市场监督管理局", supervisor=supervisor)
    other = levels.unit_at(levels.CHENGGUAN, "城关区自然资源局")
    return World(
        court=court,
        defendant=defendant,
        supervisor=supervisor,
        other_unit=other,
        clerk=levels.clerk_at(court, "clerk_lz"),
        liaison=levels.liaison_at(defendant, "liaison_def"),
        supervisor_liaison=levels.liaison_at(supervisor, "liaison_sup"),
        other_liaison=levels.liaison_at(other, "liaison_other"),
        high_clerk=levels.clerk_at(levels.court_at(levels.PROVINCE), "clerk_high"),
        county_clerk=levels.clerk_at(levels.court_at(levels.CHENGGUAN), "clerk_cg"),
        office_province=levels.office_user_at(levels.PROVINCE),
        office_city=levels.office_user_at(levels.LANZHOU),
        office_county=levels.office_user_at(levels.CHENGGUAN),
        office_other_city=levels.office_user_at(levels.JIAYUGUAN),
        leader_city=levels.leader_at(levels.LANZHOU),
    )
