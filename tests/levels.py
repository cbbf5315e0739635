"""Level fixtures: the real region tree (members.0007), its offices, courts, units and people.

城关区 620102 and 七里河区 620103 are counties of 兰州市 620100; 嘉峪关市 620200 is another 市州.
``tests/levels_meetings.py`` builds whole places with their meetings, decisions and consultations on these.
"""

from __future__ import annotations

from typing import Any

from members.models import MemberUnit, Region, User
from members.roles import Role
from tests.conftest import ensure_organisation
from tests.factories import UnitFactory, make_user

PROVINCE, LANZHOU, CHENGGUAN, QILIHE, JIAYUGUAN = "620000", "620100", "620102", "620103", "620200"


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def office_unit_at(code: str) -> MemberUnit:
    """The unit hosting the linkage office of a level (a 司法局; the 省司法厅 for the province)."""
    ensure_organisation()
    if code == PROVINCE:
        return MemberUnit.objects.get(short_name="省司法厅")
    return MemberUnit.objects.get(hosts_office=True, region__code=code)


def court_at(code: str) -> MemberUnit:
    """The court of a level: the High Court, a 中级人民法院 or a county's basic court."""
    ensure_organisation()
    level = {
        Region.Level.PROVINCE: MemberUnit.CourtLevel.HIGH,
        Region.Level.CITY: MemberUnit.CourtLevel.INTERMEDIATE,
        Region.Level.COUNTY: MemberUnit.CourtLevel.BASIC,
    }[region(code).level]
    return MemberUnit.objects.filter(kind=MemberUnit.Kind.COURT, court_level=level, region__code=code).earliest("pk")


def unit_at(code: str, name: str, **kw: Any) -> MemberUnit:
    """A government department of a level (region set, level matching)."""
    ensure_organisation()
    where = region(code)
    level = {
        Region.Level.PROVINCE: MemberUnit.Level.PROVINCE,
        Region.Level.CITY: MemberUnit.Level.CITY,
        Region.Level.COUNTY: MemberUnit.Level.COUNTY,
    }[where.level]
    return UnitFactory(name=name, short_name=name[:8], region=where, level=level, **kw)


def tribunal_under(court: MemberUnit, name: str) -> MemberUnit:
    return UnitFactory(
        name=name,
        short_name=name[:8],
        kind=MemberUnit.Kind.COURT,
        court_level=MemberUnit.CourtLevel.TRIBUNAL,
        parent=court,
        region=court.region,
        level=court.level,
        is_member_unit=False,
    )


def office_user_at(code: str, username: str | None = None) -> User:
    return make_user(Role.OFFICE, office_unit_at(code), username=username or f"office{code}")


def leader_at(code: str, username: str | None = None) -> User:
    return make_user(Role.LEADER, office_unit_at(code), username=username or f"leader{code}")


def clerk_at(court: MemberUnit, username: str | None = None) -> User:
    return make_user(Role.COURT_CLERK, court, username=username or f"clerk{court.pk}")


def liaison_at(unit: MemberUnit, username: str | None = None) -> User:
    return make_user(Role.LIAISON, unit, username=username or f"liaison{unit.pk}")
