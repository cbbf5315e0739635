"""The one FilterSet of the library's list, its export and the API (what the address bar may say).

``q``/``search`` (full text: ``library.search.matching``), type, status, task, tag (a name or an id),
``issuing_unit`` (制发单位 contains), ``publisher`` (the publishing unit's id), ``from``/``to`` (the issue date),
``unread`` (1/true: only what the user has not opened; the list annotates ``is_read``). A malformed value drops
its filter, as a filter left empty does.
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, QuerySet

from fuyuan.lib.params import parse_id
from library.models import DocumentRead, LibraryDocument
from library.search import searched
from library.selectors import NEWEST
from members.filters import IdFilter, with_day_range

YES = {"1", "true", "yes", "on"}


class DocumentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search")
    search = django_filters.CharFilter(method="filter_search")  # the API's name of ``q``
    type = django_filters.ChoiceFilter(field_name="type", choices=LibraryDocument.Type.choices)
    status = django_filters.ChoiceFilter(field_name="status", choices=LibraryDocument.Status.choices)
    task = django_filters.CharFilter(method="filter_task")
    tag = django_filters.CharFilter(method="filter_tag")
    issuing_unit = django_filters.CharFilter(method="filter_issuing_unit")
    publisher = IdFilter(field_name="publisher_unit_id")
    unread = django_filters.CharFilter(method="filter_unread")

    class Meta:
        model = LibraryDocument
        fields: list[str] = []

    def filter_search(self, qs: QuerySet[LibraryDocument], name: str, value: str) -> QuerySet[LibraryDocument]:
        return qs  # applied last, by ``filter_queryset``: the search's window holds rows of every other filter

    def filter_queryset(self, queryset: QuerySet[LibraryDocument]) -> QuerySet[LibraryDocument]:
        """Every other filter, then the search (``search`` wins over ``q`` when both are given), in relevance
        order: title first, then newest (``library.search.searched``)."""
        qs = super().filter_queryset(queryset)
        term = str(self.form.cleaned_data.get("search") or self.form.cleaned_data.get("q") or "").strip()[:100]
        if not term:
            return qs
        return searched(qs, term).order_by("-in_title", *NEWEST)

    def filter_task(self, qs: QuerySet[LibraryDocument], name: str, value: str) -> QuerySet[LibraryDocument]:
        task = parse_id(value)
        if task is None:
            return qs
        through = LibraryDocument.tasks.through.objects
        return qs.filter(Exists(through.filter(librarydocument_id=OuterRef("pk"), worktask_id=task)))

    def filter_tag(self, qs: QuerySet[LibraryDocument], name: str, value: str) -> QuerySet[LibraryDocument]:
        value = value.strip()[:30]
        if not value:
            return qs
        through = LibraryDocument.tags.through.objects
        tag_id = parse_id(value)
        match = through.filter(tag_id=tag_id) if tag_id is not None else through.filter(tag__name=value)
        return qs.filter(Exists(match.filter(librarydocument_id=OuterRef("pk"))))

    def filter_issuing_unit(self, qs: QuerySet[LibraryDocument], name: str, value: str) -> QuerySet[LibraryDocument]:
        value = value.strip()[:100]
        return qs.filter(issuing_unit__icontains=value) if value else qs

    def filter_unread(self, qs: QuerySet[LibraryDocument], name: str, value: str) -> QuerySet[LibraryDocument]:
        user = getattr(self.request, "user", None)
        if str(value).strip().lower() not in YES or user is None:
            return qs
        read = DocumentRead.objects.filter(user_id=user.pk, document=OuterRef("pk"))
        return qs.filter(status=LibraryDocument.Status.PUBLISHED).exclude(Exists(read))


with_day_range(DocumentFilter, "issued_on")
