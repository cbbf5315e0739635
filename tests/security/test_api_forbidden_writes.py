"""API writes that try to reach past the writer's power (issue 12): related ids outside the writer's scope, and
fields the writer may not set (read-only ``id``, ``status``, timestamps; the issuing court or the sending unit
forced to another unit). Each is refused (400, nothing saved, the object unchanged) or ignored: the saved
object is read back from the database, never taken from the answer.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import JudicialRecommendation, Referral
from meetings.consultations import services as consultation_services
from meetings.meetings import services as meeting_services
from meetings.models import Consultation, Decision, Meeting
from members.models import User
from tests.cases.recommendations.support import make_draft, next_number
from tests.cases.referrals.support import ID
from tests.cases.referrals.support import draft as referral_draft
from tests.conftest import Cast

pytestmark = [pytest.mark.security, pytest.mark.django_db]

FORGED_ID = 424242
LONG_AGO = "2001-01-05T09:00:00+08:00"


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def meeting_of(cast: Cast, *, convener: Any, invited: list[Any], title: str) -> Meeting:
    start = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    return meeting_services.meeting_create(
        by=cast.office,
        kind=Meeting.Kind.JOINT_MEETING,
        title=title,
        convener=convener,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        invited_units=invited,
        location="省司法厅三楼会议室",
    )


@pytest.fixture
def meetings(cast: Cast) -> dict[str, Meeting]:
    """``own``: convened by the liaison's unit; ``hidden``: neither convened by it nor inviting it."""
    return {
        "own": meeting_of(cast, convener=cast.unit, invited=[cast.court], title="甲局召集的会议"),
        "hidden": meeting_of(cast, convener=cast.office.unit, invited=[cast.other_unit], title="乙方会议"),
    }


def consultation_body(cast: Cast, **extra: Any) -> dict[str, Any]:
    body = {"topic_kind": "routine", "topic": "联合调研", "held_on": str(timezone.localdate())}
    return {**body, "units": [cast.court.pk], **extra}


def snapshot(obj: Any) -> dict[str, Any]:
    obj.refresh_from_db()
    return model_to_dict(obj)


# --- related ids outside the scope -----------------------------------------------------------------------------


def test_consultation_writes_with_a_meeting_outside_the_scope_save_nothing(
    cast: Cast, meetings: dict[str, Meeting]
) -> None:
    client = api(cast.liaison)
    body = consultation_body(cast, meeting=meetings["hidden"].pk)
    response = client.post("/api/v1/consultations/", body, format="json")
    assert response.status_code == 400 and list(response.json()) == ["meeting"]
    assert not Consultation.objects.exists()
    created = client.post("/api/v1/consultations/", {**body, "meeting": meetings["own"].pk}, format="json")
    assert created.status_code == 201, created.content  # the same body with a meeting in scope is valid
    consultation = Consultation.objects.get()
    before = snapshot(consultation)
    response = client.patch(f"/api/v1/consultations/{consultation.pk}/", {"meeting": meetings["hidden"].pk})
    assert response.status_code == 400 and list(response.json()) == ["meeting"]
    assert snapshot(consultation) == before


def test_decision_writes_with_a_meeting_outside_the_scope_save_nothing(
    cast: Cast, meetings: dict[str, Meeting]
) -> None:
    client = api(cast.liaison)  # the convener of meetings["own"]: it may add decisions to it
    body = {
        "meeting": meetings["hidden"].pk,
        "text": "建立信息共享机制",
        "owner_unit": cast.unit.pk,
        "due": str(timezone.localdate() + timedelta(days=30)),
    }
    response = client.post("/api/v1/decisions/", body, format="json")
    assert response.status_code == 400 and list(response.json()) == ["meeting"]
    assert not Decision.objects.exists()
    created = client.post("/api/v1/decisions/", {**body, "meeting": meetings["own"].pk}, format="json")
    assert created.status_code == 201, created.content
    decision = Decision.objects.get()
    before = snapshot(decision)
    response = client.patch(f"/api/v1/decisions/{decision.pk}/", {"meeting": meetings["hidden"].pk, "text": "改"})
    assert response.status_code == 400 and list(response.json()) == ["meeting"]
    assert snapshot(decision) == before


# --- forbidden fields: ignored or refused, never applied ----------------------------------------------------------


def test_recommendation_forbidden_fields(cast: Cast) -> None:
    client = api(cast.clerk)
    body = {"title": "司法建议", "addressee": cast.unit.pk, "number": next_number(), "problem": "问题"}
    body.update(case_number="(2025)甘01行初99号", recommendation="建议")
    forced_court = client.post("/api/v1/recommendations/", {**body, "court": cast.other_court.pk}, format="json")
    assert forced_court.status_code == 400 and "court" in forced_court.json()
    assert not JudicialRecommendation.objects.exists()
    forged = {"id": FORGED_ID, "status": "closed", "year": 1999, "reminders_sent": 9, "closed_at": LONG_AGO}
    response = client.post("/api/v1/recommendations/", {**body, **forged}, format="json")
    assert response.status_code == 201, response.content
    rec = JudicialRecommendation.objects.get()
    assert rec.pk != FORGED_ID and rec.status == JudicialRecommendation.Status.DRAFT and rec.closed_at is None
    assert rec.year != 1999 and rec.reminders_sent == 0 and rec.court_id == cast.court.pk
    draft = make_draft(cast)
    before = snapshot(draft)
    assert client.patch(f"/api/v1/recommendations/{draft.pk}/", {"court": cast.other_court.pk}).status_code == 400
    assert client.patch(f"/api/v1/recommendations/{draft.pk}/", forged, format="json").status_code == 200
    assert snapshot(draft) == before


def test_referral_forbidden_fields(cast: Cast) -> None:
    client = api(cast.clerk)
    party = {"role": "applicant", "name": "李四", "id_number": ID, "phone": "13900000000"}
    body = {"kind": "mediation", "receiver": cast.unit.pk, "case_number": "(2026)甘01民诉前调77号", "parties": [party]}
    body["subject"] = "劳务合同纠纷"
    forged = {
        "id": FORGED_ID,
        "sender": cast.other_court.pk,
        "handler": cast.other_unit.pk,
        "status": "concluded",
        "sent_at": LONG_AGO,
        "due": "2001-01-20",
        "outcome": "resolved",
    }
    response = client.post("/api/v1/referrals/", {**body, **forged}, format="json")
    assert response.status_code == 201, response.content
    referral = Referral.objects.get()
    assert referral.pk != FORGED_ID and referral.sender_id == cast.court.pk and referral.handler_id is None
    assert referral.status == Referral.Status.DRAFT and referral.sent_at is None and referral.due is None
    assert referral.outcome == ""
    other = referral_draft(cast.clerk, cast.other_unit, number="(2026)甘01民诉前调78号")
    before = snapshot(other)
    assert client.patch(f"/api/v1/referrals/{other.pk}/", forged, format="json").status_code == 200
    assert snapshot(other) == before


def test_consultation_forbidden_fields(cast: Cast) -> None:
    client = api(cast.liaison)
    body = consultation_body(cast)
    forged = {"id": FORGED_ID, "logging_unit": cast.other_unit.pk, "created_at": LONG_AGO}
    response = client.post("/api/v1/consultations/", {**body, **forged}, format="json")
    assert response.status_code == 201, response.content
    consultation = Consultation.objects.get()
    assert consultation.pk != FORGED_ID and consultation.logging_unit_id == cast.unit.pk
    assert consultation.logged_by == cast.liaison and consultation.created_at.year != 2001
    mine = consultation_services.consultation_log(
        by=cast.liaison, topic_kind="routine", held_on=timezone.localdate(), units=[cast.court], topic="再调研"
    )
    before = snapshot(mine)
    assert client.patch(f"/api/v1/consultations/{mine.pk}/", forged, format="json").status_code == 200
    assert snapshot(mine) == before


def test_meeting_and_decision_forbidden_fields(cast: Cast, meetings: dict[str, Meeting]) -> None:
    office = api(cast.office)
    start = timezone.now() + timedelta(days=5)
    body = {"kind": "joint_meeting", "title": "联席会议", "convener": cast.office.unit_id, "location": "省高院"}
    body.update(starts_at=start.isoformat(), ends_at=(start + timedelta(hours=2)).isoformat())
    forged = {"id": FORGED_ID, "status": "held", "sequence": 99, "uid": "forged@example.org", "cancel_reason": "x"}
    response = office.post("/api/v1/meetings/", {**body, **forged}, format="json")
    assert response.status_code == 201, response.content
    meeting = Meeting.objects.get(title="联席会议")
    assert meeting.pk != FORGED_ID and meeting.status == Meeting.Status.PLANNED
    assert meeting.sequence == 0 and str(meeting.uid) != forged["uid"] and meeting.cancel_reason == ""
    own = meetings["own"]
    before = snapshot(own)
    assert office.patch(f"/api/v1/meetings/{own.pk}/", forged, format="json").status_code == 200
    assert snapshot(own) == before
    due = str(timezone.localdate() + timedelta(days=30))
    decision_body = {"meeting": own.pk, "text": "落实", "owner_unit": cast.unit.pk, "due": due}
    forged_decision = {"id": FORGED_ID, "status": "done", "done_at": LONG_AGO, "done_note": "已办结"}
    response = office.post("/api/v1/decisions/", {**decision_body, **forged_decision}, format="json")
    assert response.status_code == 201, response.content
    decision = Decision.objects.get()
    assert decision.pk != FORGED_ID and decision.status == Decision.Status.OPEN and decision.done_at is None
    before = snapshot(decision)
    moved = {**forged_decision, "meeting": meetings["hidden"].pk}  # the office sees it; a decision never moves
    assert office.patch(f"/api/v1/decisions/{decision.pk}/", moved, format="json").status_code == 200
    assert snapshot(decision) == before
