"""Template helpers shared by the pages: sortable headers, query strings, traffic lights, rates, amounts."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import template
from django.http import QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fuyuan.lib import fragments
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


#: Per model field: its choices' labels by value (lazy: translated when shown, in the reader's language).
_CHOICE_LABELS: dict[Any, dict[Any, Any]] = {}


@register.filter
def choice_label(record: Any, name: str) -> Any:
    """``{{ r|choice_label:"status" }}``: what ``r.get_status_display`` shows, read from the field's choices
    gathered once, where ``get_FOO_display`` rebuilds them at every call (8× slower: it shows in a long list)."""
    field = record._meta.get_field(name)
    labels = _CHOICE_LABELS.get(field)
    if labels is None:
        labels = _CHOICE_LABELS[field] = dict(field.flatchoices)
    value = getattr(record, field.attname)
    return labels.get(value, value)


#: The lights' markup by (language, light): the same for every row of every list.
_LIGHT_HTML: dict[tuple[str, ...], str] = {}


@register.simple_tag
def light(code: str) -> str:
    """A record's deadline light (``fuyuan.lib.deadlines``): the dot, its words as tooltip and for screen readers."""
    key = (get_language() or "", code)
    html = _LIGHT_HTML.get(key)
    if html is None:
        label = LIGHT_LABELS.get(code, "")
        html = format_html(
            '<span class="fy-light fy-light-{}" title="{}"></span><span class="visually-hidden">{}</span>',
            code,
            label,
            label,
        )
        if code in LIGHT_LABELS:
            _LIGHT_HTML[key] = html
    return html


@register.filter(expects_localtime=True)
def day(value: date | None) -> str:
    """A date, or a moment in the local time zone, as ``2026-03-09`` ("" for none): ``|date:"Y-m-d"`` at a third
    of its cost, for the dates of long lists."""
    return value.strftime("%Y-%m-%d") if value else ""


@register.simple_tag
def light_legend(*codes: str) -> str:
    """What the lights mean, beside a list or panel that shows them (all four, or the ``codes`` given); the same
    markup for every page of a language, kept as ``light`` keeps the dots."""
    key = (get_language() or "", "legend", *codes)
    html = _LIGHT_HTML.get(key)
    if html is None:
        items = format_html_join(
            "",
            '<span class="text-nowrap me-3"><span class="fy-light fy-light-{}" aria-hidden="true"></span>{}</span>',
            ((code, LIGHT_LABELS[code]) for code in codes or LIGHTS),
        )
        html = _LIGHT_HTML[key] = format_html(
            '<p class="small text-body-secondary mb-2" data-testid="light-legend"><span class="me-2">{}</span>{}</p>',
            _("图例:"),
            items,
        )
    return html


class FragmentNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: Any, vary_on: list[Any]) -> None:
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context: template.Context) -> str:
        vary_on = [value.resolve(context, ignore_failures=True) for value in self.vary_on]
        if any(value is None for value in vary_on):
            # A key the view forgot would make one fragment serve every reader: refuse rather than share it.
            missing = [v.token for v, value in zip(self.vary_on, vary_on, strict=True) if value is None]
            raise template.TemplateSyntaxError(f"fragment {self.name.token}: no value for {', '.join(missing)}")
        key = fragments.fragment_key(str(self.name.resolve(context)), *vary_on)
        store = fragments.store()
        value = store.get(key)
        if value is None:
            value = self.nodelist.render(context)
            store.set(key, value)
        return str(value)


@register.tag("fragment")
def fragment(parser: template.base.Parser, token: template.base.Token) -> FragmentNode:
    """``{% fragment "name" key … %}…{% endfragment %}``: the content rendered once per language and keys, then
    read from the ``fragments`` cache (``fuyuan.lib.fragments``). The language is always part of the key; the
    keys must name everything else the content depends on (a missing one is an error, not an empty key)."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("fragment takes a name, then the values its content depends on")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]])
