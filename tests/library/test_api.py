"""The library's API: ``documents/`` create/list/retrieve/update, publish, withdraw, read (POST marks, GET
receipts to the publisher), attachments; an audience outside the publisher's region is 403 with nothing saved;
a reader outside the audience gets 404; list queries stay flat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from library.models import DocumentRead, LibraryDocument
from tests.conftest import client_for
from tests.levels import CHENGGUAN, LANZHOU, region
from tests.library.helpers import World, draft, make_world, published

pytestmark = pytest.mark.django_db
URL = "/api/v1/documents/"


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


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "type": "white_paper",
        "title": "2025年行政审判白皮书",
        "number": "兰中法〔2026〕3号",
        "issued_on": "2026-03-01",
        "tags": ["白皮书", "行政审判"],
        "tasks": [],
        "audience": {"kind": "levels", "levels": ["county"]},
        "text": "一、基本情况",
    } | overrides


def test_create_publish_read_and_receipts(w: World) -> None:
    clerk = client_for(w.city_clerk)
    created = clerk.post(URL, body(), content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "draft" and data["publisher_unit"] == w.city_clerk.unit_id
    assert data["audience"] == {"kind": "levels", "levels": ["county"], "regions": [], "units": []}
    assert data["tags"] == ["白皮书", "行政审判"] and data["actions"] == ["attach", "delete", "edit", "publish"]
    pk = data["id"]
    files = clerk.post(f"{URL}{pk}/attachments/", {"files": [_pdf()]})
    assert files.status_code == 201
    published_doc = clerk.post(f"{URL}{pk}/publish/")
    assert published_doc.status_code == 200 and published_doc.json()["status"] == "published"
    reader = client_for(w.county_liaison)
    listed = reader.get(URL + "?unread=1").json()
    assert [row["id"] for row in listed["results"]] == [pk] and listed["results"][0]["read"] is False
    assert len(listed["results"][0]["attachments"]) == 1
    assert reader.post(f"{URL}{pk}/read/").json() == {"read": True}
    assert reader.post(f"{URL}{pk}/read/").status_code == 200
    assert DocumentRead.objects.filter(document_id=pk).count() == 1
    assert reader.get(f"{URL}{pk}/").json()["read"] is True
    assert reader.get(f"{URL}{pk}/read/").status_code == 403  # receipts are the publisher's
    receipts = clerk.get(f"{URL}{pk}/read/").json()
    assert receipts["read_count"] == 1 and receipts["read"][0]["unit"] == w.county_unit.pk
    assert receipts["read"][0]["readers"][0]["user"] == w.county_liaison.pk
    assert w.qilihe_unit.pk in [u["unit"] for u in receipts["unread"]]
    # Not in the audience (a 市州-level unit; another 市州): 404 everywhere.
    for outsider in (w.city_liaison, w.jyg_liaison):
        client = client_for(outsider)
        assert client.get(f"{URL}{pk}/").status_code == 404
        assert client.post(f"{URL}{pk}/read/").status_code == 404
        assert client.get(f"{URL}{pk}/attachments/").status_code == 404


def _pdf() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("白皮书.pdf", b"%PDF-1.4\n%%EOF\n")


@pytest.mark.parametrize(
    ("who", "audience"),
    [
        ("county_office", {"kind": "levels", "levels": ["city"]}),
        ("city_office", {"kind": "levels", "levels": ["province", "city"]}),
        ("county_office", {"kind": "regions", "regions": [LANZHOU]}),
    ],
)
def test_an_audience_above_the_publisher_is_403(w: World, who: str, audience: dict[str, Any]) -> None:
    given = dict(audience)
    if "regions" in given:
        given["regions"] = [region(code).pk for code in given["regions"]]
    with translation.override("zh-hans"):
        response = client_for(getattr(w, who)).post(URL, body(audience=given), content_type="application/json")
    assert response.status_code == 403 and "只能向本" in response.json()["detail"]
    assert not LibraryDocument.objects.exists()


def test_update_withdraw_and_bad_input(w: World) -> None:
    doc = published(w.county_office)
    client = client_for(w.county_office)
    patched = client.patch(f"{URL}{doc.pk}/", {"title": "新标题"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["title"] == "新标题"
    assert patched.json()["audience"]["kind"] == "all"
    with translation.override("zh-hans"):
        refused = client.post(f"{URL}{doc.pk}/withdraw/", {"reason": ""}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["reason"] == ["请填写撤回原因。"]
    assert (
        client.post(f"{URL}{doc.pk}/withdraw/", {"reason": "过期"}, content_type="application/json").json()["status"]
        == "withdrawn"
    )
    again = client.patch(f"{URL}{doc.pk}/", {"title": "再改"}, content_type="application/json")
    assert again.status_code == 409
    doc.refresh_from_db()
    assert doc.title == "新标题"
    other = client_for(w.county_liaison).patch(f"{URL}{doc.pk}/", {"title": "x"}, content_type="application/json")
    assert other.status_code == 404  # withdrawn: out of their sight
    with translation.override("zh-hans"):
        bad = client.post(URL, body(title="", issued_on="2026-04-01"), content_type="application/json")
    assert bad.status_code == 400
    assert LibraryDocument.objects.count() == 1


def test_drafts_of_another_unit_are_404(w: World) -> None:
    doc = draft(w.city_office)
    assert client_for(w.county_office).get(f"{URL}{doc.pk}/").status_code == 404
    assert client_for(w.city_liaison).post(f"{URL}{doc.pk}/publish/").status_code == 404


def test_list_queries_stay_flat(w: World) -> None:
    client = client_for(w.county_liaison)
    published(w.city_office, tags=None)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(6):
        doc = draft(w.city_office, title=f"简报{i}")
        from library import services

        services.document_update(document=doc, by=w.city_office, fields={}, tags=[f"t{i}", "共有"])
        services.document_publish(document=doc, by=w.city_office)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert response.json()["count"] == 7
    assert len(many) == len(few)
    assert region(CHENGGUAN).level == "county"
