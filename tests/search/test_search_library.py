"""The header search finds library documents (issue 18) through the library's own scope and full-text search."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from members.models import MemberUnit
from search import selectors
from tests.conftest import Cast, client_for
from tests.levels import CHENGGUAN, JIAYUGUAN, LANZHOU, liaison_at, unit_at
from tests.library.docs import make_document

pytestmark = pytest.mark.django_db


def library_titles(user: object, term: str) -> set[str]:
    groups = selectors.search(user=user, term=term, kinds=("library",), limit=20)  # type: ignore[arg-type]
    return {hit.title for group in groups for hit in group.hits}


def test_the_library_is_a_kind_of_the_header_search(cast: Cast) -> None:
    lanzhou = unit_at(LANZHOU, "兰州市测试局")
    make_document(lanzhou, title="关于诉源治理的实施意见", number="兰政发〔2026〕8号", text="推进府院联动。")
    make_document(lanzhou, title="典型案例汇编", files=["某公司诉某局诉源治理纠纷案"])
    make_document(MemberUnit.objects.get(short_name="省司法厅"), title="无关文件", text="其他")
    assert "library" in selectors.KIND_CODES
    assert library_titles(cast.office, "诉源治理") == {"关于诉源治理的实施意见", "典型案例汇编"}
    assert library_titles(cast.office, "兰政发〔2026〕8号") == {"关于诉源治理的实施意见"}
    assert library_titles(liaison_at(unit_at(CHENGGUAN, "城关区测试局")), "诉源治理") == {
        "关于诉源治理的实施意见", "典型案例汇编"
    }  # fmt: skip
    assert library_titles(liaison_at(unit_at(JIAYUGUAN, "嘉峪关市测试局")), "诉源治理") == set()
    [group] = [g for g in selectors.search(user=cast.office, term="诉源治理") if g.kind == "library"]
    assert (group.label, group.count, group.capped) == ("共享文件", 2, False)
    assert any("规范性文件" in hit.detail and "兰政发〔2026〕8号" in hit.detail for hit in group.hits)


def test_the_page_and_the_api_show_the_library_group(cast: Cast) -> None:
    make_document(MemberUnit.objects.get(short_name="省司法厅"), title="府院联动白皮书", type="white_paper")
    body = client_for(cast.office).get(reverse("search"), {"q": "白皮书"}).content.decode()
    assert "府院联动白皮书" in body and "共享文件" in body
    api = APIClient()
    api.force_authenticate(cast.office)
    data = api.get("/api/v1/search/", {"q": "白皮书"}).json()
    [group] = [g for g in data["groups"] if g["kind"] == "library"]
    assert group["count"] == 1 and group["results"][0]["title"] == "府院联动白皮书"
