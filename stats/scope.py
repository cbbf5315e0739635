"""The scope of a computation (a period in Asia/Shanghai days, a region, a work task, a unit) and the one rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from members.models import Region

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Scope:
    """A period [start, end] in Asia/Shanghai calendar days, and optional region, work task and unit.

    ``region`` is any region below the province (its subtree is read); ``level`` is that region's level
    when the caller knows it (the pages and the API resolve the region once), else it is looked up.
    """

    start: date
    end: date
    region: int | None = None
    task: int | None = None
    unit: int | None = None
    level: str = ""

    @property
    def region_level(self) -> str:
        """The level of the scope's region (the province when there is none; "" for an unknown id)."""
        if not self.region:
            return str(Region.Level.PROVINCE)
        return self.level or region_level(self.region)

    def region_q(self, *, region_field: str = "region", city_field: str = "city") -> Q:
        """The records living in the scope's region or below it, through their own denormalised columns
        (``members.levels.region_q``: one indexed equality; no region, or the province: everything)."""
        if not self.region:
            return Q()
        level = self.region_level
        if level == Region.Level.CITY:
            return Q(**{f"{city_field}_id": self.region})
        if level == Region.Level.COUNTY:
            return Q(**{f"{region_field}_id": self.region})
        if level == Region.Level.PROVINCE:
            return Q()
        return Q(pk__in=[])  # an unknown region holds nothing

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=SHANGHAI)

    @property
    def end_before(self) -> datetime:
        """Midnight after the last day: a record at 31 Dec 23:59:59 Asia/Shanghai still belongs to the period."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=SHANGHAI)

    def params(self, *, period: bool = True) -> dict[str, Any]:
        """Query parameters of the list pages behind a number (``from``, ``to``, ``region``, ``task``)."""
        out: dict[str, Any] = {}
        if period:
            out["from"], out["to"] = self.start.isoformat(), self.end.isoformat()
            if self.start.year == self.end.year:
                out["year"] = self.start.year
        if self.region:
            out["region"] = self.region
        if self.task:
            out["task"] = self.task
        return out

    def months(self) -> list[date]:
        """The first day of every month the period touches."""
        first, out = self.start.replace(day=1), []
        while first <= self.end:
            out.append(first)
            first = (first + timedelta(days=32)).replace(day=1)
        return out


_LEVELS: dict[int, str] = {}


def region_level(pk: int) -> str:
    """The level of a region, "" if unknown (reference data: a region's level never changes, so known
    ones are kept for the process; the pages and the API pass the level and never come here)."""
    if pk not in _LEVELS:
        level = Region.objects.filter(pk=pk).values_list("level", flat=True).first()
        if not level:
            return ""
        _LEVELS[pk] = level
    return _LEVELS[pk]


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with two decimals, half up (10150 of 15955 → 63.62); None when the denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
