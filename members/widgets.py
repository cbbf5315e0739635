"""Unit pickers: a select that searches the directory as you type (Tom Select, ``static/js/pickers.js``).

The page renders only the selected units, never the whole list (thousands of units at every level);
``pickers.js`` turns each ``select[data-unit-picker]`` into a Tom Select that loads matches, 20 at a
time, from ``GET /units/search/`` (:func:`members.views.unit_search`), grouped by level and region.

Without JavaScript the field is a plain select holding only its current value(s): a saved form can be
submitted unchanged, but choosing another unit needs JavaScript (documented in the CHANGELOG).

Validation is the form field's: its queryset decides which ids are valid, whatever the picker offered.
``scope`` only narrows what the picker offers, to match that queryset (e.g. ``{"exclude_kind": "court"}``
for a field that refuses courts); the endpoint refuses an unknown code rather than widen the list.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from fuyuan.lib.params import parse_id
from members.levels import unit_region_q
from members.models import MemberUnit, Region


class UnitPicker(forms.Select):
    """One unit, searched on the server. ``scope``: query parameters of ``/units/search/``."""

    def __init__(
        self, attrs: dict[str, Any] | None = None, *, scope: dict[str, str] | None = None, placeholder: str = ""
    ) -> None:
        super().__init__(attrs=attrs)
        self.scope = dict(scope or {})
        self.placeholder = placeholder
        #: Where the chosen units' names are read when the widget is not a model field's (a list filter).
        self.queryset: QuerySet[MemberUnit] | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> UnitPicker:
        copy = super().__deepcopy__(memo)
        copy.scope = dict(self.scope)
        return copy

    def search_url(self) -> str:
        url = reverse("unit-search")
        return f"{url}?{urlencode(self.scope)}" if self.scope else url

    def selected_ids(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value]
        ids = (parse_id(v.pk if hasattr(v, "pk") else v) for v in values if v not in (None, ""))
        return list(dict.fromkeys(i for i in ids if i is not None))

    def selected_options(self, ids: list[int]) -> list[tuple[int, str]]:
        """The selected units' (id, name), in the order given; one query, none when nothing is selected."""
        if not ids:
            return []
        queryset = self.queryset if self.queryset is not None else getattr(self.choices, "queryset", None)
        if queryset is None:  # plain choices (not a model field): keep the ones selected
            wanted = {str(i) for i in ids}
            return [(int(k), str(label)) for k, label in self.choices if str(k) in wanted]
        names = dict(queryset.filter(pk__in=ids).values_list("pk", "name"))
        return [(i, names[i]) for i in ids if i in names]

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["data-unit-picker"] = "multiple" if self.allow_multiple_selected else "single"
        final["data-search-url"] = self.search_url()
        final["data-placeholder"] = str(self.placeholder or _("输入单位名称或地区搜索"))
        final["data-no-results"] = str(_("没有匹配的单位"))
        final["data-loading"] = str(_("正在搜索…"))
        options = format_html_join(
            "",
            '<option value="{}" selected>{}</option>',
            self.selected_options(self.selected_ids(value)),
        )
        # A single picker may be emptied (or, required, starts empty): the blank option makes it so.
        blank = "" if self.allow_multiple_selected else mark_safe('<option value=""></option>')  # nosec B308
        attrs_html = format_html_join(
            " ", '{}="{}"', ((k, v) for k, v in final.items() if v not in (None, False) and k != "multiple")
        )
        return format_html(
            '<select name="{}"{} {}>{}{}</select>',
            name,
            mark_safe(" multiple") if self.allow_multiple_selected else "",  # nosec B308  # a constant attribute
            attrs_html,
            blank,
            options,
        )


class UnitsPicker(UnitPicker):
    """Several units, searched on the server."""

    allow_multiple_selected = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False


def unit_filter(
    name: str, value: Any, *, region: Region | None = None, attrs: dict[str, Any] | None = None
) -> SafeString:
    """A list page's unit filter: a searchable picker holding only the chosen unit (one query then, none
    without a choice), offering the active units of ``region`` and below (None: every active unit).

    What the list shows stays decided by its scoped queryset: the filter only narrows it, so a unit outside
    the reader's reach matches nothing they could not already see.
    """
    queryset = MemberUnit.objects.filter(active=True)
    scope: dict[str, str] = {}
    if region is not None and region.level != Region.Level.PROVINCE:
        queryset = queryset.filter(unit_region_q(region))
        scope["region"] = str(region.pk)
    widget = UnitPicker(
        attrs={"class": "form-select form-select-sm", "data-allow-clear": "1", **(attrs or {})},
        scope=scope,
        placeholder=str(_("全部")),
    )
    widget.queryset = queryset
    return widget.render(name, value)
