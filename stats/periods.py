"""The period picker: a year, a quarter, a month or a custom [from, to], read from query parameters."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.lib.params import is_id, parse_id

KINDS = ("year", "quarter", "month", "custom")
MIN_YEAR = 2000


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date
    year: int
    quarter: int
    month: int

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("{year}年").format(year=self.year)
        if self.kind == "quarter":
            return _("{year}年第{quarter}季度").format(year=self.year, quarter=self.quarter)
        if self.kind == "month":
            return _("{year}年{month}月").format(year=self.year, month=self.month)
        return _("{start} 至 {end}").format(start=self.start.isoformat(), end=self.end.isoformat())


def _int(value: Any, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    return date(year, first_month, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


def previous_quarter(day: date) -> tuple[int, int]:
    quarter = (day.month - 1) // 3 + 1
    return (day.year, quarter - 1) if quarter > 1 else (day.year - 1, 4)


def parse_period(params: Mapping[str, Any], *, today: date | None = None) -> Period:
    """Read ``period`` (year|quarter|month|custom), ``year``, ``quarter``, ``month``, ``from``, ``to``.

    ``from``/``to`` alone (the API's form) make a custom period. Bad values fall back to the current year.
    """
    today = today or timezone.localdate()
    start, end = _date(params.get("from")), _date(params.get("to"))
    kind = str(params.get("period") or "").strip()
    if kind not in KINDS:
        kind = "custom" if (start or end) else "year"
    year = _int(params.get("year"), today.year, MIN_YEAR, today.year + 1)
    quarter = _int(params.get("quarter"), (today.month - 1) // 3 + 1, 1, 4)
    month = _int(params.get("month"), today.month, 1, 12)
    if kind == "custom":
        start = start or date(today.year, 1, 1)
        end = end or today
        if end < start:
            start, end = end, start
        # Within the years the page offers: a day like 0001-01-01 or 9999-12-31 would overflow the
        # month arithmetic (and ask for thousands of months of figures).
        first, last = date(MIN_YEAR, 1, 1), date(today.year + 1, 12, 31)
        start, end = min(max(start, first), last), min(max(end, first), last)
        return Period("custom", start, end, start.year, (start.month - 1) // 3 + 1, start.month)
    if kind == "quarter":
        start, end = quarter_bounds(year, quarter)
    elif kind == "month":
        start, end = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    else:
        start, end = date(year, 1, 1), date(year, 12, 31)
    return Period(kind, start, end, year, quarter, month)


def period_errors(params: Mapping[str, Any]) -> dict[str, list[str]]:
    """What is wrong with API parameters (the page silently falls back instead)."""
    errors: dict[str, list[str]] = {}
    for name in ("from", "to"):
        if params.get(name) and _date(params.get(name)) is None:
            errors[name] = [_("日期格式应为 YYYY-MM-DD。")]
    start, end = _date(params.get("from")), _date(params.get("to"))
    if start and end and end < start:
        errors["to"] = [_("结束日期不能早于开始日期。")]
    for name in ("region", "task", "unit"):
        value = params.get(name)
        if value not in (None, "") and not is_id(value):
            errors[name] = [_("应为整数编号。")]
    return errors


def optional_id(value: Any) -> int | None:
    return parse_id(value)
