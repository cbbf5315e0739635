"""A short-lived cache of live figures, keyed by the scope, the day and the data's version.

The figures over five years of records take a few hundred milliseconds to aggregate; the office
opens the dashboard far more often than the records change. The key carries a *data version*
read in one cheap query (the highest history id of each counted model — every save through the
services writes one — and the highest row id, for rows created in bulk), so a change made
through the platform shows at once; a row changed behind its back (a raw UPDATE) shows within
``FUYUAN_STATS_CACHE_SECONDS`` (default 300; 0 turns the cache off). A periodic task
keeps the most-opened periods counted (stats.services.warm_dashboard_cache).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from cases.models import JudicialRecommendation, Referral
from meetings.models import Consultation, Decision, Meeting

T = TypeVar("T")
logger = logging.getLogger(__name__)
MODELS = [JudicialRecommendation, Referral, Meeting, Consultation, Decision]


def cache_seconds() -> int:
    return int(getattr(settings, "FUYUAN_STATS_CACHE_SECONDS", 300))


def data_version() -> str:
    """One query: ``max(history_id)`` and ``max(id)`` of every counted model (index lookups)."""
    quote = connection.ops.quote_name
    parts = []
    for model in MODELS:
        history = quote(model.history.model._meta.db_table)  # type: ignore[attr-defined]
        parts.append(f"(SELECT max(history_id) FROM {history})")  # noqa: S608  # nosec B608 - our own table names, quoted
        parts.append(f"(SELECT max(id) FROM {quote(model._meta.db_table)})")  # noqa: S608  # nosec B608 - our own table names, quoted
    with connection.cursor() as cursor:
        # Table names of our own models, never user input.
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return ".".join(str(v or 0) for v in row)


def cached(name: str, key: Any, version: str, compute: Callable[[], T]) -> T:
    seconds = cache_seconds()
    if seconds <= 0:
        return compute()
    database = connection.settings_dict.get("NAME", "")
    digest = hashlib.sha256(f"{database}|{key!r}|{version}".encode()).hexdigest()
    cache_key = f"stats:{name}:{digest}"
    try:
        value = cache.get(cache_key)
    except Exception:  # the cache is down: count from the records, the page still works
        logger.warning("stats cache unavailable", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(cache_key, value, seconds)
        except Exception:
            logger.warning("stats cache unavailable", exc_info=True)
    return value
