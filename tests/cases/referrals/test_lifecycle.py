"""The lifecycle services: every transition, every refusal, sub-unit forwarding, extension, due dates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from cases.models import Referral, ReferralEvent
from cases.referrals import services
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.workdays import add_working_days
from tests.cases.referrals.support import draft, kind, sent
from tests.factories import UnitFactory, make_user

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
S = Referral.Status


def test_kinds_are_seeded_as_data():
    assert kind("criminal_transfer").answer_days == 3
    assert kind("mediation").answer_days == 30 and kind("mediation").extension_days == 30
    assert kind("enforcement_inquiry").answer_days == 7 and kind("enforcement_inquiry").working_days
    assert kind("petition").answer_days == 15
    assert kind("bankruptcy").answer_days == 30
    assert kind("notice").answer_days is None and not kind("notice").resend_allowed
    assert kind("mediation").outcomes == ["resolved", "failed", "withdrawn"]
    assert kind("criminal_transfer").outcomes == ["case_opened", "case_not_opened"]


def test_full_path_draft_to_concluded(cast):
    r = draft(cast.clerk, cast.unit)
    assert r.status == S.DRAFT and r.sender == cast.court
    services.referral_send(referral=r, by=cast.clerk)
    assert r.status == S.SENT and r.sent_at and r.next_alert_at
    ack = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
    services.referral_acknowledge(referral=r, by=cast.liaison, now=ack)
    assert r.status == S.ACKNOWLEDGED and r.due == date(2026, 4, 1)
    services.referral_accept(referral=r, by=cast.liaison)
    services.referral_conclude(referral=r, by=cast.liaison, outcome="resolved", note="达成调解协议")
    r.refresh_from_db()
    assert r.status == S.CONCLUDED and r.outcome == "resolved" and r.next_alert_at is None
    actions = list(r.events.order_by("id").values_list("action", flat=True))
    assert actions == ["create", "send", "acknowledge", "accept", "conclude"]


def test_sending_to_oneself_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        draft(cast.liaison, cast.unit)
    assert "不能移送给本单位" in str(exc.value)
    r = draft(cast.liaison, cast.other_unit)
    with pytest.raises(ValidationError):
        services.referral_update(referral=r, by=cast.liaison, receiver=cast.unit)


def test_sending_to_an_inactive_unit_is_refused(cast):
    closed = UnitFactory(name="已撤销局", active=False)
    with pytest.raises(ValidationError) as exc:
        draft(cast.liaison, closed)
    assert "已停用" in str(exc.value)
    r = draft(cast.liaison, cast.other_unit)
    cast.other_unit.active = False
    cast.other_unit.save()
    with pytest.raises(ValidationError):
        services.referral_send(referral=r, by=cast.liaison)
    r.refresh_from_db()
    assert r.status == S.DRAFT


def test_case_number_is_unique_per_sender_and_kind(cast):
    draft(cast.clerk, cast.unit, number="A-1")
    with pytest.raises(ValidationError):
        draft(cast.clerk, cast.other_unit, number="A-1")
    draft(cast.clerk, cast.unit, number="A-1", code="enforcement_inquiry")  # another kind: fine
    draft(cast.other_clerk, cast.unit, number="A-1")  # another sender: fine


def test_concluding_with_another_kinds_outcome_is_refused(cast):
    r = sent(cast.clerk, cast.unit)
    services.referral_acknowledge(referral=r, by=cast.liaison)
    services.referral_accept(referral=r, by=cast.liaison)
    with pytest.raises(ValidationError) as exc:
        services.referral_conclude(referral=r, by=cast.liaison, outcome="case_opened")
    assert "outcome" in exc.value.message_dict
    r.refresh_from_db()
    assert r.status == S.ACCEPTED and r.outcome == ""


@pytest.mark.parametrize("act", ["send", "acknowledge", "accept", "return", "conclude", "revoke", "extend"])
def test_acting_on_a_revoked_referral_is_refused(cast, act):
    r = sent(cast.clerk, cast.unit)
    services.referral_revoke(referral=r, by=cast.clerk, reason="当事人已自行和解")
    calls = {
        "send": lambda: services.referral_send(referral=r, by=cast.clerk),
        "acknowledge": lambda: services.referral_acknowledge(referral=r, by=cast.liaison),
        "accept": lambda: services.referral_accept(referral=r, by=cast.liaison),
        "return": lambda: services.referral_return(referral=r, by=cast.liaison, reason="x"),
        "conclude": lambda: services.referral_conclude(referral=r, by=cast.liaison, outcome="resolved"),
        "revoke": lambda: services.referral_revoke(referral=r, by=cast.clerk),
        "extend": lambda: services.referral_extend(
            referral=r, by=cast.liaison, both_parties_consent=True, consent_note="x"
        ),
    }
    with pytest.raises(TransitionNotAllowed):
        calls[act]()
    assert Referral.objects.get(pk=r.pk).status == S.REVOKED


def test_revoke_only_before_acceptance(cast):
    r = sent(cast.clerk, cast.unit)
    services.referral_acknowledge(referral=r, by=cast.liaison)
    services.referral_accept(referral=r, by=cast.liaison)
    with pytest.raises(TransitionNotAllowed):
        services.referral_revoke(referral=r, by=cast.clerk)


def test_only_the_right_side_may_act(cast):
    r = sent(cast.clerk, cast.unit)
    with pytest.raises(NotPermitted):
        services.referral_acknowledge(referral=r, by=cast.clerk)  # the sender
    with pytest.raises(NotPermitted):
        services.referral_revoke(referral=r, by=cast.liaison)  # the receiver
    with pytest.raises(NotPermitted):
        services.referral_acknowledge(referral=r, by=cast.leader)  # leaders never write


def test_return_then_correct_and_resend_keeps_both_in_history(cast):
    r = sent(cast.clerk, cast.unit)
    services.referral_return(referral=r, by=cast.liaison, reason="缺少当事人联系方式")
    assert r.status == S.RETURNED and r.return_reason == "缺少当事人联系方式"
    services.referral_update(referral=r, by=cast.clerk, summary="已补充联系方式")
    services.referral_send(referral=r, by=cast.clerk)
    r.refresh_from_db()
    assert r.status == S.SENT and r.send_count == 2 and r.acknowledged_at is None
    events = list(r.events.order_by("at", "id").values_list("action", "note"))
    assert [a for a, _n in events] == ["create", "send", "return", "send"]
    assert ("return", "缺少当事人联系方式") in events
    assert r.history.filter(status=S.RETURNED).exists() and r.history.filter(status=S.SENT).count() >= 2


def test_return_needs_a_reason(cast):
    r = sent(cast.clerk, cast.unit)
    with pytest.raises(ValidationError):
        services.referral_return(referral=r, by=cast.liaison, reason="  ")


def test_a_kind_may_forbid_resending(cast):
    r = sent(cast.liaison, cast.other_unit, code="notice", number="线索-1")
    services.referral_return(referral=r, by=cast.other_liaison, reason="不属于本单位职责")
    with pytest.raises(TransitionNotAllowed):
        services.referral_send(referral=r, by=cast.liaison)


def test_notice_needs_no_answer(cast):
    r = sent(cast.liaison, cast.other_unit, code="notice", number="线索-2")
    services.referral_acknowledge(referral=r, by=cast.other_liaison)
    assert r.due is None and r.next_alert_at is None


def test_receiver_forwards_to_a_sub_unit_and_the_sender_sees_it(cast):
    from cases.referrals.selectors import referral_get

    county = UnitFactory(name="某县公安局", parent=cast.unit)
    county_liaison = make_user("liaison", county, username="county")
    r = sent(cast.clerk, cast.unit)
    services.referral_forward(referral=r, by=cast.liaison, sub_unit=county)
    assert referral_get(cast.clerk, r.pk).handler == county
    services.referral_acknowledge(referral=referral_get(county_liaison, r.pk), by=county_liaison)
    r.refresh_from_db()
    assert r.status == S.ACKNOWLEDGED
    with pytest.raises(ValidationError):
        services.referral_forward(referral=r, by=cast.liaison, sub_unit=cast.other_unit)  # not a sub-unit
    with pytest.raises(NotPermitted):
        services.referral_forward(referral=r, by=county_liaison, sub_unit=county)  # only the receiver passes on


def test_mediation_extends_once_with_both_parties_consent(cast):
    r = sent(cast.clerk, cast.unit)
    services.referral_acknowledge(referral=r, by=cast.liaison, now=datetime(2026, 3, 2, 10, tzinfo=TZ))
    with pytest.raises(ValidationError):
        services.referral_extend(referral=r, by=cast.liaison, both_parties_consent=False, consent_note="")
    services.referral_extend(referral=r, by=cast.liaison, both_parties_consent=True, consent_note="双方书面同意")
    assert r.due == date(2026, 5, 1) and r.extension_note == "双方书面同意"
    with pytest.raises(TransitionNotAllowed):
        services.referral_extend(referral=r, by=cast.liaison, both_parties_consent=True, consent_note="再延")
    t = sent(cast.liaison, cast.other_unit, code="criminal_transfer", number="移-1")
    services.referral_acknowledge(referral=t, by=cast.other_liaison)
    with pytest.raises(TransitionNotAllowed):
        services.referral_extend(referral=t, by=cast.other_liaison, both_parties_consent=True, consent_note="x")


def test_due_dates_per_kind(cast):
    ack = datetime(2026, 9, 30, 10, tzinfo=TZ)  # the day before the National Day holiday
    assert services.compute_due(kind("criminal_transfer"), ack) == date(2026, 10, 3)
    assert services.compute_due(kind("enforcement_inquiry"), ack) == add_working_days(date(2026, 9, 30), 7)
    assert services.compute_due(kind("enforcement_inquiry"), ack) > date(2026, 10, 9)
    assert services.compute_due(kind("petition"), ack) == date(2026, 10, 15)
    assert services.compute_due(kind("notice"), ack) is None


def test_working_days_follow_the_official_calendar():
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)  # holiday 1–7 October 2026
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday → Monday
    assert add_working_days(date(2027, 3, 5), 1) == date(2027, 3, 8)  # no data yet: Monday to Friday
    assert add_working_days(date(2026, 3, 6), 0) == date(2026, 3, 6)


def test_draft_edit_only_by_sender_and_only_in_draft(cast):
    r = sent(cast.clerk, cast.unit)
    with pytest.raises(TransitionNotAllowed):
        services.referral_update(referral=r, by=cast.clerk, subject="改")
    assert ReferralEvent.objects.filter(referral=r).count() == 2
