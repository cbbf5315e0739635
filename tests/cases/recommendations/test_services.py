"""The lifecycle of judicial recommendations as services: transitions, refusals, bad input, the clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from attachments import services as attachment_services
from attachments.models import Attachment
from cases.models import JudicialRecommendation, RecommendationPolicy
from cases.recommendations import followup, services
from cases.recommendations.models import AttachmentPart
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.uploads import check_upload, sniff_kind
from fuyuan.lib.workdays import add_months, add_working_days, is_working_day
from members.models import MemberUnit, Notification
from tests.cases.recommendations.support import (
    DOCX,
    JPEG,
    OFD,
    PDF,
    PNG,
    XLSX,
    make_acknowledged,
    make_draft,
    make_issued,
    upload,
    zip_bytes,
)
from tests.factories import UnitFactory

Status = JudicialRecommendation.Status
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- The happy path ---------------------------------------------------------------------------------


@time_machine.travel("2025-03-03 10:00 +0800", tick=False)
def test_full_lifecycle_records_who_and_when(cast):
    supervisor = UnitFactory(name="测试主管厅")
    cast.unit.supervisor = supervisor
    cast.unit.save()
    rec = make_draft(cast, copy_to=[cast.other_unit])
    assert rec.status == Status.DRAFT
    assert rec.supervisor == supervisor  # defaults from the addressee
    assert rec.year == 2025
    assert rec.next_alert_at is None

    services.recommendation_issue(recommendation=rec, by=cast.clerk)
    rec.refresh_from_db()
    assert rec.status == Status.ISSUED
    assert rec.issued_on == date(2025, 3, 3)
    assert rec.issued_by == cast.clerk
    assert rec.reply_due is None  # the reply clock starts with acknowledgement
    assert rec.next_alert_at is not None  # the acknowledgement clock runs from issue
    # The addressee's and the copy-to unit's liaisons are told.
    told = set(Notification.objects.filter(event="recommendation.issued").values_list("recipient__username", flat=True))
    assert told == {"liaison", "other_liaison"}

    services.recommendation_acknowledge(recommendation=rec, by=cast.liaison)
    rec.refresh_from_db()
    assert rec.status == Status.ACKNOWLEDGED
    assert rec.acknowledged_by == cast.liaison
    assert rec.reply_due == date(2025, 5, 3)  # two calendar months after acknowledgement

    services.recommendation_reply(
        recommendation=rec,
        by=cast.liaison,
        outcome="partly_adopted",
        content="已部分采纳。",
        measures="开展培训。",
        rectification_due=date(2025, 4, 30),
    )
    rec.refresh_from_db()
    assert rec.status == Status.RECTIFYING  # an adopting reply starts the rectification clock
    assert rec.rectification_due == date(2025, 4, 30)
    assert rec.next_alert_at is not None  # the reply ladder stopped; the rectification ladder runs
    assert rec.replied_by == cast.liaison

    followup.recommendation_rectified(recommendation=rec, by=cast.liaison, note="已完成培训。")
    rec.refresh_from_db()
    assert rec.status == Status.RECTIFIED and rec.rectified_by == cast.liaison
    with time_machine.travel("2025-05-06 10:00 +0800", tick=False):
        followup.recommendation_visit(recommendation=rec, by=cast.clerk, result="rectified", note="已落实。")
        rec.refresh_from_db()
        assert rec.status == Status.VISITED and rec.visited_on == date(2025, 5, 6) and not rec.visit_early
        services.recommendation_close(recommendation=rec, by=cast.clerk, assessment="回复认真,措施具体。")
    rec.refresh_from_db()
    assert rec.status == Status.CLOSED
    assert rec.next_alert_at is None
    assert rec.assessment == "回复认真,措施具体。"
    reasons = list(
        rec.history.exclude(history_change_reason=None)
        .order_by("history_date")
        .values_list("history_change_reason", flat=True)
    )
    assert reasons == ["created", "issued", "acknowledged", "replied", "rectified", "visited", "closed"]


def test_supervisor_can_be_changed_from_the_default(cast):
    cast.unit.supervisor = UnitFactory()
    cast.unit.save()
    chosen = UnitFactory(name="另一个主管部门")
    rec = make_draft(cast, supervisor=chosen)
    assert rec.supervisor == chosen


def test_withdraw_from_each_allowed_status(cast):
    for make in (make_draft, make_issued, make_acknowledged):
        rec = make(cast)
        services.recommendation_withdraw(recommendation=rec, by=cast.clerk, reason="案件已调解结案")
        rec.refresh_from_db()
        assert rec.status == Status.WITHDRAWN
        assert rec.next_alert_at is None


# --- Refused transitions: each says why --------------------------------------------------------------


def test_acknowledging_twice_is_refused(cast):
    rec = make_acknowledged(cast)
    with pytest.raises(TransitionNotAllowed, match="不能重复签收"):
        services.recommendation_acknowledge(recommendation=rec, by=cast.liaison)


def test_replying_to_a_withdrawn_record_is_refused(cast):
    rec = make_acknowledged(cast)
    services.recommendation_withdraw(recommendation=rec, by=cast.clerk)
    with pytest.raises(TransitionNotAllowed, match="撤回"):
        services.recommendation_reply(recommendation=rec, by=cast.liaison, outcome="adopted", content="好")
    rec.refresh_from_db()
    assert rec.reply_content == ""


@pytest.mark.parametrize(
    ("action", "status_maker"),
    [
        ("issue", make_issued),
        ("acknowledge", make_draft),
        ("reply", make_issued),
        ("close", make_acknowledged),
        ("withdraw", "replied"),
        ("remind", make_draft),
    ],
)
def test_each_transition_is_refused_from_a_wrong_status(cast, action, status_maker):
    if status_maker == "replied":
        rec = make_acknowledged(cast)
        services.recommendation_reply(
            recommendation=rec, by=cast.liaison, outcome="not_adopted", content="不予采纳", reason="已有规定"
        )
    else:
        rec = status_maker(cast)
    before = rec.status
    calls = {
        "issue": lambda: services.recommendation_issue(recommendation=rec, by=cast.clerk),
        "acknowledge": lambda: services.recommendation_acknowledge(recommendation=rec, by=cast.liaison),
        "reply": lambda: services.recommendation_reply(
            recommendation=rec, by=cast.liaison, outcome="adopted", content="x"
        ),
        "close": lambda: services.recommendation_close(recommendation=rec, by=cast.clerk),
        "withdraw": lambda: services.recommendation_withdraw(recommendation=rec, by=cast.clerk),
        "remind": lambda: services.recommendation_remind(recommendation=rec, by=cast.office),
    }
    with pytest.raises(TransitionNotAllowed) as caught:
        calls[action]()
    assert caught.value.message  # says why
    rec.refresh_from_db()
    assert rec.status == before


def test_only_the_issuing_courts_clerks_issue_close_and_withdraw(cast):
    rec = make_draft(cast)
    for user in (cast.other_clerk, cast.liaison, cast.office, cast.admin):
        with pytest.raises(NotPermitted):
            services.recommendation_issue(recommendation=rec, by=user)
        with pytest.raises(NotPermitted):
            services.recommendation_withdraw(recommendation=rec, by=user)
    with pytest.raises(NotPermitted):
        services.recommendation_create(by=cast.liaison, title="x", addressee=cast.unit)


def test_only_the_addressees_liaisons_acknowledge_and_reply(cast):
    rec = make_issued(cast)
    for user in (cast.other_liaison, cast.clerk, cast.office):
        with pytest.raises(NotPermitted):
            services.recommendation_acknowledge(recommendation=rec, by=user)
    services.recommendation_acknowledge(recommendation=rec, by=cast.liaison)
    with pytest.raises(NotPermitted):
        services.recommendation_reply(recommendation=rec, by=cast.other_liaison, outcome="adopted", content="x")


def test_only_the_office_reminds_and_each_reminder_arrives(cast):
    rec = make_issued(cast)
    with pytest.raises(NotPermitted):
        services.recommendation_remind(recommendation=rec, by=cast.clerk)
    services.recommendation_remind(recommendation=rec, by=cast.office)
    services.recommendation_remind(recommendation=rec, by=cast.office)
    notices = Notification.objects.filter(event="recommendation.remind", recipient=cast.liaison)
    assert sorted(notices.values_list("stage", flat=True)) == ["remind-1", "remind-2"]


def test_editing_is_for_drafts_only(cast):
    rec = make_issued(cast)
    with pytest.raises(TransitionNotAllowed):
        services.recommendation_update(recommendation=rec, by=cast.clerk, changes={"title": "新标题"})


# --- Bad input: a clear answer and nothing half-saved ------------------------------------------------


def test_reply_due_before_issue_date_is_refused(cast):
    with pytest.raises(ValidationError) as caught:
        make_draft(cast, issued_on=date(2025, 3, 10), reply_due=date(2025, 3, 9))
    assert "reply_due" in caught.value.message_dict
    assert JudicialRecommendation.objects.count() == 0


def test_reply_due_before_issue_date_is_refused_by_the_database_too(cast):
    rec = make_draft(cast, issued_on=date(2025, 3, 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        JudicialRecommendation.objects.filter(pk=rec.pk).update(reply_due=date(2025, 3, 1))


def test_reply_due_set_by_the_court_is_kept_at_acknowledgement(cast):
    today = date.today()
    rec = make_issued(cast, reply_due=today + timedelta(days=20))
    services.recommendation_acknowledge(recommendation=rec, by=cast.liaison)
    rec.refresh_from_db()
    assert rec.reply_due == today + timedelta(days=20)


def test_duplicate_number_in_the_same_court_and_year_is_refused(cast):
    make_draft(cast, number="(2025)甘高法建字第3号")
    with pytest.raises(ValidationError) as caught:
        make_draft(cast, number="(2025)甘高法建字第3号")
    assert "number" in caught.value.message_dict
    assert JudicialRecommendation.objects.count() == 1
    # Another court may use the same number, and so may the same court in another year's series.
    make_draft(cast, by=cast.other_clerk, number="(2025)甘高法建字第3号")
    make_draft(cast, number="(2026)甘高法建字第3号")


def test_duplicate_number_is_refused_by_the_database_constraint(cast):
    first = make_draft(cast, number="(2025)甘高法建字第7号")
    second = make_draft(cast, number="(2025)甘高法建字第8号")
    with pytest.raises(IntegrityError), transaction.atomic():
        JudicialRecommendation.objects.filter(pk=second.pk).update(number=first.number)


def test_not_adopted_without_a_reason_is_refused(cast):
    rec = make_acknowledged(cast)
    with pytest.raises(ValidationError) as caught:
        services.recommendation_reply(recommendation=rec, by=cast.liaison, outcome="not_adopted", content="不予采纳")
    assert "reason" in caught.value.message_dict
    rec.refresh_from_db()
    assert rec.status == Status.ACKNOWLEDGED and rec.reply_outcome == ""
    services.recommendation_reply(
        recommendation=rec, by=cast.liaison, outcome="not_adopted", content="不予采纳", reason="与上位法规定不一致"
    )
    rec.refresh_from_db()
    assert rec.status == Status.REPLIED


def test_issuing_without_number_is_refused(cast):
    rec = make_draft(cast, number="")
    with pytest.raises(ValidationError) as caught:
        services.recommendation_issue(recommendation=rec, by=cast.clerk)
    assert "number" in caught.value.message_dict
    rec.refresh_from_db()
    assert rec.status == Status.DRAFT


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("a.pdf", PDF, "pdf"), ("b.docx", DOCX, "docx"), ("c.xlsx", XLSX, "xlsx"), ("d.ofd", OFD, "ofd"),
     ("e.jpg", JPEG, "jpeg"), ("f.png", PNG, "png"), ("named-wrong.txt", PDF, "pdf")],
)  # fmt: skip
def test_allowed_kinds_are_recognised_by_content(name, content, kind, settings):
    assert check_upload(upload(name, content)).kind == kind


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.pdf", b"MZ\x90\x00 this is an exe"),
        ("page.pdf", b"<html><script>alert(1)</script></html>"),
        ("archive.docx", zip_bytes(["readme.txt"])),
        ("empty.pdf", b""),
    ],
)
def test_attachment_of_a_wrong_kind_is_refused_and_nothing_saved(cast, name, content):
    with pytest.raises(ValidationError) as caught:
        make_draft(cast, attachments=[upload(name, content, "application/pdf")])
    assert "attachments" in caught.value.message_dict
    assert JudicialRecommendation.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_attachment_over_the_size_limit_is_refused(cast, settings):
    settings.FUYUAN_MAX_UPLOAD_BYTES = 1024
    big = PDF + b"0" * 2048
    with pytest.raises(ValidationError, match="大小限制"):
        make_draft(cast, attachments=[upload("big.pdf", big)])
    assert JudicialRecommendation.objects.count() == 0


def test_attachment_over_20_mb_is_refused_by_default(cast):
    big = upload("big.pdf", PDF + b"0" * (20 * 1024 * 1024))
    with pytest.raises(ValidationError, match="20 MB"):
        make_draft(cast, attachments=[big])


def test_attachments_are_stored_with_their_real_type(cast):
    rec = make_draft(cast, attachments=[upload("建议书.txt", PDF)])
    att = rec.attachments.get()
    assert att.media_type == "application/pdf"
    assert att.name == "建议书.pdf"
    assert att.file.read() == PDF
    assert att.part == AttachmentPart.RECOMMENDATION


def test_reply_attachments_need_the_reply_stage(cast):
    rec = make_issued(cast)
    with pytest.raises(NotPermitted):
        attachment_services.attach(record=rec, by=cast.liaison, files=[upload("r.pdf", PDF)])
    services.recommendation_acknowledge(recommendation=rec, by=cast.liaison)
    services.recommendation_reply(
        recommendation=rec,
        by=cast.liaison,
        outcome="adopted",
        content="已采纳",
        measures="修订制度。",
        rectification_due=add_months(timezone.localdate(), 1),
        attachments=[upload("r.pdf", PDF)],
    )
    assert rec.attachments.get().part == AttachmentPart.REPLY


def test_sniff_leaves_the_stream_at_its_start():
    stream = upload("x.pdf", PDF)
    assert sniff_kind(stream) == "pdf"
    assert stream.read(5) == b"%PDF-"


# --- The clock ------------------------------------------------------------------------------------


def test_calendar_months_clamp_to_the_end_of_a_shorter_month():
    assert add_months(date(2025, 12, 31), 2) == date(2026, 2, 28)
    assert add_months(date(2025, 3, 15), 2) == date(2025, 5, 15)
    assert add_months(date(2024, 12, 31), 2) == date(2025, 2, 28)


def test_working_days_follow_the_official_calendar_with_make_up_days():
    # National Day 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are workdays.
    assert not is_working_day(date(2025, 10, 1))
    assert is_working_day(date(2025, 9, 28))
    assert is_working_day(date(2025, 10, 11))
    assert add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)  # Friday → the make-up Sunday
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)  # over the holiday
    assert add_working_days(date(2025, 10, 10), 1) == date(2025, 10, 11)  # the make-up Saturday
    assert add_working_days(date(2025, 10, 4), 0) == date(2025, 10, 9)


def test_working_days_beyond_the_published_calendar_count_weekdays():
    assert add_working_days(date(2040, 1, 6), 1) == date(2040, 1, 9)  # Friday → Monday


@time_machine.travel("2025-09-26 10:00 +0800", tick=False)
def test_a_court_may_set_its_period_in_working_days(cast):
    RecommendationPolicy.objects.filter(court=cast.court).update(period_kind="working_days", period_length=3)
    rec = make_acknowledged(cast)
    # Sat 27 off, Sun 28 make-up workday, Mon 29, Tue 30 → the third working day is 30 September.
    assert rec.reply_due == date(2025, 9, 30)


@time_machine.travel("2025-01-10 10:00 +0800", tick=False)
def test_a_court_may_set_its_period_in_months(cast):
    RecommendationPolicy.objects.filter(court=cast.court).update(period_kind="months", period_length=1)
    rec = make_acknowledged(cast)
    assert rec.reply_due == date(2025, 2, 10)


def test_the_addressee_cannot_be_the_court_itself(cast):
    with pytest.raises(ValidationError) as caught:
        make_draft(cast, addressee=MemberUnit.objects.get(pk=cast.court.pk))
    assert "addressee" in caught.value.message_dict
