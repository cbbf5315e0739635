"""A cache of the dashboard's figures, keyed by the scope and the day, served only at the data version it was
counted at.

The figures themselves are exact and cheap (``stats.rollups``); this is a second layer for the parts of the
page that are not (the late items, the charts' links). Each entry remembers the *data version* it was counted at,
read in one query (the highest history id and row id of each counted model, and the rollups' last change, which
a database trigger notes on every write, a raw UPDATE included): an entry of another version is never served.
``FUYUAN_STATS_CACHE_SECONDS`` (default 300; 0 turns the cache off) bounds how long an entry is kept.
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
from stats.models import RollupChange, RollupState

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
    # Every write to a counted table, a raw one included, leaves a change (pending, or taken by the rollups).
    # The highest change ever noted, pending or taken (the same before and after the rollups take it).
    pending = f"(SELECT coalesce(max(id), 0) FROM {quote(RollupChange._meta.db_table)})"  # noqa: S608  # nosec B608
    taken = f"(SELECT coalesce(max(changes_through), 0) FROM {quote(RollupState._meta.db_table)})"  # noqa: S608  # nosec B608
    greatest = "GREATEST" if connection.vendor == "postgresql" else "max"
    parts.append(f"{greatest}({pending}, {taken})")
    with connection.cursor() as cursor:
        # Table names of our own models, never user input.
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return ".".join(str(v or 0) for v in row)


@dataclass(frozen=True)
class Entry(Generic[T]):
    value: T
    version: str
    counted_at: datetime


def cached(name: str, key: Any, version: str, compute: Callable[[], T]) -> T:
    return cached_entry(name, key, version, compute).value


def cached_entry(name: str, key: Any, version: str, compute: Callable[[], T]) -> Entry[T]:
    """What ``compute`` counts, from the cache when it was counted at this data version."""
    seconds = cache_seconds()
    if seconds <= 0:
        return Entry(compute(), version, timezone.now())
    database = connection.settings_dict.get("NAME", "")
    digest = hashlib.sha256(f"{database}|{key!r}".encode()).hexdigest()
    cache_key = f"stats:{name}:{digest}"
    # An unreachable Redis is a miss, and writes to it are dropped (fuyuan.lib.cache.ResilientRedisCache):
    # the figures are then counted from the records, and the page still works.
    entry: Entry[T] | None = cache.get(cache_key)
    if isinstance(entry, Entry) and entry.version == version:
        return entry
    fresh = Entry(compute(), version, timezone.now())
    cache.set(cache_key, fresh, seconds)
    return fresh
