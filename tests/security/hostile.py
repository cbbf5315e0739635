"""A world whose every free-text field users can type holds markup: the hostile-input tests read it.

Each field gets its own payload, tagged with a short code (``rt`` for the recommendation's title, …),
so a test can tell which fields a page, an email or an export showed. Fields of 100 characters
or more get the long payload (a ``<script>`` element, an ``<img onerror>``, an attribute break-out,
quotes and an ampersand); shorter fields get a short one that still carries markup and quotes.
Every object goes through the services, as a user's input would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.html import escape

from cases.recommendations import services as rec_services
from cases.referrals import services as ref_services
from meetings.consultations import services as consultation_services
from meetings.decisions import services as decision_services
from meetings.meetings import agenda, ical
from meetings.meetings import minutes as meeting_minutes
from meetings.meetings import services as meeting_services
from meetings.models import Meeting
from members import services as member_services
from members.models import MemberUnit, WorkTask
from tests.cases.recommendations.support import PDF, upload
from tests.cases.referrals.support import kind
from tests.conftest import Cast
from tests.factories import UnitFactory
from tests.stats.conftest import ensure_referral_kinds

# Markup that must never reach a page, an email's HTML part or a .docx unescaped.
RAW_MARKERS = ("<script>alert(", "<img src=x onerror", "<svg onload")


def payload(tag: str) -> str:
    """Markup for a field of at least 100 characters."""
    return f'<script>alert("{tag}")</script><img src=x onerror=alert(1)>"><svg onload=alert(3)>\'&'


def short_payload(tag: str) -> str:
    """Markup for a field of 50 characters or more."""
    return f"<img src=x onerror=alert(1)>{tag}\"'&"


def marker(text: str, tag: str) -> str:
    """What a page shows of ``text`` up to its tag, escaped once (``&lt;script&gt;alert(&quot;rt``)."""
    return escape(text[: text.index(tag) + len(tag)])


def raw_marker(text: str, tag: str) -> str:
    return text[: text.index(tag) + len(tag)]


@dataclass
class HostileWorld:
    cast: Cast
    texts: dict[str, str] = field(default_factory=dict)  # tag -> the text typed
    objects: dict[str, Any] = field(default_factory=dict)

    def put(self, tag: str, *, short: bool = False) -> str:
        text = short_payload(tag) if short else payload(tag)
        self.texts[tag] = text
        return text


def build(cast: Cast) -> HostileWorld:
    """Units, people, recommendations, referrals, meetings, decisions and a consultation, all hostile."""
    ensure_referral_kinds()
    w = HostileWorld(cast)
    now = timezone.now()
    today = timezone.localdate()

    # --- units, people, a task ----------------------------------------------------------------
    member_services.unit_save(unit=cast.unit, name=w.put("un"), short_name=w.put("us", short=True))
    cast.unit.refresh_from_db()
    member_services.user_save(user=cast.liaison, name=w.put("ln", short=True))
    task = WorkTask.objects.get(number=1)
    task.title = w.put("wt", short=True)
    task.save(update_fields=["title"])
    sub_unit = UnitFactory(name="测试局甲下属所", parent=cast.unit)
    w.objects["sub_unit"] = sub_unit

    # --- judicial recommendations: one replied and closed, one withdrawn ----------------------------
    clerk, liaison = cast.clerk, cast.liaison
    rec = rec_services.recommendation_create(
        by=clerk,
        title=w.put("rt"),
        addressee=cast.unit,
        number=w.put("rn", short=True),
        case_number=w.put("rc", short=True),
        problem=w.put("rp"),
        recommendation=w.put("rr"),
        tasks=[task],
        attachments=[upload(f"{short_payload('ra')}.pdf", PDF, "application/pdf")],
    )
    w.texts["ra"] = short_payload("ra")  # the attachment's name (the file's own name, as uploaded)
    rec_services.recommendation_issue(recommendation=rec, by=clerk)
    rec_services.recommendation_acknowledge(recommendation=rec, by=liaison)
    rec_services.recommendation_reply(
        recommendation=rec,
        by=liaison,
        outcome="not_adopted",
        content=w.put("rpc"),
        measures=w.put("rpm"),
        reason=w.put("rps"),
    )
    rec_services.recommendation_close(recommendation=rec, by=clerk, assessment=w.put("ras"))
    w.objects["recommendation"] = rec
    withdrawn = rec_services.recommendation_create(
        by=clerk,
        title=w.put("rt2"),
        addressee=cast.unit,
        number="(2026)测撤1号",
        case_number="(2026)甘01行初1号",
        problem="问题",
        recommendation="建议",
    )
    rec_services.recommendation_issue(recommendation=withdrawn, by=clerk)
    rec_services.recommendation_withdraw(recommendation=withdrawn, by=clerk, reason=w.put("rw"))
    w.objects["recommendation-withdrawn"] = withdrawn

    # --- referrals: one extended, forwarded and concluded; one returned; one revoked ------------------
    mediation = kind("mediation")
    ref = ref_services.referral_create(
        by=clerk,
        kind=mediation,
        receiver=cast.unit,
        case_number=w.put("fc", short=True),
        subject=w.put("fs"),
        summary=w.put("fsum"),
        tasks=[task],
        parties=[{"role": "applicant", "name": w.put("fp", short=True)}],
    )
    ref_services.referral_send(referral=ref, by=clerk)
    ref_services.referral_acknowledge(referral=ref, by=liaison)
    ref_services.referral_accept(referral=ref, by=liaison)
    ref_services.referral_extend(referral=ref, by=liaison, both_parties_consent=True, consent_note=w.put("fx"))
    ref_services.referral_forward(referral=ref, by=liaison, sub_unit=sub_unit, note=w.put("fw"))
    ref_services.referral_conclude(referral=ref, by=liaison, outcome=mediation.outcomes[0], note=w.put("fo"))
    w.objects["referral"] = ref
    returned = ref_services.referral_create(
        by=clerk, kind=mediation, receiver=cast.unit, case_number="(2026)测退1号", subject=w.put("fs2")
    )
    ref_services.referral_send(referral=returned, by=clerk)
    ref_services.referral_return(referral=returned, by=liaison, reason=w.put("fr"))
    w.objects["referral-returned"] = returned
    revoked = ref_services.referral_create(
        by=clerk, kind=mediation, receiver=cast.unit, case_number="(2026)测撤2号", subject="撤回的移送"
    )
    ref_services.referral_send(referral=revoked, by=clerk)
    ref_services.referral_revoke(referral=revoked, by=clerk, reason=w.put("fv"))
    w.objects["referral-revoked"] = revoked

    # --- a meeting that was held: replies, agenda, a proposal, minutes, decisions ---------------------
    office = cast.office
    office_unit = MemberUnit.objects.get(pk=office.unit_id)
    planned_at = now - timedelta(days=2)
    start = (now - timedelta(hours=3)).replace(second=0, microsecond=0)
    meeting = meeting_services.meeting_create(
        by=office,
        kind=Meeting.Kind.JOINT_MEETING,
        title=w.put("mt"),
        convener=office_unit,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        invited_units=[cast.unit, cast.court],
        tasks=[task],
        location=w.put("ml"),
        description=w.put("md"),
        now=planned_at,
    )
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.unit, by=liaison, reply="attending", attendees=w.put("ia"), now=planned_at
    )
    meeting_services.invitation_reply(
        meeting=meeting, unit=cast.court, by=clerk, reply="declined", reason=w.put("ir"), now=planned_at
    )
    w.objects["agenda"] = agenda.agenda_add(meeting=meeting, by=office, title=w.put("ag"), minutes=20)
    w.objects["proposal"] = agenda.proposal_submit(
        meeting=meeting, by=liaison, title=w.put("pt"), note=w.put("pn"), now=planned_at
    )
    meeting_services.meeting_hold(meeting=meeting, by=office)
    meeting_minutes.minutes_save(meeting=meeting, by=office, body=w.put("mb"))
    meeting_minutes.minutes_circulate(meeting=meeting, by=office, confirm_by=today + timedelta(days=3))
    meeting_minutes.minutes_confirm(meeting=meeting, by=liaison, verdict="amend", comment=w.put("mc"))
    meeting_minutes.minutes_issue(meeting=meeting, by=office, document_number=w.put("mn", short=True))
    decision = decision_services.decision_add(
        meeting=meeting, by=office, text=w.put("dt"), owner_unit=cast.unit, due=today + timedelta(days=30)
    )
    decision_services.decision_add_progress(decision=decision, by=liaison, note=w.put("dp"))
    done = decision_services.decision_add(
        meeting=meeting, by=office, text=w.put("dt2"), owner_unit=cast.unit, due=today + timedelta(days=10)
    )
    decision_services.decision_complete(decision=done, by=liaison, note=w.put("dd"))
    w.objects["meeting"] = meeting
    w.objects["decision"] = decision
    w.objects["decision-done"] = done

    # --- a meeting that was cancelled ---------------------------------------------------------------
    later = (now + timedelta(days=7)).replace(second=0, microsecond=0)
    cancelled = meeting_services.meeting_create(
        by=office,
        kind=Meeting.Kind.JOINT_MEETING,
        title=w.put("mt2"),
        convener=office_unit,
        starts_at=later,
        ends_at=later + timedelta(hours=1),
        invited_units=[cast.unit],
        location="省司法厅三楼会议室",
    )
    meeting_services.meeting_cancel(meeting=cancelled, by=office, reason=w.put("mx"))
    w.objects["meeting-cancelled"] = cancelled

    # --- a consultation ----------------------------------------------------------------------------
    w.objects["consultation"] = consultation_services.consultation_log(
        by=liaison,
        topic_kind="routine",
        held_on=today,
        units=[cast.unit, cast.court],
        topic=w.put("ct"),
        case_number=w.put("cc", short=True),
        tasks=[task],
        outcome=w.put("co"),
        follow_up=w.put("cf"),
        meeting=meeting,
    )
    w.objects["feed"] = ical.feed_token_get_or_create(user=liaison)
    return w
