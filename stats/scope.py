"""The scope of a computation (a period in Asia/Shanghai days, a region, a work task, a unit) and the one rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Scope:
    """A period [start, end] in Asia/Shanghai calendar days, and optional region, work task and unit."""

    start: date
    end: date
    region: int | None = None
    task: int | None = None
    unit: int | None = None

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


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with two decimals, half up (10150 of 15955 → 63.62); None when the denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
