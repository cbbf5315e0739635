"""The filters of the enforcement case list, its export and the API: court, period (结案日期), region (subtree),
level and ``q`` (case number, court, note). A malformed id or day drops that filter."""

from __future__ import annotations

import django_filters

from cases.enforcement.models import EnforcementCase
from members.filters import IdFilter, LevelFilter, RegionFilter, search, with_day_range


class EnforcementCaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=search(("case_number", "court__name", "note")))
    search = django_filters.CharFilter(method=search(("case_number", "court__name", "note")))
    court = IdFilter(field_name="court_id")
    partner = IdFilter(field_name="partner_units")
    region = RegionFilter()
    level = LevelFilter(field_name="region__level")

    class Meta:
        model = EnforcementCase
        fields: list[str] = []


with_day_range(EnforcementCaseFilter, "concluded_on")
