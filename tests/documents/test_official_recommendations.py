"""司法建议书 and 回复函: the layout, the content from the record, scope (page and API), the reply letter's 404."""

from __future__ import annotations

from datetime import date
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from cases.recommendations import services
from members.letterheads import letterhead_save
from tests.cases.recommendations.support import make_acknowledged, make_draft, make_issued
from tests.conftest import client_for
from tests.documents.support import body_text, check_layout, open_docx

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def replied(cast):
    rec = make_acknowledged(cast)
    return services.recommendation_reply(
        recommendation=rec,
        by=cast.liaison,
        outcome="adopted",
        content="已组织全局执法人员专题培训。",
        measures="修订行政处罚告知书格式文本。",
        rectification_due=date.today().replace(year=date.today().year + 1),
    )


def test_the_recommendation_in_the_standard_layout_from_the_record(cast) -> None:
    rec = make_issued(cast, issued_on=date(2026, 3, 2), number="（2026）测01司建3号")
    rec.copy_to.add(cast.other_unit)
    response = client_for(cast.liaison).get(reverse("recommendation-document-docx", args=[rec.pk]))
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert unquote(response["Content-Disposition"].split("''")[1]) == "司法建议书-（2026）测01司建3号.docx"
    doc = check_layout(
        response.content,
        number="（2026）测01司建3号",
        date_text="2026年3月2日",
        title="关于规范行政执法程序的司法建议书",
    )
    text = body_text(doc)
    assert cast.court.name in text  # the court's letterhead (default: its name) and signature
    assert f"{cast.unit.name}：" in text  # 主送
    assert "行政处罚决定未告知陈述申辩权利。" in text and "建议规范执法程序,加强执法人员培训。" in text
    assert f"抄送：{cast.other_unit.name}" in text


def test_change_the_record_and_the_document_changes(cast) -> None:
    rec = make_draft(cast, problem="第一稿的问题。")
    url = reverse("recommendation-document-docx", args=[rec.pk])
    first = body_text(open_docx(client_for(cast.clerk).get(url).content))
    assert "第一稿的问题。" in first
    services.recommendation_update(recommendation=rec, by=cast.clerk, changes={"problem": "修改后的问题。"})
    second = body_text(open_docx(client_for(cast.clerk).get(url).content))
    assert "修改后的问题。" in second and "第一稿的问题。" not in second
    page = client_for(cast.clerk).get(reverse("recommendation-document", args=[rec.pk]))
    assert page.status_code == 200 and 'data-testid="doc-draft"' in page.content.decode()  # a draft says 草稿


def test_the_letterhead_set_for_the_court_is_used(cast) -> None:
    rec = make_issued(cast)
    letterhead_save(by=cast.admin, unit=cast.court, issuer_mark="测试中级人民法院司法建议书", signature="测试法院落款")
    text = body_text(
        open_docx(client_for(cast.clerk).get(reverse("recommendation-document-docx", args=[rec.pk])).content)
    )
    assert "测试中级人民法院司法建议书" in text and "测试法院落款" in text


def test_the_reply_letter_is_the_agency_s(cast) -> None:
    rec = make_acknowledged(cast)
    for client, url in (
        (client_for(cast.liaison), reverse("recommendation-reply-letter-docx", args=[rec.pk])),
        (client_for(cast.liaison), reverse("recommendation-reply-letter", args=[rec.pk])),
        (api(cast.liaison), f"/api/v1/recommendations/{rec.pk}/reply-docx/"),
    ):
        assert client.get(url).status_code == 404  # no reply yet: no reply letter
    rec = replied(cast)
    response = client_for(cast.clerk).get(reverse("recommendation-reply-letter-docx", args=[rec.pk]))
    dated = rec.replied_at.astimezone().date()
    doc = check_layout(response.content, number="〔", date_text=f"{dated.year}年{dated.month}月{dated.day}日")
    text = body_text(doc)
    assert cast.unit.name in text and f"{cast.court.name}：" in text
    assert "已组织全局执法人员专题培训。" in text and "修订行政处罚告知书格式文本。" in text and "采纳" in text
    assert api(cast.clerk).get(f"/api/v1/recommendations/{rec.pk}/reply-docx/").content[:2] == b"PK"


def test_outside_the_scope_is_404_on_pages_and_api(cast) -> None:
    rec = replied(cast)
    for name in ("recommendation-document-docx", "recommendation-document", "recommendation-reply-letter-docx"):
        assert client_for(cast.other_liaison).get(reverse(name, args=[rec.pk])).status_code == 404
        assert client_for(cast.other_clerk).get(reverse(name, args=[rec.pk])).status_code == 404
    for path in ("docx", "reply-docx"):
        assert api(cast.other_liaison).get(f"/api/v1/recommendations/{rec.pk}/{path}/").status_code == 404
        response = api(cast.liaison).get(f"/api/v1/recommendations/{rec.pk}/{path}/")
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")


def test_the_detail_page_offers_both_documents(cast) -> None:
    rec = replied(cast)
    page = client_for(cast.liaison).get(rec.get_absolute_url()).content.decode()
    assert reverse("recommendation-document-docx", args=[rec.pk]) in page
    assert reverse("recommendation-reply-letter", args=[rec.pk]) in page


def test_a_download_costs_the_same_queries_whatever_the_copy_units(cast) -> None:
    rec = make_issued(cast)
    url = reverse("recommendation-document-docx", args=[rec.pk])
    client = client_for(cast.clerk)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    rec.copy_to.add(cast.other_unit, cast.other_court)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)
