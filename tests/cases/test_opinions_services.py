"""Legal opinions (咨询意见 / 合法性论证), issue 16 item 2: the services, every refused transition, bad input.

A refusal leaves the row as it was (``snapshot``) and sends nothing; each rule is tried by another user.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.opinions import services
from cases.opinions.models import Opinion
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from members.models import WorkTask
from tests.cases.opinions_support import answered, ask, notices, snapshot
from tests.factories import UnitFactory, make_user

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
S = Opinion.Status


def test_a_liaison_asks_and_the_court_hears_of_it_due_in_15_working_days_of_the_official_calendar(cast):
    # Monday 29 September 2025: the National Day holiday (1–8 October) does not count, Saturday 11 October
    # (a make-up working day) does: the 15th working day after is Monday 27 October.
    with time_machine.travel(datetime(2025, 9, 29, 10, 0, tzinfo=TZ), tick=False):
        opinion = ask(cast.liaison, cast.court)
    opinion.refresh_from_db()
    assert opinion.status == S.REQUESTED
    assert opinion.requester == cast.unit and opinion.court == cast.court and not opinion.offered
    assert opinion.requested_on == date(2025, 9, 29)
    assert opinion.due == date(2025, 10, 27)
    assert list(opinion.tasks.values_list("number", flat=True)) == [1]
    assert notices() == [("opinion_requested", "requested", "clerk")]
    assert opinion.next_alert_at is not None
    assert opinion.history.filter(history_change_reason="requested").count() == 1


def test_answer_tells_the_requester_and_stops_the_ladder(cast):
    opinion = ask(cast.liaison, cast.court)
    services.opinion_answer(opinion=opinion, by=cast.clerk, answer="  经研究,答复如下。 ")
    opinion.refresh_from_db()
    assert opinion.status == S.ANSWERED
    assert opinion.answer == "经研究,答复如下。"
    assert opinion.answered_by == cast.clerk and opinion.answered_at is not None
    assert opinion.next_alert_at is None
    assert ("opinion_answered", "answered", "liaison") in notices()
    assert services.allowed_actions(opinion, cast.clerk) == set()
    assert services.allowed_actions(opinion, cast.liaison) == set()


def test_an_opinion_answered_twice_is_refused_and_nothing_changes(cast):
    """The issue's case: answering twice → TransitionNotAllowed (409 in the API), the first answer stays."""
    opinion = answered(cast.liaison, cast.court, cast.clerk)
    before, sent = snapshot(opinion), notices()
    second = make_user("court_clerk", cast.court, username="second_clerk")
    for clerk in (cast.clerk, second):
        with pytest.raises(TransitionNotAllowed, match=r"已于 .* 答复"):
            services.opinion_answer(opinion=opinion, by=clerk, answer="第二次答复")
    assert snapshot(opinion) == before
    assert notices() == sent


@pytest.mark.parametrize("who", ["other_clerk", "liaison", "other_liaison", "office", "leader", "admin"])
def test_only_the_courts_clerks_answer(cast, who):
    opinion = ask(cast.liaison, cast.court)
    before, sent = snapshot(opinion), notices()
    with pytest.raises(NotPermitted):
        services.opinion_answer(opinion=opinion, by=getattr(cast, who), answer="答复")
    assert snapshot(opinion) == before and notices() == sent
    assert "answer" not in services.allowed_actions(opinion, getattr(cast, who))


def test_an_empty_answer_is_refused_in_chinese(cast):
    opinion = ask(cast.liaison, cast.court)
    before = snapshot(opinion)
    with pytest.raises(ValidationError) as err:
        services.opinion_answer(opinion=opinion, by=cast.clerk, answer="  ")
    assert err.value.message_dict == {"answer": ["请填写答复意见。"]}
    assert snapshot(opinion) == before


def test_the_requester_withdraws_and_the_court_hears_of_it_then_nothing_more_may_happen(cast):
    opinion = ask(cast.liaison, cast.court)
    services.opinion_withdraw(opinion=opinion, by=cast.liaison, reason="已自行解决")
    opinion.refresh_from_db()
    assert opinion.status == S.WITHDRAWN and opinion.withdraw_reason == "已自行解决"
    assert opinion.next_alert_at is None
    assert ("opinion_withdrawn", "withdrawn", "clerk") in notices()
    before = snapshot(opinion)
    with pytest.raises(TransitionNotAllowed):
        services.opinion_answer(opinion=opinion, by=cast.clerk, answer="答复")
    with pytest.raises(TransitionNotAllowed):
        services.opinion_withdraw(opinion=opinion, by=cast.liaison)
    with pytest.raises(TransitionNotAllowed):
        services.opinion_update(opinion=opinion, by=cast.liaison, changes={"subject": "改"})
    assert snapshot(opinion) == before


def test_an_answered_opinion_cannot_be_withdrawn_or_edited(cast):
    opinion = answered(cast.liaison, cast.court, cast.clerk)
    before = snapshot(opinion)
    with pytest.raises(TransitionNotAllowed):
        services.opinion_withdraw(opinion=opinion, by=cast.liaison)
    with pytest.raises(TransitionNotAllowed):
        services.opinion_update(opinion=opinion, by=cast.liaison, changes={"subject": "改"})
    assert snapshot(opinion) == before


@pytest.mark.parametrize("who", ["clerk", "other_clerk", "other_liaison", "leader"])
def test_only_the_asking_side_withdraws_or_edits(cast, who):
    opinion = ask(cast.liaison, cast.court)
    before = snapshot(opinion)
    user = getattr(cast, who)
    with pytest.raises(NotPermitted):
        services.opinion_withdraw(opinion=opinion, by=user)
    with pytest.raises(NotPermitted):
        services.opinion_update(opinion=opinion, by=user, changes={"subject": "改"})
    assert snapshot(opinion) == before
    assert not {"edit", "withdraw"} & services.allowed_actions(opinion, user)


def test_the_requester_and_the_office_edit_while_it_waits_a_new_due_date_rearms(cast):
    opinion = ask(cast.liaison, cast.court)
    assert services.allowed_actions(opinion, cast.liaison) == {"edit", "withdraw"}
    assert services.allowed_actions(opinion, cast.office) == {"edit", "withdraw"}
    new_due = timezone.localdate() + timedelta(days=40)
    services.opinion_update(opinion=opinion, by=cast.liaison, changes={"subject": "改后的事项", "due": new_due})
    opinion.refresh_from_db()
    assert opinion.subject == "改后的事项" and opinion.due == new_due
    assert opinion.next_alert_at.date() == new_due - timedelta(days=3)
    services.opinion_update(opinion=opinion, by=cast.office, changes={"court": cast.other_court})
    opinion.refresh_from_db()
    assert opinion.court == cast.other_court
    assert ("opinion_requested", f"requested:{cast.other_court.pk}", "other_clerk") in notices()
    with pytest.raises(ValidationError):
        services.opinion_update(opinion=opinion, by=cast.liaison, changes={"offered": True})


def test_the_court_offers_an_opinion_answered_at_once(cast):
    opinion = services.opinion_offer(
        by=cast.clerk,
        requester=cast.unit,
        kind=Opinion.Kind.MAJOR_DECISION,
        subject="关于重大行政决策程序的法律意见",
        question="拟出台的决策涉及征收,程序上应注意的问题。",
        answer="建议履行风险评估和合法性审查程序。",
    )
    opinion.refresh_from_db()
    assert opinion.offered and opinion.status == S.ANSWERED and opinion.court == cast.court
    assert notices() == [("opinion_answered", "answered", "liaison")]  # the court is not told of its own offer


def test_an_offer_without_answer_waits_and_the_court_may_withdraw_it(cast):
    opinion = services.opinion_offer(
        by=cast.clerk, requester=cast.unit, kind=Opinion.Kind.LEGAL_QUESTION, subject="主动提供", question="内容"
    )
    assert opinion.status == S.REQUESTED
    assert services.allowed_actions(opinion, cast.clerk) == {"edit", "withdraw", "answer"}
    assert services.allowed_actions(opinion, cast.liaison) == set()
    with pytest.raises(NotPermitted):
        services.opinion_withdraw(opinion=opinion, by=cast.liaison)
    with pytest.raises(ValidationError):
        services.opinion_update(opinion=opinion, by=cast.clerk, changes={"court": cast.other_court})
    services.opinion_withdraw(opinion=opinion, by=cast.clerk)
    assert notices() == []


@pytest.mark.parametrize("who", ["clerk", "leader"])
def test_a_clerk_or_a_leader_cannot_ask(cast, who):
    with pytest.raises(NotPermitted):
        ask(getattr(cast, who), cast.court)
    assert not Opinion.objects.exists()


def test_a_liaison_cannot_offer(cast):
    with pytest.raises(NotPermitted):
        services.opinion_offer(by=cast.liaison, requester=cast.unit, kind="legal_question", subject="x", question="y")
    assert not Opinion.objects.exists()


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"kind": "normative_document"}, {"document_title": ["规范性文件合法性论证须填写文件草案名称。"]}),
        ({"subject": " ", "question": ""}, {"subject": ["请填写事项。"], "question": ["请填写咨询内容。"]}),
        ({"due": date(2020, 1, 1)}, {"due": ["答复期限不能早于今天。"]}),
        ({"document_number": "甘政办发〔2026〕1号"}, {"document_number": ["法律问题咨询不填写文件编号。"]}),
        ({"kind": "oracle"}, {"kind": ["请选择类别。"]}),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(cast, fields, errors):
    with pytest.raises(ValidationError) as err:
        ask(cast.liaison, cast.court, **fields)
    assert err.value.message_dict == errors
    assert not Opinion.objects.exists() and notices() == []


def test_the_court_must_be_a_court_and_the_requester_not_one(cast):
    with pytest.raises(ValidationError) as err:
        ask(cast.liaison, cast.other_unit)
    assert "court" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.opinion_offer(
            by=cast.clerk, requester=cast.other_court, kind="legal_question", subject="x", question="y"
        )
    assert "requester" in err.value.message_dict
    cast.court.active = False
    cast.court.save()
    with pytest.raises(ValidationError):
        ask(cast.liaison, cast.court)
    assert not Opinion.objects.exists()


def test_a_liaison_asks_only_for_their_own_unit(cast):
    with pytest.raises(ValidationError) as err:
        ask(cast.liaison, cast.court, requester=cast.other_unit)
    assert err.value.message_dict == {"requester": ["只能以本单位名义提出咨询。"]}


def test_a_normative_document_keeps_its_title_and_number(cast):
    opinion = ask(
        cast.liaison,
        cast.court,
        kind="normative_document",
        document_title="甘肃省某某管理办法(草案)",
        document_number="甘政办发〔2026〕12号",
        tasks=list(WorkTask.objects.filter(number__in=[1, 3])),
    )
    opinion.refresh_from_db()
    assert opinion.document_title == "甘肃省某某管理办法(草案)" and opinion.document_number == "甘政办发〔2026〕12号"
    assert sorted(opinion.tasks.values_list("number", flat=True)) == [1, 3]


def test_the_office_of_a_city_asks_for_a_unit_of_its_region_only(cast):
    from tests.levels import JIAYUGUAN, LANZHOU, court_at, office_user_at, unit_at

    office = office_user_at(LANZHOU)
    lanzhou_unit = unit_at(LANZHOU, "兰州市测试局")
    jyg_unit = unit_at(JIAYUGUAN, "嘉峪关市测试局")
    opinion = ask(office, court_at(LANZHOU), requester=lanzhou_unit)
    assert opinion.requester == lanzhou_unit and opinion.region.code == LANZHOU
    with pytest.raises(ValidationError) as err:
        ask(office, court_at(LANZHOU), requester=jyg_unit)
    assert err.value.message_dict == {"requester": ["只能为本级或下级区划的单位提出咨询。"]}
    own = ask(office, court_at(LANZHOU))  # no requester: the office's own unit
    assert own.requester == office.unit


def test_the_office_asking_for_a_unit_hears_the_answer_too(cast):
    unit_liaison_less = UnitFactory(name="无联络员的局")
    opinion = ask(cast.office, cast.court, requester=unit_liaison_less)
    services.opinion_answer(opinion=opinion, by=cast.clerk, answer="答复")
    assert notices("opinion_answered") == [("opinion_answered", "answered", "office")]
