"""The one FilterSet of the opinion list, its export and the API (what the address bar may say).

``q``/``search`` (事项, 文件名称, 文件编号, the units' names), status, kind, court, requester, ``from``/``to`` (the
request date), year, task, ``overdue`` (1/0, true/false: ``OverdueQuerySet``, the one rule), region (subtree) and
level. A malformed value drops its filter, as a filter left empty does.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet

from cases import levels
from cases.opinions.models import Opinion
from fuyuan.lib.params import parse_id
from members.filters import IdFilter, RegionFilter, with_day_range
from members.models import MemberUnit

YES_NO = {"1": True, "0": False, "true": True, "false": False}


class OpinionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search")
    search = django_filters.CharFilter(method="filter_search")  # the API's name of ``q``
    status = django_filters.ChoiceFilter(field_name="status", choices=Opinion.Status.choices)
    kind = django_filters.ChoiceFilter(field_name="kind", choices=Opinion.Kind.choices)
    court = IdFilter(field_name="court_id")
    requester = IdFilter(field_name="requester_id")
    year = django_filters.CharFilter(method="filter_year")
    task = django_filters.CharFilter(method="filter_task")
    overdue = django_filters.CharFilter(method="filter_overdue")
    region = RegionFilter()
    level = django_filters.CharFilter(method="filter_level")

    class Meta:
        model = Opinion
        fields: list[str] = []

    def filter_search(self, qs: QuerySet[Opinion], name: str, value: str) -> QuerySet[Opinion]:
        if name == "q" and self.data.get("search"):
            return qs  # ``search`` wins when both are given
        term = value.strip()[:100]
        if not term:
            return qs
        # The units matching the name first (a small table), so each branch of the OR is an index lookup.
        units = list(MemberUnit.objects.filter(name__icontains=term).values_list("pk", flat=True)[:2000])
        return qs.filter(
            Q(subject__icontains=term)
            | Q(document_title__icontains=term)
            | Q(document_number__icontains=term)
            | Q(requester_id__in=units)
            | Q(court_id__in=units)
        )

    def filter_year(self, qs: QuerySet[Opinion], name: str, value: str) -> QuerySet[Opinion]:
        year = parse_id(value)
        if year is None or not 1900 < year < 3000:
            return qs
        return qs.filter(requested_on__gte=date(year, 1, 1), requested_on__lte=date(year, 12, 31))

    def filter_task(self, qs: QuerySet[Opinion], name: str, value: str) -> QuerySet[Opinion]:
        task = parse_id(value)
        if task is None:
            return qs
        through = Opinion.tasks.through.objects
        return qs.filter(Exists(through.filter(opinion_id=OuterRef("pk"), worktask_id=task)))

    def filter_overdue(self, qs: Any, name: str, value: str) -> QuerySet[Opinion]:
        wanted = YES_NO.get(str(value).strip().lower())
        if wanted is None:
            return qs
        return qs.overdue() if wanted else qs.not_overdue()

    def filter_level(self, qs: QuerySet[Opinion], name: str, value: str) -> QuerySet[Opinion]:
        return levels.filter_level(qs, value)


with_day_range(OpinionFilter, "requested_on")
