"""Full-text search of the library in Chinese.

PostgreSQL's parsers do not split Chinese into words, and a trigram index cannot serve the two-character
words that most Chinese queries are. So the text is indexed as overlapping character bigrams (the CJK
bigram method of Lucene's CJKAnalyzer): "府院联动" -> "府院 院联 联动", Latin words and numbers as
lower-case words, in a ``tsvector`` with the ``simple`` configuration (no stemming, no stop words) and a GIN
index. A query becomes the phrase of its bigrams ("联动" -> ``联动``, "府院联动" -> ``府院 <-> 院联 <->
联动``), so a match is the query's characters in a row, not scattered bigrams; a single character matches
as a prefix (``联:*``). The title is weighted A, the rest D, for ranking.

SQLite (development without services) searches the same columns with LIKE.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

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


def tsquery(q: str) -> str | None:
    """The raw ``to_tsquery('simple', …)`` of a user's query: every term must match (None: no term)."""
    terms = []
    for match in TOKEN.finditer(q):
        run = match.group()
        if CJK_RUN.fullmatch(run):
            grams = [run[i : i + 2] for i in range(len(run) - 1)]
            terms.append("(" + " <-> ".join(grams) + ")" if grams else f"{run}:*")
        else:
            terms.append(f"{run.lower()}:*")
    return " & ".join(terms) or None


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def refresh(document: Any) -> None:
    """Recompute ``document``'s search vector from its title, numbers, text and attachments' text."""
    if not is_postgres():
        return
    from attachments.selectors import of_record
    from library.models import LibraryDocument

    head = indexed_text([document.title, document.number, document.case_number])
    body = indexed_text(
        [document.issuing_unit, document.court, document.text, *of_record(document).values_list("text", flat=True)]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {LibraryDocument._meta.db_table} SET search_vector = "  # noqa: S608 - the table name is ours
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
        return qs.filter(search_vector=SearchQuery(query, config="simple", search_type="raw"))
    from attachments.models import Attachment

    in_files = Attachment.objects.filter(
        record_type=ContentType.objects.get_for_model(qs.model), record_id=OuterRef("pk"), text__icontains=q
    )
    return qs.filter(
        Q(title__icontains=q)
        | Q(number__icontains=q)
        | Q(case_number__icontains=q)
        | Q(text__icontains=q)
        | Exists(in_files)
    )
