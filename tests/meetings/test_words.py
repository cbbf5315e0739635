"""Words, not codes, on the meeting pages (issue 14): the reminders never read ``null`` (admin, form, API)
and a decision's light has words for its tooltip."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.decisions import services as decision_services
from meetings.meetings.models import Meeting, MeetingKindSetting
from meetings.meetings.reminders import offsets_in_words
from members.roles import ensure_roles
from tests.conftest import client_for
from tests.meetings.conftest import local, page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _admin_permissions(cast):  # type: ignore[no-untyped-def]
    """The groups' permissions as a later migrate gives them (on a fresh test database members' post_migrate
    hook runs before the other apps' permissions exist; see tests/cases/referrals/test_admin_tasks.py)."""
    ensure_roles()


def test_offsets_in_words():
    assert offsets_in_words([4320, 120]) == "提前3天、2小时"
    assert offsets_in_words([1500, 30]) == "提前1天1小时、30分钟"
    assert offsets_in_words([]) == "不提醒"


def test_the_meeting_admin_shows_the_reminders_in_effect_not_null(cast, make_meeting):
    meeting = make_meeting()
    assert meeting.reminder_offsets is None  # follows its kind's default
    page = client_for(cast.admin).get(reverse("admin:meetings_meeting_change", args=[meeting.pk])).content.decode()
    assert "按会议类型默认(提前3天、2小时)" in page
    assert 'name="title"' in page and 'name="reminder_offsets"' in page and 'name="video_link"' in page
    assert ">null<" not in page and 'value="null"' not in page
    listing = client_for(cast.admin).get(reverse("admin:meetings_meetingkindsetting_changelist"))
    assert listing.status_code == 200


def test_the_admin_saves_typed_minutes_and_a_blank_as_the_default(cast, make_meeting):
    MeetingKindSetting.objects.create(kind=Meeting.Kind.JOINT_MEETING, reminder_offsets=[1440])
    meeting = make_meeting(reminder_offsets=[60])
    page = client_for(cast.admin).get(reverse("admin:meetings_meetingkindsetting_changelist")).content.decode()
    assert "提前1天" in page and "[1440]" not in page
    detail = client_for(cast.admin).get(reverse("admin:meetings_meeting_change", args=[meeting.pk])).content.decode()
    assert 'value="60"' in detail and "提前1小时" in detail


def test_the_form_says_what_a_blank_field_means(cast, make_meeting):
    MeetingKindSetting.objects.create(kind=Meeting.Kind.LEADING_GROUP, reminder_offsets=[1440])
    meeting = make_meeting()
    page = client_for(cast.office).get(reverse("meeting-edit", args=[meeting.pk])).content.decode()
    assert "留空则按会议类型默认" in page
    assert "领导小组会议:提前1天" in page and "联席会议:提前3天、2小时" in page
    assert "null" not in page


def test_the_api_gives_the_offsets_in_effect(cast, make_meeting):
    MeetingKindSetting.objects.create(kind=Meeting.Kind.CASE_SYMPOSIUM, reminder_offsets=[2880])
    default = make_meeting(title="按类型默认")
    symposium = make_meeting(title="座谈", kind=Meeting.Kind.CASE_SYMPOSIUM)
    own = make_meeting(title="自定", reminder_offsets=[90, 30])
    client = client_for(cast.office)
    rows = {m["title"]: m for m in client.get("/api/v1/meetings/").json()["results"]}
    assert rows["按类型默认"]["reminder_offsets"] == [4320, 120]
    assert rows["按类型默认"]["reminder_offsets_default"] is True
    assert rows["座谈"]["reminder_offsets"] == [2880]
    assert rows["自定"]["reminder_offsets"] == [90, 30] and rows["自定"]["reminder_offsets_default"] is False
    assert client.get(f"/api/v1/meetings/{default.pk}/").json()["reminder_offsets"] == [4320, 120]
    # Writing null still means "the kind's default".
    response = client.patch(f"/api/v1/meetings/{own.pk}/", {"reminder_offsets": None}, content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["reminder_offsets_default"] is True
    own.refresh_from_db()
    assert own.reminder_offsets is None
    assert symposium.reminder_offsets is None


def test_the_api_list_reads_the_kinds_once(cast, make_meeting):
    make_meeting(title="一")
    few, _ = page_queries(client_for(cast.office), "/api/v1/meetings/")
    for n in range(4):
        make_meeting(title=f"会议{n}")
    many, _ = page_queries(client_for(cast.office), "/api/v1/meetings/")
    assert few == many


def test_a_decision_light_has_words_not_a_colour_code(cast, make_meeting, time_machine):
    time_machine.move_to(local(2026, 3, 2, 9), tick=False)
    meeting = make_meeting(starts_at=local(2026, 3, 10, 9))
    decision_services.decision_add(
        meeting=meeting,
        by=cast.office,
        text="建立联络机制",
        owner_unit=cast.unit,
        due=timezone.localdate(meeting.starts_at) + timedelta(days=60),
    )
    page = client_for(cast.office).get(reverse("decision-list")).content.decode()
    assert 'title="green"' not in page
    assert 'class="fy-light fy-light-green" title="正常"' in page
    assert 'data-testid="light-legend"' in page and "临期" in page and "逾期" in page
