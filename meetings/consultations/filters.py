"""FilterSets of the consultation lists: the page's (and its export's) and the API's."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet

from fuyuan.lib.api import scoped_choice_filter
from fuyuan.lib.params import parse_id
from meetings.consultations.models import Consultation
from meetings.meetings import selectors as meeting_selectors
from members.filters import LevelFilter, RegionFilter, search, with_day_range


def _through(field: str, column: str) -> Any:
    """A FilterSet method: the consultation has this unit (or task), by an index probe of the link table."""
    through = getattr(Consultation, field).through

    def method(qs: QuerySet[Consultation], _name: str, value: str) -> QuerySet[Consultation]:
        number = parse_id(value)
        if number is None:
            return qs
        return qs.filter(Exists(through.objects.filter(consultation=OuterRef("pk"), **{column: number})))

    return method


class ConsultationPageFilter(django_filters.FilterSet):
    """``/consultations/``: ``q`` (topic or case number), kind, level, region, unit, task, ``from``/``to``."""

    q = django_filters.CharFilter(method=search(("topic", "case_number")))
    topic_kind = django_filters.CharFilter(field_name="topic_kind")
    level = LevelFilter(field_name="level")
    region = RegionFilter()
    unit = django_filters.CharFilter(method=_through("units", "memberunit_id"))
    task = django_filters.CharFilter(method=_through("tasks", "worktask_id"))

    class Meta:
        model = Consultation
        fields: list[str] = []


with_day_range(ConsultationPageFilter, "held_on")


class ConsultationFilter(django_filters.FilterSet):
    """``/api/v1/consultations/``."""

    unit = django_filters.NumberFilter(field_name="units__id")
    task = django_filters.NumberFilter(field_name="tasks__id")
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")
    meeting = scoped_choice_filter(meeting_selectors.visible_to)
    region = RegionFilter()
    level = LevelFilter(field_name="level")

    class Meta:
        model = Consultation
        fields = ["topic_kind", "meeting", "logging_unit"]
