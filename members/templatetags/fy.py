"""Template helpers shared by the pages: sortable headers, query strings, traffic lights, rates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def query(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters changed (``None`` or "" removes one)."""
    request = context["request"]
    params: QueryDict = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_th(context: dict[str, Any], key: str, label: str, css: str = "") -> str:
    """A table header that sorts by ``key``; a second click reverses the order."""
    request = context["request"]
    current = context.get("listing").sort if context.get("listing") else request.GET.get("sort", "")
    if current == key:
        target, arrow, aria = f"-{key}", " ▲", "ascending"
    elif current == f"-{key}":
        target, arrow, aria = key, " ▼", "descending"
    else:
        target, arrow, aria = key, "", "none"
    params = request.GET.copy()
    params["sort"] = target
    params.pop("page", None)
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a href="?{}">{}{}</a></th>',
        css,
        aria,
        params.urlencode(),
        label,
        arrow,
    )


@register.simple_tag
def due_light(
    due: date | datetime | None, *, done: bool = False, today: date | None = None, soon_days: int = 14
) -> str:
    """Traffic light for a due date: green, yellow within ``soon_days``, red when passed."""
    from django.utils import timezone

    if due is None or done:
        return format_html('<span class="fy-light fy-light-grey" title="{}"></span>', _("无期限或已完成"))
    today = today or timezone.localdate()
    if isinstance(due, datetime):
        due = timezone.localtime(due).date()
    days = (due - today).days
    if days < 0:
        return format_html(
            '<span class="fy-light fy-light-red" title="{}"></span>', _("已逾期 %(n)s 天") % {"n": -days}
        )
    if days <= soon_days:
        return format_html(
            '<span class="fy-light fy-light-yellow" title="{}"></span>', _("%(n)s 天后到期") % {"n": days}
        )
    return format_html('<span class="fy-light fy-light-green" title="{}"></span>', _("未到期"))


@register.filter
def rate(value: Decimal | float | None) -> str:
    """A percentage with two decimals, or "—" when there is no denominator."""
    if value is None:
        return "—"
    return f"{Decimal(value):.2f}%"
