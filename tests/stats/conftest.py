"""Records in known states for the figures (written directly: the figures read states, not transitions)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cases.models import JudicialRecommendation, Referral, ReferralKind
from meetings.models import Consultation, Decision, Meeting
from members.models import MemberUnit, Region, WorkTask

SH = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def at(*args: int) -> datetime:
    """A moment in Asia/Shanghai."""
    return datetime(*args, tzinfo=SH)


def ensure_referral_kinds() -> None:
    """The data migration's referral kinds; a transactional test's flush removes them, so reload them."""
    if not ReferralKind.objects.filter(code="mediation").exists():
        import importlib

        from django.apps import apps

        importlib.import_module("cases.migrations.0090_referral_kinds").create(apps, None)


def place(record: Any, region: Region | None) -> None:
    """Where a record lives (its ``region`` and ``city``), set explicitly; None: the province."""
    region = region or Region.objects.get(level=Region.Level.PROVINCE)
    type(record).objects.filter(pk=record.pk).update(region=region, city_id=region.city_id)
    record.region, record.city_id = region, region.city_id


class World:
    def __init__(self, cast: Any) -> None:
        self.cast = cast
        ensure_referral_kinds()
        # Two 市州 (a 市州 is its own ``city``): the records below are placed in them explicitly, as
        # the domain services stamp them (members.levels.stamp), so these tests hold whoever stamps.
        self.region = Region.objects.get(code="620100")
        self.other_region = Region.objects.get(code="620500")
        MemberUnit.objects.filter(pk=cast.court.pk).update(region=self.region)
        MemberUnit.objects.filter(pk=cast.other_court.pk).update(region=self.other_region)
        cast.court.refresh_from_db()
        cast.other_court.refresh_from_db()
        self.task1 = WorkTask.objects.get(number=1)
        self.task8 = WorkTask.objects.get(number=8)

    def rec(
        self,
        issued_on: date,
        *,
        status: str = "issued",
        court: MemberUnit | None = None,
        addressee: MemberUnit | None = None,
        reply_due: date | None = None,
        replied_at: datetime | None = None,
        escalated_at: datetime | None = None,
        tasks: list[WorkTask] | None = None,
        region: Region | None = None,
    ) -> JudicialRecommendation:
        n = next(_seq)
        rec = JudicialRecommendation.objects.create(
            number=f"(2025)测建{n}号",
            year=issued_on.year,
            court=court or self.cast.court,
            addressee=addressee or self.cast.unit,
            title=f"司法建议{n}",
            status=status,
            issued_on=issued_on,
            issued_at=datetime.combine(issued_on, datetime.min.time(), tzinfo=SH) + timedelta(hours=9),
            reply_due=reply_due,
            replied_at=replied_at,
            reply_outcome="adopted" if replied_at else "",
            escalated_at=escalated_at,
        )
        place(rec, region or rec.court.region)
        if tasks:
            rec.tasks.set(tasks)
        return rec

    def ref(
        self,
        code: str,
        sent_at: datetime,
        *,
        status: str = "sent",
        outcome: str = "",
        sender: MemberUnit | None = None,
        receiver: MemberUnit | None = None,
        due: date | None = None,
        concluded_at: datetime | None = None,
        tasks: list[WorkTask] | None = None,
        region: Region | None = None,
    ) -> Referral:
        n = next(_seq)
        ref = Referral.objects.create(
            kind=ReferralKind.objects.get(code=code),
            sender=sender or self.cast.court,
            receiver=receiver or self.cast.unit,
            case_number=f"(2025)测{n}号",
            subject=f"事项{n}",
            status=status,
            sent_at=sent_at,
            outcome=outcome,
            due=due,
            concluded_at=concluded_at,
        )
        place(ref, region or ref.sender.region)
        if tasks:
            ref.tasks.set(tasks)
        return ref

    def meeting(
        self,
        starts_at: datetime,
        *,
        kind: str = "joint_meeting",
        status: str = "held",
        convener: MemberUnit | None = None,
        region: Region | None = None,
        tasks: list[WorkTask] | None = None,
    ) -> Meeting:
        meeting = Meeting.objects.create(
            kind=kind,
            title=f"会议{next(_seq)}",
            convener=convener or self.cast.unit,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            status=status,
        )
        place(meeting, region)
        if tasks:
            meeting.tasks.set(tasks)
        return meeting

    def consultation(
        self,
        held_on: date,
        *,
        region: Region | None = None,
        unit: MemberUnit | None = None,
        tasks: list[WorkTask] | None = None,
    ) -> Consultation:
        c = Consultation.objects.create(
            topic_kind="legal_issue",
            held_on=held_on,
            topic=f"会商{next(_seq)}",
            logging_unit=unit or self.cast.unit,
        )
        place(c, region)
        if tasks:
            c.tasks.set(tasks)
        return c

    def decision(
        self, meeting: Meeting, due: date, *, status: str = "open", owner: MemberUnit | None = None
    ) -> Decision:
        decision = Decision.objects.create(
            meeting=meeting, text=f"议定事项{next(_seq)}", owner_unit=owner or self.cast.unit, due=due, status=status
        )
        place(decision, meeting.region)
        return decision


@pytest.fixture
def world(cast: Any) -> World:
    return World(cast)


@pytest.fixture(autouse=True)
def _no_stats_cache(settings: Any) -> None:
    """Most tests count queries or edit records between reads: the short cache is tested on its own."""
    settings.FUYUAN_STATS_CACHE_SECONDS = 0
