"""Template helpers shared by the pages: sortable headers, query strings, traffic lights, rates, amounts."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import template
from django.http import QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from fuyuan.lib.deadlines import LIGHT_LABELS, LIGHTS

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
    listing = context.get("listing")
    current = listing.sort if listing else request.GET.get("sort", "")
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


@register.filter
def rate(value: Decimal | float | None) -> str:
    """A percentage with two decimals, or "—" when there is no denominator."""
    if value is None:
        return "—"
    return f"{Decimal(value):.2f}%"


@register.filter
def yuan(value: Decimal | int | str | None) -> str:
    """An amount in yuan with thousands separators and two decimals ("2,236,000,000.00"); "—" for none.
    Exact: a Decimal (or its text) is formatted as it is, never through a float."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)):,.2f}"


# A line that is only a link, maybe after a short label ("详情:http://…"): what notices written before
# issue 14 carried in their text. The inbox shows a "查看" button instead; the email keeps its link.
LINK_LINE = re.compile(r"^[^\n]{0,20}?https?://\S+[ \t]*$\n?", re.MULTILINE)


@register.filter
def without_links(text: str) -> str:
    """A notice's text without its link lines."""
    return LINK_LINE.sub("", text or "").strip()


@register.simple_tag
def light(code: str) -> str:
    """A record's deadline light (``fuyuan.lib.deadlines``): the dot, its words as tooltip and for screen readers."""
    label = LIGHT_LABELS.get(code, "")
    return format_html(
        '<span class="fy-light fy-light-{}" title="{}"></span><span class="visually-hidden">{}</span>',
        code,
        label,
        label,
    )


@register.simple_tag
def light_legend(*codes: str) -> str:
    """What the lights mean, beside a list or panel that shows them (all four, or the ``codes`` given)."""
    items = format_html_join(
        "",
        '<span class="text-nowrap me-3"><span class="fy-light fy-light-{}" aria-hidden="true"></span>{}</span>',
        ((code, LIGHT_LABELS[code]) for code in codes or LIGHTS),
    )
    return format_html(
        '<p class="small text-body-secondary mb-2" data-testid="light-legend"><span class="me-2">{}</span>{}</p>',
        _("图例:"),
        items,
    )
