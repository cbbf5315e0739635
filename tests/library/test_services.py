"""The library's services: drafting, publishing to an audience within the publisher's region and level, reading,
withdrawing; each refusal leaves the document as it was."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from library import selectors, services
from library.models import DocumentAudience, DocumentRead, LibraryDocument, Tag
from members.roles import Role
from tests.conftest import Cast
from tests.factories import make_user
from tests.levels import CHENGGUAN, JIAYUGUAN, LANZHOU, QILIHE, region
from tests.library.helpers import World, draft, fields, make_world, published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with time_machine.travel("2026-03-10 10:00 +0800", tick=False):
        yield


@pytest.fixture
def w() -> World:
    return make_world()


def test_a_draft_is_stamped_and_tagged(w: World) -> None:
    doc = services.document_create(
        by=w.city_liaison,
        fields=fields(
            title="  兰州市典型案例  ", type="typical_case", case_number="(2025)甘01行终1号", court="兰州中院"
        ),
        tags=["行政争议", "行政争议", " 府院联动 "],
    )
    doc.refresh_from_db()
    assert doc.status == "draft" and doc.title == "兰州市典型案例"
    assert doc.publisher_unit == w.city_unit and doc.created_by == w.city_liaison
    assert doc.region == region(LANZHOU) and doc.city_id == region(LANZHOU).pk
    assert doc.issuing_unit == w.city_unit.name  # defaults to the publisher
    assert sorted(doc.tags.values_list("name", flat=True)) == ["府院联动", "行政争议"]
    assert not DocumentAudience.objects.filter(document=doc).exists()
    # A second document reuses the tags by name.
    draft(w.city_liaison)
    services.document_update(document=doc, by=w.city_liaison, fields={}, tags=["府院联动"])
    assert Tag.objects.filter(name="府院联动").count() == 1


def test_publish_writes_the_audience_keys_and_withdraw_removes_them(w: World) -> None:
    doc = published(w.city_office)
    assert doc.status == "published" and doc.published_by == w.city_office and doc.published_at is not None
    assert list(DocumentAudience.objects.filter(document=doc).values_list("key", flat=True)) == [
        f"r{region(LANZHOU).pk}"
    ]
    assert selectors.new_for(w.county_liaison).filter(pk=doc.pk).exists()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        services.document_withdraw(document=doc, by=w.city_office, reason="  ")
    assert "请填写撤回原因" in str(raised.value)
    doc.refresh_from_db()
    assert doc.status == "published" and DocumentAudience.objects.filter(document=doc).exists()
    services.document_withdraw(document=doc, by=w.city_office, reason="已被新文件替代")
    doc.refresh_from_db()
    assert doc.status == "withdrawn" and doc.withdrawal_reason == "已被新文件替代"
    assert not DocumentAudience.objects.filter(document=doc).exists()
    assert not selectors.visible_to(w.county_liaison).filter(pk=doc.pk).exists()
    assert selectors.visible_to(w.city_liaison).filter(pk=doc.pk).exists() is False
    # Withdrawn is final: no edit, no second withdrawal, no publishing again.
    with pytest.raises(TransitionNotAllowed):
        services.document_update(document=doc, by=w.city_office, fields={"title": "改"})
    with pytest.raises(TransitionNotAllowed):
        services.document_withdraw(document=doc, by=w.city_office, reason="再撤")
    with pytest.raises(TransitionNotAllowed):
        services.document_publish(document=doc, by=w.city_office)
    doc.refresh_from_db()
    assert doc.title == "关于规范行政执法的意见" and doc.status == "withdrawn"


OUTSIDE: list[tuple[str, dict[str, Any]]] = [
    ("county_office", {"kind": "levels", "levels": ["city"]}),
    ("county_office", {"kind": "levels", "levels": ["county", "province"]}),
    ("county_office", {"kind": "regions", "regions": [QILIHE]}),
    ("county_office", {"kind": "regions", "regions": [LANZHOU]}),
    ("county_office", {"kind": "units", "units": ["qilihe_unit"]}),
    ("city_office", {"kind": "levels", "levels": ["province"]}),
    ("city_office", {"kind": "regions", "regions": [JIAYUGUAN]}),
    ("city_office", {"kind": "units", "units": ["jyg_unit"]}),
    ("city_liaison", {"kind": "units", "units": ["county_unit", "jyg_unit"]}),
]


def _audience(w: World, audience: dict[str, Any]) -> dict[str, Any]:
    given = dict(audience)
    if "regions" in given:
        given["regions"] = [region(code) for code in given["regions"]]
    if "units" in given:
        given["units"] = [getattr(w, name) for name in given["units"]]
    return given


def test_an_audience_outside_the_publishers_region_or_level_is_refused(w: World) -> None:
    for publisher, audience in OUTSIDE:
        by, given = getattr(w, publisher), _audience(w, audience)
        before = LibraryDocument.objects.count()
        with translation.override("zh-hans"), pytest.raises(NotPermitted) as raised:
            services.document_create(by=by, fields=fields(), audience=given, tags=["新标签"])
        assert "只能向本" in raised.value.message, (publisher, audience)
        assert LibraryDocument.objects.count() == before and not Tag.objects.exists()
        # Editing a draft into such an audience is refused too, the draft unchanged.
        doc = draft(by)
        with pytest.raises(NotPermitted):
            services.document_update(document=doc, by=by, fields={"title": "新标题"}, audience=given)
        doc.refresh_from_db()
        assert doc.title == "关于规范行政执法的意见" and doc.audience == "all"
        # And publishing it refuses the same when the audience was stored before the rule could see it.
        doc.audience = given["kind"]
        doc.audience_levels = given.get("levels", [])
        doc.save()
        doc.audience_regions.set(given.get("regions", []))
        doc.audience_units.set(given.get("units", []))
        with pytest.raises(NotPermitted):
            services.document_publish(document=doc, by=by)
        doc.refresh_from_db()
        assert doc.status == "draft" and not DocumentAudience.objects.filter(document=doc).exists()


def test_the_province_may_publish_to_any_level_region_or_unit(w: World) -> None:
    doc = published(w.province_office, audience={"kind": "regions", "regions": [region(JIAYUGUAN), region(CHENGGUAN)]})
    assert set(DocumentAudience.objects.filter(document=doc).values_list("key", flat=True)) == {
        f"r{region(JIAYUGUAN).pk}",
        f"r{region(CHENGGUAN).pk}",
    }
    levels = published(w.province_office, audience={"kind": "levels", "levels": ["province", "city", "county"]})
    assert DocumentAudience.objects.filter(document=levels).count() == 3


def test_publishing_needs_the_permission_and_the_publishing_unit(w: World, cast: Cast) -> None:
    leader = make_user(Role.LEADER, w.city_unit, username="leader_lib")
    with translation.override("zh-hans"), pytest.raises(NotPermitted) as raised:
        draft(leader)
    assert raised.value.message == "您没有发布共享文件的权限。"
    doc = draft(w.city_liaison)
    for other in (w.city_office, cast.admin, w.county_liaison, leader):
        with pytest.raises(NotPermitted):
            services.document_publish(document=doc, by=other)
        with pytest.raises(NotPermitted):
            services.document_update(document=doc, by=other, fields={"title": "改"})
        with pytest.raises(NotPermitted):
            services.document_delete(document=doc, by=other)
    doc.refresh_from_db()
    assert doc.status == "draft" and doc.title == "关于规范行政执法的意见"
    assert services.allowed_actions(doc, w.city_liaison) == {"edit", "attach", "publish", "delete"}
    assert services.allowed_actions(doc, w.city_office) == set()
    # A court clerk publishes for the court.
    assert published(w.city_clerk).publisher_unit == w.city_clerk.unit


def test_bad_input_is_refused_in_chinese_with_nothing_saved(w: World) -> None:
    cases: list[tuple[dict[str, Any], dict[str, Any], str, str]] = [
        (fields(title=" "), {"kind": "all"}, "title", "请填写标题。"),
        (fields(type="memo"), {"kind": "all"}, "type", "请选择文件类型。"),
        (fields(issued_on=date(2026, 3, 11)), {"kind": "all"}, "issued_on", "发布日期不能晚于今天。"),
        (fields(type="typical_case"), {"kind": "all"}, "case_number", "典型案例须填写案号。"),
        (fields(), {"kind": "levels", "levels": []}, "audience_levels", "请选择至少一个层级。"),
        (fields(), {"kind": "units"}, "audience_units", "请选择至少一个单位。"),
        (fields(), {"kind": "regions", "regions": []}, "audience_regions", "请选择至少一个地区。"),
    ]
    for given, audience, field, message in cases:
        with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
            services.document_create(by=w.city_office, fields=given, audience=audience)
        assert message in raised.value.message_dict[field]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        services.document_create(by=w.city_office, fields=fields(), tags=[f"标签{i}" for i in range(11)])
    assert "标签最多 10 个。" in raised.value.message_dict["tags"]
    assert not LibraryDocument.objects.exists() and not Tag.objects.exists()


def test_publish_twice_is_a_conflict(w: World) -> None:
    doc = published(w.city_office)
    when = doc.published_at
    with pytest.raises(TransitionNotAllowed):
        services.document_publish(document=doc, by=w.city_office)
    doc.refresh_from_db()
    assert doc.published_at == when and DocumentAudience.objects.filter(document=doc).count() == 1


def test_editing_a_published_document_moves_its_audience(w: World) -> None:
    doc = published(w.city_office, audience={"kind": "units", "units": [w.county_unit]})
    assert selectors.visible_to(w.county_liaison).filter(pk=doc.pk).exists()
    services.document_update(
        document=doc, by=w.city_office, fields={}, audience={"kind": "units", "units": [w.qilihe_unit]}
    )
    assert not selectors.visible_to(w.county_liaison).filter(pk=doc.pk).exists()
    assert selectors.visible_to(w.qilihe_liaison).filter(pk=doc.pk).exists()


def test_only_drafts_are_deleted(w: World) -> None:
    doc = draft(w.county_office)
    services.document_delete(document=doc, by=w.county_office)
    assert not LibraryDocument.objects.filter(pk=doc.pk).exists()
    live = published(w.county_office)
    with pytest.raises(TransitionNotAllowed):
        services.document_delete(document=live, by=w.county_office)
    assert LibraryDocument.objects.filter(pk=live.pk).exists()


AUDIENCES: dict[str, tuple[str, dict[str, Any], set[str]]] = {
    # publisher, audience -> who of the world sees it (liaisons of each place)
    "city all": ("city_office", {"kind": "all"}, {"city_liaison", "county_liaison", "qilihe_liaison", "city_clerk"}),
    "city counties": ("city_office", {"kind": "levels", "levels": ["county"]}, {"county_liaison", "qilihe_liaison"}),
    "city itself": ("city_office", {"kind": "levels", "levels": ["city"]}, {"city_liaison", "city_clerk"}),
    "city region": ("city_office", {"kind": "regions", "regions": [QILIHE]}, {"qilihe_liaison"}),
    "city unit": ("city_office", {"kind": "units", "units": ["county_unit"]}, {"county_liaison"}),
    "county all": ("county_office", {"kind": "all"}, {"county_liaison"}),
    "province all": (
        "province_office",
        {"kind": "all"},
        {"province_liaison", "city_liaison", "county_liaison", "qilihe_liaison", "jyg_liaison", "city_clerk"},
    ),
    "province cities": (
        "province_office",
        {"kind": "levels", "levels": ["city"]},
        {"city_liaison", "jyg_liaison", "city_clerk"},
    ),
    "province region": ("province_office", {"kind": "regions", "regions": [JIAYUGUAN]}, {"jyg_liaison"}),
}
READERS = ("province_liaison", "city_liaison", "county_liaison", "qilihe_liaison", "jyg_liaison", "city_clerk")


def test_audience_semantics_at_each_level(w: World) -> None:
    for case, (publisher, audience, expected) in AUDIENCES.items():
        doc = published(getattr(w, publisher), audience=_audience(w, audience))
        seen = {name for name in READERS if selectors.visible_to(getattr(w, name)).filter(pk=doc.pk).exists()}
        new = {name for name in READERS if selectors.new_for(getattr(w, name)).filter(pk=doc.pk).exists()}
        assert seen == expected == new, case
        # The receipts list the same units as the keys reach.
        units = set(selectors.audience_units(doc).values_list("pk", flat=True))
        assert {getattr(w, name).unit_id for name in READERS if getattr(w, name).unit_id in units} == {
            getattr(w, name).unit_id for name in expected
        }, case


def test_read_receipts_are_idempotent_and_per_unit(w: World) -> None:
    doc = published(w.city_office, audience={"kind": "units", "units": [w.county_unit, w.qilihe_unit]})
    assert services.document_mark_read(document=doc, by=w.county_liaison) is True
    assert services.document_mark_read(document=doc, by=w.county_liaison) is False
    assert DocumentRead.objects.filter(document=doc).count() == 1
    read = DocumentRead.objects.get(document=doc)
    assert read.unit == w.county_unit and read.user == w.county_liaison
    assert not selectors.new_for(w.county_liaison).filter(pk=doc.pk).exists()
    assert selectors.new_for(w.qilihe_liaison).filter(pk=doc.pk).exists()
    receipts = selectors.receipts(doc)
    assert receipts["audience_count"] == 2 and receipts["read_count"] == 1 and receipts["unread_count"] == 1
    assert [e["unit"] for e in receipts["read"]] == [w.county_unit]
    assert receipts["unread"] == [w.qilihe_unit]
    # A draft records no receipt.
    assert services.document_mark_read(document=draft(w.city_office), by=w.county_liaison) is False
