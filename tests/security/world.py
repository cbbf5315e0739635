"""The objects the security tests look at: for each kind, one of side A (the cast's ``unit``/``court``,
the "own" side of ``liaison`` and ``clerk``) and one of side B (``other_unit``/``other_court``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from attachments import services as attachment_services
from cases.enforcement import services as enforcement_services
from cases.hearings import services as hearing_services
from cases.ipcases import services as ipcase_services
from cases.opinions import services as opinion_services
from cases.recommendations import services as rec_services
from meetings.consultations import services as consultation_services
from meetings.decisions import services as decision_services
from meetings.meetings import agenda, ical
from meetings.meetings import services as meeting_services
from meetings.models import Meeting
from members.levels import province
from members.models import MemberUnit, Notification, User, WorkTask
from plans import services as plan_services
from tests.cases.recommendations.bulletin_support import make_bulletin
from tests.cases.recommendations.support import PDF, make_draft, upload
from tests.cases.referrals.support import sent
from tests.conftest import Cast

MISSING = 999999


@dataclass
class Side:
    objects: dict[str, Any] = field(default_factory=dict)

    def pk(self, key: str) -> int:
        obj = self.objects.get(key)
        return obj.pk if obj is not None else MISSING


def _side(cast: Cast, *, unit: MemberUnit, court: MemberUnit, liaison: User, clerk: User, tag: str) -> Side:
    side = Side()
    rec = make_draft(cast, by=clerk, addressee=unit, title=f"司法建议{tag}")
    attachment = attachment_services.attach(record=rec, by=clerk, files=[upload(f"{tag}.pdf", PDF, "application/pdf")])[
        0
    ]
    rec = rec_services.recommendation_issue(recommendation=rec, by=clerk, issued_on=None)
    side.objects["recommendation"] = rec
    side.objects["recommendation-attachment"] = attachment
    side.objects["referral"] = sent(clerk, unit, number=f"(2026)甘01民诉前调{tag}号")
    side.objects["opinion"] = opinion_services.opinion_request(
        by=liaison, court=court, kind="legal_question", subject=f"咨询{tag}", question="咨询内容"
    )
    start = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    meeting = meeting_services.meeting_create(
        by=cast.office,
        kind=Meeting.Kind.JOINT_MEETING,
        title=f"联席会议{tag}",
        convener=cast.office.unit,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        invited_units=[unit, court],
        location="省司法厅三楼会议室",
    )
    side.objects["meeting"] = meeting
    side.objects["agenda"] = agenda.agenda_add(meeting=meeting, by=cast.office, title=f"议题{tag}", minutes=10)
    side.objects["proposal"] = agenda.proposal_submit(meeting=meeting, by=liaison, title=f"提议{tag}")
    side.objects["decision"] = decision_services.decision_add(
        meeting=meeting,
        by=cast.office,
        text=f"议定事项{tag}",
        owner_unit=unit,
        due=timezone.localdate() + timedelta(days=30),
    )
    side.objects["consultation"] = consultation_services.consultation_log(
        by=cast.office,
        topic_kind="routine",
        held_on=timezone.localdate(),
        units=[unit, court],
        topic=f"会商{tag}",
    )
    _plan(cast, side, unit=unit, tag=tag)
    # An IP case of the side's court, mediated by the side's unit (its liaison reads it).
    side.objects["ipcase"] = ipcase_services.ipcase_record(
        by=clerk,
        case_number=f"(2026)甘01知民初{tag}号",
        kind="patent",
        concluded_on=timezone.localdate(),
        outcome="mediation",
        mediated_by=unit,
    )
    hearing = hearing_services.hearing_create(
        by=clerk, case_number=f"(2026)测行初{tag}号", defendant=unit, hearing_at=start, place="第一法庭"
    )
    side.objects["hearing"] = hearing_services.hearing_notify(hearing=hearing, by=clerk)
    side.objects["enforcement-case"] = enforcement_services.enforcement_case_create(
        by=clerk,
        case_number=f"（2026）甘01执{1 if tag == '甲' else 2}号",
        concluded_on=timezone.localdate(),
        amount_recovered="1000.00",
        amount_paid="500.00",
        partner_units=[unit],
    )
    side.objects["unit"] = unit
    side.objects["recommendation-bulletin"] = make_bulletin(unit, 2026, 3)  # the unit as a supervising authority
    side.objects["liaison"] = liaison
    side.objects["notification"] = Notification.objects.filter(recipient=liaison).first()
    side.objects["feed"] = ical.feed_token_get_or_create(user=liaison)
    return side


def _plan(cast: Cast, side: Side, *, unit: MemberUnit, tag: str) -> None:
    """A published provincial plan whose one item the side's unit leads, with a 督办 on it; a plan per side
    (side A this year's, side B next year's), so each side has a plan the other may not read."""
    year = timezone.localdate().year + (0 if tag == "甲" else 1)
    plan = plan_services.plan_create(by=cast.office, year=year, region=province(), title=f"工作要点{tag}")
    item = plan_services.item_add(
        plan=plan,
        by=cast.office,
        task=WorkTask.objects.get(number=1),
        text=f"工作要点事项{tag}",
        lead_unit=unit,
        due=date(year, 12, 31),
    )
    plan_services.plan_publish(plan=plan, by=cast.office)
    side.objects["plan"] = plan
    side.objects["plan-item"] = item
    side.objects["supervision"] = plan_services.supervision_issue(
        item=item, by=cast.office, text=f"督办{tag}", due=timezone.localdate() + timedelta(days=7)
    )


def build(cast: Cast) -> dict[str, Side]:
    return {
        "own": _side(cast, unit=cast.unit, court=cast.court, liaison=cast.liaison, clerk=cast.clerk, tag="甲"),
        "other": _side(
            cast,
            unit=cast.other_unit,
            court=cast.other_court,
            liaison=cast.other_liaison,
            clerk=cast.other_clerk,
            tag="乙",
        ),
    }
