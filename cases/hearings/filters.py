"""The filters of the hearing list, its export and the API: one FilterSet.

Status, court, defendant, period (``from``/``to`` on the hearing day), ``responsible`` (a responsible person
appeared: true/false, held hearings only), region and level (``cases.levels``), and ``q``/``search`` over the
案号, the place and the units' names. A malformed value drops its filter.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cases import levels
from cases.hearings.models import Hearing
from fuyuan.lib.forms import BootstrapFormMixin, FastSelect
from members.filters import IdFilter, with_day_range
from members.levels import unit_region_q
from members.models import MemberUnit

Status = Hearing.Status
ALL = ("", _("全部"))
YES_NO = [ALL, ("true", _("是")), ("false", _("否"))]
TRUTHY = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


class FilterForm(BootstrapFormMixin, forms.Form):
    pass


class HearingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"), method="filter_search", widget=forms.TextInput(attrs={"placeholder": _("案号、地点、单位")})
    )
    search = django_filters.CharFilter(method="filter_search")  # the API's name of ``q``
    status = django_filters.CharFilter(label=_("状态"), method="filter_status", widget=FastSelect)
    court = IdFilter(label=_("审理法院"), field_name="court_id", widget=FastSelect)
    defendant = IdFilter(field_name="defendant_id")
    responsible = django_filters.CharFilter(label=_("负责人出庭"), method="filter_responsible", widget=FastSelect)
    region = django_filters.CharFilter(label=_("区划"), method="filter_region", widget=FastSelect)
    level = django_filters.CharFilter(label=_("层级"), method="filter_level", widget=FastSelect)

    class Meta:
        form = FilterForm

    def with_choices(self, user: Any = None) -> HearingFilter:
        """Fill the selects (only the page renders them): the courts and regions within the user's reach."""
        fields = self.form.fields
        courts = MemberUnit.objects.filter(active=True, kind=MemberUnit.Kind.COURT)
        top = levels.reach_region(user) if user is not None else None
        if top is None:
            courts = courts.filter(level__in=[MemberUnit.Level.PROVINCE, MemberUnit.Level.CITY])
        else:
            courts = courts.filter(unit_region_q(top))
        fields["status"].widget.choices = [ALL, *Status.choices]
        fields["court"].widget.choices = [ALL, *courts.order_by("order", "id").values_list("pk", "name")]
        fields["responsible"].widget.choices = YES_NO
        fields["region"].widget.choices = levels.region_choices(user) if user is not None else [ALL]
        fields["level"].widget.choices = levels.LEVEL_CHOICES
        return self

    def filter_status(self, qs: QuerySet[Hearing], name: str, value: str) -> QuerySet[Hearing]:
        return qs.filter(status=value) if value in Status.values else qs

    def filter_responsible(self, qs: QuerySet[Hearing], name: str, value: str) -> QuerySet[Hearing]:
        wanted = TRUTHY.get(str(value).strip().lower())
        if wanted is None:
            return qs
        held = qs.filter(status=Status.HELD)
        return (
            held.filter(appeared__in=Hearing.RESPONSIBLE) if wanted else held.exclude(appeared__in=Hearing.RESPONSIBLE)
        )

    def filter_region(self, qs: QuerySet[Hearing], name: str, value: str) -> QuerySet[Any]:
        return levels.filter_region(qs, value)

    def filter_level(self, qs: QuerySet[Hearing], name: str, value: str) -> QuerySet[Any]:
        return levels.filter_level(qs, value)

    def filter_search(self, qs: QuerySet[Hearing], name: str, value: str) -> QuerySet[Hearing]:
        if name == "q" and self.data.get("search"):
            return qs
        term = value.strip()[:100]
        if not term:
            return qs
        units = list(MemberUnit.objects.filter(name__icontains=term).values_list("pk", flat=True)[:2000])
        return qs.filter(
            Q(case_number__icontains=term)
            | Q(place__icontains=term)
            | Q(defendant_id__in=units)
            | Q(court_id__in=units)
        )


with_day_range(HearingFilter, "hearing_at", whole_day=True)
