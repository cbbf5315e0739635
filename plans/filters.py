"""FilterSets of the work-plan lists: the pages' (what the address bar may say) and the API's.

"Overdue" is ``PlanItem.objects.overdue`` / ``Supervision.objects.overdue`` (the one rule, ``OverdueQuerySet``).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from fuyuan.lib.api import scoped_choice_filter
from fuyuan.lib.deadlines import OverdueQuerySet
from fuyuan.lib.params import parse_id
from members.filters import IdFilter, LevelFilter, RegionFilter, search
from plans import selectors
from plans.models import Plan, PlanItem, Supervision

YES_NO = {"1": True, "0": False, "true": True, "false": False}


def _overdue(qs: OverdueQuerySet[Any], value: bool | None) -> OverdueQuerySet[Any]:
    if value is True:
        return qs.overdue()
    if value is False:
        return qs.not_overdue()
    return qs


class UnitFilter(django_filters.CharFilter):
    """``?unit=<id>``: items the unit leads or supports."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        number = parse_id(value)
        if number is None:
            return qs
        prefix = "" if qs.model is PlanItem else "item__"
        return qs.filter(selectors.items_of_units((number,), prefix=prefix))


class YearFilter(django_filters.CharFilter):
    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        number = parse_id(value)
        return qs if number is None else qs.filter(**{self.field_name: number})


# --- Pages ---------------------------------------------------------------------------------------------


class PlanPageFilter(django_filters.FilterSet):
    """``/plans/``: ``q`` (title), year, status, region (subtree), level."""

    q = django_filters.CharFilter(method=search(("title",)))
    year = YearFilter(field_name="year")
    status = django_filters.CharFilter(field_name="status")
    region = RegionFilter()
    level = LevelFilter(field_name="region__level")

    class Meta:
        model = Plan
        fields: list[str] = []


class PlanItemPageFilter(django_filters.FilterSet):
    """``/plans/items/`` and a plan's page: ``q``, plan, year, task, status, lead unit, unit (leads or
    supports), ``overdue`` (1 or 0), region, level."""

    q = django_filters.CharFilter(method=search(("text",)))
    plan = IdFilter(field_name="plan_id")
    year = YearFilter(field_name="year")
    task = IdFilter(field_name="task__number")
    status = django_filters.CharFilter(field_name="status")
    lead = IdFilter(field_name="lead_unit_id")
    unit = UnitFilter()
    overdue = django_filters.CharFilter(method="filter_overdue")
    region = RegionFilter()
    level = LevelFilter(field_name="region__level")

    class Meta:
        model = PlanItem
        fields: list[str] = []

    def filter_overdue(self, queryset: OverdueQuerySet[PlanItem], name: str, value: str) -> OverdueQuerySet[PlanItem]:
        return _overdue(queryset, YES_NO.get(value))


class SupervisionPageFilter(django_filters.FilterSet):
    """``/plans/supervisions/``: ``q`` (督办 text or item), status, task, lead unit, ``overdue``, region, level."""

    q = django_filters.CharFilter(method=search(("text", "item__text")))
    status = django_filters.CharFilter(field_name="status")
    task = IdFilter(field_name="item__task__number")
    lead = IdFilter(field_name="item__lead_unit_id")
    year = YearFilter(field_name="item__year")
    overdue = django_filters.CharFilter(method="filter_overdue")
    region = RegionFilter()
    level = LevelFilter(field_name="region__level")

    class Meta:
        model = Supervision
        fields: list[str] = []

    def filter_overdue(
        self, queryset: OverdueQuerySet[Supervision], name: str, value: str
    ) -> OverdueQuerySet[Supervision]:
        return _overdue(queryset, YES_NO.get(value))


# --- API -----------------------------------------------------------------------------------------------


class PlanFilter(django_filters.FilterSet):
    """``/api/v1/plans/``."""

    region = RegionFilter()
    level = LevelFilter(field_name="region__level")

    class Meta:
        model = Plan
        fields = ["year", "status"]


class PlanItemFilter(django_filters.FilterSet):
    """``/api/v1/plan-items/``."""

    plan = scoped_choice_filter(selectors.plans_visible_to)
    task = IdFilter(field_name="task_id")
    unit = UnitFilter()
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    due_before = django_filters.DateFilter(field_name="due", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due", lookup_expr="gte")
    region = RegionFilter()
    level = LevelFilter(field_name="region__level")

    class Meta:
        model = PlanItem
        fields = ["status", "lead_unit", "year"]

    def filter_overdue(
        self, queryset: OverdueQuerySet[PlanItem], name: str, value: bool | None
    ) -> OverdueQuerySet[PlanItem]:
        return _overdue(queryset, value)


class SupervisionFilter(django_filters.FilterSet):
    """``/api/v1/supervisions/``."""

    item = scoped_choice_filter(selectors.visible_to)
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    region = RegionFilter()
    level = LevelFilter(field_name="region__level")

    class Meta:
        model = Supervision
        fields = ["status"]

    def filter_overdue(
        self, queryset: OverdueQuerySet[Supervision], name: str, value: bool | None
    ) -> OverdueQuerySet[Supervision]:
        return _overdue(queryset, value)
