"""Levels in the case lists: the ``?region=`` and ``?level=`` filters and their choices (issue 13).

Both filters read the record's denormalised ``region`` and ``city`` columns (``members.levels``):
``?region=<id>`` keeps the records living in that region or below (one indexed equality), and
``?level=province|city|county`` the records living at that level, without joining the region
table — a 市州-level record has ``city = region``, a county-level one another city, a provincial
one no city. The region select offers only the regions within the user's reach; a region outside
it filters the user's own scope anyway, so it can only narrow the list, never widen it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fuyuan.lib.params import parse_id
from members.levels import CITY, COUNTY, PROVINCE, reach_of, region_q, user_region
from members.models import Region

ALL = ("", _("全部"))
LEVEL_CHOICES = [ALL, *Region.Level.choices]
#: A county is indented under its 市州 in the region select (an ideographic space).
INDENT = "\u3000"


def level_q(level: str) -> Q | None:
    """Records living at ``level`` (None: not a level, the filter is dropped)."""
    if level == PROVINCE:
        return Q(city__isnull=True)
    if level == CITY:
        return Q(city__isnull=False, city_id=F("region_id"))
    if level == COUNTY:
        return Q(city__isnull=False) & ~Q(city_id=F("region_id"))
    return None


def filter_level(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    condition = level_q(str(value).strip())
    return qs if condition is None else qs.filter(condition)


def filter_region(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    """The records of region ``value`` and below; an unknown id matches nothing."""
    pk = parse_id(value)
    if pk is None:
        return qs
    region = Region.objects.filter(pk=pk).only("pk", "level").first()
    if region is None:
        return qs.none()
    return qs.filter(region_q(region))


def reach_region(user: Any) -> Region | None:
    """The region whose subtree the user may pick from (None: the whole province)."""
    reach = reach_of(user)
    if reach.everything:
        return None
    return reach.region or user_region(user)


def region_choices(user: Any) -> list[tuple[Any, Any]]:
    """The regions within the user's reach, the province's order (a 市州 and then its 县市区)."""
    top = reach_region(user)
    reach = reach_of(user)
    if top is None and not reach.everything:
        return [ALL]
    qs = Region.objects.all()
    if top is not None and top.level != PROVINCE:
        qs = qs.filter(pk=top.pk) if top.level == COUNTY else qs.filter(city_id=top.pk)
    rows = list(qs.order_by("code").values_list("pk", "name", "level"))
    return [ALL, *((pk, f"{INDENT if level == COUNTY else ''}{name}") for pk, name, level in rows)]
