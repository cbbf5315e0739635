"""Small helpers of the referrals feature: masking personal data, deep paging, local times."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet, Subquery
from django.utils import timezone
from django.utils.functional import cached_property

log = logging.getLogger(__name__)

ID_NUMBER_RE = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")
PHONE_RE = re.compile(r"^\+?[\d\- ]{7,20}$")


def mask_name(name: str) -> str:
    """张三丰 → 张**: the family name stays, the length of the rest does not show."""
    name = (name or "").strip()
    return f"{name[:1]}**" if name else ""


def mask_id_number(number: str) -> str:
    """620102199001011234 → 6201**********1234."""
    number = (number or "").strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678."""
    phone = (phone or "").strip()
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def local_datetime(day: date, at: time = time(0, 0)) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def day_after(day: date) -> datetime:
    return local_datetime(day + timedelta(days=1))


class DeepPaginator(Paginator):
    """A paginator whose deep pages do not slow down with depth.

    The page's rows are taken with ``WHERE id IN (SELECT id … ORDER BY … LIMIT n OFFSET m)``: the
    inner query walks only the covering index (``(sender_id, id)``, ``(receiver_id, id)`` or the
    primary key), so the offset skips index entries, never heap rows and their joins. Large counts
    (more than ``CACHE_COUNT_FROM`` rows) are kept for a minute in the cache; small ones are exact.
    """

    CACHE_COUNT_FROM = 5000
    CACHE_SECONDS = 60

    def __init__(self, *args: Any, count_cap: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count_cap = count_cap
        self.count_capped = False

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        qs = self.object_list
        if not isinstance(qs, QuerySet):
            return len(qs)
        if self.count_cap:
            # A search over a unit's whole history cannot use an index for short Chinese terms:
            # count at most ``count_cap`` matches ("1000+") rather than scan every row.
            value = qs.order_by().values("pk")[: self.count_cap + 1].count()
            self.count_capped = value > self.count_cap
            return min(value, self.count_cap)
        try:
            sql, params = qs.values("pk").query.sql_with_params()
            key = "referral-count:" + hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()
        except Exception:  # noqa: BLE001 - an empty result set cannot compile
            return qs.count()
        cached = _cache_get(key)
        if cached is not None:
            return int(cached)
        value = qs.count()
        if value >= self.CACHE_COUNT_FROM:
            _cache_set(key, value, self.CACHE_SECONDS)
        return value

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        qs = self.object_list
        if isinstance(qs, QuerySet):
            ids = qs.values("pk")[bottom:top]
            rows = list(qs.filter(pk__in=Subquery(ids)))
        else:
            rows = list(qs[bottom:top])
        return self._get_page(rows, number, self)


def _cache_get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is an optimisation only
        return None


def _cache_set(key: str, value: Any, seconds: int) -> None:
    try:
        cache.set(key, value, seconds)
    except Exception:  # noqa: BLE001 - the cache is an optimisation only
        log.warning("cache unavailable; %s not stored", key)
