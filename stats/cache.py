"""A short-lived cache of live figures, keyed by the scope and the day, checked against the data's version.

The figures over five years of records take a second or more to aggregate; the office opens the
dashboard far more often than the records change. Each entry remembers the *data version* it was
counted at, read in one cheap query (the highest history id of each counted model — every save
through the services writes one — and the highest row id, for rows created in bulk):

- the version has not moved: the entry is exact and is served;
- the version moved less than ``FUYUAN_STATS_MAX_LAG_SECONDS`` (default 60) after the entry was
  counted: the entry is served as it is, and the page says when it was counted. Under a steady
  stream of replies and new records the figures are recounted at most once a minute per scope,
  not on every page view (the load test showed a recount per view saturating the database);
- older than that: one process recounts (a lock in the cache, held for the count), while the
  others keep serving the previous count instead of piling the same aggregation on PostgreSQL.

``FUYUAN_STATS_MAX_LAG_SECONDS=0`` recounts on every change. A row changed behind the platform's
back (a raw UPDATE) shows within ``FUYUAN_STATS_CACHE_SECONDS`` (default 300; 0 turns the cache
off). A periodic task keeps the most-opened periods counted (stats.services.warm_dashboard_cache).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from simple_history.utils import get_history_model_for_model

from cases.models import (
    EnforcementCase,
    EnforcementMeasure,
    Hearing,
    IPCase,
    JudicialRecommendation,
    Opinion,
    Referral,
)
from library.models import LibraryDocument
from meetings.models import Consultation, Decision, Invitation, Meeting

T = TypeVar("T")
MODELS = [
    JudicialRecommendation,
    Referral,
    Meeting,
    Consultation,
    Decision,
    Invitation,
    Opinion,
    Hearing,
    IPCase,
    EnforcementCase,
    EnforcementMeasure,
    LibraryDocument,
]


def cache_seconds() -> int:
    return int(getattr(settings, "FUYUAN_STATS_CACHE_SECONDS", 300))


def data_version() -> str:
    """One query: ``max(history_id)`` and ``max(id)`` of every counted model (index lookups)."""
    quote = connection.ops.quote_name
    parts = []
    for model in MODELS:
        history = quote(get_history_model_for_model(model)._meta.db_table)
        parts.append(f"(SELECT max(history_id) FROM {history})")  # noqa: S608  # nosec B608 - our own table names, quoted
        parts.append(f"(SELECT max(id) FROM {quote(model._meta.db_table)})")  # noqa: S608  # nosec B608 - our own table names, quoted
    with connection.cursor() as cursor:
        # Table names of our own models, never user input.
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return ".".join(str(v or 0) for v in row)


def max_lag_seconds() -> int:
    return int(getattr(settings, "FUYUAN_STATS_MAX_LAG_SECONDS", 60))


@dataclass(frozen=True)
class Entry(Generic[T]):
    value: T
    version: str
    counted_at: datetime


def cached(name: str, key: Any, version: str, compute: Callable[[], T]) -> T:
    return cached_entry(name, key, version, compute).value


def cached_entry(name: str, key: Any, version: str, compute: Callable[[], T]) -> Entry[T]:
    """The figures ``compute`` counts, from the cache when they are exact or recent enough (see above)."""
    seconds = cache_seconds()
    if seconds <= 0:
        return Entry(compute(), version, timezone.now())
    database = connection.settings_dict.get("NAME", "")
    digest = hashlib.sha256(f"{database}|{key!r}".encode()).hexdigest()
    cache_key = f"stats:{name}:{digest}"
    # An unreachable Redis is a miss, and writes to it are dropped (fuyuan.lib.cache.ResilientRedisCache):
    # the figures are then counted from the records, and the page still works.
    entry: Entry[T] | None = cache.get(cache_key)
    if entry is not None and not isinstance(entry, Entry):
        entry = None  # written by an older release
    if entry is not None:
        if entry.version == version:
            return entry
        if (timezone.now() - entry.counted_at).total_seconds() < max_lag_seconds():
            return entry
    lock = f"{cache_key}:counting"
    counting_elsewhere = not cache.add(lock, 1, timeout=max(30, max_lag_seconds()))
    if entry is not None and counting_elsewhere:
        return entry  # another process is counting: the previous count meanwhile
    try:
        fresh = Entry(compute(), version, timezone.now())
        cache.set(cache_key, fresh, seconds)
        return fresh
    finally:
        if not counting_elsewhere:
            cache.delete(lock)
