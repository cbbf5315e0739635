"""Pages of judicial recommendations: list, filters, export, detail, forms, files, scope, admin."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases.models import JudicialRecommendation
from cases.recommendations import alerts, services
from fuyuan.lib import fragments
from members.models import WorkTask
from tests.cases.recommendations.support import PDF, make_acknowledged, make_draft, make_issued, upload
from tests.conftest import client_for

Status = JudicialRecommendation.Status
pytestmark = pytest.mark.django_db
LIST = "/recommendations/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def numbers(response) -> list[str]:
    return [r.number for r in response.context["listing"].object_list]


# --- Scope ------------------------------------------------------------------------------------------


def test_each_role_sees_its_scope_in_the_list(cast):
    draft = make_draft(cast)
    to_unit = make_issued(cast)
    copied = make_issued(cast, addressee=cast.other_unit, copy_to=[cast.unit])
    other_court = make_issued(cast, by=cast.other_clerk, addressee=cast.other_unit)
    everyone = {draft.number, to_unit.number, copied.number, other_court.number}
    for user in (cast.office, cast.leader, cast.admin):
        assert set(numbers(client_for(user).get(LIST))) == everyone
    assert set(numbers(client_for(cast.clerk).get(LIST))) == {draft.number, to_unit.number, copied.number}
    assert set(numbers(client_for(cast.other_clerk).get(LIST))) == {other_court.number}
    # A liaison: what was issued to or copied to their unit; never a court's draft.
    assert set(numbers(client_for(cast.liaison).get(LIST))) == {to_unit.number, copied.number}
    assert set(numbers(client_for(cast.other_liaison).get(LIST))) == {copied.number, other_court.number}


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_out_of_scope_detail_is_404(cast):
    rec = make_issued(cast)
    url = reverse("recommendation-detail", args=[rec.pk])
    assert client_for(cast.liaison).get(url).status_code == 200
    assert client_for(cast.other_liaison).get(url).status_code == 404
    assert client_for(cast.other_clerk).get(url).status_code == 404
    draft = make_draft(cast)
    assert client_for(cast.liaison).get(reverse("recommendation-detail", args=[draft.pk])).status_code == 404


def test_a_liaison_of_another_unit_cannot_reply_404(cast):
    rec = make_acknowledged(cast)
    url = reverse("recommendation-action", args=[rec.pk, "reply"])
    response = client_for(cast.other_liaison).post(url, {"reply-outcome": "adopted", "reply-content": "冒名回复"})
    assert response.status_code == 404
    rec.refresh_from_db()
    assert rec.status == Status.ACKNOWLEDGED


# --- Filters, search, sorting, paging -------------------------------------------------------------


@time_machine.travel("2025-06-20 10:00 +0800", tick=False)
def test_filters(cast):
    task = WorkTask.objects.get(number=1)
    a = make_issued(cast, issued_on=date(2025, 6, 1), tasks=[task])
    b = make_acknowledged(cast, number="(2024)测中法建字第9号", issued_on=date(2024, 12, 1))
    JudicialRecommendation.objects.filter(pk=b.pk).update(reply_due=date(2025, 6, 1))  # overdue now
    c = make_issued(cast, by=cast.other_clerk, addressee=cast.other_unit)
    JudicialRecommendation.objects.filter(pk=c.pk).update(escalated_at=timezone.now())
    client = client_for(cast.office)
    assert numbers(client.get(LIST, {"status": "acknowledged"})) == [b.number]
    assert set(numbers(client.get(LIST, {"court": cast.court.pk}))) == {a.number, b.number}
    assert numbers(client.get(LIST, {"addressee": cast.other_unit.pk})) == [c.number]
    assert numbers(client.get(LIST, {"task": task.pk})) == [a.number]
    assert numbers(client.get(LIST, {"year": 2024})) == [b.number]
    assert numbers(client.get(LIST, {"overdue": "true"})) == [b.number]
    assert b.number not in numbers(client.get(LIST, {"overdue": "false"}))
    assert numbers(client.get(LIST, {"escalated": "true"})) == [c.number]
    assert set(numbers(client.get(LIST, {"escalated": "false"}))) == {a.number, b.number}
    # Nonsense values are ignored rather than failing.
    assert len(numbers(client.get(LIST, {"court": "x", "year": "abc", "status": "nope"}))) == 3


def test_search_by_number_case_title_and_unit(cast):
    a = make_issued(cast, title="关于加强食品安全监管的司法建议", case_number="(2025)甘01民初77号")
    b = make_issued(cast, addressee=cast.other_unit)
    client = client_for(cast.office)
    assert numbers(client.get(LIST, {"q": "食品安全"})) == [a.number]
    assert numbers(client.get(LIST, {"q": "民初77"})) == [a.number]
    assert numbers(client.get(LIST, {"q": b.number})) == [b.number]
    assert numbers(client.get(LIST, {"q": "测试局乙"})) == [b.number]
    assert numbers(client.get(LIST, {"q": "没有这个"})) == []


def test_sorting_and_paging(cast):
    for i in range(23):
        make_issued(cast, issued_on=date(2025, 1, 1) + timedelta(days=i))
    client = client_for(cast.office)
    first = client.get(LIST)
    listing = first.context["listing"]
    assert listing.page.paginator.count == 23
    assert len(listing.object_list) == 20
    dates = [r.issued_on for r in listing.object_list]
    assert dates == sorted(dates, reverse=True)  # newest first by default
    second = client.get(LIST, {"page": 2})
    assert len(second.context["listing"].object_list) == 3
    assert not set(numbers(first)) & set(numbers(second))
    ascending = client.get(LIST, {"sort": "issued_on"})
    assert ascending.context["listing"].object_list[0].issued_on == date(2025, 1, 1)
    by_number = [r.number for r in client.get(LIST, {"sort": "-number"}).context["listing"].object_list]
    assert by_number == sorted(by_number, reverse=True)
    assert client.get(LIST, {"sort": "nonsense"}).status_code == 200


def test_a_deep_page_of_ids_applies_the_readers_scope_once(cast):
    """The list pages bare ids, then reads their rows: the page's ids are one LIMIT over the filtered sort, not
    ``pk IN (that LIMIT)`` with every filter again around it (a liaison's scope is a UNION of three lookups)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(45):
        make_issued(cast, issued_on=date(2025, 1, 1) + timedelta(days=i))
    make_issued(cast, by=cast.other_clerk, addressee=cast.other_unit)  # outside the liaison's scope
    scope = list(
        JudicialRecommendation.objects.filter(addressee=cast.unit).order_by("-issued_on", "-id").values_list("number")
    )
    client = client_for(cast.liaison)
    client.get(LIST, {"page": 2})  # the fragments and the count, kept for the next request
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(LIST, {"page": 2})
    ids = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "cases_judicialrecommendation"."id" ')]
    assert numbers(page) == [n for (n,) in scope[20:40]]
    assert len(ids) == 1, ids
    assert ids[0].count("copy_to") == 1 and "LIMIT 20 OFFSET 20" in ids[0], ids[0]
    assert numbers(client.get(LIST, {"page": 3})) == [n for (n,) in scope[40:45]]


@time_machine.travel("2025-06-20 10:00 +0800", tick=False)
def test_traffic_lights(cast):
    today = date(2025, 6, 20)
    for days in (40, 10, -1):
        rec = make_acknowledged(cast, issued_on=date(2025, 6, 1))
        JudicialRecommendation.objects.filter(pk=rec.pk).update(reply_due=today + timedelta(days=days))
    make_issued(cast)  # no due date yet
    html = client_for(cast.office).get(LIST, {"sort": "reply_due"}).content.decode()
    assert html.count('data-light="green"') == 1
    assert html.count('data-light="yellow"') == 1
    assert html.count('data-light="red"') == 1
    assert html.count('data-light="grey"') == 1


def test_list_queries_do_not_grow_with_rows(cast, django_assert_max_num_queries):
    client = client_for(cast.office)
    make_issued(cast, copy_to=[cast.other_unit], tasks=list(WorkTask.objects.all()[:2]))
    client.get(LIST)  # warm the session and the content types
    fragments.store().clear()  # both pages render their filter bar (which a second request reads from memory)
    with django_assert_max_num_queries(11) as few:
        assert client.get(LIST, {"q": "司法建议"}).status_code == 200
    for _ in range(25):
        make_acknowledged(cast, copy_to=[cast.other_unit], tasks=list(WorkTask.objects.all()[:2]))
    fragments.store().clear()
    with django_assert_max_num_queries(11) as many:
        assert client.get(LIST, {"q": "司法建议"}).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_max_num_queries(8):  # the filter bar's courts, tasks and regions from the fragment
        assert client.get(LIST, {"q": "司法建议"}).status_code == 200


# --- Export -----------------------------------------------------------------------------------------


def test_export_is_the_filtered_list_as_xlsx(cast):
    keep = make_acknowledged(cast)
    make_issued(cast)
    make_issued(cast, by=cast.other_clerk, addressee=cast.other_unit)  # outside the clerk's scope
    response = client_for(cast.clerk).get(reverse("recommendation-export"), {"status": "acknowledged"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "文号"
    assert [r[0] for r in rows[1:]] == [keep.number]
    assert rows[1][3] == cast.unit.name
    assert rows[1][7] == "已签收"
    everything = load_workbook(io.BytesIO(client_for(cast.clerk).get(reverse("recommendation-export")).content)).active
    assert everything.max_row == 1 + 2  # the clerk's court's two, not the other court's


# --- Detail, timeline, and the forms of each transition -----------------------------------------------


def test_detail_shows_the_timeline_and_only_the_allowed_forms(cast):
    with time_machine.travel("2025-03-03 10:00 +0800", tick=False):
        rec = make_draft(cast)
        services.recommendation_issue(recommendation=rec, by=cast.clerk)
    with time_machine.travel("2025-03-08 09:00 +0800", tick=False):
        alerts.recommendation_scan_alerts()
    url = reverse("recommendation-detail", args=[rec.pk])
    liaison_page = client_for(cast.liaison).get(url)
    html = liaison_page.content.decode()
    assert 'data-testid="action-acknowledge"' in html
    assert 'data-testid="action-issue"' not in html and 'data-testid="action-withdraw"' not in html
    timeline = liaison_page.context["timeline"]
    labels = [e.label for e in timeline]
    assert labels[:2] == ["起草", "发出"]
    assert timeline[1].who == cast.clerk.display_name
    assert "提醒签收" in labels and "通知收文单位与抄送单位" in labels
    clerk_html = client_for(cast.clerk).get(url).content.decode()
    assert 'data-testid="action-withdraw"' in clerk_html and 'data-testid="action-acknowledge"' not in clerk_html
    office_html = client_for(cast.office).get(url).content.decode()
    assert 'data-testid="action-remind"' in office_html
    leader_html = client_for(cast.leader).get(url).content.decode()
    assert 'data-testid="action-' not in leader_html  # leaders never write


def test_the_whole_lifecycle_through_the_pages(cast):
    clerk, liaison = client_for(cast.clerk), client_for(cast.liaison)
    response = clerk.post(
        reverse("recommendation-create"),
        {
            "number": "(2025)测中法建字第101号",
            "case_number": "(2025)测01行初1号",
            "addressee": cast.unit.pk,
            "category": "law_enforcement",
            "title": "关于规范行政许可的司法建议",
            "problem": "问题",
            "recommendation": "建议",
            "attachments": [upload("建议书.pdf", PDF)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rec = JudicialRecommendation.objects.get(number="(2025)测中法建字第101号")
    assert rec.attachments.count() == 1
    action = lambda name: reverse("recommendation-action", args=[rec.pk, name])  # noqa: E731
    assert clerk.post(action("issue"), {}).status_code == 302
    assert liaison.post(action("acknowledge"), {}).status_code == 302
    rec.refresh_from_db()
    assert rec.status == Status.ACKNOWLEDGED
    # Acknowledging twice: a clear message, nothing changes.
    response = liaison.post(action("acknowledge"), {}, follow=True)
    assert "不能重复签收" in response.content.decode()
    # Not adopted without a reason: the form says so, nothing saved.
    response = liaison.post(action("reply"), {"reply-outcome": "not_adopted", "reply-content": "不采纳"})
    assert response.status_code == 400
    assert "未采纳的,必须说明理由" in response.content.decode()
    rec.refresh_from_db()
    assert rec.status == Status.ACKNOWLEDGED
    response = liaison.post(
        action("reply"),
        {"reply-outcome": "not_adopted", "reply-content": "不采纳", "reply-reason": "已有专门规定",
         "reply-attachments": [upload("回复.png", b"\x89PNG\r\n\x1a\n" + b"0" * 10)]},
    )  # fmt: skip
    assert response.status_code == 302
    assert clerk.post(action("close"), {"close-assessment": "理由成立"}).status_code == 302
    rec.refresh_from_db()
    assert rec.status == Status.CLOSED and rec.assessment == "理由成立"
    assert rec.attachments.filter(part="reply").count() == 1


def test_create_form_shows_errors_and_saves_nothing(cast):
    make_draft(cast, number="(2025)测中法建字第5号")
    clerk = client_for(cast.clerk)
    base = {"addressee": cast.unit.pk, "category": "other", "title": "标题"}
    response = clerk.post(reverse("recommendation-create"), {**base, "number": "(2025)测中法建字第5号"})
    assert response.status_code == 200
    assert "已有文号" in response.content.decode()
    response = clerk.post(
        reverse("recommendation-create"), {**base, "issued_on": "2025-03-10", "reply_due": "2025-03-01"}
    )
    assert "回复期限不能早于发出日期" in response.content.decode()
    response = clerk.post(reverse("recommendation-create"), {**base, "attachments": [upload("x.pdf", b"MZ not a pdf")]})
    assert "类型不允许" in response.content.decode()
    assert JudicialRecommendation.objects.count() == 1


def test_only_clerks_get_the_drafting_form(cast):
    assert client_for(cast.clerk).get(reverse("recommendation-create")).status_code == 200
    response = client_for(cast.liaison).get(reverse("recommendation-create"))
    assert response.status_code == 403
    assert client_for(cast.liaison).post(reverse("recommendation-create"), {"title": "x"}).status_code == 403
    assert JudicialRecommendation.objects.count() == 0


def test_editing_a_draft(cast):
    rec = make_draft(cast)
    url = reverse("recommendation-edit", args=[rec.pk])
    clerk = client_for(cast.clerk)
    assert clerk.get(url).status_code == 200
    data = {"addressee": cast.other_unit.pk, "category": "finance", "title": "改后的标题", "number": rec.number}
    assert clerk.post(url, data).status_code == 302
    rec.refresh_from_db()
    assert rec.title == "改后的标题" and rec.addressee == cast.other_unit
    assert client_for(cast.other_clerk).get(url).status_code == 404


def test_detail_queries_do_not_grow_with_history(cast, django_assert_max_num_queries):
    rec = make_acknowledged(cast, copy_to=[cast.other_unit])
    client = client_for(cast.office)
    url = reverse("recommendation-detail", args=[rec.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(5):
        services.recommendation_remind(recommendation=rec, by=cast.office)
    with django_assert_max_num_queries(20) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


# --- Files ------------------------------------------------------------------------------------------


def test_attachments_download_only_within_scope(cast, settings):
    rec = make_issued(cast, attachments=[upload("签章建议书.pdf", PDF)])
    attachment = rec.attachments.get()
    url = reverse("attachment-download", args=[attachment.pk])
    response = client_for(cast.liaison).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert client_for(cast.other_liaison).get(url).status_code == 404
    assert client_for(cast.other_clerk).get(url).status_code == 404
    assert not settings.MEDIA_URL or not client_for(cast.office).get(f"/{attachment.file.name}").status_code == 200


# --- The liaison's home page ---------------------------------------------------------------------------


def test_awaiting_reply_on_the_liaisons_home_page(cast):
    from cases.recommendations.selectors import awaiting_reply

    waiting = make_acknowledged(cast)
    new = make_issued(cast)
    done = make_acknowledged(cast)
    services.recommendation_reply(
        recommendation=done, by=cast.liaison, outcome="not_adopted", content="不予采纳", reason="已有规定"
    )
    make_issued(cast, addressee=cast.other_unit)
    assert [r.pk for r in awaiting_reply(cast.unit)] == [new.pk, waiting.pk]  # unacknowledged first
    page = client_for(cast.liaison).get("/").content.decode()
    assert 'data-testid="awaiting-reply"' in page
    html = page.split('data-testid="awaiting-reply"', 1)[1].split("</section>", 1)[0]
    assert waiting.number in html and new.number in html and done.number not in html
    assert 'data-testid="awaiting-reply"' not in client_for(cast.office).get("/").content.decode()


# --- Admin --------------------------------------------------------------------------------------------


def test_admin_list_filters_and_history(cast):
    rec = make_acknowledged(cast)
    client = client_for(cast.admin)
    changelist = reverse("admin:cases_judicialrecommendation_changelist")
    assert client.get(changelist, {"overdue": "1"}).status_code == 200
    assert (
        client.get(changelist, {"escalated": "0", "status__exact": "acknowledged", "q": rec.number}).status_code == 200
    )
    assert client.get(reverse("admin:cases_judicialrecommendation_history", args=[rec.pk])).status_code == 200
    assert client.get(reverse("admin:cases_judicialrecommendation_change", args=[rec.pk])).status_code == 200
    assert client.get(reverse("admin:cases_recommendationpolicy_add")).status_code == 200


def test_admin_remind_action_calls_the_service(cast):
    from members.models import Notification

    rec = make_acknowledged(cast)
    draft = make_draft(cast)
    changelist = reverse("admin:cases_judicialrecommendation_changelist")
    response = client_for(cast.admin).post(
        changelist, {"action": "remind", "_selected_action": [rec.pk, draft.pk]}, follow=True
    )
    assert response.status_code == 200
    assert Notification.objects.filter(event="recommendation.remind", object_id=rec.pk).count() == 1
    assert not Notification.objects.filter(event="recommendation.remind", object_id=draft.pk).exists()
    assert "无需督办" in response.content.decode()
