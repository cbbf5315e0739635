"""The filters every list shares (pages and API): an id, a day, a region subtree, a level, a search.

The page's filters read what anyone can type (``fuyuan.lib.params``): an id or a day that does not parse
leaves the list unfiltered by it, as a filter left empty does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from fuyuan.lib.params import parse_day, parse_id
from fuyuan.lib.workdays import day_start
from members.levels import region_q
from members.models import Region


class IdFilter(django_filters.CharFilter):
    """An id (``parse_id``) compared with ``field_name``; anything that is not an id filters nothing."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        number = parse_id(value)
        return qs if number is None else qs.filter(**{self.field_name: number})


class DayFilter(django_filters.CharFilter):
    """A day (``parse_day``) compared with ``field_name`` by ``lookup_expr``; ``whole_day`` for a datetime.

    With ``whole_day`` the day becomes the start of that day (``gte``) or of the next (``lt``),
    in the local time zone, so "to 2026-03-01" includes the meetings of March 1st.
    """

    def __init__(self, *args: Any, whole_day: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.whole_day = whole_day

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        day = parse_day(value)
        if day is None:
            return qs
        bound: Any = day
        if self.whole_day:
            bound = day_start(day + timedelta(days=1) if self.lookup_expr == "lt" else day)
        return qs.filter(**{f"{self.field_name}__{self.lookup_expr}": bound})


class RegionFilter(django_filters.CharFilter):
    """``?region=<id>``: the records living in that region or below it (``members.levels.region_q`` over
    the record's ``region``/``city`` columns: one indexed equality). An id that does not parse filters
    nothing; one that names no region finds nothing."""

    def __init__(self, *args: Any, region_field: str = "region", **kwargs: Any) -> None:
        kwargs.setdefault("field_name", region_field)
        super().__init__(*args, **kwargs)
        self.region_field = region_field

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        number = parse_id(value)
        if number is None:
            return qs
        region = Region.objects.filter(pk=number).first()
        if region is None:
            return qs.none()
        city_field = self.region_field.replace("region", "city")
        return qs.filter(region_q(region, region_field=self.region_field, city_field=city_field))


class LevelFilter(django_filters.CharFilter):
    """``?level=province|city|county``: the records living at that level (anything else filters nothing)."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value not in Region.Level.values:
            return qs
        return qs.filter(**{self.field_name: value})


def search(fields: tuple[str, ...]) -> Any:
    """A FilterSet method: any of ``fields`` contains the typed words."""

    def method(qs: QuerySet[Any], _name: str, value: str) -> QuerySet[Any]:
        query = Q()
        for field in fields:
            query |= Q(**{f"{field}__icontains": value})
        return qs.filter(query)

    return method


def with_day_range(filterset: Any, field_name: str, *, whole_day: bool = False) -> Any:
    """Add ``from`` and ``to`` (Python keywords, hence not class attributes) to a FilterSet class."""
    filterset.base_filters["from"] = DayFilter(field_name=field_name, lookup_expr="gte", whole_day=whole_day)
    filterset.base_filters["to"] = DayFilter(
        field_name=field_name, lookup_expr="lt" if whole_day else "lte", whole_day=whole_day
    )
    return filterset
