"""Working days on the Chinese official calendar (国务院办公厅 holiday arrangements).

Public holidays are not working days and make-up working days (调休上班, often a Saturday or
Sunday) are, as published each year and shipped by the ``chinese-calendar`` package. For a
year the package does not know yet, Monday to Friday count as working days.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar
from django.utils import timezone


@lru_cache(maxsize=4096)
def is_working_day(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the calendar does not cover yet
        return day.weekday() < 5


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (the start day itself does not count).

    ``add_working_days(d, 0)`` is ``d`` itself when it is a working day, else the next working day.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    if n == 0:
        while not is_working_day(day):
            day += timedelta(days=1)
        return day
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def add_months(start: date, months: int) -> date:
    """The same day ``months`` calendar months later, or the month's last day when it is shorter."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def day_start(day: date) -> datetime:
    """The start of ``day`` in the local time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))
