"""Helpers of the pages of the three features of meetings (meetings, decisions, consultations): a service
call with its refusal as a message, a create/edit page, and the filter drop-downs narrowed to the reader's reach."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe

from fuyuan.lib.forms import submit
from meetings.meetings.models import Meeting
from members.levels import filter_key, reach_of, user_region
from members.models import Region, WorkTask
from members.types import AuthenticatedHttpRequest
from members.widgets import unit_filter


def form_page(
    request: AuthenticatedHttpRequest,
    form: Any,
    save: Callable[[], Any],
    *,
    done: str,
    detail: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A create or edit page: on a valid POST call ``save`` (a service), then go to the record's ``detail`` page."""
    if request.method == "POST" and form.is_valid():
        saved = submit(form, save)
        if saved is not None:
            messages.success(request, done)
            return redirect(detail, pk=saved.pk)
    return render(request, template, {"form": form, **context})


def form_errors(form: Any) -> str:
    return " ".join(e for errs in form.errors.values() for e in errs)


CHOICES_CACHE_KEY = "meetings:filter-choices:v4"
CHOICES_CACHE_SECONDS = 300


def _reference_choices() -> dict[str, list[tuple[str, str, int | None, int | None]]]:
    """Tasks and regions for the filter drop-downs as (value, escaped label, region id, 市州 id): cached
    reference data, narrowed to the reader's reach by ``within_reach``. Units are searched (``unit_filter``)."""
    choices = cache.get(CHOICES_CACHE_KEY)
    if choices is None:
        choices = {
            "tasks": [
                (str(pk), escape(f"{n}. {t}"), None, None)
                for pk, n, t in WorkTask.objects.values_list("pk", "number", "title")
            ],
            "regions": [
                (str(pk), escape(name), pk, city)
                for pk, name, city in Region.objects.order_by("code").values_list("pk", "name", "city_id")
            ],
        }
        cache.set(CHOICES_CACHE_KEY, choices, CHOICES_CACHE_SECONDS)
    return choices


def within_reach(user: Any, items: list[tuple[str, str, int | None, int | None]]) -> list[tuple[str, str]]:
    """The regions in the reader's reach: all for those who read everything; for the office and leaders of
    a 市州 or 县市区, and a unit's people, the regions of their (unit's) region and below."""
    reach = reach_of(user)
    region = None if reach.everything else (reach.region or user_region(user))
    if region is None or region.level == Region.Level.PROVINCE:
        return [(value, label) for value, label, _region, _city in items]
    if region.level == Region.Level.CITY:
        return [(value, label) for value, label, _region, city in items if city == region.pk]
    return [(value, label) for value, label, rid, _city in items if rid == region.pk]


def _options(items: list[tuple[str, str]], selected: str | None) -> str:
    """``<option>`` elements written directly (regions: a few hundred)."""
    return mark_safe(  # noqa: S308  # nosec B308 B703  # values are ids and labels were escaped above
        "".join(f'<option value="{v}"{" selected" if v == selected else ""}>{label}</option>' for v, label in items)
    )


def unit_reach(user: Any) -> Region | None:
    """The region whose units a reader's unit filter offers (as ``within_reach(units=True)``): the region of
    office staff and leaders below the province; None (every unit) for everyone else."""
    reach = reach_of(user)
    region = None if reach.everything else reach.region
    return None if region is None or region.level == Region.Level.PROVINCE else region


def filter_choices(
    request: AuthenticatedHttpRequest, *, bar: tuple[str, ...], more: tuple[str, ...] = (), **fields: str
) -> dict[str, Any]:
    """``fields`` maps a context name to (choice list, query parameter), e.g. task_options="tasks:task";
    ``units`` gives the whole unit picker (``unit_picker="units:unit"``), holding only the chosen unit.

    The filter bar is a fragment (``fuyuan.lib.fragments``) kept per language under ``filter_key``: the reader's
    scope, the values of ``bar`` (every query parameter the bar shows) and ``more`` (what else it shows). Its
    choices are read only when the bar is rendered (each is a callable the template calls)."""
    out: dict[str, Any] = {
        "kinds": Meeting.Kind.choices,
        "statuses": Meeting.Status.choices,
        "levels": Region.Level.choices,
        "filter_key": filter_key(request.user, request.GET, bar, *more),
    }
    for name, spec in fields.items():
        out[name] = partial(_field_choices, request, spec)
    return out


def _field_choices(request: AuthenticatedHttpRequest, spec: str) -> str:
    source, param = spec.split(":")
    if source == "units":
        region = unit_reach(request.user)
        return unit_filter(param, request.GET.get(param), region=region, attrs={"id": f"f-{param}"})
    items = _reference_choices()[source]
    plain = (
        [(value, label) for value, label, _r, _c in items] if source == "tasks" else within_reach(request.user, items)
    )
    return _options(plain, request.GET.get(param))
