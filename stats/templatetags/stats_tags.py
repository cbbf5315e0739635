"""Template helpers of the statistics pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils.html import format_html

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


@register.filter
def with_columns(cells: list[Any], columns: list[Any]) -> list[tuple[Any, Any]]:
    """``(column, cell)`` pairs of a table row, so that each cell can name its column (``data-label``)."""
    return list(zip(columns, cells, strict=False))
