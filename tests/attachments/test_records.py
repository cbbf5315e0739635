"""Attachments on every record users attach to (issue 18, point 2): per record, the part a user may add
(``part_for``), the page and the API, a user the record refuses (nothing stored), a user outside the
record's scope (404 everywhere), a lying file (nothing stored) and a detail page whose query count does not
grow with the number of files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from attachments import services as attachment_services
from attachments.models import Attachment
from cases.hearings import services as hearing_services
from cases.opinions import services as opinion_services
from fuyuan.lib.errors import NotPermitted
from meetings.consultations import services as consultation_services
from meetings.decisions import services as decision_services
from meetings.meetings import minutes as minutes_services
from meetings.meetings import services as meeting_services
from meetings.models import Meeting
from members.levels import province
from members.models import User, WorkTask
from plans import services as plan_services
from tests.attachments.test_core import pdf_bytes, upload
from tests.cases.referrals.support import sent
from tests.conftest import Cast, client_for

pytestmark = pytest.mark.django_db

LYING = b"MZ\x90\x00\x03\x00\x00\x00 This program cannot be run"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@dataclass
class Case:
    record: Any
    adder: User  # part_for gives this user a part
    part: str
    refused: User  # in the record's scope, but part_for gives nothing
    outsider: User  # outside the record's scope
    page: str  # the page that shows the record's files
    api: str | None  # the record's API resource, when it has one


def _meeting(cast: Cast) -> Meeting:
    start = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    return meeting_services.meeting_create(
        by=cast.office,
        kind=Meeting.Kind.JOINT_MEETING,
        title="联席会议",
        convener=cast.office.unit,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        invited_units=[cast.unit, cast.court],
        location="省司法厅三楼会议室",
    )


def referral(cast: Cast) -> Case:
    r = sent(cast.clerk, cast.unit)
    return Case(
        r,
        cast.clerk,
        "transfer",
        cast.liaison,
        cast.other_liaison,
        reverse("referral-detail", args=[r.pk]),
        "referrals",
    )


def opinion(cast: Cast) -> Case:
    o = opinion_services.opinion_request(
        by=cast.liaison, court=cast.court, kind="legal_question", subject="咨询", question="咨询内容"
    )
    return Case(
        o,
        cast.clerk,
        "answer",
        cast.leader,
        cast.other_liaison,
        reverse("opinion-detail", args=[o.pk]),
        "opinions",
    )


def hearing(cast: Cast) -> Case:
    start = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    h = hearing_services.hearing_create(
        by=cast.clerk, case_number="(2026)测行初1号", defendant=cast.unit, hearing_at=start, place="第一法庭"
    )
    h = hearing_services.hearing_notify(hearing=h, by=cast.clerk)
    return Case(
        h, cast.liaison, "answer", cast.clerk, cast.other_liaison, reverse("hearing-detail", args=[h.pk]), "hearings"
    )


def meeting(cast: Cast) -> Case:
    m = _meeting(cast)
    return Case(
        m, cast.office, "material", cast.liaison, cast.other_liaison, reverse("meeting-detail", args=[m.pk]), "meetings"
    )


def minutes(cast: Cast) -> Case:
    m = _meeting(cast)
    Meeting.objects.filter(pk=m.pk).update(status=Meeting.Status.HELD)  # held: its minutes may be drafted
    record = minutes_services.minutes_save(meeting=m, by=cast.office, body="会议纪要正文")
    return Case(
        record, cast.office, "minutes", cast.liaison, cast.other_liaison, reverse("meeting-detail", args=[m.pk]), None
    )


def consultation(cast: Cast) -> Case:
    c = consultation_services.consultation_log(
        by=cast.office, topic_kind="routine", held_on=timezone.localdate(), units=[cast.unit, cast.court], topic="会商"
    )
    return Case(
        c,
        cast.liaison,
        "material",
        cast.leader,
        cast.other_liaison,
        reverse("consultation-detail", args=[c.pk]),
        "consultations",
    )


def decision_progress(cast: Cast) -> Case:
    m = _meeting(cast)
    d = decision_services.decision_add(
        meeting=m, by=cast.office, text="议定事项", owner_unit=cast.unit, due=timezone.localdate() + timedelta(days=30)
    )
    entry = decision_services.decision_add_progress(decision=d, by=cast.liaison, note="已部署")
    return Case(
        entry, cast.liaison, "evidence", cast.office, cast.other_liaison, reverse("decision-detail", args=[d.pk]), None
    )


def plan_progress(cast: Cast) -> Case:
    year = timezone.localdate().year
    plan = plan_services.plan_create(by=cast.office, year=year, region=province(), title="工作要点")
    item = plan_services.item_add(
        plan=plan,
        by=cast.office,
        task=WorkTask.objects.get(number=1),
        text="事项",
        lead_unit=cast.unit,
        due=date(year, 12, 31),
    )
    plan_services.plan_publish(plan=plan, by=cast.office)
    entry = plan_services.progress_report(item=item, by=cast.liaison, text="已推进", percent=20)
    return Case(
        entry,
        cast.liaison,
        "evidence",
        cast.office,
        cast.other_liaison,
        reverse("plan-item-detail", args=[item.pk]),
        None,
    )


RECORDS: list[Callable[[Cast], Case]] = [
    referral,
    opinion,
    hearing,
    meeting,
    minutes,
    consultation,
    decision_progress,
    plan_progress,
]
records = pytest.mark.parametrize("build", RECORDS, ids=[f.__name__ for f in RECORDS])
#: The records with an API resource of their own (minutes and progress entries come with their meeting, decision or
#: plan item: their files are listed there and added with the progress report, tests/attachments at the end).
WITH_API = [f for f in RECORDS if f not in (minutes, decision_progress, plan_progress)]
records_with_api = pytest.mark.parametrize("build", WITH_API, ids=[f.__name__ for f in WITH_API])


def _add_url(record: Any) -> str:
    return reverse("attachment-add", args=[ContentType.objects.get_for_model(record).pk, record.pk])


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


@records
def test_the_page_adds_files_under_the_part_of_the_record(cast: Cast, build: Callable[[Cast], Case]) -> None:
    case = build(cast)
    response = client_for(case.adder).post(
        _add_url(case.record), {"attachments": upload("材料.pdf", pdf_bytes()), "next": case.page}
    )
    assert response.status_code == 302 and response["Location"] == case.page
    attachment = Attachment.objects.get()
    assert (attachment.record, attachment.part, attachment.uploaded_by) == (case.record, case.part, case.adder)
    page = client_for(case.adder).get(case.page).content.decode()
    assert reverse("attachment-download", args=[attachment.pk]) in page and "材料.pdf" in page
    assert client_for(case.adder).get(reverse("attachment-download", args=[attachment.pk])).status_code == 200


@records
def test_a_user_the_record_refuses_stores_nothing(cast: Cast, build: Callable[[Cast], Case], media: Path) -> None:
    case = build(cast)
    with pytest.raises(NotPermitted):
        attachment_services.attach(record=case.record, by=case.refused, files=[upload("a.pdf", pdf_bytes())])
    with translation.override("zh-hans"):
        response = client_for(case.refused).post(
            _add_url(case.record), {"attachments": upload("a.pdf", pdf_bytes()), "next": case.page}, follow=True
        )
    assert "您现在不能为这条记录上传附件。" in response.content.decode()
    if case.api:
        url = f"/api/v1/{case.api}/{case.record.pk}/attachments/"
        assert (
            _api(case.refused).post(url, {"files": [upload("a.pdf", pdf_bytes())]}, format="multipart").status_code
            == 403
        )
    assert not Attachment.objects.exists() and _files(media) == []


@records
def test_outside_the_records_scope_everything_is_404(cast: Cast, build: Callable[[Cast], Case], media: Path) -> None:
    case = build(cast)
    (attachment,) = attachment_services.attach(record=case.record, by=case.adder, files=[upload("a.pdf", pdf_bytes())])
    outsider = client_for(case.outsider)
    assert outsider.get(reverse("attachment-download", args=[attachment.pk])).status_code == 404
    assert outsider.post(_add_url(case.record), {"attachments": upload("b.pdf", pdf_bytes())}).status_code == 404
    assert outsider.post(reverse("attachment-remove", args=[attachment.pk])).status_code == 404
    if case.api:
        base = f"/api/v1/{case.api}/{case.record.pk}/attachments/"
        api = _api(case.outsider)
        assert api.get(base).status_code == 404
        assert api.get(f"{base}{attachment.pk}/").status_code == 404
        assert api.post(base, {"files": [upload("b.pdf", pdf_bytes())]}, format="multipart").status_code == 404
    assert Attachment.objects.count() == 1 and len(_files(media)) == 1


@records_with_api
def test_the_api_lists_adds_and_downloads(cast: Cast, build: Callable[[Cast], Case]) -> None:
    case = build(cast)
    assert case.api is not None
    base = f"/api/v1/{case.api}/{case.record.pk}/attachments/"
    api = _api(case.adder)
    response = api.post(base, {"files": [upload("材料.pdf", pdf_bytes())]}, format="multipart")
    assert response.status_code == 201, response.content
    (row,) = response.json()
    assert row["part"] == case.part and row["name"] == "材料.pdf"
    assert [r["id"] for r in api.get(base).json()] == [row["id"]]
    download = api.get(f"{base}{row['id']}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


@records
def test_a_lying_file_stores_nothing(cast: Cast, build: Callable[[Cast], Case], media: Path) -> None:
    case = build(cast)
    with translation.override("zh-hans"):
        response = client_for(case.adder).post(
            _add_url(case.record), {"attachments": upload("协议.pdf", LYING), "next": case.page}, follow=True
        )
    assert "的类型不允许" in response.content.decode()
    assert not Attachment.objects.exists() and _files(media) == []


@records
def test_the_detail_page_does_not_query_per_file(cast: Cast, build: Callable[[Cast], Case]) -> None:
    case = build(cast)
    client = client_for(case.adder)
    attachment_services.attach(record=case.record, by=case.adder, files=[upload("1.pdf", pdf_bytes())])
    client.get(case.page)  # warm the caches (content types, the session)
    with CaptureQueriesContext(connection) as one:
        assert client.get(case.page).status_code == 200
    attachment_services.attach(
        record=case.record, by=case.adder, files=[upload(f"{n}.pdf", pdf_bytes()) for n in range(2, 6)]
    )
    with CaptureQueriesContext(connection) as five:
        assert client.get(case.page).status_code == 200
    assert len(five) == len(one)


# --- Progress reports take their evidence with them --------------------------------------------------------


def test_decision_progress_form_stores_the_evidence_with_the_report(cast: Cast, media: Path) -> None:
    case = decision_progress(cast)
    decision = case.record.decision
    url = reverse("decision-action", args=[decision.pk, "progress"])
    client = client_for(cast.liaison)
    with translation.override("zh-hans"):
        refused = client.post(url, {"note": "第二次进展", "attachments": upload("x.pdf", LYING)}, follow=True)
    assert "的类型不允许" in refused.content.decode()
    assert decision.progress.count() == 1 and not Attachment.objects.exists() and _files(media) == []
    client.post(url, {"note": "第二次进展", "attachments": [upload("照片.png", b"\x89PNG\r\n\x1a\n" + b"0" * 10)]})
    entry = decision.progress.latest("id")
    assert entry.note == "第二次进展" and entry.attachments.get().part == "evidence"
    response = _api(cast.liaison).post(
        f"/api/v1/decisions/{decision.pk}/progress/",
        {"note": "第三次", "files": [upload("a.pdf", pdf_bytes())]},
        format="multipart",
    )
    assert response.status_code == 201
    assert decision.progress.get(pk=response.json()["id"]).attachments.count() == 1


def test_plan_progress_form_stores_the_evidence_and_the_api_shows_it(cast: Cast, media: Path) -> None:
    case = plan_progress(cast)
    item = case.record.item
    url = reverse("plan-item-action", args=[item.pk, "progress"])
    client = client_for(cast.liaison)
    response = client.post(url, {"progress-text": "又推进", "progress-attachments": upload("x.pdf", LYING)})
    assert response.status_code in (200, 400) and item.progress.count() == 1 and _files(media) == []
    client.post(url, {"progress-text": "又推进", "progress-attachments": [upload("报告.pdf", pdf_bytes())]})
    entry = item.progress.latest("id")
    assert entry.text == "又推进" and entry.attachments.get().name == "报告.pdf"
    rows = _api(cast.liaison).get(f"/api/v1/plan-items/{item.pk}/progress/").json()["results"]
    assert [a["name"] for r in rows for a in r["attachments"]] == ["报告.pdf"]
