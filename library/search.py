"""Full-text search of the library in Chinese.

PostgreSQL's parsers do not split Chinese into words, and a trigram index cannot serve the two-character
words that most Chinese queries are. So the text is indexed as overlapping character bigrams (the CJK
bigram method of Lucene's CJKAnalyzer): "府院联动" -> "府院 院联 联动", Latin words and numbers as
lower-case words, in a ``tsvector`` with the ``simple`` configuration (no stemming, no stop words) and a GIN
index. A query becomes the phrase of its bigrams ("联动" -> ``联动``, "府院联动" -> ``府院 <-> 院联 <->
联动``), so a match is the query's characters in a row, not scattered bigrams; a single character matches
as a prefix (``联:*``). The title is weighted A, the rest D, for ranking.

Why full text and not trigrams (``pg_trgm``, which the other lists use): a trigram index cannot serve a query of
two characters ("调解", "联动"), which would then read every row, and the attachments' text (a million rows in the
benchmark) would need its own index and a join per search; the bigram ``tsvector`` is one GIN index over the
document and its files, and phrase matching keeps "联动" from matching "联合行动". A rare term is answered
from the GIN index; a common one (the planner's estimate, :func:`is_common`) by reading the reader's documents
newest first and testing only their vectors (:func:`matching`). A list's search (:func:`searched`) finds the newest
``WINDOW`` matches once (see docs/library-search.md for the measurements).

SQLite (development without services) searches the same columns and the attachments' text with LIKE, term by
term.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.sql.where import WhereNode

#: Characters of the indexed text at most (a tsvector holds 1 MB; positions stop at 16,383).
MAX_INDEXED_CHARS = 300_000
CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN = re.compile(rf"[{CJK}]+|[0-9A-Za-z\u00c0-\u024f]+")
CJK_RUN = re.compile(rf"[{CJK}]+")


def tokens(text: str) -> list[str]:
    """The indexed tokens of ``text``: bigrams of each Chinese run (a lone character as itself), words."""
    out: list[str] = []
    for match in TOKEN.finditer(text[:MAX_INDEXED_CHARS]):
        run = match.group()
        if CJK_RUN.fullmatch(run):
            out.extend([run[i : i + 2] for i in range(len(run) - 1)] if len(run) > 1 else [run])
        else:
            out.append(run.lower())
    return out


def indexed_text(parts: Iterable[str]) -> str:
    return " ".join(" ".join(tokens(part)) for part in parts if part)


def tsquery(q: str, *, weight: str = "") -> str | None:
    """The raw ``to_tsquery('simple', …)`` of a user's query: every term must match (None: no term);
    ``weight="A"``: in the title (and numbers) only."""
    terms = []
    w = f":{weight}" if weight else ""
    for match in TOKEN.finditer(q):
        run = match.group()
        if CJK_RUN.fullmatch(run):
            grams = [f"{run[i : i + 2]}{w}" for i in range(len(run) - 1)]
            terms.append("(" + " <-> ".join(grams) + ")" if grams else f"{run}:*{weight}")
        else:
            terms.append(f"{run.lower()}:*{weight}")
    return " & ".join(terms) or None


#: A term the planner expects in more documents than this is "common" (see ``matching``).
COMMON_ROWS = 2000
_ESTIMATE = re.compile(r"rows=(\d+)")


_COMMON: dict[tuple[str, str], tuple[float, bool]] = {}
COMMON_SECONDS = 600  # an estimate is kept this long per process (it only chooses the plan, never the rows)


def is_common(query: str) -> bool:
    """Whether PostgreSQL expects ``query`` (a raw tsquery) in more than ``COMMON_ROWS`` documents: its planner's
    estimate from the vectors' statistics (an EXPLAIN: planning only, about a millisecond, no rows read), kept
    ``COMMON_SECONDS`` per process and database."""
    key = (str(connection.settings_dict.get("NAME", "")), query)
    now = time.monotonic()
    cached = _COMMON.get(key)
    if cached is not None and now - cached[0] < COMMON_SECONDS:
        return cached[1]
    if len(_COMMON) > 1000:
        _COMMON.clear()
    common = _estimate(query) > COMMON_ROWS
    _COMMON[key] = (now, common)
    return common


def _estimate(query: str) -> int:
    from library.models import LibraryDocument

    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN SELECT 1 FROM {LibraryDocument._meta.db_table} "  # noqa: S608  # nosec B608 - our table
            "WHERE search_vector @@ to_tsquery('simple', %s)",
            [query],
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
    found = _ESTIMATE.search(plan)
    return int(found.group(1)) if found else 0


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def refresh(document: Any) -> None:
    """Recompute ``document``'s search vector from its title, numbers, text and attachments' text."""
    if not is_postgres():
        return
    from attachments.models import Attachment
    from library.models import LibraryDocument

    files = Attachment.objects.filter(
        record_type=ContentType.objects.get_for_model(LibraryDocument), record_id=document.pk
    ).order_by("uploaded_at", "id")
    head = indexed_text([document.title, document.number, document.case_number])
    body = indexed_text([document.issuing_unit, document.court, document.text, *files.values_list("text", flat=True)])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {LibraryDocument._meta.db_table} SET search_vector = "  # noqa: S608  # nosec B608 - our table
            "setweight(to_tsvector('simple', %s), 'A') || to_tsvector('simple', %s) WHERE id = %s",
            [head, body[: MAX_INDEXED_CHARS * 3], document.pk],
        )


def matching(qs: QuerySet[Any], q: str) -> QuerySet[Any]:
    """``qs`` narrowed to the documents matching ``q`` (ordered by relevance on PostgreSQL by the caller)."""
    q = q.strip()
    if not q:
        return qs
    if is_postgres():
        query = tsquery(q)
        if query is None:
            return qs.none()
        condition = SearchQuery(query, config="simple", search_type="raw")
        if not is_common(query):
            return qs.filter(search_vector=condition)  # the GIN index finds the few rows, the scope checks them
        # A common term: read the reader's documents newest first and test the vector of those in scope only.
        # The test is a correlated scalar subquery on the row itself: costlier than the scope's conditions, so
        # PostgreSQL evaluates it last, and neither a join it might start from nor a hashed set of every match.
        test = ExpressionWrapper(Q(search_vector=condition), output_field=BooleanField())
        same_row = qs.model._base_manager.filter(pk=OuterRef("pk")).order_by().annotate(hit=test).values("hit")[:1]
        return qs.filter(Subquery(same_row, output_field=BooleanField()))
    terms = [m.group() for m in TOKEN.finditer(q)]
    if not terms:
        return qs.none()
    for term in terms:
        qs = qs.filter(_contains(qs.model, term))
    return qs


def _contains(model: Any, term: str) -> Q:
    """SQLite: ``term`` in the title, numbers, text or an attachment's text (LIKE, case-insensitive)."""
    from attachments.models import Attachment

    in_files = Attachment.objects.filter(
        record_type=ContentType.objects.get_for_model(model), record_id=OuterRef("pk"), text__icontains=term
    )
    fields = ("title", "number", "case_number", "issuing_unit", "court", "text")
    q = Q(Exists(in_files))
    for name in fields:
        q |= Q(**{f"{name}__icontains": term})
    return q


def _in_title(q: str) -> Q:
    """Every term of ``q`` in the title, 文号 or 案号 (short columns: no vector to read)."""
    out = Q()
    for match in TOKEN.finditer(q):
        term = match.group()
        out &= Q(title__icontains=term) | Q(number__icontains=term) | Q(case_number__icontains=term)
    return out


#: A search lists the newest ``CAP`` matches: found in one query, then sorted, counted and paged by id. A search
#: matching more says "200+" (the page asks for another word or a filter). Finding them costs about a twentieth of
#: a millisecond per candidate's vector, so the cap is what keeps a common term within 100 ms for every reader
#: (docs/library-search.md: 1,000 took 110-130 ms for a liaison on the benchmark).
CAP = 200
WINDOW = CAP + 1


def window(qs: QuerySet[Any], q: str, *, size: int | None = None) -> list[int]:
    """The ids of the newest ``size`` (``WINDOW``) documents of ``qs`` matching ``q``: the one query a search costs."""
    from library.selectors import NEWEST as newest

    return list(matching(qs, q).order_by(*newest).values_list("pk", flat=True)[: size or WINDOW])


def searched(qs: QuerySet[Any], q: str) -> QuerySet[Any]:
    """``qs`` (already filtered) narrowed to the matches of ``q``, with ``in_title`` (1 when every term is in the
    title, 文号 or 案号) for the relevance order "title first, then newest".

    On PostgreSQL the newest ``WINDOW`` matches are found once (:func:`window`) and ``qs`` is narrowed to their
    ids, so the list's sort, count and page read at most that many rows by primary key and never test a search
    vector again (``ts_rank`` was left out: it reads every candidate's vector, and bigram frequencies say
    little more than "in the title"). SQLite: the matches themselves (LIKE)."""
    q = q.strip()
    if not q:
        return qs
    title_q = _in_title(q)  # empty when the query has no term at all ("%", "'"): nothing matches then
    in_title = Case(When(title_q, then=1), default=0, output_field=IntegerField()) if title_q else Value(0)
    if not is_postgres():
        return matching(qs, q).annotate(in_title=in_title)
    ids = window(qs, q)
    # The window applied the scope and every filter: its rows are read by id, keeping the caller's annotations,
    # joins and prefetches but not its conditions (which would read the thousand rows' scope again).
    rows = qs.all()
    rows.query.where = WhereNode()
    return rows.filter(pk__in=ids).annotate(in_title=in_title)
