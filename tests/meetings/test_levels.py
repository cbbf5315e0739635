"""Meetings, decisions and consultations by level (issue 13): where a record lives, who sees it, who may act
on it, the region and level filters, the list queries at every level, and the alerts of a level's office.

Fixtures: ``tests/levels_meetings.py`` (the real region tree; records made through the services).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fuyuan.lib.errors import NotPermitted
from meetings.consultations import selectors as consultation_selectors
from meetings.consultations import services as consultation_services
from meetings.decisions import selectors as decision_selectors
from meetings.decisions import services as decision_services
from meetings.decisions.models import Decision
from meetings.meetings import ical, reminders
from meetings.meetings import selectors as meeting_selectors
from meetings.meetings import services as meeting_services
from meetings.meetings.models import Meeting
from members.models import Notification, Region
from tests.conftest import client_for
from tests.levels_meetings import Levels
from tests.meetings.conftest import is_session_write

pytestmark = pytest.mark.django_db

ALL = {"province", "lanzhou", "chengguan", "qilihe", "jiayuguan"}


def _names(levels: Levels, records: Any, attr: str) -> set[str]:
    ids = {r.pk for r in records}
    return {name for name, place in levels.places.items() if getattr(place, attr).pk in ids}


def _seen(levels: Levels, user: Any) -> tuple[set[str], set[str], set[str], bool]:
    """Which places' meeting, decision and consultation ``user`` sees, and whether the sub-unit's meeting."""
    meetings = list(meeting_selectors.visible_to(user))
    return (
        _names(levels, meetings, "meeting"),
        _names(levels, decision_selectors.visible_to(user), "decision"),
        _names(levels, consultation_selectors.visible_to(user), "consultation"),
        levels.sub_meeting.pk in {m.pk for m in meetings},
    )


# --- Where a record lives ---------------------------------------------------------------------------------


def test_a_new_record_lands_in_its_principal_partys_region(levels):
    for name, place in levels.places.items():
        region = place.region
        city_id = region.city_id
        assert place.meeting is not None and place.decision is not None and place.consultation is not None
        assert (place.meeting.region_id, place.meeting.city_id, place.meeting.level) == (
            region.pk,
            city_id,
            region.level,
        ), name
        place.decision.refresh_from_db()
        assert (place.decision.region_id, place.decision.city_id) == (region.pk, city_id), name
        assert (place.consultation.region_id, place.consultation.city_id, place.consultation.level) == (
            region.pk,
            city_id,
            region.level,
        ), name
    assert levels.sub_meeting.region_id == levels.chengguan.region.pk


def test_a_new_convener_moves_the_meeting_and_its_decisions(levels):
    cg, qlh = levels.chengguan, levels.qilihe
    meeting_services.meeting_update(meeting=cg.meeting, by=levels.province.office, convener=qlh.court)
    meeting = Meeting.objects.get(pk=cg.meeting.pk)
    decision = Decision.objects.get(pk=cg.decision.pk)
    assert (meeting.region_id, meeting.city_id, meeting.level) == (qlh.region.pk, levels.lanzhou.region.pk, "county")
    assert (decision.region_id, decision.city_id) == (qlh.region.pk, levels.lanzhou.region.pk)
    assert cg.meeting.pk not in meeting_selectors.visible_to(cg.office).values_list("pk", flat=True)
    assert meeting_selectors.visible_to(qlh.office).filter(pk=cg.meeting.pk).exists()


def test_the_api_does_not_take_a_region_or_level_from_the_client(levels):
    cg, jyg = levels.chengguan, levels.jiayuguan
    client = client_for(cg.clerk)
    start = timezone.now() + timedelta(days=5)
    body = {
        "kind": "joint_meeting",
        "title": "试图落在嘉峪关",
        "convener": cg.court.pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "location": "会议室",
        "level": "city",
        "region": jyg.region.pk,
    }
    response = client.post("/api/v1/meetings/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["region"], data["level"]) == (cg.region.pk, "county")


# --- Who sees what ------------------------------------------------------------------------------------------

EXPECTED_REGION = {
    "province": (ALL, True),
    "lanzhou": ({"lanzhou", "chengguan", "qilihe"}, True),
    "chengguan": ({"chengguan"}, True),
    "qilihe": ({"qilihe"}, False),
    "jiayuguan": ({"jiayuguan"}, False),
}


@pytest.mark.parametrize("role", ["office", "leader"])
@pytest.mark.parametrize("where", list(EXPECTED_REGION))
def test_office_and_leader_see_their_region_and_below_not_parent_nor_sibling(levels, role, where):
    user = getattr(levels.places[where], role)
    places, sub = EXPECTED_REGION[where]
    assert _seen(levels, user) == (places, places, places, sub)


def test_a_liaison_sees_what_involves_their_unit_and_its_sub_units(levels):
    assert _seen(levels, levels.chengguan.liaison) == ({"chengguan"}, {"chengguan"}, {"chengguan"}, True)
    # The sub-unit's liaison does not see its parent unit's records; the 市州's unit not its county's.
    assert _seen(levels, levels.sub_liaison) == (set(), set(), set(), True)
    assert _seen(levels, levels.lanzhou.liaison) == ({"lanzhou"}, {"lanzhou"}, {"lanzhou"}, False)


EXPECTED_CLERK = {
    "province": ALL,  # the High Court's clerks read every court's records
    "lanzhou": {"lanzhou", "chengguan", "qilihe"},
    "chengguan": {"chengguan"},
    "qilihe": {"qilihe"},
    "jiayuguan": {"jiayuguan"},
}


@pytest.mark.parametrize("where", list(EXPECTED_CLERK))
def test_a_clerk_sees_their_court_and_the_courts_below(levels, where):
    places = EXPECTED_CLERK[where]
    assert _seen(levels, levels.places[where].clerk) == (places, places, places, False)


def test_the_courts_below_are_read_only_for_an_upper_court_clerk(levels):
    clerk, cg = levels.lanzhou.clerk, levels.chengguan
    assert meeting_services.allowed_actions(cg.meeting, clerk) == set()
    assert decision_services.allowed_actions(cg.decision, clerk) == set()
    assert consultation_services.allowed_actions(cg.consultation, clerk) == set()
    with pytest.raises(NotPermitted):
        meeting_services.meeting_update(meeting=cg.meeting, by=clerk, title="上级改名")
    assert Meeting.objects.get(pk=cg.meeting.pk).title == cg.meeting.title
    # Its own court's records it acts on.
    assert "edit" in meeting_services.allowed_actions(levels.lanzhou.meeting, clerk)


# --- A county office and another county's records: 404 everywhere ---------------------------------------------


def test_a_county_office_reading_another_countys_records_gets_404(levels):
    cg, qlh = levels.chengguan, levels.qilihe
    client = client_for(cg.office)
    assert qlh.meeting and qlh.decision and qlh.consultation
    for url in (
        reverse("meeting-detail", args=[qlh.meeting.pk]),
        reverse("meeting-ics", args=[qlh.meeting.pk]),
        reverse("decision-detail", args=[qlh.decision.pk]),
        reverse("consultation-detail", args=[qlh.consultation.pk]),
        f"/api/v1/meetings/{qlh.meeting.pk}/",
        f"/api/v1/decisions/{qlh.decision.pk}/",
        f"/api/v1/consultations/{qlh.consultation.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    # Its own are there.
    assert client.get(reverse("meeting-detail", args=[cg.meeting.pk])).status_code == 200
    # The export and the calendar feed hold only its scope.
    export = client.get(reverse("consultation-export"))
    assert export.status_code == 200
    feed = client.get(reverse("calendar-feed-ics", args=[ical.feed_token_get_or_create(user=cg.office).token]))
    assert cg.meeting.title.encode() in feed.content and qlh.meeting.title.encode() not in feed.content
    api = client.get("/api/v1/meetings/").json()
    assert {row["id"] for row in api["results"]} == {cg.meeting.pk, levels.sub_meeting.pk}


def test_the_export_holds_only_the_scope(levels):
    from io import BytesIO

    from openpyxl import load_workbook

    cg, qlh = levels.chengguan, levels.qilihe
    content = client_for(cg.office).get(reverse("consultation-export")).content
    cells = {str(c.value) for row in load_workbook(BytesIO(content)).active.iter_rows() for c in row}
    assert cg.consultation.topic in cells and qlh.consultation.topic not in cells


def test_a_city_office_sees_and_follows_up_its_counties_records(levels):
    lz, cg = levels.lanzhou, levels.chengguan
    client = client_for(lz.office)
    for url in (
        reverse("meeting-detail", args=[cg.meeting.pk]),
        reverse("decision-detail", args=[cg.decision.pk]),
        reverse("consultation-detail", args=[cg.consultation.pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert "edit" in meeting_services.allowed_actions(cg.meeting, lz.office)
    assert "complete" in decision_services.allowed_actions(cg.decision, lz.office)
    assert "edit" in consultation_services.allowed_actions(cg.consultation, lz.office)


def test_an_office_acts_only_in_its_scope(levels):
    cg, qlh = levels.chengguan, levels.qilihe
    before = Meeting.objects.count()
    start = timezone.now() + timedelta(days=3)
    with pytest.raises(NotPermitted):
        meeting_services.meeting_create(
            by=cg.office,
            kind="joint_meeting",
            title="替七里河区开会",
            convener=qlh.court,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            location="会议室",
        )
    assert Meeting.objects.count() == before
    assert qlh.decision is not None
    with pytest.raises(NotPermitted):
        decision_services.decision_complete(decision=qlh.decision, by=cg.office, note="越权办结")
    assert Decision.objects.get(pk=qlh.decision.pk).status == Decision.Status.OPEN
    with pytest.raises(NotPermitted):
        consultation_services.consultation_update(consultation=qlh.consultation, by=cg.office, topic="越权修改")
    assert qlh.consultation is not None
    qlh.consultation.refresh_from_db()
    assert qlh.consultation.topic == "七里河区会商"
    assert meeting_services.allowed_actions(qlh.meeting, cg.office) == set()
    # Its own region's it may.
    assert "edit" in meeting_services.allowed_actions(cg.meeting, cg.office)


# --- Filters --------------------------------------------------------------------------------------------------


def test_region_filter_is_a_subtree_and_level_filter_a_level(levels):
    lz, cg = levels.lanzhou, levels.chengguan
    client = client_for(levels.province.office)
    ids = lambda url, **q: {row["id"] for row in client.get(url, q).json()["results"]}  # noqa: E731
    assert ids("/api/v1/meetings/", region=lz.region.pk) == {
        lz.meeting.pk,
        cg.meeting.pk,
        levels.qilihe.meeting.pk,
        levels.sub_meeting.pk,
    }
    assert ids("/api/v1/meetings/", region=cg.region.pk, level="county") == {cg.meeting.pk, levels.sub_meeting.pk}
    assert ids("/api/v1/decisions/", region=lz.region.pk, level="city") == {lz.decision.pk}
    assert ids("/api/v1/consultations/", level="county") == {cg.consultation.pk, levels.qilihe.consultation.pk}
    assert ids("/api/v1/consultations/", region=levels.jiayuguan.region.pk) == {levels.jiayuguan.consultation.pk}
    # A filter never widens the scope: the 城关区 office asking for 兰州市 gets its own.
    own = {
        row["id"] for row in client_for(cg.office).get("/api/v1/meetings/", {"region": lz.region.pk}).json()["results"]
    }
    assert own == {cg.meeting.pk, levels.sub_meeting.pk}
    # The pages filter the same way.
    page = client.get(reverse("meeting-list"), {"region": cg.region.pk})
    assert cg.meeting.title in page.content.decode() and lz.meeting.title not in page.content.decode()
    page = client.get(reverse("decision-list"), {"level": "city"})
    assert lz.decision.text in page.content.decode() and cg.decision.text not in page.content.decode()


def _region_select(html: str) -> str:
    start = html.index('id="f-region"')
    return html[start : html.index("</select>", start)]


def test_the_region_select_offers_only_regions_within_reach(levels):
    cg, qlh, lz = levels.chengguan, levels.qilihe, levels.lanzhou
    for url in (reverse("meeting-list"), reverse("decision-list"), reverse("consultation-list")):
        county = _region_select(client_for(cg.office).get(url).content.decode())
        assert f'value="{cg.region.pk}"' in county and f'value="{qlh.region.pk}"' not in county
        assert f'value="{lz.region.pk}"' not in county
        city = _region_select(client_for(lz.office).get(url).content.decode())
        assert all(f'value="{r.pk}"' in city for r in (lz.region, cg.region, qlh.region))
        assert f'value="{levels.jiayuguan.region.pk}"' not in city
        everything = _region_select(client_for(levels.province.office).get(url).content.decode())
        assert everything.count("<option") == Region.objects.count() + 1


def test_the_month_calendar_follows_the_scope(levels):
    cg, qlh = levels.chengguan, levels.qilihe
    assert cg.meeting is not None
    day = timezone.localtime(cg.meeting.starts_at)
    page = client_for(cg.office).get(reverse("meeting-calendar"), {"month": f"{day.year}-{day.month:02d}"})
    assert page.status_code == 200
    assert cg.meeting.title in page.content.decode() and qlh.meeting.title not in page.content.decode()


# --- The same list queries at every level -------------------------------------------------------------------


def _queries(user: Any, url: str) -> int:
    client = client_for(user)
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len([q for q in ctx.captured_queries if not is_session_write(q["sql"])])


@pytest.mark.parametrize(
    "url", ["/meetings/", "/decisions/", "/consultations/", "/api/v1/meetings/", "/api/v1/decisions/"]
)
def test_a_list_costs_the_same_queries_for_province_city_and_county_offices(levels, url):
    counts = {name: _queries(levels.places[name].office, url) for name in ("province", "lanzhou", "chengguan")}
    assert len(set(counts.values())) == 1, counts


# --- Alerts at the right level --------------------------------------------------------------------------------


def _recipients(decision: Decision, event: str) -> set[int]:
    ct = ContentType.objects.get_for_model(Decision)
    return set(
        Notification.objects.filter(event=event, content_type=ct, object_id=decision.pk).values_list(
            "recipient", flat=True
        )
    )


def _at(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def test_overdue_goes_to_the_office_of_the_level_and_escalation_one_level_up(levels, time_machine):
    cg, lz, prov = levels.chengguan, levels.lanzhou, levels.province
    assert cg.decision and lz.decision and prov.decision
    due = cg.decision.due
    time_machine.move_to(_at(due - timedelta(days=3)), tick=False)
    reminders.scan_reminders()
    assert _recipients(cg.decision, "decision_due") == {cg.liaison.pk, cg.office.pk}
    time_machine.move_to(_at(due + timedelta(days=1)), tick=False)
    reminders.scan_reminders()
    assert _recipients(cg.decision, "decision_overdue") == {cg.liaison.pk, cg.office.pk}
    assert _recipients(lz.decision, "decision_overdue") == {lz.liaison.pk, lz.office.pk}
    assert _recipients(prov.decision, "decision_overdue") == {prov.liaison.pk, prov.office.pk}
    assert _recipients(cg.decision, "decision_escalated") == set()
    time_machine.move_to(_at(due + timedelta(days=30)), tick=False)
    reminders.scan_reminders()
    # 升级督办: the county's office and the 市州's; the 市州's and the province's; the province: none above.
    assert _recipients(cg.decision, "decision_escalated") == {cg.liaison.pk, cg.office.pk, lz.office.pk}
    assert _recipients(lz.decision, "decision_escalated") == {lz.liaison.pk, lz.office.pk, prov.office.pk}
    assert _recipients(prov.decision, "decision_escalated") == {prov.liaison.pk, prov.office.pk}
    assert Decision.objects.get(pk=cg.decision.pk).next_alert_at is None


def test_a_county_without_an_office_of_its_own_is_followed_by_the_city_office(levels, time_machine):
    cg, lz, prov = levels.chengguan, levels.lanzhou, levels.province
    cg.office.is_active = False
    cg.office.save()
    assert cg.decision is not None
    for days in (1, 30):
        time_machine.move_to(_at(cg.decision.due + timedelta(days=days)), tick=False)
        reminders.scan_reminders()
    assert _recipients(cg.decision, "decision_overdue") == {cg.liaison.pk, lz.office.pk}
    assert _recipients(cg.decision, "decision_escalated") == {cg.liaison.pk, lz.office.pk, prov.office.pk}


def test_an_owner_unit_not_invited_sees_the_decision_but_not_its_meeting(levels):
    jyg, cg = levels.jiayuguan, levels.chengguan
    assert jyg.meeting is not None
    decision = decision_services.decision_add(
        meeting=jyg.meeting,
        by=jyg.clerk,
        text="请城关区测试局配合",
        owner_unit=cg.unit,
        due=timezone.localdate(jyg.meeting.starts_at) + timedelta(days=5),
    )
    client = client_for(cg.liaison)
    assert client.get(reverse("meeting-detail", args=[jyg.meeting.pk])).status_code == 404
    for url in (reverse("decision-detail", args=[decision.pk]), reverse("decision-list")):
        page = client.get(url)
        assert page.status_code == 200 and decision.text in page.content.decode()
        assert jyg.meeting.title not in page.content.decode(), url
        assert reverse("meeting-detail", args=[jyg.meeting.pk]) not in page.content.decode(), url
    data = client.get(f"/api/v1/decisions/{decision.pk}/").json()
    assert data["meeting"] is None and data["meeting_title"] is None
    # The invited unit's own decision names its meeting.
    own = client.get(f"/api/v1/decisions/{cg.decision.pk}/").json()
    assert (own["meeting"], own["meeting_title"]) == (cg.meeting.pk, cg.meeting.title)


def _picker(html: str, name: str) -> str:
    start = html.index(f'name="{name}"')
    return html[start : html.index("</select>", start)]


def test_the_unit_filters_render_only_the_chosen_unit(levels):
    """Issue 19: the convener, owner and unit filters are searchable pickers holding only the chosen unit."""
    cg, lz = levels.chengguan, levels.lanzhou
    pages = ((reverse("meeting-list"), "convener"), (reverse("decision-list"), "owner"))
    pages += ((reverse("consultation-list"), "unit"),)
    for url, name in pages:
        province = _picker(client_for(levels.province.office).get(url).content.decode(), name)
        assert province.count("<option") == 1 and 'data-search-url="/units/search/"' in province
        city = client_for(lz.office)
        chosen = _picker(city.get(url, {name: cg.unit.pk}).content.decode(), name)
        assert f'data-search-url="/units/search/?region={lz.region.pk}"' in chosen
        assert chosen.count("<option") == 2 and f'value="{cg.unit.pk}" selected>' in chosen
        # A unit outside the city's reach is never rendered as chosen.
        outside = _picker(city.get(url, {name: levels.jiayuguan.unit.pk}).content.decode(), name)
        assert outside.count("<option") == 1
