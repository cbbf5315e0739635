"""Reads that may go to a streaming replica: the statistics, the exports and the reports.

Active only when ``DATABASE_REPLICA_URL`` is set (settings then add the database alias ``replica`` and
this router); without it nothing changes. Code marks the reads that may be served a few
milliseconds behind the primary with :func:`use_replica` (a context manager) or :func:`replica_reads`
(a view decorator); every other read stays on the primary. The router keeps three rules:

- writes always go to the primary, even for an object read from the replica;
- inside a transaction on the primary, reads stay on the primary (they must see its own writes);
- sessions, users, API tokens, sign-in records and the beat schedule are always read on the primary
  (a session created a moment ago must not look missing).

A replica that lags shows the figures as of its last replayed change (usually milliseconds);
PostgreSQL's ``pg_stat_replication`` shows the lag (README, operations).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

REPLICA = "replica"
#: App labels never read from the replica: what decides who the user is, and the beat's own schedule.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "axes", "knox", "django_celery_beat"})

_wanted: ContextVar[bool] = ContextVar("fuyuan_use_replica", default=False)

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def use_replica() -> Iterator[None]:
    """Reads of the ORM in this block may go to the replica (when there is one, outside transactions)."""
    token = _wanted.set(True)
    try:
        yield
    finally:
        _wanted.reset(token)


@contextmanager
def use_primary() -> Iterator[None]:
    """Reads in this block stay on the primary, even inside :func:`use_replica` (the figures, which must be exact
    the moment a record is saved, and are cheap to read from the rollups)."""
    token = _wanted.set(False)
    try:
        yield
    finally:
        _wanted.reset(token)


def replica_reads(view: Callable[P, R]) -> Callable[P, R]:
    """A view (or a method) whose reads may go to the replica: statistics pages, exports, reports."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with use_replica():
            return view(*args, **kwargs)

    return wrapped


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def _primary_only(model: type[Model]) -> bool:
    return model._meta.app_label in PRIMARY_ONLY_APPS or model._meta.label == settings.AUTH_USER_MODEL


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry, installed by settings when ``DATABASE_REPLICA_URL`` is set."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if not _wanted.get() or not replica_configured() or _primary_only(model):
            return None
        if hints.get("instance") is not None:
            return None  # related rows come from where their instance came from (Django's default)
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS  # never the replica, even for an object read there

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True  # the same data: the replica is a copy of the primary
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return False if db == REPLICA else None
