"""Working days on the Chinese official calendar (holidays and make-up workdays).

The ``chinesecalendar`` package knows the State Council's calendar for the years it ships;
outside them (a year not yet published) Monday to Friday are taken as working days.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=4096)
def is_working_day(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package has no data for
        return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted).

    ``add_working_days(friday, 1)`` is the next Monday (or the next make-up workday);
    ``days == 0`` gives ``start`` itself.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
