"""FilterSets of the meeting lists: the page's (what the address bar may say) and the API's.

The page's filters read what anyone can type (``fuyuan.lib.params``): an id or a day that does
not parse leaves the list unfiltered by it, as a filter left empty does.
"""

from __future__ import annotations

import django_filters

from fuyuan.lib.api import BoundedIsoDateTimeFilter
from meetings.meetings.models import Meeting
from members.filters import IdFilter, LevelFilter, RegionFilter, search, with_day_range


class MeetingPageFilter(django_filters.FilterSet):
    """``/meetings/``: ``q`` (title or place), kind, status, convener, task, region, ``from``/``to`` (start day)."""

    q = django_filters.CharFilter(method=search(("title", "location")))
    kind = django_filters.CharFilter(field_name="kind")
    status = django_filters.CharFilter(field_name="status")
    convener = IdFilter(field_name="convener_id")
    task = IdFilter(field_name="tasks__id")
    region = RegionFilter()
    level = LevelFilter(field_name="level")

    class Meta:
        model = Meeting
        fields: list[str] = []


with_day_range(MeetingPageFilter, "starts_at", whole_day=True)


class MeetingFilter(django_filters.FilterSet):
    """``/api/v1/meetings/``."""

    task = django_filters.NumberFilter(field_name="tasks__id")
    invited_unit = django_filters.NumberFilter(field_name="invitations__unit_id")
    starts_after = BoundedIsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = BoundedIsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")
    region = RegionFilter()
    level = LevelFilter(field_name="level")

    class Meta:
        model = Meeting
        fields = ["kind", "status", "convener"]
