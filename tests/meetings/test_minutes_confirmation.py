"""Minutes confirmation reaches the invitees (issue 14, item 1).

Circulated minutes go to every invited unit that has not declined (not only those that replied
"参加"); each answers 无意见 or 有修改意见 from the meeting page, its home to-do or the API; the office
sees every unit's answer and hears of comments at once; issuing before the deadline while units have
not answered takes an explicit override with a reason, kept and shown on the minutes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from meetings.meetings import minutes as meeting_minutes
from meetings.meetings import reminders
from meetings.meetings import services as meeting_services
from meetings.models import Meeting, Minutes, MinutesConfirmation
from members.models import Notification
from tests.conftest import client_for
from tests.factories import UnitFactory, make_user
from tests.meetings.conftest import local, page_queries

pytestmark = pytest.mark.django_db

T0 = local(2026, 12, 1, 9, 0)
START = local(2026, 12, 3, 9, 0)
AFTER = local(2026, 12, 3, 15, 0)
CONFIRM_BY = AFTER.date() + timedelta(days=5)
JSON = "application/json"


@pytest.fixture
def held(cast, make_meeting, time_machine):  # type: ignore[no-untyped-def]
    """Held on 3 December: 甲局 replied 参加, the court never answered, 乙局 declined."""
    time_machine.move_to(T0, tick=False)
    meeting = make_meeting(starts_at=START, invited=[cast.unit, cast.court, cast.other_unit])
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.unit, by=cast.liaison, reply="attending", attendees="王局长"
    )
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.other_unit, by=cast.other_liaison, reply="declined", reason="另有公务"
    )
    time_machine.move_to(AFTER, tick=False)
    meeting = meeting_services.meeting_hold(meeting=meeting, by=cast.office)
    meeting_minutes.minutes_save(meeting=meeting, by=cast.office, body="一、会议听取了环境资源审判情况通报。")
    return meeting


@pytest.fixture
def circulated(cast, held):  # type: ignore[no-untyped-def]
    meeting_minutes.minutes_circulate(meeting=held, by=cast.office, confirm_by=CONFIRM_BY)
    return held


def _minutes(meeting: Meeting) -> Minutes:
    return Minutes.objects.get(meeting=meeting)


def _actions(meeting: Meeting, user) -> set[str]:  # type: ignore[no-untyped-def]
    """What ``user`` may do now, on the meeting as read afresh (its minutes change under the test)."""
    return meeting_services.allowed_actions(Meeting.objects.get(pk=meeting.pk), user)


def _page(user, meeting) -> str:  # type: ignore[no-untyped-def]
    response = client_for(user).get(reverse("meeting-detail", args=[meeting.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_every_invited_unit_that_did_not_decline_is_told(cast, circulated):
    told = set(Notification.objects.filter(event="minutes_circulated").values_list("recipient__username", flat=True))
    # The court never answered the invitation: it is asked all the same. 乙局 declined: not asked.
    assert told == {"liaison", "clerk"}
    notice = Notification.objects.get(event="minutes_circulated", recipient=cast.clerk)
    assert notice.url == reverse("meeting-detail", args=[circulated.pk])
    assert "无意见确认" in notice.body


def test_the_unit_that_never_replied_confirms_from_its_page_and_to_do(cast, circulated):
    home = client_for(cast.clerk).get(reverse("home")).content.decode()
    assert 'data-testid="minutes-to-confirm"' in home and circulated.title in home
    body = _page(cast.clerk, circulated)
    assert 'data-testid="minutes-confirm"' in body and "无意见确认" in body and "提出修改意见" in body

    url = reverse("minutes-action", args=[circulated.pk, "confirm"])
    client_for(cast.clerk).post(url, {"verdict": "agreed", "comment": ""})
    answer = MinutesConfirmation.objects.get(unit=cast.court)
    assert (answer.verdict, answer.confirmed_by) == ("agreed", cast.clerk)
    home = client_for(cast.clerk).get(reverse("home")).content.decode()
    assert 'data-testid="minutes-to-confirm"' not in home  # answered: off the to-do
    assert "修改本单位意见" in _page(cast.clerk, circulated)  # may still change its answer until issued


def test_comments_reach_the_office_and_show_per_unit(cast, circulated):
    meeting_minutes.minutes_confirm(meeting=circulated, by=cast.liaison, verdict="amend", comment="第二条请补充时限。")
    notice = Notification.objects.get(event="minutes_commented")
    assert notice.recipient == cast.office
    assert "甲局" in notice.subject or cast.unit.name in notice.subject
    assert "第二条请补充时限。" in notice.body
    assert notice.url.endswith("#minutes")

    body = _page(cast.office, circulated)
    answers = body[body.index('data-testid="minutes-answers"') :]
    answers = answers[: answers.index("</ul>")]
    assert "有意见" in answers and "第二条请补充时限。" in answers  # 甲局
    assert "未确认" in answers  # the court
    assert cast.other_unit.display_name not in answers  # declined: not asked

    meeting_minutes.minutes_confirm(meeting=circulated, by=cast.clerk)
    assert Notification.objects.filter(event="minutes_commented").count() == 1  # 无意见 tells no one
    assert "已确认" in _page(cast.office, circulated)


def test_bad_answers_are_refused_in_chinese_and_save_nothing(cast, held, circulated):
    with pytest.raises(ValidationError) as err:
        meeting_minutes.minutes_confirm(meeting=circulated, by=cast.liaison, verdict="amend", comment="  ")
    assert err.value.message_dict["comment"] == ["提出修改意见须填写具体意见。"]
    with pytest.raises(ValidationError) as err:
        meeting_minutes.minutes_confirm(meeting=circulated, by=cast.liaison, verdict="maybe")
    assert "verdict" in err.value.message_dict
    assert not MinutesConfirmation.objects.exists()
    assert not Notification.objects.filter(event="minutes_commented").exists()
    # From the page: the message, nothing saved.
    client = client_for(cast.liaison)
    response = client.post(
        reverse("minutes-action", args=[circulated.pk, "confirm"]), {"verdict": "amend", "comment": ""}, follow=True
    )
    assert "提出修改意见须填写具体意见。" in response.content.decode()
    assert not MinutesConfirmation.objects.exists()


def test_refused_answers_leave_the_minutes_unchanged(cast, held):
    with pytest.raises(TransitionNotAllowed):  # a draft is not out for confirmation
        meeting_minutes.minutes_confirm(meeting=held, by=cast.liaison)
    meeting_minutes.minutes_circulate(meeting=held, by=cast.office, confirm_by=CONFIRM_BY)
    with pytest.raises(NotPermitted):  # declined the invitation: not asked
        meeting_minutes.minutes_confirm(meeting=held, by=cast.other_liaison)
    with pytest.raises(NotPermitted):  # the office drafts; it does not answer for a unit
        meeting_minutes.minutes_confirm(meeting=held, by=cast.office)
    assert "confirm_minutes" not in _actions(held, cast.other_liaison)
    assert not MinutesConfirmation.objects.exists()
    assert _minutes(held).status == Minutes.Status.CIRCULATED


def test_outside_the_scope_is_404_and_saves_nothing(cast, circulated):
    outsider = client_for(cast.other_clerk)  # a court not invited
    assert outsider.get(reverse("meeting-detail", args=[circulated.pk])).status_code == 404
    response = outsider.post(reverse("minutes-action", args=[circulated.pk, "confirm"]), {"verdict": "agreed"})
    assert response.status_code == 404
    response = outsider.post(
        f"/api/v1/meetings/{circulated.pk}/minutes/confirm/", {"verdict": "agreed"}, content_type=JSON
    )
    assert response.status_code == 404
    assert not MinutesConfirmation.objects.exists()


def test_issuing_early_takes_a_reason_kept_on_the_minutes(cast, circulated):
    assert {"issue_minutes", "issue_minutes_override"} <= _actions(circulated, cast.office)
    body = _page(cast.office, circulated)
    assert "提前印发理由" in body and "提前印发" in body
    with pytest.raises(ValidationError) as err:
        meeting_minutes.minutes_issue(meeting=circulated, by=cast.office, document_number="纪〔2026〕9号")
    assert err.value.message_dict["override_reason"] == ["尚有参会单位未确认纪要且确认期限未到,提前印发须填写理由。"]
    minutes = _minutes(circulated)
    assert (minutes.status, minutes.document_number, minutes.issued_at) == (Minutes.Status.CIRCULATED, "", None)

    client = client_for(cast.office)
    response = client.post(
        reverse("minutes-action", args=[circulated.pk, "issue"]),
        {"document_number": "纪〔2026〕9号", "override_reason": "省政府常务会议急需引用"},
    )
    assert response.status_code == 302
    minutes = _minutes(circulated)
    assert minutes.status == Minutes.Status.ISSUED
    assert (minutes.override_reason, minutes.override_by) == ("省政府常务会议急需引用", cast.office)
    shown = _page(cast.liaison, circulated)
    assert 'data-testid="minutes-override"' in shown and "省政府常务会议急需引用" in shown
    assert cast.office.display_name in shown
    assert minutes.history.filter(override_reason="省政府常务会议急需引用").exists()  # the audit trail


def test_no_reason_needed_once_every_asked_unit_answered(cast, circulated):
    meeting_minutes.minutes_confirm(meeting=circulated, by=cast.liaison)
    assert "issue_minutes_override" in _actions(circulated, cast.office)
    meeting_minutes.minutes_confirm(meeting=circulated, by=cast.clerk, verdict="amend", comment="请删去第三段")
    assert "issue_minutes_override" not in _actions(circulated, cast.office)
    assert "提前印发理由" not in _page(cast.office, circulated)  # the field is shown only when needed
    minutes = meeting_minutes.minutes_issue(meeting=circulated, by=cast.office, document_number="纪〔2026〕10号")
    assert minutes.override_reason == "" and minutes.override_by is None


def test_silence_until_the_deadline_needs_no_reason(cast, circulated, time_machine):
    time_machine.move_to(local(CONFIRM_BY.year, CONFIRM_BY.month, CONFIRM_BY.day, 23, 59), tick=False)
    assert "issue_minutes_override" in _actions(circulated, cast.office)
    time_machine.move_to(local(CONFIRM_BY.year, CONFIRM_BY.month, CONFIRM_BY.day + 1, 0, 0), tick=False)
    assert "issue_minutes_override" not in _actions(circulated, cast.office)
    minutes = meeting_minutes.minutes_issue(meeting=circulated, by=cast.office, document_number="纪〔2026〕11号")
    assert minutes.status == Minutes.Status.ISSUED and minutes.override_reason == ""


def test_issuing_a_draft_never_sent_for_confirmation_needs_a_reason(cast, held):
    with pytest.raises(ValidationError):
        meeting_minutes.minutes_issue(meeting=held, by=cast.office, document_number="纪〔2026〕12号")
    assert _minutes(held).status == Minutes.Status.DRAFT
    minutes = meeting_minutes.minutes_issue(
        meeting=held, by=cast.office, document_number="纪〔2026〕12号", override_reason="与会单位当场会签"
    )
    assert minutes.override_by == cast.office


def test_the_reminder_goes_to_units_that_have_not_answered(cast, circulated, time_machine):
    meeting_minutes.minutes_confirm(meeting=circulated, by=cast.liaison)
    time_machine.move_to(local(CONFIRM_BY.year, CONFIRM_BY.month, CONFIRM_BY.day - 1, 9, 0), tick=False)
    reminders.scan_reminders()
    told = set(Notification.objects.filter(event="minutes_confirm").values_list("recipient__username", flat=True))
    assert told == {"clerk"}  # the court never replied to the invitation, nor to the minutes


def test_the_api_confirms_and_issues_as_the_page_does(cast, circulated):
    url = f"/api/v1/meetings/{circulated.pk}"
    declined = client_for(cast.other_liaison).post(f"{url}/minutes/confirm/", {"verdict": "agreed"}, content_type=JSON)
    assert declined.status_code == 403
    bad = client_for(cast.liaison).post(f"{url}/minutes/confirm/", {"verdict": "amend"}, content_type=JSON)
    assert bad.status_code == 400 and "comment" in bad.json()
    assert not MinutesConfirmation.objects.exists()
    ok = client_for(cast.liaison).post(
        f"{url}/minutes/confirm/", {"verdict": "amend", "comment": "请补充出席人员"}, content_type=JSON
    )
    assert ok.status_code == 200 and ok.json()["verdict"] == "amend"

    office = client_for(cast.office)
    early = office.post(f"{url}/minutes/issue/", {"document_number": "纪〔2026〕13号"}, content_type=JSON)
    assert early.status_code == 400 and "override_reason" in early.json()
    assert _minutes(circulated).status == Minutes.Status.CIRCULATED
    issued = office.post(
        f"{url}/minutes/issue/",
        {"document_number": "纪〔2026〕13号", "override_reason": "领导批示提前印发"},
        content_type=JSON,
    )
    assert issued.status_code == 200, issued.json()
    minutes = issued.json()["minutes"]
    assert minutes["status"] == "issued" and minutes["override_reason"] == "领导批示提前印发"
    assert minutes["override_by_name"] == cast.office.display_name
    assert [(c["unit"], c["verdict"], c["comment"]) for c in minutes["confirmations"]] == [
        (cast.unit.pk, "amend", "请补充出席人员")
    ]
    again = office.post(f"{url}/minutes/issue/", {"document_number": "纪〔2026〕14号"}, content_type=JSON)
    assert again.status_code == 409


def test_page_and_home_queries_do_not_grow_with_units(cast, make_meeting, time_machine):
    time_machine.move_to(T0, tick=False)

    def circulated_with(n: int) -> Meeting:
        people = [make_user("liaison", UnitFactory()) for _ in range(n)]
        meeting = make_meeting(starts_at=START, invited=[cast.unit, *(p.unit for p in people)])
        time_machine.move_to(AFTER, tick=False)
        meeting_services.meeting_hold(meeting=meeting, by=cast.office)
        meeting_minutes.minutes_save(meeting=meeting, by=cast.office, body="正文")
        meeting_minutes.minutes_circulate(meeting=meeting, by=cast.office, confirm_by=CONFIRM_BY)
        for person in people[: (n + 1) // 2]:
            meeting_minutes.minutes_confirm(meeting=meeting, by=person, verdict="amend", comment="意见")
        time_machine.move_to(T0, tick=False)
        return meeting

    few = circulated_with(1)
    many = circulated_with(8)
    time_machine.move_to(AFTER, tick=False)
    client = client_for(cast.office)
    n_few, _ = page_queries(client, reverse("meeting-detail", args=[few.pk]))
    n_many, _ = page_queries(client, reverse("meeting-detail", args=[many.pk]))
    assert n_few == n_many
    liaison = client_for(cast.liaison)
    n_home_one, _ = page_queries(liaison, reverse("home"))
    time_machine.move_to(T0, tick=False)
    for _i in range(3):
        circulated_with(2)
    time_machine.move_to(AFTER, tick=False)
    n_home_more, response = page_queries(liaison, reverse("home"))
    assert response.content.decode().count("#minutes") >= 4
    assert n_home_one == n_home_more
