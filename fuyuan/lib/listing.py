"""Sorting and paging for server-rendered list pages, shared by every app.

A view passes its filtered queryset and the columns that may be sorted; it gets back the page
and what the templates need (``includes/pagination.html`` and the ``{% sort_th %}`` tag of
``members/templatetags/fy.py``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import QuerySet, Subquery
from django.http import HttpRequest
from django.utils.functional import cached_property

#: A search's count stops here ("1000+"): short Chinese terms cannot use an index, and counting a
#: unit's whole history for them would cost more than the page. Paging goes on past it.
SEARCH_COUNT_CAP = 1000


class DeepPaginator(Paginator):
    """The one paginator of every list page and API list: deep pages cost no more than the first.

    The page's rows are taken with ``WHERE id IN (SELECT id … ORDER BY … LIMIT n OFFSET m)``: the
    inner query walks only an index, so the offset skips index entries, never heap rows and their
    joins. Large counts (``CACHE_COUNT_FROM`` rows or more) are kept for a minute in the cache (the
    cache backend itself turns an unreachable Redis into a miss); small ones are always exact. With
    ``count_cap`` the count stops at the cap and ``count_capped`` says so.
    """

    CACHE_COUNT_FROM = 5000
    CACHE_SECONDS = 60

    def __init__(self, *args: Any, count_cap: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count_cap = count_cap
        self.count_capped = False

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if not isinstance(qs, QuerySet):
            return len(qs)
        if self.count_cap:
            value = qs.order_by().values("pk")[: self.count_cap + 1].count()
            self.count_capped = value > self.count_cap
            return min(value, self.count_cap)
        try:
            sql, params = qs.values("pk").query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing (e.g. an impossible year)
            return 0
        key = "list-count:" + hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()
        cached = cache.get(key)
        if cached is not None:
            return int(cached)
        value = qs.count()
        if value >= self.CACHE_COUNT_FROM:
            cache.set(key, value, self.CACHE_SECONDS)
        return value

    def validate_number(self, number: Any) -> int:
        # A capped count does not bound the pages: a page past the cap is valid while rows remain.
        # (The count is taken first: it is what finds out whether it is capped.)
        if not self.count or not self.count_capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().validate_number(number)
        if number < 1:
            return super().validate_number(number)
        return number

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.count_capped and top + self.orphans >= self.count:
            top = self.count
        qs = self.object_list
        if isinstance(qs, QuerySet) and bottom == 0 and top == self.count and not self.count_capped:
            # The page holds every row: read them in order without a LIMIT. With one, PostgreSQL may walk the
            # sort's index over the whole table expecting to meet the few rows of a narrow scope early: a
            # liaison's two recommendations to answer among 100,000 took 770 ms, now 3 ms.
            rows: Any = qs
        elif isinstance(qs, QuerySet) and reads_only_ids(qs):
            # The view reads the page's rows itself: the ids' own LIMIT is the page, with the filters applied
            # once (``pk IN (…)`` around it ran the reader's scope twice: 6 ms of a liaison's 13 ms).
            rows = qs[bottom:top]
        elif isinstance(qs, QuerySet):
            # Still a queryset (evaluated once, when the page is read), so a view may narrow it further.
            rows = qs.filter(pk__in=Subquery(qs.values("pk")[bottom:top]))
        else:
            rows = qs[bottom:top]
        if self.count_capped and number > 1 and not len(rows):
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows, number, self)


def reads_only_ids(qs: QuerySet[Any]) -> bool:
    """``qs.only("pk")`` with nothing joined in: what a view pages before reading its rows by their ids."""
    names, deferring = qs.query.deferred_loading
    wanted = {"pk", qs.model._meta.pk.name}
    return (
        not deferring
        and bool(names)
        and set(names) <= wanted
        and not qs.query.select_related
        and not qs.query.annotations
    )


class CappedPage(Page):
    """A page that, past a capped count, has a next page while it is full."""

    def has_next(self) -> bool:
        paginator = self.paginator
        if getattr(paginator, "count_capped", False):
            return len(self.object_list) >= paginator.per_page
        return super().has_next()


@dataclass
class Listing:
    page: Page
    sort: str
    params: dict[str, str]
    ordered: QuerySet[Any]  # the whole list in its sort order (an export walks it)

    @property
    def object_list(self) -> Any:
        return self.page.object_list


def list_page(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    sort_fields: dict[str, str | tuple[str, ...]],
    default_sort: str,
    per_page: int = 20,
    tiebreak: str = "pk",
    count_cap: int | None = None,
) -> Listing:
    """Sort by ``?sort=key`` or ``?sort=-key`` (only keys of ``sort_fields``) and page by ``?page=N``.

    An unknown sort key falls back to the default; a page number out of range shows the last
    page, as a user who edits the address bar would expect, not an error.
    """
    sort = request.GET.get("sort", default_sort)
    key = sort.lstrip("-")
    if key not in sort_fields:
        sort, key = default_sort, default_sort.lstrip("-")
    descending = sort.startswith("-")
    columns = sort_fields[key]
    if isinstance(columns, str):
        columns = (columns,)
    ordering = [f"-{c}" if descending else c for c in columns]
    ordering.append(f"-{tiebreak}" if descending else tiebreak)
    ordered = queryset.order_by(*ordering)
    paginator = DeepPaginator(ordered, per_page, count_cap=count_cap)
    page = paginator.get_page(request.GET.get("page"))
    params = {k: v for k in request.GET if k != "page" and (v := request.GET.get(k, "")) != ""}
    return Listing(page=page, sort=sort, params=params, ordered=ordered)
