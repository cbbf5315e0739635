"""Row locks for state transitions: the one way a service locks a record and hands its state back."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def lock(obj: M) -> M:
    """The record's row, read again under ``SELECT … FOR UPDATE`` (call inside ``transaction.atomic``)."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def copy_back(target: M, source: M) -> M:
    """Reflect the locked row's saved state on the caller's instance, so the caller sees the transition.

    Only concrete field values are copied: the caller's cached relations stay as they were loaded.
    Returns ``source``.
    """
    if target is not source:
        for field in source._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))
    return source
