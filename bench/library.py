"""The library (issue 18, 信息共享): 200,000 shared documents with 1,000,000 attachments' text, searched and
listed as "new for me".

The dataset: documents published over five years by units of the province (12 %), the 市州 (30 %) and the
县市区 (58 %), of every type (the transcript's 54 white papers at the province, then typical cases, work briefs,
normative documents, losing-case reports and judicial interpretations), to every kind of audience (everyone
below the publisher 55 %, chosen levels 15 %, chosen regions 15 %, chosen units 15 %), with one or two work
tasks and up to three tags; 95 % published, the rest drafts or withdrawn. Their text is made of clauses of the
press conference's transcript (``/work/shared/seed/press-conference.zh-Hans.txt``, or a small built-in
vocabulary when it is absent), a few hundred characters per document and per attachment. Each document has
0-10 attachments (five on average) whose extracted text is stored as the upload would store it; the files
themselves are not written to disk (``file`` names a path that does not exist: the search never opens them).
The audience keys (``DocumentAudience``) are the ones ``library.audience.document_keys`` gives, and the search
vectors are those ``library.search.refresh`` computes (the same bigram strings, built per clause and cached).

Everything is written with COPY into staging tables, and the documents are inserted from there with their
``search_vector`` computed by PostgreSQL in the same statement (no second write per row), in batches of
``BATCH`` documents, each its own transaction, so an interrupted build resumes where it stopped.

Measured (as ``library.search.matching(selectors.visible_to(user), q)`` is used by the page and the API: the
first 20 rows by relevance, or by date, and the count capped at 1,000) for a 2-character, a 4-character, a
phrase, a 文号 and a missing term, as the provincial office, a 市州 liaison and a 县市区 liaison (p95 ≤ 100 ms);
the "new for me" first page with its capped count for the same users (p95 ≤ 50 ms).
Run alone with ``python -m bench --only library``.
"""

from __future__ import annotations

import io
import random
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from bench.runner import Report, client_for, get_ok

TOTAL = 200_000
ATTACHMENTS_PER_DOCUMENT = 5  # on average (0-10): 1,000,000 for TOTAL
WHITE_PAPERS = 54  # the transcript's (DOMAIN.md, "Information sharing")
BATCH = 10_000
PAGE, COUNT_CAP = 20, 1000
BUILDER = "bench-library"  # the documents' created_by: how the build knows its own rows
USERS = {
    "province office": "bench-lib-province",
    "city liaison": "bench-lib-city",
    "county liaison": "bench-lib-county",
}
QUERIES = {
    "2 chars": "调解",
    "4 chars": "行政争议",
    "phrase": "府院联动机制",
    "文号": "甘政发〔2023〕15号",
    "miss": "量子纠缠",
}
SEED = Path("/work/shared/seed/press-conference.zh-Hans.txt")
FALLBACK = (
    "加强府院联动 共同推进法治建设,建立健全府院联动机制,推动行政争议实质性化解,依法妥善处理涉企纠纷,"
    "强化司法建议落实,完善诉调对接机制,推进多元解纷,规范行政执法行为,提升行政机关负责人出庭应诉率,"
    "联动解决执行难问题,加强知识产权司法保护,联合发布典型案例,深化府院信息共享,促进依法行政"
)
TAGS = ["征收补偿", "行政协议", "政府信息公开", "执行联动", "破产处置", "诉源治理", "知识产权", "生态环境",
        "营商环境", "信访化解", "负责人出庭", "司法建议", "多元解纷", "两法衔接", "劳动报酬", "土地出让",
        "招商引资", "国有资产", "食品药品", "安全生产"]  # fmt: skip
TYPES = [  # (type, weight) after the white papers
    ("typical_case", 30),
    ("brief", 28),
    ("normative", 20),
    ("losing_cases", 12),
    ("interpretation", 10),
]
SPLIT = re.compile(r"[,。;、:!?\s“”《》()()【】·—…,.;:!?\"]+")
CJK_ONLY = re.compile(r"[\u3400-\u9fff]{4,30}")


@cache
def clauses() -> tuple[str, ...]:
    """The vocabulary: the transcript's clauses of 4-30 Chinese characters (the text between punctuation)."""
    source = SEED.read_text(encoding="utf-8") if SEED.exists() else FALLBACK
    found = sorted({c for c in SPLIT.split(source) if CJK_ONLY.fullmatch(c)})
    return tuple(found) if len(found) > 20 else tuple(SPLIT.split(FALLBACK))


@cache
def clause_tokens(index: int) -> str:
    """``library.search``'s tokens of one clause, joined: a clause is one run of Chinese characters, so a text
    made of clauses separated by punctuation has the tokens of its clauses, in order."""
    from library.search import tokens

    return " ".join(tokens(clauses()[index]))


def _text(rnd: random.Random, low: int, high: int) -> tuple[str, str]:
    """A text of ``low``-``high`` characters and its indexed tokens."""
    vocab = clauses()
    picked: list[int] = []
    length = 0
    target = rnd.randint(low, high)
    while length < target:
        i = rnd.randrange(len(vocab))
        picked.append(i)
        length += len(vocab[i]) + 1
    parts = []
    for n, i in enumerate(picked):
        parts.append(vocab[i] + ("。" if n % 4 == 3 or n == len(picked) - 1 else ","))
    return "".join(parts), " ".join(clause_tokens(i) for i in picked)


@dataclass
class World:
    """Units, regions and users the generator draws from, loaded once."""

    province: int = 0
    city_of: dict[int, int | None] = field(default_factory=dict)
    level_of: dict[int, str] = field(default_factory=dict)
    children: dict[int, list[int]] = field(default_factory=dict)
    units_in: dict[int, list[int]] = field(default_factory=dict)  # region → its units
    unit_region: dict[int, int] = field(default_factory=dict)
    unit_name: dict[int, str] = field(default_factory=dict)
    by_level: dict[str, list[int]] = field(default_factory=dict)  # region level → regions
    tasks: list[int] = field(default_factory=list)
    tags: list[int] = field(default_factory=list)
    builder: int = 0
    document_type: int = 0

    @classmethod
    def load(cls) -> World:
        from django.contrib.contenttypes.models import ContentType

        from library.models import LibraryDocument, Tag
        from members.models import MemberUnit, Region, User, WorkTask

        world = cls()
        for pk, parent, city, level in Region.objects.values_list("pk", "parent_id", "city_id", "level"):
            world.city_of[pk], world.level_of[pk] = city, level
            world.by_level.setdefault(level, []).append(pk)
            if parent:
                world.children.setdefault(parent, []).append(pk)
            if level == "province":
                world.province = pk
        units = MemberUnit.objects.filter(active=True, region__isnull=False).exclude(kind="mediation")
        for pk, region, name in units.order_by("pk").values_list("pk", "region_id", "name"):
            world.units_in.setdefault(region, []).append(pk)
            world.unit_region[pk], world.unit_name[pk] = region, name
        world.tasks = list(WorkTask.objects.order_by("number").values_list("pk", flat=True))
        for name in TAGS:
            Tag.objects.get_or_create(name=name)
        world.tags = list(Tag.objects.filter(name__in=TAGS).values_list("pk", flat=True))
        world.builder = User.objects.get_or_create(
            username=BUILDER, defaults={"name": "基准共享文件", "password": "!"}
        )[0].pk
        world.document_type = ContentType.objects.get_for_model(LibraryDocument).pk
        return world

    def subtree(self, region: int) -> list[int]:
        out, todo = [], [region]
        while todo:
            r = todo.pop()
            out.append(r)
            todo.extend(self.children.get(r, []))
        return out


def _title(rnd: random.Random, kind: str, year: int, i: int, issuer: str) -> tuple[str, str, str, str]:
    """(title, 文号, 案号, court) of a document of ``kind``."""
    topic = rnd.choice(TAGS)
    n = 1 + i % 97
    if kind == "white_paper":
        return f"{year}年度{topic}审判白皮书", "", "", ""
    if kind == "typical_case":
        case = f"({year})甘{rnd.randint(1, 14):02d}{rnd.randint(1, 30):02d}行初{rnd.randint(1, 999)}号"
        return f"{topic}典型案例之{n}:某公司诉某局{topic}纠纷案", "", case, issuer
    if kind == "brief":
        return f"府院联动工作简报({year}年第{n}期)", f"府院简报〔{year}〕{n}号", "", ""
    if kind == "normative":
        return f"关于加强{topic}工作的实施意见", f"甘政发〔{year}〕{n}号", "", ""
    if kind == "losing_cases":
        return f"关于{year}年度行政机关败诉案件情况的通报", f"甘法通〔{year}〕{n}号", "", ""
    return f"最高人民法院关于审理{topic}案件适用法律若干问题的解释", f"法释〔{year}〕{n % 30}号", "", ""


def _audience(rnd: random.Random, w: World, region: int) -> tuple[str, list[str], list[str]]:
    """(audience, levels, keys) of a document published from ``region``."""
    from library.audience import document_keys

    roll = rnd.random()
    below = w.children.get(region, [])
    if roll < 0.55:
        return "all", [], document_keys(audience="all", region_id=region)
    if roll < 0.70:
        own = w.level_of[region]
        levels = ["province", "city", "county"][["province", "city", "county"].index(own) :]
        chosen = rnd.sample(levels, rnd.randint(1, len(levels)))
        return "levels", chosen, document_keys(audience="levels", region_id=region, levels=chosen)
    if roll < 0.85 and below:
        regions = rnd.sample(below, min(len(below), rnd.randint(1, 3)))
        return "regions", [], document_keys(audience="regions", region_id=region, region_ids=regions)
    pool = [u for r in w.subtree(region) for u in w.units_in.get(r, [])]
    units = rnd.sample(pool, min(len(pool), rnd.randint(1, 5)))
    return "units", [], document_keys(audience="units", region_id=region, unit_ids=units)


class Copy:
    """Rows for COPY, in PostgreSQL's text format."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.rows = 0

    def add(self, *values: Any) -> None:
        self.rows += 1
        self.buffer.write("\t".join(_cell(v) for v in values))
        self.buffer.write("\n")

    def into(self, cursor: Any, table: str, columns: Iterable[str]) -> None:
        self.buffer.seek(0)
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", self.buffer)


def _cell(value: Any) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


DOC_COLUMNS = ("id", "type", "title", "number", "issuing_unit", "issued_on", "case_number", "court", "text",
               "audience", "audience_levels", "status", "publisher_unit_id", "region_id", "city_id", "created_by_id",
               "created_at", "updated_at", "published_by_id", "published_at", "withdrawn_at",
               "withdrawal_reason")  # fmt: skip
ATTACHMENT_COLUMNS = ("record_type_id", "record_id", "part", "file", "name", "media_type", "size", "sha256", "text",
                      "text_status", "uploaded_by_id", "uploaded_at")  # fmt: skip


def _batch(w: World, start: int, count: int, first_id: int, now: Any) -> dict[str, Copy]:
    """COPY rows of documents ``start`` … ``start + count - 1`` (ids from ``first_id``)."""
    import json

    rnd = random.Random(1800 + start)
    out = {name: Copy() for name in ("docs", "tasks", "tags", "keys", "regions", "units", "attachments")}
    regions = {lvl: w.by_level.get(lvl, []) for lvl in ("city", "county")}
    for n in range(count):
        i, pk = start + n, first_id + n
        if i < WHITE_PAPERS:
            kind, region = "white_paper", w.province
        else:
            kind = rnd.choices([t for t, _w in TYPES], [wt for _t, wt in TYPES])[0]
            roll = rnd.random()
            level = "province" if roll < 0.12 else "city" if roll < 0.42 else "county"
            region = w.province if level == "province" else rnd.choice(regions[level])
        publisher = rnd.choice(w.units_in.get(region) or w.units_in[w.province])
        published_at = now - timedelta(seconds=rnd.randint(3600, 5 * 365 * 86400))
        issued_on = (published_at - timedelta(days=rnd.randint(0, 10))).date()
        title, number, case_number, court = _title(rnd, kind, issued_on.year, i, w.unit_name[publisher])
        text, text_tokens = _text(rnd, 200, 400)
        roll = rnd.random()
        status = "published" if roll < 0.95 else "draft" if roll < 0.98 else "withdrawn"
        audience, levels, keys = _audience(rnd, w, region)
        issuer = w.unit_name[publisher]
        out["docs"].add(
            pk, kind, title, number, issuer, issued_on, case_number, court, text, audience, json.dumps(levels),
            status, publisher, region, w.city_of[region], w.builder, published_at, published_at,
            w.builder if status != "draft" else None, published_at if status != "draft" else None,
            published_at + timedelta(days=3) if status == "withdrawn" else None,
            "内容已更新" if status == "withdrawn" else "",
        )  # fmt: skip
        for task in rnd.sample(w.tasks, rnd.randint(1, 2)):
            out["tasks"].add(pk, task)
        for tag in rnd.sample(w.tags, rnd.randint(0, 3)):
            out["tags"].add(pk, tag)
        if audience in ("regions", "units"):  # the chosen regions or units, as the form's M2M keeps them
            for key in keys:
                out[audience].add(pk, int(key[1:]))
        if status == "published":
            for key in keys:
                out["keys"].add(pk, key, published_at)
        body = [" ".join(tokens_of(issuer)), " ".join(tokens_of(court)), text_tokens]
        for a in range(rnd.randint(0, 2 * ATTACHMENTS_PER_DOCUMENT)):
            att_text, att_tokens = _text(rnd, 150, 300)
            out["attachments"].add(
                w.document_type, pk, "file", f"bench/library/{pk}-{a}.pdf", f"附件{a + 1}.pdf", "application/pdf",
                20_000 + len(att_text) * 40, f"{pk:032x}{a:032x}", att_text, "done", w.builder, published_at,
            )  # fmt: skip
            body.append(att_tokens)
        head = " ".join(" ".join(tokens_of(part)) for part in (title, number, case_number) if part)
        out.setdefault("vectors", Copy()).add(pk, head, " ".join(b for b in body if b))
    return out


@cache
def _tokens_cached(text: str) -> tuple[str, ...]:
    from library.search import tokens

    return tuple(tokens(text))


def tokens_of(text: str) -> tuple[str, ...]:
    return _tokens_cached(text) if text else ()


def _write(cursor: Any, rows: dict[str, Copy]) -> None:
    from django.db import connection

    tables = {
        "docs": ("library_librarydocument", DOC_COLUMNS),
        "tasks": ("library_librarydocument_tasks", ("librarydocument_id", "worktask_id")),
        "tags": ("library_librarydocument_tags", ("librarydocument_id", "tag_id")),
        "keys": ("library_documentaudience", ("document_id", "key", "published_at")),
        "regions": ("library_librarydocument_audience_regions", ("librarydocument_id", "region_id")),
        "units": ("library_librarydocument_audience_units", ("librarydocument_id", "memberunit_id")),
        "attachments": ("attachments_attachment", ATTACHMENT_COLUMNS),
    }
    cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bench_library_docs (LIKE library_librarydocument)")
    cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bench_library_vectors (id bigint, head text, body text)")
    cursor.execute("TRUNCATE bench_library_docs, bench_library_vectors")
    rows["docs"].into(cursor, "bench_library_docs", DOC_COLUMNS)
    rows["vectors"].into(cursor, "bench_library_vectors", ("id", "head", "body"))
    columns = ", ".join(DOC_COLUMNS)
    cursor.execute(
        f"INSERT INTO library_librarydocument ({columns}, search_vector) "
        f"SELECT {', '.join('d.' + c for c in DOC_COLUMNS)}, "
        "setweight(to_tsvector('simple', v.head), 'A') || to_tsvector('simple', v.body) "
        "FROM bench_library_docs d JOIN bench_library_vectors v ON v.id = d.id"
    )
    for name in ("tasks", "tags", "keys", "regions", "units", "attachments"):
        table, cols = tables[name]
        rows[name].into(cursor, table, cols)
    del connection  # the cursor is Django's: nothing else to do


def build(total: int = TOTAL) -> dict[str, Any]:
    """The dataset, grown to ``total`` documents (idempotent; resumes an interrupted build)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bench import tree
    from library.models import LibraryDocument

    tree.build_units()
    w = World.load()
    have = LibraryDocument.objects.filter(created_by_id=w.builder).count()
    took = 0.0
    if have < total:
        started = time.perf_counter()
        now = timezone.now()
        # Rebuilt once at the end, faster than updated row by row (not inside a test's transaction).
        gin = [] if connection.in_atomic_block else _drop_gin_indexes()
        for start in range(have, total, BATCH):
            count = min(BATCH, total - start)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("LOCK TABLE library_librarydocument IN EXCLUSIVE MODE")
                cursor.execute("SELECT coalesce(max(id), 0) FROM library_librarydocument")
                first_id = cursor.fetchone()[0] + 1
                _write(cursor, _batch(w, start, count, first_id, now))
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('library_librarydocument', 'id'), %s)",
                    [first_id + count - 1],
                )
            print(f"    {start + count:,} documents", flush=True)
        with connection.cursor() as cursor:
            for definition in gin:
                cursor.execute(definition)
            if not connection.in_atomic_block:
                # Stored newest first, as documents published one after another are (the generator draws the
                # dates at random): a page of the newest reads neighbouring rows.
                cursor.execute("CLUSTER library_librarydocument USING library_newest")
            for table in ("library_librarydocument", "library_documentaudience", "attachments_attachment",
                          "library_librarydocument_tasks", "library_librarydocument_tags"):  # fmt: skip
                vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"  # a test's transaction
                cursor.execute(f"{vacuum} {table}")
        took = time.perf_counter() - started
        print(f"    dataset: {total - have:,} documents built in {took:.0f} s", flush=True)
    _backfill_audience_m2m(w)
    users = _people(w)
    _reads(w, users)
    return {"users": users, "took": took}


def _backfill_audience_m2m(w: World) -> None:
    """The chosen regions and units of documents built before the generator wrote them (from their keys)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for audience, table, column in (
            ("regions", "library_librarydocument_audience_regions", "region_id"),
            ("units", "library_librarydocument_audience_units", "memberunit_id"),
        ):
            cursor.execute(
                f"INSERT INTO {table} (librarydocument_id, {column}) "  # nosec B608 - our own names
                "SELECT a.document_id, substr(a.key, 2)::bigint FROM library_documentaudience a "
                "JOIN library_librarydocument d ON d.id = a.document_id "
                f"WHERE d.audience = %s AND d.created_by_id = %s AND NOT EXISTS "
                f"(SELECT 1 FROM {table} m WHERE m.librarydocument_id = a.document_id)",
                [audience, w.builder],
            )


def _drop_gin_indexes() -> list[str]:
    """Drop the documents' GIN indexes (the search's), returning their definitions to create them again."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'library_librarydocument' "
            "AND indexdef ILIKE '%% USING gin %%'"
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    return [definition for _name, definition in found]


def _people(w: World) -> dict[str, Any]:
    """The measured users: the provincial office (省司法厅), a liaison of a 兰州市 department and one of a
    城关区 department."""
    from django.contrib.auth.models import Group

    from members.models import Liaison, MemberUnit, Region, User
    from members.roles import Role

    city = Region.objects.get(name="兰州市", level="city")
    county = Region.objects.get(name="城关区", parent=city)
    units = {
        "province office": MemberUnit.objects.get(short_name="省司法厅"),
        "city liaison": MemberUnit.objects.filter(region=city, kind="government").order_by("pk").first(),
        "county liaison": MemberUnit.objects.filter(region=county, kind="government").order_by("pk").first(),
    }
    out = {}
    for label, username in USERS.items():
        role = Role.OFFICE if label.endswith("office") else Role.LIAISON
        user, created = User.objects.get_or_create(
            username=username, defaults={"name": username, "unit": units[label], "password": "!"}
        )
        if created:
            user.groups.add(Group.objects.get(name=role))
            if role == Role.LIAISON:
                Liaison.objects.create(user=user, role="primary")
        out[label] = User.objects.select_related("unit__region__parent__parent").get(pk=user.pk)
    return out


def _reads(w: World, users: dict[str, Any]) -> None:
    """Read receipts: each measured user has opened a third of the 3,000 newest documents meant for them, and
    2,000 other users 25 documents each that the province published to everyone."""
    from library.audience import region_key
    from library.models import DocumentAudience, DocumentRead
    from library.selectors import new_for
    from members.models import User

    if (
        DocumentRead.objects.filter(user__username=BUILDER + "-reader-mark").exists()
        or DocumentRead.objects.filter(user=users["county liaison"]).exists()
    ):
        return
    rnd = random.Random(18)
    rows = []
    for user in users.values():
        newest = list(new_for(user).values_list("pk", flat=True)[:3000])
        rows += [DocumentRead(document_id=d, user=user, unit_id=user.unit_id) for d in newest if rnd.random() < 1 / 3]
    everyone = list(
        DocumentAudience.objects.filter(key=region_key(w.province)).values_list("document_id", flat=True)[:20000]
    )
    readers = list(User.objects.filter(username__startswith="bench0").values_list("pk", "unit_id")[:2000])
    for pk, unit in readers:
        rows += [DocumentRead(document_id=d, user_id=pk, unit_id=unit) for d in rnd.sample(everyone, 25)]
    DocumentRead.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)


def sizes() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class WHERE relname = ANY(%s)",
            [
                [
                    "library_librarydocument",
                    "attachments_attachment",
                    "library_documentaudience",
                    "library_documentread",
                    "library_search",
                ]
            ],
        )
        return ", ".join(f"{name} {size}" for name, size in sorted(cursor.fetchall()))


def search_page(user: Any, q: str, order: str) -> Callable[[], Any]:
    """The first page of a search as the page and the API take it (``DocumentFilter``: the newest 1,001 matches
    found once, then sorted, counted and paged by id): 20 rows and the count capped at 1,000."""
    from fuyuan.lib.listing import DeepPaginator
    from library import search, selectors
    from library.filters import DocumentFilter

    def call() -> Any:
        qs = DocumentFilter({"q": q}, queryset=selectors.visible_to(user)).qs
        ordered = qs if order == "relevance" else qs.order_by(*selectors.NEWEST)
        paginator = DeepPaginator(ordered, PAGE, count_cap=search.CAP)
        return list(paginator.page(1)), paginator.count

    return call


def new_page(user: Any) -> Callable[[], Any]:
    from library import selectors

    def call() -> Any:
        qs = selectors.new_for(user)
        return list(qs[:PAGE]), qs.order_by().values("pk")[: COUNT_CAP + 1].count()

    return call


def run(report: Report) -> None:
    from attachments.models import Attachment
    from bench import foundation
    from library.models import DocumentAudience, DocumentRead, LibraryDocument

    foundation.build()  # the units and the 10,000 users, some of whom have read documents
    info = build()
    docs, attachments = LibraryDocument.objects.count(), Attachment.objects.count()
    keys, reads = DocumentAudience.objects.count(), DocumentRead.objects.count()
    built = f"; built in {info['took'] / 60:.1f} min" if info["took"] else ""
    print(f"    {docs:,} documents, {attachments:,} attachments, {keys:,} audience keys, {reads:,} reads{built}")
    print(f"    sizes: {sizes()}", flush=True)
    target: dict[str, Any] = {"target_p95_ms": 100, "target_queries": 3, "repeat": 20}
    for label, user in info["users"].items():
        for name, q in QUERIES.items():
            call = search_page(user, q, "relevance")
            found = call()[1]
            note = f"{min(found, 200):,}{'+' if found > 200 else ''} found"
            report.measure(f"library search {name} '{q}', {label}", call, note=note, **target)
        two = QUERIES["2 chars"]
        report.measure(f"library search by date '{two}', {label}", search_page(user, two, "date"), **target)
    for label, user in info["users"].items():
        report.measure(f"library new for me, {label}", new_page(user), target_p95_ms=50, target_queries=2, repeat=20)
    # The same through Django's whole request handler (middleware, view, template): what a reader waits for.
    for label, user in info["users"].items():
        client = client_for(user.username)
        for name, url in (("search", f"/library/?q={QUERIES['2 chars']}"), ("new for me", "/library/?tab=new")):
            report.measure(f"library page {name}, {label}", get_ok(client, url), repeat=20)
        api = f"/api/v1/documents/?search={QUERIES['4 chars']}"
        report.measure(f"library API search, {label}", get_ok(client, api), repeat=20)
