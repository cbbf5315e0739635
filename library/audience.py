"""Who reads a published document, as keys: a document's keys meet a reader's keys exactly when the reader
is in its audience.

- ``r{R}``: every unit in region R and below (the audience "all" of a publisher in R, or a chosen region R);
- ``r{R}:{level}``: the units of that level (province, city, county) in region R and below;
- ``u{U}``: unit U.

A reader's keys are ``r{A}`` and ``r{A}:{level}`` for their unit's region A and each of its ancestors, and
``u{unit}``: at most seven keys, known without a query once the unit and its region are loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from members.levels import chain
from members.models import MemberUnit, Region


def region_key(region_id: int) -> str:
    return f"r{region_id}"


def level_key(region_id: int, level: str) -> str:
    return f"r{region_id}:{level}"


def unit_key(unit_id: int) -> str:
    return f"u{unit_id}"


def document_keys(
    *,
    audience: str,
    region_id: int,
    levels: Iterable[str] = (),
    region_ids: Iterable[int] = (),
    unit_ids: Iterable[int] = (),
) -> list[str]:
    """The keys of a document published from ``region_id`` to ``audience`` (a ``LibraryDocument.Audience``)."""
    if audience == "all":
        return [region_key(region_id)]
    if audience == "levels":
        return [level_key(region_id, level) for level in sorted(set(levels))]
    if audience == "regions":
        return [region_key(r) for r in sorted(set(region_ids))]
    if audience == "units":
        return [unit_key(u) for u in sorted(set(unit_ids))]
    raise ValueError(audience)


def reader_keys(user: Any) -> list[str]:
    """The keys of ``user``'s unit (none without a unit)."""
    unit: MemberUnit | None = user.unit if getattr(user, "unit_id", None) else None
    if unit is None:
        return []
    region: Region | None = unit.region if unit.region_id else None
    keys = [unit_key(unit.pk)]
    for region_id in chain(region):
        keys += [region_key(region_id), level_key(region_id, unit.level)]
    return keys
