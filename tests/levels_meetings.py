"""Shared fixtures of the level tests of meetings, decisions and consultations (issue 13).

The real tree from the migrations: 620000 the province, 620100 兰州市 with its counties 620102 城关区 and
620103 七里河区, 620200 嘉峪关市. Offices are the units hosting a level's office (司法局, ``hosts_office``);
courts are found by ``court_level``. Records are made through the services, as users make them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from meetings.consultations import services as consultation_services
from meetings.consultations.models import Consultation
from meetings.decisions import services as decision_services
from meetings.decisions.models import Decision
from meetings.meetings import services as meeting_services
from meetings.meetings.models import Meeting
from members.models import MemberUnit, Region, User
from members.roles import Role
from tests.conftest import Cast
from tests.factories import make_user
from tests.levels import office_unit_at


def office_unit(region: Region) -> MemberUnit:
    return office_unit_at(region.code)


def court_of(region: Region, court_level: str) -> MemberUnit:
    return MemberUnit.objects.get(kind=MemberUnit.Kind.COURT, court_level=court_level, region=region)


@dataclass
class Place:
    """One region with its office, court, a government unit and the records that live there."""

    region: Region
    office: User
    leader: User
    court: MemberUnit
    clerk: User
    unit: MemberUnit
    liaison: User
    meeting: Meeting | None = None
    decision: Decision | None = None
    consultation: Consultation | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Levels:
    province: Place
    lanzhou: Place  # 620100 兰州市
    chengguan: Place  # 620102 城关区
    qilihe: Place  # 620103 七里河区
    jiayuguan: Place  # 620200 嘉峪关市
    sub_unit: MemberUnit  # a sub-unit of 城关区's government unit
    sub_liaison: User
    sub_meeting: Meeting

    @property
    def places(self) -> dict[str, Place]:
        return {
            "province": self.province,
            "lanzhou": self.lanzhou,
            "chengguan": self.chengguan,
            "qilihe": self.qilihe,
            "jiayuguan": self.jiayuguan,
        }


def _start() -> datetime:
    return (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)


def make_records(place: Place, *, title: str) -> None:
    """A meeting convened by the place's court (invited: its government unit), a decision of it owned by
    that unit, and a consultation the court logged with the unit."""
    start = _start()
    place.meeting = meeting_services.meeting_create(
        by=place.clerk,
        kind=Meeting.Kind.JOINT_MEETING,
        title=f"{title}联席会议",
        convener=place.court,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        invited_units=[place.unit],
        location="会议室",
    )
    place.decision = decision_services.decision_add(
        meeting=place.meeting,
        by=place.clerk,
        text=f"{title}议定事项",
        owner_unit=place.unit,
        due=timezone.localdate(start) + timedelta(days=30),
    )
    place.consultation = consultation_services.consultation_log(
        by=place.clerk,
        topic_kind=Consultation.TopicKind.MAJOR_CASE,
        held_on=timezone.localdate(),
        units=[place.unit],
        topic=f"{title}会商",
    )


def _place(code: str, court_level: str, *, cast: Cast | None = None) -> Place:
    region = Region.objects.get(code=code)
    court = court_of(region, court_level)
    level = region.level
    unit = MemberUnit.objects.create(
        name=f"{region.name}测试局", kind=MemberUnit.Kind.GOVERNMENT, level=level, region=region
    )
    office = cast.office if cast is not None else make_user(Role.OFFICE, office_unit(region), username=f"office{code}")
    return Place(
        region=region,
        office=office,
        leader=make_user(Role.LEADER, office_unit(region), username=f"leader{code}"),
        court=court,
        clerk=make_user(Role.COURT_CLERK, court, username=f"clerk{code}"),
        unit=unit,
        liaison=make_user(Role.LIAISON, unit, username=f"liaison{code}"),
    )


@pytest.fixture
def levels(cast: Cast) -> Levels:
    high, mid, basic = (MemberUnit.CourtLevel.HIGH, MemberUnit.CourtLevel.INTERMEDIATE, MemberUnit.CourtLevel.BASIC)
    province = _place("620000", high, cast=cast)
    lanzhou = _place("620100", mid)
    chengguan = _place("620102", basic)
    qilihe = _place("620103", basic)
    jiayuguan = _place("620200", mid)
    for name, place in (
        ("省级", province),
        ("兰州市", lanzhou),
        ("城关区", chengguan),
        ("七里河区", qilihe),
        ("嘉峪关市", jiayuguan),
    ):
        make_records(place, title=name)
    sub_unit = MemberUnit.objects.create(
        name="城关区测试局下属中心",
        kind=MemberUnit.Kind.GOVERNMENT,
        level=Region.Level.COUNTY,
        region=chengguan.region,
        parent=chengguan.unit,
    )
    sub_liaison = make_user(Role.LIAISON, sub_unit, username="liaison_sub")
    start = _start()
    sub_meeting = meeting_services.meeting_create(
        by=sub_liaison,
        kind=Meeting.Kind.JOINT_MEETING,
        title="下属中心联席会议",
        convener=sub_unit,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        location="会议室",
    )
    return Levels(province, lanzhou, chengguan, qilihe, jiayuguan, sub_unit, sub_liaison, sub_meeting)


def today() -> date:
    return timezone.localdate()
