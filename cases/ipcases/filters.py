"""FilterSets of the IP case list (the page and its export) and of the API.

Every value is read as typed in the address bar: a malformed id or day drops that filter; an unknown
outcome or kind matches nothing. ``?outcome=`` takes one outcome or several, comma-separated
(``mediation,withdrawal``: the numerator of the 调撤率, the link of the figure).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet

from cases import levels
from cases.ipcases.models import IPCase
from fuyuan.lib.params import parse_id
from members.filters import IdFilter, RegionFilter, search, with_day_range

SEARCH_FIELDS = ("case_number", "note", "court__name", "mediated_by__name")


def _choices_filter(codes: list[str]) -> Any:
    """A FilterSet method: the field is one of the comma-separated codes (an unknown code matches nothing)."""

    def method(qs: QuerySet[IPCase], name: str, value: str) -> QuerySet[IPCase]:
        wanted = [v.strip() for v in str(value).split(",") if v.strip()]
        if not wanted:
            return qs
        return qs.filter(**{f"{name}__in": [v for v in wanted if v in codes]})

    return method


def _task(qs: QuerySet[IPCase], _name: str, value: str) -> QuerySet[IPCase]:
    number = parse_id(value)
    if number is None:
        return qs
    through = IPCase.tasks.through
    return qs.filter(Exists(through.objects.filter(ipcase_id=OuterRef("pk"), worktask_id=number)))


def _level(qs: QuerySet[IPCase], _name: str, value: str) -> QuerySet[IPCase]:
    return levels.filter_level(qs, value)


class IPCasePageFilter(django_filters.FilterSet):
    """``/ip-cases/``: ``q`` (案号, note, court, mediation organisation), court, outcome, kind, task,
    ``from``/``to`` (结案日期), region (subtree), level."""

    q = django_filters.CharFilter(method=search(SEARCH_FIELDS))
    court = IdFilter(field_name="court_id")
    mediated_by = IdFilter(field_name="mediated_by_id")
    outcome = django_filters.CharFilter(field_name="outcome", method=_choices_filter(IPCase.Outcome.values))
    kind = django_filters.CharFilter(field_name="kind", method=_choices_filter(IPCase.Kind.values))
    task = django_filters.CharFilter(method=_task)
    region = RegionFilter()
    level = django_filters.CharFilter(method=_level)

    class Meta:
        model = IPCase
        fields: list[str] = []


with_day_range(IPCasePageFilter, "concluded_on")


class IPCaseFilter(IPCasePageFilter):
    """``/api/v1/ip-cases/``: the page's filters, plus ``concluded_after``/``concluded_before``."""

    concluded_after = django_filters.DateFilter(field_name="concluded_on", lookup_expr="gte")
    concluded_before = django_filters.DateFilter(field_name="concluded_on", lookup_expr="lte")

    class Meta:
        model = IPCase
        fields: list[str] = []


with_day_range(IPCaseFilter, "concluded_on")
