"""The library's Chinese full-text search (library.search): bigram tokens, phrase semantics, attachments' text,
title first, and never beyond the reader's scope. Runs on PostgreSQL (tsvector) and SQLite (LIKE) alike."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from library import search
from library.models import LibraryDocument
from library.selectors import NEWEST, visible_to
from members.models import MemberUnit
from tests.conftest import Cast
from tests.levels import CHENGGUAN, JIAYUGUAN, LANZHOU, PROVINCE, liaison_at, office_user_at, unit_at
from tests.library.docs import attach_text, found, make_document

pytestmark = pytest.mark.django_db


def test_tokens_are_bigrams_of_chinese_runs_and_lower_case_words() -> None:
    assert search.tokens("府院联动") == ["府院", "院联", "联动"]
    assert search.tokens("联") == ["联"]
    assert search.tokens("甘政发〔2023〕15号 PDF版") == ["甘政", "政发", "2023", "15", "号", "pdf", "版"]
    assert search.tokens("联动,机制") == ["联动", "机制"]  # punctuation ends a run: no "动机"
    assert search.indexed_text(["府院联动", "", "OK"]) == "府院 院联 联动 ok"


def test_a_query_is_the_phrase_of_its_bigrams_and_every_term_must_match() -> None:
    assert search.tsquery("联动") == "(联动)"
    assert search.tsquery("府院联动") == "(府院 <-> 院联 <-> 联动)"
    assert search.tsquery("联") == "联:*"
    assert search.tsquery("〔2023〕15号") == "2023:* & 15:* & 号:*"
    assert search.tsquery("府院 联动") == "(府院) & (联动)"
    assert search.tsquery("府院联动", weight="A") == "(府院:A <-> 院联:A <-> 联动:A)"
    assert search.tsquery(" ,。") is None


@pytest.fixture
def office(cast: Cast) -> MemberUnit:
    return MemberUnit.objects.get(short_name="省司法厅")


def test_two_characters_match_the_word_not_its_scattered_characters(cast: Cast, office: MemberUnit) -> None:
    make_document(office, title="甲", text="建立健全府院联动机制。")
    make_document(office, title="乙", text="开展联合行动,动员各方。")
    make_document(office, title="丙", text="府院之间加强协调,形成联动。")
    qs = visible_to(cast.office)
    assert found(search.matching(qs, "联动")) == {"甲", "丙"}
    assert found(search.matching(qs, "府院联动")) == {"甲"}  # 丙 has 府院 and 联动, not in a row
    assert found(search.matching(qs, "联合行动")) == {"乙"}
    assert found(search.matching(qs, "府院 协调")) == {"丙"}  # two terms: both must match
    assert found(search.matching(qs, "行政诉讼")) == set()
    assert search.matching(qs, "  ").count() == 3  # no term: no narrowing


def test_numbers_and_latin_words_are_found(cast: Cast, office: MemberUnit) -> None:
    make_document(office, title="关于加强征收补偿工作的实施意见", number="甘政发〔2023〕15号")
    make_document(office, title="工作简报", number="府院简报〔2024〕3号", text="附 PDF 版")
    qs = visible_to(cast.office)
    assert found(search.matching(qs, "甘政发〔2023〕15号")) == {"关于加强征收补偿工作的实施意见"}
    assert found(search.matching(qs, "2024")) == {"工作简报"}
    assert found(search.matching(qs, "pdf")) == {"工作简报"}


def test_attachment_text_is_found_and_refresh_picks_up_a_new_file(cast: Cast, office: MemberUnit) -> None:
    document = make_document(office, title="典型案例汇编", files=["某公司诉某局政府信息公开纠纷案"])
    qs = visible_to(cast.office)
    assert found(search.matching(qs, "政府信息公开")) == {"典型案例汇编"}
    attach_text(document, "行政协议解除的法律适用")
    search.refresh(document)
    assert found(search.matching(qs, "行政协议")) == {"典型案例汇编"}


def listed(qs: Any, q: str) -> Any:
    """A list's search as the page and the API run it (``DocumentFilter``): the matches, title first, newest."""
    return search.searched(qs, q).order_by("-in_title", *NEWEST) if q else qs.order_by(*NEWEST)


def test_the_title_ranks_before_the_text_then_the_newest(cast: Cast, office: MemberUnit) -> None:
    now = timezone.now()
    make_document(office, title="工作简报第一期", text="推进诉源治理。" * 5, published_at=now)
    make_document(office, title="关于诉源治理的实施意见", text="正文", published_at=now - timedelta(days=30))
    make_document(office, title="工作简报第二期", text="诉源治理", published_at=now - timedelta(days=1))
    make_document(office, title="无关", text="其他内容", published_at=now)
    ranked = list(listed(visible_to(cast.office), "诉源治理").values_list("title", flat=True))
    assert ranked == ["关于诉源治理的实施意见", "工作简报第一期", "工作简报第二期"]
    newest = listed(visible_to(cast.office), "").values_list("title", flat=True).first()
    assert newest in {"工作简报第一期", "无关"}


def test_a_reader_never_finds_what_they_may_not_see(cast: Cast) -> None:
    lanzhou_unit = unit_at(LANZHOU, "兰州市测试局")
    chengguan_unit = unit_at(CHENGGUAN, "城关区测试局")
    jiayuguan_unit = unit_at(JIAYUGUAN, "嘉峪关市测试局")
    reader_here, reader_there = liaison_at(chengguan_unit), liaison_at(jiayuguan_unit)
    text = "府院联动典型案例"
    make_document(lanzhou_unit, title="兰州全市", text=text)  # everyone in 兰州市 and below
    make_document(lanzhou_unit, title="兰州指定单位", text=text, audience="units", unit_ids=[lanzhou_unit.pk])
    make_document(lanzhou_unit, title="兰州县级", text=text, audience="levels", levels=["county"])
    make_document(lanzhou_unit, title="兰州草稿", text=text, status=LibraryDocument.Status.DRAFT)
    make_document(lanzhou_unit, title="兰州撤回", text=text, status=LibraryDocument.Status.WITHDRAWN)
    make_document(jiayuguan_unit, title="嘉峪关全市", text=text)
    assert found(search.matching(visible_to(reader_here), "联动")) == {"兰州全市", "兰州县级"}
    assert found(search.matching(visible_to(reader_there), "联动")) == {"嘉峪关全市"}
    assert found(listed(visible_to(reader_there), "联动")) == {"嘉峪关全市"}
    # the publisher's own unit sees all its documents, drafts and withdrawn too; an office its region's published ones
    assert found(search.matching(visible_to(liaison_at(lanzhou_unit)), "联动")) == {
        "兰州全市", "兰州指定单位", "兰州县级", "兰州草稿", "兰州撤回"
    }  # fmt: skip
    assert found(search.matching(visible_to(office_user_at(CHENGGUAN)), "联动")) == {"兰州全市", "兰州县级"}
    assert found(search.matching(visible_to(office_user_at(LANZHOU)), "联动")) == {
        "兰州全市", "兰州指定单位", "兰州县级"
    }  # fmt: skip
    assert "兰州草稿" not in found(search.matching(visible_to(office_user_at(PROVINCE)), "联动"))


def test_a_common_term_and_a_rare_one_find_the_same_rows(
    cast: Cast, office: MemberUnit, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_document(office, title="甲", text="建立健全府院联动机制。", files=["行政争议"])
    make_document(office, title="乙", text="开展联合行动。")
    qs = visible_to(cast.office)
    for common in (True, False):  # PostgreSQL: read the reader's newest rows, or ask the GIN index
        monkeypatch.setattr(search, "is_common", lambda query, common=common: common)
        assert found(search.matching(qs, "联动")) == {"甲"}
        assert found(listed(qs, "行政争议")) == {"甲"}


def test_search_costs_the_same_queries_whatever_the_rows(
    cast: Cast, office: MemberUnit, django_assert_max_num_queries: object
) -> None:
    for n in range(12):
        make_document(office, title=f"文件{n}", text="府院联动", files=["府院联动"] * (n % 3))
    reader = liaison_at(unit_at(CHENGGUAN, "城关区测试局"))
    reader = type(reader).objects.select_related("unit__region__parent__parent").get(pk=reader.pk)
    qs = visible_to(reader)
    listed(qs, "联动").first()  # PostgreSQL: the term's estimate (an EXPLAIN), kept for ten minutes
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        rows = listed(qs, "联动")  # the window: the newest matches' ids
        assert len(list(rows[:20])) == 12  # the page, by id
        assert rows.count() == 12  # the count, by id


def test_a_search_lists_its_newest_matches_up_to_the_cap(
    cast: Cast, office: MemberUnit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "WINDOW", 4)
    now = timezone.now()
    for n in range(6):
        make_document(office, title=f"简报{n}", text="府院联动", published_at=now - timedelta(days=n))
    make_document(office, title="府院联动工作规则", text="规则", published_at=now - timedelta(days=30))
    titles = list(listed(visible_to(cast.office), "联动").values_list("title", flat=True))
    if connection.vendor == "postgresql":  # the newest four matches; the older title match is past the window
        assert titles == ["简报0", "简报1", "简报2", "简报3"]
    else:  # SQLite lists every match (LIKE over a development database), the title match first
        assert titles == ["府院联动工作规则", "简报0", "简报1", "简报2", "简报3", "简报4", "简报5"]
    assert list(listed(visible_to(cast.office), "联动工作规则").values_list("title", flat=True)) == ["府院联动工作规则"]
