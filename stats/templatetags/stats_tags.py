"""Template helpers of the statistics pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils.html import format_html

from stats.taskpage import year_counts

register = template.Library()


@register.simple_tag
def sort_link(label: Any, key: str, current: str, param: str, query: str, other: str, other_param: str) -> str:
    """A column header that sorts by ``key`` (toggling the direction), keeping the other table's sort."""
    descending = current == f"-{key}"
    active = current.lstrip("-") == key
    target = key if descending else f"-{key}"
    params = urlencode({param: target, other_param: other})
    href = f"?{query}&{params}" if query else f"?{params}"
    arrow = (" ↓" if descending else " ↑") if active else ""
    return format_html('<a href="{}">{}{}</a>', href, label, arrow)


@register.inclusion_tag("stats/_chart.html")
def chart(charts: dict[str, Any], key: str, element_id: str, height: int = 320) -> dict[str, Any]:
    """A chart of the dashboard (drawn by static/js/dashboard.js), or, when it has nothing to show, a message
    saying so in its place (not an empty canvas)."""
    spec = charts.get(key) or {}
    empty = not any(value for series in spec.get("series", []) for value in series.get("data", []))
    return {"key": key, "element_id": element_id, "height": height, "empty": empty}


@register.filter
def with_columns(cells: list[Any], columns: list[Any]) -> list[tuple[Any, Any]]:
    """``(column, cell)`` pairs of a table row, so that each cell can name its column (``data-label``)."""
    return list(zip(columns, cells, strict=False))


@register.simple_tag(takes_context=True)
def task_year_counts(context: dict[str, Any]) -> dict[str, Any]:
    """This year's plan items per work task for the signed-in user (one query; the list of the ten tasks)."""
    return year_counts(context["request"].user)


@register.inclusion_tag("stats/_task_year_line.html")
def task_year_line(counts: dict[str, Any], task: Any) -> dict[str, Any]:
    """One task's line on the list of the ten tasks: the year's items, accepted, overdue, and its page."""
    return {"task": task, "year": counts["year"], "row": counts["by_task"].get(task.pk)}
