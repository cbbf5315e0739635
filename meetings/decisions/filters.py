"""FilterSets of the decision lists: the page's and the API's. "Overdue" is ``Decision.objects.overdue``."""

from __future__ import annotations

import django_filters

from fuyuan.lib.api import scoped_choice_filter
from fuyuan.lib.deadlines import OverdueQuerySet
from meetings.decisions.models import Decision
from meetings.meetings import selectors as meeting_selectors
from members.filters import IdFilter, LevelFilter, RegionFilter, search


def _overdue(qs: OverdueQuerySet[Decision], value: bool | None) -> OverdueQuerySet[Decision]:
    if value is True:
        return qs.overdue()
    if value is False:
        return qs.not_overdue()
    return qs


class DecisionPageFilter(django_filters.FilterSet):
    """``/decisions/``: ``q``, status, owner unit, meeting, ``overdue`` (1 or 0)."""

    q = django_filters.CharFilter(method=search(("text",)))
    status = django_filters.CharFilter(field_name="status")
    owner = IdFilter(field_name="owner_unit_id")
    meeting = IdFilter(field_name="meeting_id")
    overdue = django_filters.CharFilter(method="filter_overdue")
    region = RegionFilter()
    level = LevelFilter(field_name="region__level")

    class Meta:
        model = Decision
        fields: list[str] = []

    def filter_overdue(self, queryset: OverdueQuerySet[Decision], name: str, value: str) -> OverdueQuerySet[Decision]:
        return _overdue(queryset, {"1": True, "0": False}.get(value))


class DecisionFilter(django_filters.FilterSet):
    """``/api/v1/decisions/``."""

    overdue = django_filters.BooleanFilter(method="filter_overdue")
    due_before = django_filters.DateFilter(field_name="due", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due", lookup_expr="gte")
    meeting = scoped_choice_filter(meeting_selectors.visible_to)
    region = RegionFilter()
    level = LevelFilter(field_name="region__level")

    class Meta:
        model = Decision
        fields = ["status", "owner_unit", "meeting"]

    def filter_overdue(
        self, queryset: OverdueQuerySet[Decision], name: str, value: bool | None
    ) -> OverdueQuerySet[Decision]:
        return _overdue(queryset, value)
