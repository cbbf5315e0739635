"""The library's pages: the list (filters, search, the "new for me" tab, unread marks, export), a document
(opening it records the receipt; the publisher sees receipts per unit), the form with its audience refusals,
publish/withdraw, the home panel; outside the scope 404; list queries do not grow with rows."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from library import services
from library.models import DocumentRead, LibraryDocument
from tests.conftest import client_for
from tests.levels import JIAYUGUAN, QILIHE, region
from tests.library.helpers import World, draft, make_world, published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with time_machine.travel("2026-03-10 10:00 +0800", tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def w() -> World:
    return make_world()


def form_data(**overrides: Any) -> dict[str, Any]:
    base = {
        "type": "typical_case",
        "title": "某环境行政处罚案",
        "number": "",
        "issuing_unit": "兰州市中级人民法院",
        "issued_on": "2026-03-01",
        "case_number": "(2025)甘01行终12号",
        "court": "兰州市中级人民法院",
        "tags": "生态环境,行政处罚",
        "text": "基本案情:……",
        "audience": "all",
    }
    return base | overrides


def test_draft_publish_and_read_through_the_pages(w: World) -> None:
    office = client_for(w.city_office)
    page = office.get(reverse("library-create"))
    assert page.status_code == 200 and "典型案例" in page.content.decode()
    response = office.post(
        reverse("library-create"),
        form_data(audience="regions", audience_regions=[str(region(QILIHE).pk)])
        | {"attachments": SimpleUploadedFile("案例.pdf", b"%PDF-1.4\n%%EOF\n")},
    )
    doc = LibraryDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == doc.get_absolute_url()
    assert doc.status == "draft" and doc.case_number == "(2025)甘01行终12号"
    assert list(doc.audience_regions.all()) == [region(QILIHE)]
    assert doc.attachments.count() == 1
    # The draft is the unit's own: another city's liaison and the audience do not see it yet.
    assert client_for(w.qilihe_liaison).get(doc.get_absolute_url()).status_code == 404
    detail = office.get(doc.get_absolute_url()).content.decode()
    assert 'data-testid="library-publish"' in detail and "data-confirm" in detail
    assert office.post(reverse("library-action", args=[doc.pk, "publish"])).status_code == 302
    doc.refresh_from_db()
    assert doc.status == "published"
    reader = client_for(w.qilihe_liaison)
    listing = reader.get(reverse("library-list") + "?tab=new").content.decode()
    assert "某环境行政处罚案" in listing and 'data-testid="unread"' in listing
    home = reader.get(reverse("home")).content.decode()
    assert 'data-testid="library-new"' in home
    opened = reader.get(doc.get_absolute_url()).content.decode()
    assert "(2025)甘01行终12号" in opened and 'data-testid="receipts"' not in opened
    assert DocumentRead.objects.filter(document=doc, user=w.qilihe_liaison, unit=w.qilihe_unit).count() == 1
    reader.get(doc.get_absolute_url())
    assert DocumentRead.objects.filter(document=doc).count() == 1
    assert "某环境行政处罚案" not in reader.get(reverse("library-list") + "?tab=new").content.decode()
    receipts = office.get(doc.get_absolute_url()).content.decode()
    assert 'data-testid="receipts"' in receipts and w.qilihe_unit.name in receipts
    # Outside the audience: 404.
    for outsider in (w.jyg_liaison, w.county_liaison):
        assert client_for(outsider).get(doc.get_absolute_url()).status_code == 404
        assert "某环境行政处罚案" not in client_for(outsider).get(reverse("library-list")).content.decode()


def test_an_audience_outside_the_region_is_a_form_error_and_nothing_is_saved(w: World) -> None:
    with translation.override("zh-hans"):
        response = client_for(w.city_office).post(
            reverse("library-create"), form_data(audience="units", audience_units=[str(w.jyg_unit.pk)])
        )
    assert response.status_code == 200
    assert "只能向本地区及下级地区的单位发布" in response.content.decode()
    assert not LibraryDocument.objects.exists()
    with translation.override("zh-hans"):
        response = client_for(w.county_office).post(
            reverse("library-create"), form_data(audience="levels", audience_levels=["city"])
        )
    assert response.status_code == 200 and not LibraryDocument.objects.exists()
    with translation.override("zh-hans"):
        response = client_for(w.city_office).post(reverse("library-create"), form_data(case_number=""))
    assert "典型案例须填写案号。" in response.content.decode() and not LibraryDocument.objects.exists()


def test_withdraw_needs_a_reason(w: World) -> None:
    doc = published(w.city_office)
    office = client_for(w.city_office)
    with translation.override("zh-hans"):
        response = office.post(reverse("library-action", args=[doc.pk, "withdraw"]), {"withdraw-reason": ""})
    assert response.status_code == 400 and "请填写撤回原因" in response.content.decode()
    doc.refresh_from_db()
    assert doc.status == "published"
    office.post(reverse("library-action", args=[doc.pk, "withdraw"]), {"withdraw-reason": "内容有误"})
    doc.refresh_from_db()
    assert doc.status == "withdrawn"
    assert client_for(w.county_liaison).get(doc.get_absolute_url()).status_code == 404


def test_others_cannot_edit_or_act(w: World) -> None:
    doc = published(w.city_office)
    reader = client_for(w.county_liaison)
    assert reader.get(reverse("library-edit", args=[doc.pk])).status_code == 403
    reader.post(reverse("library-action", args=[doc.pk, "withdraw"]), {"withdraw-reason": "x"})
    doc.refresh_from_db()
    assert doc.status == "published"
    assert reader.post(reverse("library-action", args=[doc.pk, "nothing"])).status_code == 404


def test_filters_search_and_export(w: World) -> None:
    published(w.province_office, title="关于湿地保护的典型案例", type="typical_case", case_number="甲1", court="甲院")
    published(w.province_office, title="营商环境白皮书", type="white_paper")
    client = client_for(w.jyg_liaison)
    body = client.get(reverse("library-list") + "?type=white_paper").content.decode()
    assert "营商环境白皮书" in body and "湿地保护" not in body
    body = client.get(reverse("library-list") + "?q=湿地保护").content.decode()
    assert "湿地保护" in body and "营商环境白皮书" not in body
    body = client.get(reverse("library-list") + "?unread=1&from=2026-01-01&to=2026-03-10").content.decode()
    assert body.count('data-testid="library-row"') == 2
    response = client.get(reverse("library-export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None and sheet.max_row == 3


def test_a_search_past_its_cap_lists_the_newest_and_asks_to_narrow(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from library import search

    monkeypatch.setattr(search, "CAP", 2)
    monkeypatch.setattr(search, "WINDOW", 3)
    for n in range(4):
        published(w.province_office, title=f"府院联动简报{n}", type="brief")
    client = client_for(w.jyg_liaison)
    with translation.override("zh-hans"):
        body = client.get(reverse("library-list") + "?q=联动简报").content.decode()
        assert "找到的文件超过 2 份" in body
        if connection.vendor == "postgresql":  # the window: the newest CAP + 1 (how it knows there are more)
            assert body.count('data-testid="library-row"') == 3 and "府院联动简报0" not in body
        else:  # SQLite lists every match (LIKE), the count capped all the same
            assert body.count('data-testid="library-row"') == 4
        narrowed = client.get(reverse("library-list") + "?q=联动简报3").content.decode()
    assert 'data-testid="search-capped"' not in narrowed and narrowed.count('data-testid="library-row"') == 1


def test_list_queries_do_not_grow_with_rows(w: World) -> None:
    client = client_for(w.county_liaison)
    published(w.province_office, tags=None)
    client.get(reverse("library-list"))  # warm caches (roles, reach)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("library-list"))
    for i in range(8):
        doc = services.document_create(
            by=w.province_office,
            fields={"type": "brief", "title": f"简报{i}", "issued_on": w.province_office.date_joined.date()},
            tags=[f"标签{i}", "共有"],
            tasks=[],
        )
        services.document_publish(document=doc, by=w.province_office)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("library-list"))
    assert response.content.decode().count('data-testid="library-row"') == 9
    assert len(many) == len(few)


def test_drafts_of_another_unit_are_404(w: World) -> None:
    doc = draft(w.city_office)
    for other in (w.city_liaison, w.county_office, w.jyg_liaison):
        assert client_for(other).get(doc.get_absolute_url()).status_code == 404
    assert client_for(w.province_office).get(doc.get_absolute_url()).status_code == 404
    assert region(JIAYUGUAN).level == "city"
