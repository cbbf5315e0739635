"""Sorting and paging for server-rendered list pages, shared by every app.

A view passes its filtered queryset and the columns that may be sorted; it gets back the page
and what the templates need (``includes/pagination.html`` and the ``{% sort_th %}`` tag of
``members/templatetags/fy.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


@dataclass
class Listing:
    page: Page
    sort: str
    params: dict[str, str]

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
    paginator = Paginator(queryset.order_by(*ordering), per_page)
    page = paginator.get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k != "page" and v != ""}
    return Listing(page=page, sort=sort, params=params)
