"""Query parameters anyone can type, read safely: ids and days within the bounds the database and
``datetime`` accept.

A list page reads its filters from the address bar, where anything can be typed: ``²`` (a digit to
``str.isdigit``, not to ``int``), ``99999999999999999999`` (beyond PostgreSQL's bigint), ``9999-12-31``
(a day with no next day, so ``day + timedelta(days=1)`` fails). These helpers answer None for such
values, and the page lists its rows without that filter instead of failing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils.dateparse import parse_date

BIGINT_MAX = 2**63 - 1
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)


def parse_id(value: Any) -> int | None:
    """A record id or a count typed as ASCII digits, within bigint; otherwise None."""
    text = "" if value is None else str(value).strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= BIGINT_MAX else None


def parse_day(value: Any) -> date | None:
    """A day (``YYYY-MM-DD`` or a ``date``) between 1900 and 2100; otherwise None."""
    if isinstance(value, datetime):
        day: date | None = value.date()
    elif isinstance(value, date):
        day = value
    else:
        try:
            day = parse_date(str(value or "").strip())
        except ValueError:  # well-formed but impossible, such as 2026-02-30
            return None
    return day if day is not None and FIRST_DAY <= day <= LAST_DAY else None


def is_id(value: Any) -> bool:
    """Whether ``value`` reads as an id (see :func:`parse_id`)."""
    return parse_id(value) is not None
