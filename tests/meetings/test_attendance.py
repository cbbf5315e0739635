"""签到: the sign-in list of a held meeting, recorded by the convener side for every invited unit at once,
shown on the meeting page, in the API and in the admin; distinct from the reply before the meeting."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from meetings.meetings import services as meeting_services
from meetings.meetings.attendance import SignIn, attendance_record
from meetings.models import Invitation, Meeting
from members.models import MemberUnit
from tests.conftest import client_for
from tests.meetings.conftest import page_queries

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=SH)
HELD_ON = datetime(2026, 3, 12, 9, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _frozen(time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)


def _held(cast, invited: list[MemberUnit] | None = None) -> Meeting:  # type: ignore[no-untyped-def]
    return meeting_services.meeting_record(
        by=cast.office,
        kind="joint_meeting",
        title="执行联动联席会议",
        convener=cast.office.unit,
        starts_at=HELD_ON,
        ends_at=HELD_ON + timedelta(hours=2),
        invited_units=invited if invited is not None else [cast.unit, cast.court, cast.other_unit],
        location="省司法厅会议室",
    )


def _lines(cast) -> list[SignIn]:  # type: ignore[no-untyped-def]
    return [
        SignIn(cast.unit.pk, "present", "王局长、李处长"),
        SignIn(cast.court.pk, "delegate", "  张庭长 "),
        SignIn(cast.other_unit.pk, "absent", "不应保留的名字"),
    ]


def _post_data(meeting: Meeting, rows: list[tuple[int, str, str]]) -> dict[str, Any]:
    data: dict[str, Any] = {"form-TOTAL_FORMS": len(rows), "form-INITIAL_FORMS": len(rows)}
    for i, (unit, attendance, names) in enumerate(rows):
        data |= {f"form-{i}-unit": unit, f"form-{i}-attendance": attendance, f"form-{i}-signed_names": names}
    return data


def _state(meeting: Meeting) -> dict[int, tuple[str, str, bool]]:
    return {
        i.unit_id: (i.attendance, i.signed_names, i.signed_at is not None)
        for i in Invitation.objects.filter(meeting=meeting)
    }


def test_the_office_records_who_came(cast) -> None:  # type: ignore[no-untyped-def]
    meeting = _held(cast)
    rows = attendance_record(meeting=meeting, by=cast.office, lines=_lines(cast))
    assert len(rows) == 3
    assert _state(meeting) == {
        cast.unit.pk: ("present", "王局长、李处长", True),
        cast.court.pk: ("delegate", "张庭长", True),
        cast.other_unit.pk: ("absent", "", True),  # no names for a unit that did not come
    }
    court = Invitation.objects.get(meeting=meeting, unit=cast.court)
    assert court.attended and court.signed_by == cast.office and court.signed_at == NOW
    assert court.reply == Invitation.Reply.PENDING  # the reply is another thing, left as it was
    assert court.history.first().history_user == cast.office  # the audit trail has who signed the list


def test_a_line_left_unrecorded_is_signed_but_not_attended(cast) -> None:  # type: ignore[no-untyped-def]
    meeting = _held(cast)
    attendance_record(meeting=meeting, by=cast.office, lines=[SignIn(cast.unit.pk, "present", "王局长")])
    state = _state(meeting)
    assert state[cast.unit.pk] == ("present", "王局长", True)
    assert state[cast.court.pk] == ("", "", True)  # on the saved list: counted as invited, not as attended


def test_the_convening_units_liaison_may_record_an_invitee_may_not(cast) -> None:  # type: ignore[no-untyped-def]
    meeting = meeting_services.meeting_record(
        by=cast.liaison,
        kind="joint_meeting",
        title="本单位召集的座谈",
        convener=cast.unit,
        starts_at=HELD_ON,
        ends_at=HELD_ON + timedelta(hours=1),
        invited_units=[cast.court],
        location="本单位会议室",
    )
    attendance_record(meeting=meeting, by=cast.liaison, lines=[SignIn(cast.court.pk, "present", "赵法官")])
    invited = _held(cast)
    assert "record_attendance" not in meeting_services.allowed_actions(invited, cast.liaison)
    with pytest.raises(NotPermitted):
        attendance_record(meeting=invited, by=cast.liaison, lines=[SignIn(cast.unit.pk, "present", "王局长")])
    with pytest.raises(NotPermitted):
        attendance_record(meeting=invited, by=cast.leader, lines=[SignIn(cast.unit.pk, "present", "王局长")])
    assert all(not signed for _a, _n, signed in _state(invited).values())


def test_attendance_before_the_meeting_is_refused(cast, make_meeting) -> None:  # type: ignore[no-untyped-def]
    meeting = make_meeting(starts_at=NOW + timedelta(days=3))
    assert "record_attendance" not in meeting_services.allowed_actions(meeting, cast.office)
    with pytest.raises(TransitionNotAllowed, match="会议召开后才能登记签到"):
        attendance_record(meeting=meeting, by=cast.office, lines=[SignIn(cast.unit.pk, "present", "王局长")])
    assert _state(meeting)[cast.unit.pk] == ("", "", False)
    response = client_for(cast.office).post(
        reverse("meeting-attendance", args=[meeting.pk]),
        _post_data(meeting, [(cast.unit.pk, "present", "王局长"), (cast.court.pk, "", "")]),
        follow=True,
    )
    assert "会议召开后才能登记签到" in response.content.decode()
    assert _state(meeting)[cast.unit.pk] == ("", "", False)


def test_a_closed_meeting_keeps_its_list(cast) -> None:  # type: ignore[no-untyped-def]
    meeting = _held(cast)
    attendance_record(meeting=meeting, by=cast.office, lines=_lines(cast))
    meeting_services.meeting_close(meeting=meeting, by=cast.office)
    with pytest.raises(TransitionNotAllowed):
        attendance_record(meeting=meeting, by=cast.office, lines=[SignIn(cast.unit.pk, "absent", "")])
    assert _state(meeting)[cast.unit.pk][0] == "present"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (("unit", "present", ""), "请填写签到人员姓名"),
        (("unit", "came", "王局长"), "请选择出席、委派代表出席或缺席"),
        (("unit", "present", "王" * 301), "不能超过300个字"),
        (("stranger", "present", "某人"), "未受邀的单位"),
    ],
)
def test_bad_input_saves_nothing(cast, line, message) -> None:  # type: ignore[no-untyped-def]
    meeting = _held(cast)
    unit = cast.unit.pk if line[0] == "unit" else cast.other_court.pk
    lines = [SignIn(cast.court.pk, "present", "张庭长"), SignIn(unit, line[1], line[2])]
    with pytest.raises(ValidationError, match=message):
        attendance_record(meeting=meeting, by=cast.office, lines=lines)
    assert all(state == ("", "", False) for state in _state(meeting).values())  # not even the good line


# --- the pages ----------------------------------------------------------------------------------------------


def test_the_sign_in_form_and_the_meeting_page(cast) -> None:  # type: ignore[no-untyped-def]
    meeting = _held(cast)
    meeting_page = reverse("meeting-detail", args=[meeting.pk])
    client = client_for(cast.office)
    assert "尚未登记签到" in client.get(meeting_page).content.decode()
    form = client.get(reverse("meeting-attendance", args=[meeting.pk]))
    assert form.status_code == 200 and form.content.decode().count('data-testid="sign-in-row"') == 3
    response = client.post(
        reverse("meeting-attendance", args=[meeting.pk]),
        _post_data(
            meeting,
            [
                (cast.unit.pk, "present", "王局长"),
                (cast.court.pk, "delegate", "张庭长"),
                (cast.other_unit.pk, "absent", ""),
            ],
        ),
    )
    assert response.status_code == 302 and response["Location"].endswith("#attendance")
    body = client.get(meeting_page).content.decode()
    assert "签到表" in body and "出席 2 / 3" in body and "王局长" in body and "委派代表出席" in body
    assert "修改签到" in body
    # An invited liaison reads the list but has no button to change it.
    body = client_for(cast.liaison).get(meeting_page).content.decode()
    assert "王局长" in body and reverse("meeting-attendance", args=[meeting.pk]) not in body


def test_the_page_refuses_bad_input_with_a_chinese_message(cast) -> None:  # type: ignore[no-untyped-def]
    meeting = _held(cast)
    response = client_for(cast.office).post(
        reverse("meeting-attendance", args=[meeting.pk]),
        _post_data(
            meeting, [(cast.unit.pk, "present", ""), (cast.court.pk, "present", "张庭长"), (cast.other_unit.pk, "", "")]
        ),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "请填写签到人员姓名" in body and "张庭长" in body  # the typed names are kept on the form
    assert all(state == ("", "", False) for state in _state(meeting).values())


def test_an_altered_form_starts_again(cast) -> None:  # type: ignore[no-untyped-def]
    meeting = _held(cast)
    response = client_for(cast.office).post(reverse("meeting-attendance", args=[meeting.pk]), {"form-TOTAL_FORMS": "x"})
    assert response.status_code == 200 and "签到表填写有误" in response.content.decode()
    assert response.content.decode().count('data-testid="sign-in-row"') == 3


def test_who_may_open_the_sign_in_form(cast) -> None:  # type: ignore[no-untyped-def]
    meeting = _held(cast, invited=[cast.unit, cast.court])
    url = reverse("meeting-attendance", args=[meeting.pk])
    assert client_for(cast.other_liaison).get(url).status_code == 404  # outside the scope
    assert client_for(cast.other_liaison).post(url, _post_data(meeting, [])).status_code == 404
    assert client_for(cast.liaison).get(url).status_code == 404  # invited, but not the convener side
    data = _post_data(meeting, [(cast.unit.pk, "present", "王局长")])
    assert client_for(cast.liaison).post(url, data).status_code == 404
    assert client_for(cast.leader).post(url, data).status_code == 404
    assert _state(meeting)[cast.unit.pk] == ("", "", False)


def test_the_meeting_page_does_not_grow_with_invited_units(cast) -> None:  # type: ignore[no-untyped-def]
    few_units = [cast.unit, cast.court]
    many_units = list(MemberUnit.objects.filter(active=True).order_by("pk")[:12])
    assert len(many_units) == 12
    client = client_for(cast.office)
    counts = []
    for units in (few_units, many_units):
        meeting = _held(cast, invited=units)
        attendance_record(
            meeting=meeting, by=cast.office, lines=[SignIn(u.pk, "present", f"{u.pk}号代表") for u in units]
        )
        queries, response = page_queries(client, reverse("meeting-detail", args=[meeting.pk]))
        assert response.content.decode().count("号代表") == len(units)
        counts.append(queries)
    assert counts[0] == counts[1]
    form_counts = [page_queries(client, reverse("meeting-attendance", args=[m.pk]))[0] for m in Meeting.objects.all()]
    assert form_counts[0] == form_counts[1]


# --- the API and the admin ---------------------------------------------------------------------------------


def test_the_api_reads_and_records_the_list(cast) -> None:  # type: ignore[no-untyped-def]
    meeting = _held(cast, invited=[cast.unit, cast.court])
    url = f"/api/v1/meetings/{meeting.pk}/attendance/"
    body = {"lines": [{"unit": cast.unit.pk, "attendance": "present", "signed_names": "王局长"}]}
    assert client_for(cast.liaison).post(url, body, content_type="application/json").status_code == 403
    assert client_for(cast.other_liaison).post(url, body, content_type="application/json").status_code == 404
    bad = {"lines": [{"unit": cast.unit.pk, "attendance": "present", "signed_names": ""}]}
    response = client_for(cast.office).post(url, bad, content_type="application/json")
    assert response.status_code == 400 and "请填写签到人员姓名" in response.content.decode()
    response = client_for(cast.office).post(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    replies = {r["unit"]: r for r in response.json()["replies"]}
    assert replies[cast.unit.pk]["attendance"] == "present" and replies[cast.unit.pk]["signed_names"] == "王局长"
    assert replies[cast.court.pk]["attendance"] == "" and replies[cast.court.pk]["signed_at"] is not None
    planned = meeting_services.meeting_create(
        by=cast.office,
        kind="joint_meeting",
        title="下周的会",
        convener=cast.office.unit,
        starts_at=NOW + timedelta(days=7),
        ends_at=NOW + timedelta(days=7, hours=1),
        invited_units=[cast.unit],
        location="会议室",
    )
    response = client_for(cast.office).post(
        f"/api/v1/meetings/{planned.pk}/attendance/", body, content_type="application/json"
    )
    assert response.status_code == 409


def test_the_admin_shows_the_sign_in_lines(cast) -> None:  # type: ignore[no-untyped-def]
    meeting = _held(cast, invited=[cast.unit])
    attendance_record(meeting=meeting, by=cast.office, lines=[SignIn(cast.unit.pk, "delegate", "钱科长")])
    client = client_for(cast.admin)
    body = client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk])).content.decode()
    assert "钱科长" in body and "签到人员" in body
    listing = client.get(reverse("admin:meetings_invitation_changelist"), {"attendance": "delegate"})
    assert listing.status_code == 200 and "执行联动联席会议" in listing.content.decode()
