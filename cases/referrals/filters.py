"""The filters of the referral lists, their export and the API: one FilterSet, rendered by its own form.

Every value is read as typed in the address bar: a malformed id or day drops that filter (the
list shows its rows without it), an unknown status or kind matches nothing.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cases import levels
from cases.referrals.models import Referral, ReferralKind
from cases.referrals.selectors import day_after, local_datetime, search_condition
from fuyuan.lib.forms import BootstrapFormMixin, FastSelect
from fuyuan.lib.params import parse_day, parse_id
from members.levels import reach_of, unit_region_q
from members.models import MemberUnit, Region, WorkTask
from members.widgets import UnitPicker

CHOICES_SECONDS = 60
TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no")
ALL = ("", _("全部"))


def filter_choices() -> dict[str, list[Any]]:
    """The choices of the list filters as plain tuples (two small queries, kept a minute in the cache).

    Units are not among them: the counterpart is a searchable picker (``members.widgets.UnitPicker``)."""
    choices = cache.get_or_set(f"referral-filter-choices:{get_language()}", _filter_choices, CHOICES_SECONDS)
    assert choices is not None  # get_or_set stores and returns what _filter_choices gives
    return choices


def _filter_choices() -> dict[str, list[Any]]:
    return {
        "kinds": list(ReferralKind.objects.values_list("code", "name")),
        "tasks": [(pk, f"{n}. {title}") for pk, n, title in WorkTask.objects.values_list("pk", "number", "title")],
    }


def _select(**attrs: Any) -> FastSelect:
    return FastSelect(attrs={"class": "form-select-sm", **attrs})


class FilterForm(BootstrapFormMixin, forms.Form):
    pass


class ReferralFilter(django_filters.FilterSet):
    kind = django_filters.CharFilter(label=_("类别"), method="filter_kind", widget=_select())
    status = django_filters.CharFilter(label=_("状态"), method="filter_status", widget=_select())
    counterpart = django_filters.CharFilter(
        label=_("对方单位"),
        method="filter_counterpart",
        widget=UnitPicker(attrs={"class": "form-select-sm", "data-allow-clear": "1"}, placeholder=str(_("全部"))),
    )
    sender = django_filters.CharFilter(method="filter_unit")
    receiver = django_filters.CharFilter(method="filter_unit")
    task = django_filters.CharFilter(label=_("工作任务"), method="filter_task", widget=_select())
    overdue = django_filters.CharFilter(label=_("逾期"), method="filter_overdue", widget=_select())
    from_ = django_filters.CharFilter(
        label=_("移送日期自"),
        method="filter_from",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control-sm"}),
    )
    to = django_filters.CharFilter(
        label=_("至"), method="filter_to", widget=forms.DateInput(attrs={"type": "date", "class": "form-control-sm"})
    )
    search = django_filters.CharFilter(
        label=_("搜索"),
        method="filter_search",
        widget=forms.TextInput(
            attrs={"type": "search", "maxlength": 100, "placeholder": _("案号或事项"), "class": "form-control-sm"}
        ),
    )
    q = django_filters.CharFilter(method="filter_search")  # the API's other name of ``search``
    region = django_filters.CharFilter(label=_("区划"), method="filter_region", widget=_select())
    level = django_filters.CharFilter(label=_("层级"), method="filter_level", widget=_select())

    class Meta:
        form = FilterForm

    def __init__(self, data: Any = None, queryset: QuerySet[Referral] | None = None, *, box: str = "all") -> None:
        super().__init__(data, queryset)
        self.box = box

    def with_choices(self, user: Any = None) -> ReferralFilter:
        """Fill the choices of the form's selects (only the page renders them; the API and export do not).

        An office or leader below the province picks counterparts and regions within its region only.
        """
        fields = self.form.fields
        choices = filter_choices()
        reach = reach_of(user) if user is not None else None
        units = MemberUnit.objects.filter(active=True)
        picker = fields["counterpart"].widget
        assert isinstance(picker, UnitPicker)
        if reach is not None and reach.region is not None and reach.region.level != Region.Level.PROVINCE:
            units = units.filter(unit_region_q(reach.region))
            picker.scope = {"region": str(reach.region.pk)}
        # Only the chosen counterpart is rendered (one query when there is one); the rest are searched.
        picker.queryset = units
        fields["region"].widget.choices = levels.region_choices(user) if user is not None else [levels.ALL]
        fields["level"].widget.choices = levels.LEVEL_CHOICES
        fields["kind"].widget.choices = [ALL, *choices["kinds"]]
        fields["status"].widget.choices = [ALL, *Referral.Status.choices]
        fields["task"].widget.choices = [ALL, *choices["tasks"]]
        fields["overdue"].widget.choices = [ALL, ("true", _("已逾期")), ("false", _("未逾期"))]
        return self

    #: The filters the list page shows (the API also takes ``sender``, ``receiver`` and ``q``).
    PAGE_FIELDS = ("kind", "status", "counterpart", "task", "overdue", "region", "level", "from", "to", "search")

    def page_fields(self) -> list[forms.BoundField]:
        return [self.form[name] for name in self.PAGE_FIELDS]

    @property
    def searching(self) -> bool:
        return bool(self.data.get("search")) if self.data is not None else False

    def filter_kind(self, qs: QuerySet[Referral], name: str, value: str) -> QuerySet[Referral]:
        kind_id = parse_id(value)
        return qs.filter(kind_id=kind_id) if kind_id is not None else qs.filter(kind__code=str(value))

    def filter_status(self, qs: QuerySet[Referral], name: str, value: str) -> QuerySet[Referral]:
        return qs.filter(status=value)

    def filter_counterpart(self, qs: QuerySet[Referral], name: str, value: str) -> QuerySet[Referral]:
        unit = parse_id(value)
        if unit is None:
            return qs
        if self.box == "sent":
            return qs.filter(receiver_id=unit)
        if self.box == "inbox":
            return qs.filter(sender_id=unit)
        return qs.filter(Q(sender_id=unit) | Q(receiver_id=unit))

    def filter_unit(self, qs: QuerySet[Referral], name: str, value: str) -> QuerySet[Referral]:
        unit = parse_id(value)
        return qs if unit is None else qs.filter(**{f"{name}_id": unit})

    def filter_region(self, qs: QuerySet[Referral], name: str, value: str) -> QuerySet[Referral]:
        return levels.filter_region(qs, value)

    def filter_level(self, qs: QuerySet[Referral], name: str, value: str) -> QuerySet[Referral]:
        return levels.filter_level(qs, value)

    def filter_task(self, qs: QuerySet[Referral], name: str, value: str) -> QuerySet[Referral]:
        task = parse_id(value)
        return qs if task is None else qs.filter(tasks__id=task)

    def filter_overdue(self, qs: QuerySet[Referral], name: str, value: str) -> QuerySet[Referral]:
        value = value.lower()
        if value in TRUE:
            return qs.filter(Referral.objects.overdue_q())
        if value in FALSE:
            return qs.exclude(Referral.objects.overdue_q())
        return qs

    def filter_from(self, qs: QuerySet[Referral], name: str, value: str) -> QuerySet[Referral]:
        day = parse_day(value)
        return qs if day is None else qs.filter(sent_at__gte=local_datetime(day))

    def filter_to(self, qs: QuerySet[Referral], name: str, value: str) -> QuerySet[Referral]:
        day = parse_day(value)
        return qs if day is None else qs.filter(sent_at__lt=day_after(day))

    def filter_search(self, qs: QuerySet[Referral], name: str, value: str) -> QuerySet[Referral]:
        if name == "q" and self.data.get("search"):
            return qs  # ``search`` wins when both are given
        term = value.strip()[:100]
        return qs.filter(search_condition(term)) if term else qs


# ``from`` is a Python keyword: the filter is declared as ``from_`` and read from ``?from=``.
ReferralFilter.base_filters = {("from" if k == "from_" else k): v for k, v in ReferralFilter.base_filters.items()}
