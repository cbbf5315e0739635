"""The filter bars of the plan pages (the plans, a plan's items, all items, the 督办): what they offer, read
only when the bar is rendered.

Each bar is a fragment (``fuyuan.lib.fragments``, ``{% fragment %}`` in the templates) kept per language under
``filter_key``: the reader's scope (which regions they are offered), the query string's values the bar shows
and what else it shows (a default unit). A bar read from the fragments costs no query: the tasks, the regions
and the chosen units' names are read only when it is rendered.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import SimpleLazyObject

from members.levels import filter_key, reach_of
from members.models import Region, WorkTask
from members.types import AuthenticatedHttpRequest
from plans import forms


def reach_region(user: Any) -> Region | None:
    reach = reach_of(user)
    return None if reach.everything else reach.region


def pickers(data: Any) -> Any:
    """The filter bar's unit pickers (``lead``, ``unit``), holding the units chosen; built when rendered."""
    return SimpleLazyObject(lambda: forms.UnitFilterForm(data))


def filter_context(
    request: AuthenticatedHttpRequest, *, bar: tuple[str, ...], more: tuple[Any, ...] = (), **extra: Any
) -> dict[str, Any]:
    """What every filter bar of the plan pages offers: tasks, levels, regions in the reader's reach; ``bar``
    names the query parameters the bar shows, ``more`` what else it shows (both go into ``filter_key``)."""
    user = request.user
    tasks = WorkTask.objects.order_by("number").values_list("number", "short_title")
    return {
        "f": request.GET,
        "tasks": SimpleLazyObject(lambda: list(tasks)),
        "levels": Region.Level.choices,
        "regions": SimpleLazyObject(lambda: list(forms.regions_below(reach_region(user)).values_list("pk", "name"))),
        "filter_key": filter_key(user, request.GET, bar, *more),
        **extra,
    }
