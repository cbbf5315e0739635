"""The library benchmark's generator (``bench/library.py``) at a tiny scale, on PostgreSQL (it writes with COPY):
the 54 white papers at the province, documents of every level stamped as the services stamp them, audience keys
as ``library.audience`` gives them, attachments with text, and search vectors equal to ``library.search.refresh``'s
own, so that the benchmark measures the search the platform runs."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from attachments.models import Attachment
from bench import library as bench_library
from bench import tree
from library import search
from library.audience import document_keys
from library.models import DocumentAudience, LibraryDocument
from library.selectors import new_for, visible_to
from tests.conftest import ensure_organisation

pytestmark = pytest.mark.django_db  # the generator writes with COPY: PostgreSQL, as `make test` and `make bench` run
TOTAL = 120


@pytest.fixture
def built() -> dict:
    ensure_organisation()
    tree.build_units()
    return bench_library.build(total=TOTAL)


def test_documents_of_every_type_and_level_with_54_white_papers(built: dict) -> None:
    docs = LibraryDocument.objects.all()
    assert docs.count() == TOTAL
    assert bench_library.build(total=TOTAL)["took"] == 0  # idempotent: nothing built twice
    white = docs.filter(type="white_paper")
    assert white.count() == bench_library.WHITE_PAPERS and not white.filter(city__isnull=False).exists()
    assert set(docs.values_list("type", flat=True)) == set(LibraryDocument.Type.values)
    levels = Counter(docs.values_list("region__level", flat=True))
    assert set(levels) == {"province", "city", "county"}
    for doc in docs.select_related("region", "publisher_unit"):
        assert doc.region_id == doc.publisher_unit.region_id
        assert doc.city_id == (doc.region.city_id if doc.region.level != "province" else None)
        assert doc.tasks.exists()


def test_audience_keys_attachments_and_search_vectors_are_the_platforms(built: dict) -> None:
    published = LibraryDocument.objects.filter(status="published").prefetch_related("audience_regions")
    assert published.exists()
    for doc in published[:40]:
        keys = set(DocumentAudience.objects.filter(document=doc).values_list("key", flat=True))
        regions = [r.pk for r in doc.audience_regions.all()]
        units = list(doc.audience_units.values_list("pk", flat=True))
        expected = document_keys(
            audience=doc.audience, region_id=doc.region_id or 0, levels=doc.audience_levels, region_ids=regions,
            unit_ids=units,
        )  # fmt: skip
        assert keys == set(expected), doc.pk
    files = Attachment.objects.filter(record_type=ContentType.objects.get_for_model(LibraryDocument))
    assert files.count() > TOTAL and not files.filter(text="").exists()
    for doc in LibraryDocument.objects.order_by("pk")[:15]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_vector::text FROM library_librarydocument WHERE id = %s", [doc.pk])
            generated = cursor.fetchone()[0]
            search.refresh(doc)
            cursor.execute("SELECT search_vector::text FROM library_librarydocument WHERE id = %s", [doc.pk])
            assert cursor.fetchone()[0] == generated, doc.pk


def test_the_measured_users_read_some_and_search(built: dict) -> None:
    users = built["users"]
    assert set(users) == set(bench_library.USERS)
    county = users["county liaison"]
    assert visible_to(county).exists()
    rows, count = bench_library.search_page(county, "府院", "relevance")()
    assert len(rows) <= bench_library.PAGE and count >= len(rows)
    assert new_for(county).count() < visible_to(county).filter(status="published").count() or not rows
