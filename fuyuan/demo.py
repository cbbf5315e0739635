"""The demo dataset (``manage.py load_demo``; ``settings.FUYUAN_DEMO_LOADERS``): a few records of every
kind, made through the services by the demo accounts, so that every page has something to show.

It is the project's wiring (it uses cases and meetings), like urls.py; loaded once (a marker meeting).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from cases.models import ReferralKind
from cases.recommendations import services as recommendations
from cases.referrals import services as referrals
from meetings.consultations import services as consultations
from meetings.decisions import services as decisions
from meetings.meetings import agenda, minutes
from meetings.meetings import services as meetings
from meetings.models import Meeting
from members.models import MemberUnit, User

MARKER = "【演示】第一次府院联席会议"
PARTY = {"role": "applicant", "name": "演示当事人", "id_number": "620102199001011234", "phone": "13812345678"}


def load(people: dict[str, User]) -> str:
    """Load the dataset unless it is there already; returns what was done, for the command to print."""
    if Meeting.objects.filter(title=MARKER).exists():
        return "Demo dataset present already: nothing loaded."
    unit = {
        short: MemberUnit.objects.get(short_name=short) for short in ("省生态环境厅", "省市场监管局", "省高级人民法院")
    }
    _recommendations(people, unit)
    _referrals(people, unit)
    _meetings(people, unit)
    return (
        "Demo dataset loaded: recommendations, referrals, meetings with agenda, minutes and decisions, consultations."
    )


def _recommendations(people: dict[str, User], unit: dict[str, MemberUnit]) -> None:
    clerk1, clerk2 = people["clerk1"], people["clerk2"]
    fields: dict[str, Any] = {
        "case_number": "(2026)甘行终1号",
        "problem": "执法程序不规范。",
        "recommendation": "建议规范执法程序。",
    }
    recommendations.recommendation_create(
        by=clerk1, title="【演示】关于加强环境执法的司法建议(草稿)", addressee=unit["省生态环境厅"], **fields
    )
    issued = recommendations.recommendation_create(
        by=clerk1,
        title="【演示】关于规范行政处罚程序的司法建议",
        addressee=unit["省生态环境厅"],
        number="(2026)甘高法建字第1号",
        **fields,
    )
    issued = recommendations.recommendation_issue(recommendation=issued, by=clerk1)
    recommendations.recommendation_acknowledge(recommendation=issued, by=people["liaison1"])
    other = recommendations.recommendation_create(
        by=clerk2,
        title="【演示】关于食品安全监管的司法建议",
        addressee=unit["省市场监管局"],
        number="(2026)甘01法建字第1号",
        **fields,
    )
    recommendations.recommendation_issue(recommendation=other, by=clerk2)


def _referrals(people: dict[str, User], unit: dict[str, MemberUnit]) -> None:
    kind = ReferralKind.objects.order_by("pk").first()
    if kind is None:
        return
    for number, receiver, send in (
        ("(2026)甘01民诉前调1号", unit["省生态环境厅"], True),
        ("(2026)甘01民诉前调2号", unit["省市场监管局"], True),
        ("(2026)甘01民诉前调3号", unit["省生态环境厅"], False),
    ):
        referral = referrals.referral_create(
            by=people["clerk1"],
            kind=kind,
            receiver=receiver,
            case_number=number,
            subject="【演示】买卖合同纠纷",
            parties=[PARTY],
        )
        if send:
            referrals.referral_send(referral=referral, by=people["clerk1"])


def _meetings(people: dict[str, User], unit: dict[str, MemberUnit]) -> None:
    office = people["office1"]
    office_unit = office.unit
    assert office_unit is not None  # the demo office user belongs to 省司法厅
    now = timezone.now().replace(second=0, microsecond=0)
    invited = [unit["省生态环境厅"], unit["省市场监管局"], unit["省高级人民法院"]]
    held = meetings.meeting_create(
        by=office,
        kind=Meeting.Kind.JOINT_MEETING,
        title=MARKER,
        convener=office_unit,
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3) + timedelta(hours=2),
        invited_units=invited,
        location="省司法厅三楼会议室",
        now=now - timedelta(days=10),
    )
    agenda.agenda_add(meeting=held, by=office, title="【演示】通报司法建议办理情况", minutes=20)
    agenda.agenda_add(meeting=held, by=office, title="【演示】研究诉调对接工作", minutes=30)
    meetings.meeting_hold(meeting=held, by=office, now=now)
    minutes.minutes_save(meeting=held, by=office, body="【演示】会议听取了司法建议办理情况的通报,研究了诉调对接工作。")
    for text, owner, days in (
        ("【演示】完善诉调对接机制", "省高级人民法院", 30),
        ("【演示】整改执法问题", "省生态环境厅", 5),
    ):
        decisions.decision_add(
            meeting=held, by=office, text=text, owner_unit=unit[owner], due=timezone.localdate() + timedelta(days=days)
        )
    minutes.minutes_circulate(meeting=held, by=office, confirm_by=timezone.localdate() + timedelta(days=7))
    upcoming = meetings.meeting_create(
        by=office,
        kind=Meeting.Kind.JOINT_MEETING,
        title="【演示】第二次府院联席会议",
        convener=office_unit,
        starts_at=now + timedelta(days=14),
        ends_at=now + timedelta(days=14, hours=2),
        invited_units=invited,
        location="省司法厅三楼会议室",
    )
    agenda.agenda_add(meeting=upcoming, by=office, title="【演示】议定事项落实情况", minutes=30)
    agenda.proposal_submit(meeting=upcoming, by=people["liaison1"], title="【演示】提议:环境公益诉讼衔接")
    consultations.consultation_log(
        by=office,
        topic_kind="routine",
        held_on=timezone.localdate() - timedelta(days=3),
        units=invited,
        topic="【演示】诉调对接工作会商",
        meeting=held,
    )
    consultations.consultation_log(
        by=people["liaison1"],
        topic_kind="routine",
        held_on=timezone.localdate(),
        units=[unit["省生态环境厅"], unit["省高级人民法院"]],
        topic="【演示】环境案件个案会商",
    )
