"""The permission matrix's level dimension (issue 13): a reader at a 市州 or 县市区 against records living in
its own region, its parent region, a sibling region and a child region.

The world: one record of each kind living in the province, 兰州市, 兰州市城关区, 兰州市七里河区 and 天水市 (each
made by that region's own people through the services, so the services decide where it lives). The readers:
the office and a leader of 兰州市, the office of 城关区, the clerks of 兰州中院 and of 城关区法院. Every cell is
the page and the API detail of one record; outside the scope is 404 on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.recommendations.models import JudicialRecommendation
from cases.referrals.models import Referral
from meetings.consultations import services as consultation_services
from meetings.decisions import services as decision_services
from meetings.meetings import services as meeting_services
from meetings.models import Meeting
from members.models import MemberUnit, Region, User
from members.roles import Role
from tests.cases.recommendations.support import make_issued
from tests.cases.referrals.support import sent
from tests.conftest import Cast, client_for
from tests.factories import UnitFactory, make_user

pytestmark = [pytest.mark.security, pytest.mark.django_db]

PLACES = {"省": "620000", "兰州市": "620100", "城关区": "620102", "七里河区": "620103", "天水市": "620500"}
KINDS = ("recommendation", "referral", "meeting", "decision", "consultation")
CASE_KINDS = ("recommendation", "referral")

# reader → the places whose records it reads (every other place: 404)
EXPECTED = {
    "office@兰州市": {"兰州市", "城关区", "七里河区"},  # own region and its children; not the parent, not a sibling
    "leader@兰州市": {"兰州市", "城关区", "七里河区"},
    "office@城关区": {"城关区"},  # not the parent 兰州市, not the sibling 七里河区
    "office@省": set(PLACES),  # the provincial office reads every level
}
# clerks read (and only on the case kinds) their court's records and those of the courts below
EXPECTED_CLERKS = {
    "clerk@兰州市": {"兰州市", "城关区", "七里河区"},
    "clerk@城关区": {"城关区"},
}


@dataclass
class Place:
    region: Region
    office_unit: MemberUnit
    court: MemberUnit
    unit: MemberUnit
    office: User
    clerk: User
    liaison: User


def _court(region: Region) -> MemberUnit:
    levels = {"province": "high", "city": "intermediate", "county": "basic"}
    return MemberUnit.objects.get(kind="court", court_level=levels[region.level], region=region)


def _place(name: str, code: str, cast: Cast) -> Place:
    region = Region.objects.get(code=code)
    office_unit = MemberUnit.objects.get(hosts_office=True, region=region)
    court = _court(region)
    level = region.level
    unit = UnitFactory(name=f"{name}测试局", short_name=f"{name}局", region=region, level=level)
    office = cast.office if level == "province" else make_user(Role.OFFICE, office_unit, username=f"office-{code}")
    return Place(
        region=region,
        office_unit=office_unit,
        court=court,
        unit=unit,
        office=office,
        clerk=make_user(Role.COURT_CLERK, court, username=f"clerk-{code}"),
        liaison=make_user(Role.LIAISON, unit, username=f"liaison-{code}"),
    )


def _records(name: str, place: Place, cast: Cast) -> dict[str, Any]:
    start = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    meeting = meeting_services.meeting_create(
        by=place.office,
        kind=Meeting.Kind.JOINT_MEETING,
        title=f"{name}联席会议",
        convener=place.office.unit,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        invited_units=[place.unit, place.court],
        location=f"{name}会议室",
    )
    return {
        "recommendation": make_issued(cast, by=place.clerk, addressee=place.unit, title=f"{name}司法建议"),
        "referral": sent(place.clerk, place.unit, number=f"(2026){name}诉前调1号"),
        "meeting": meeting,
        "decision": decision_services.decision_add(
            meeting=meeting,
            by=place.office,
            text=f"{name}议定事项",
            owner_unit=place.unit,
            due=timezone.localdate() + timedelta(days=30),
        ),
        "consultation": consultation_services.consultation_log(
            by=place.office,
            topic_kind="routine",
            held_on=timezone.localdate(),
            units=[place.unit, place.court],
            topic=f"{name}会商",
        ),
    }


@pytest.fixture
def world(cast: Cast) -> dict[str, Any]:
    places = {name: _place(name, code, cast) for name, code in PLACES.items()}
    records = {name: _records(name, place, cast) for name, place in places.items()}
    readers = {
        "office@兰州市": places["兰州市"].office,
        "leader@兰州市": make_user(Role.LEADER, places["兰州市"].office_unit, username="leader-620100"),
        "office@城关区": places["城关区"].office,
        "office@省": cast.office,
        "clerk@兰州市": places["兰州市"].clerk,
        "clerk@城关区": places["城关区"].clerk,
    }
    return {"places": places, "records": records, "readers": readers}


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _statuses(user: User, kind: str, obj: Any) -> tuple[int, int]:
    page = client_for(user).get(reverse(f"{kind}-detail", args=[obj.pk])).status_code
    api = _api(user).get(f"/api/v1/{kind}s/{obj.pk}/").status_code
    return page, api


def test_records_live_in_the_region_of_their_parties(world: dict[str, Any]) -> None:
    for name, records in world["records"].items():
        region = world["places"][name].region
        for kind, obj in records.items():
            obj.refresh_from_db()
            assert obj.region_id == region.pk, (name, kind)
            assert obj.city_id == region.city_id, (name, kind)


@pytest.mark.parametrize("reader", sorted(EXPECTED))
def test_offices_and_leaders_read_their_region_and_below(world: dict[str, Any], reader: str) -> None:
    user = world["readers"][reader]
    for name, records in world["records"].items():
        want = 200 if name in EXPECTED[reader] else 404
        for kind in KINDS:
            assert _statuses(user, kind, records[kind]) == (want, want), (reader, name, kind)


@pytest.mark.parametrize("reader", sorted(EXPECTED_CLERKS))
def test_clerks_read_their_court_and_the_courts_below(world: dict[str, Any], reader: str) -> None:
    user = world["readers"][reader]
    for name, records in world["records"].items():
        want = 200 if name in EXPECTED_CLERKS[reader] else 404
        for kind in CASE_KINDS:
            assert _statuses(user, kind, records[kind]) == (want, want), (reader, name, kind)


def test_a_court_above_reads_a_basic_courts_record_but_cannot_act_on_it(world: dict[str, Any]) -> None:
    rec = world["records"]["城关区"]["recommendation"]
    referral = world["records"]["城关区"]["referral"]
    clerk = world["readers"]["clerk@兰州市"]
    before = (rec.status, referral.status)
    assert _api(clerk).post(f"/api/v1/recommendations/{rec.pk}/withdraw/").status_code == 403
    assert _api(clerk).post(f"/api/v1/referrals/{referral.pk}/revoke/").status_code == 403
    after = (
        JudicialRecommendation.objects.get(pk=rec.pk).status,
        Referral.objects.get(pk=referral.pk).status,
    )
    assert after == before
    # Its own court's clerk may (the same request succeeds for the owner).
    owner = world["places"]["城关区"].clerk
    assert _api(owner).post(f"/api/v1/referrals/{referral.pk}/revoke/").status_code == 200


def test_a_county_office_cannot_act_on_its_parent_regions_records(world: dict[str, Any]) -> None:
    meeting = world["records"]["兰州市"]["meeting"]
    decision = world["records"]["兰州市"]["decision"]
    office = world["readers"]["office@城关区"]
    assert _api(office).post(f"/api/v1/meetings/{meeting.pk}/cancel/").status_code == 404
    assert _api(office).post(f"/api/v1/decisions/{decision.pk}/progress/", {"note": "进展"}).status_code == 404
    assert Meeting.objects.get(pk=meeting.pk).status == meeting.status
    assert not decision.progress.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_lists_hold_exactly_the_reachable_records(world: dict[str, Any], kind: str) -> None:
    """The API list of a 兰州市 office holds 兰州市's and its counties' records of the world, none other."""
    ours = {
        world["records"][name][kind].pk
        for name in EXPECTED["office@兰州市"]  # the records of this world the office reads
    }
    theirs = {world["records"][name][kind].pk for name in PLACES} - ours
    response = _api(world["readers"]["office@兰州市"]).get(f"/api/v1/{kind}s/", {"page_size": 200})
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    assert ours <= listed
    assert not (theirs & listed)
