"""Reads of the quarterly bulletins: the scope (one place, DESIGN.md promise 4), the list's filters, the detail.

Administrators and the provincial office and leaders read every bulletin; the office and leaders of a 市州 or
县市区 the bulletins living in their region or below (a bulletin lives in its supervisor's region); a liaison the
bulletins addressed to their unit (or a sub-unit) as the supervising authority. Courts read none. Every list,
detail, print, export and API view starts from :func:`visible_to`; anything outside it is 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import levels
from cases.recommendations.bulletin_models import QUARTERS, BulletinEntry, Reason, RecommendationBulletin
from fuyuan.lib.forms import BootstrapFormMixin, FastSelect
from fuyuan.lib.params import parse_id
from members.filters import IdFilter
from members.levels import reach_of
from members.models import MemberUnit, User

ALL = ("", _("全部"))
QUARTER_CHOICES = [ALL, *QUARTERS]


def visible_to(user: User) -> QuerySet[RecommendationBulletin]:
    """Every bulletin this user may read (scope by level: ``members.levels.reach_of``)."""
    qs = RecommendationBulletin.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    reach = reach_of(user)
    if reach.everything:
        return qs
    scope = Q(pk__in=[])
    if reach.region is not None:
        scope |= reach.region_q()
    if reach.unit_ids:
        scope |= Q(supervisor_id__in=reach.unit_ids)
    return qs.filter(scope)


def list_rows(qs: QuerySet[RecommendationBulletin]) -> QuerySet[RecommendationBulletin]:
    """What a list row shows, joined in."""
    return qs.select_related("supervisor")


def rows_in_order(user: User, ids: list[int]) -> list[RecommendationBulletin]:
    by_id = {row.pk: row for row in list_rows(visible_to(user).filter(pk__in=ids))}
    return [by_id[pk] for pk in ids if pk in by_id]


def bulletin_detail(user: User, pk: int) -> RecommendationBulletin:
    """One bulletin in the user's scope (DoesNotExist outside it: a 404)."""
    return visible_to(user).select_related("supervisor", "region").get(pk=pk)


def entries_of(bulletin: RecommendationBulletin) -> list[BulletinEntry]:
    """The bulletin's entries in its order, each knowing its bulletin (no query per row)."""
    entries = list(bulletin.entries.order_by("issued_on", "id"))
    for entry in entries:
        entry.bulletin = bulletin
    return entries


@dataclass
class ReasonGroup:
    code: str
    label: str
    entries: list[BulletinEntry]


def grouped(entries: list[BulletinEntry]) -> list[ReasonGroup]:
    """The entries under each reason, in the bulletin's order (an entry with two reasons shows under both)."""
    return [
        ReasonGroup(code=code, label=str(label), entries=[e for e in entries if getattr(e, code)])
        for code, label in Reason.choices
    ]


# --- The list's filters (the page, its export and the API) ----------------------------------------------


class FilterForm(BootstrapFormMixin, forms.Form):
    pass


def year_choices() -> list[tuple[Any, Any]]:
    this_year = timezone.localdate().year
    return [ALL, *((y, str(y)) for y in range(this_year, this_year - 8, -1))]


class BulletinFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"), method="filter_search", widget=forms.TextInput(attrs={"placeholder": _("主管部门名称")})
    )
    search = django_filters.CharFilter(method="filter_search")  # the API's name of ``q``
    year = IdFilter(label=_("年度"), field_name="year", widget=FastSelect)
    quarter = django_filters.CharFilter(label=_("季度"), method="filter_quarter", widget=FastSelect)
    supervisor = IdFilter(label=_("主管部门"), field_name="supervisor_id", widget=FastSelect)
    region = django_filters.CharFilter(label=_("区划"), method="filter_region", widget=FastSelect)
    level = django_filters.CharFilter(label=_("层级"), method="filter_level", widget=FastSelect)

    class Meta:
        form = FilterForm

    def with_choices(self, user: User) -> BulletinFilter:
        """Fill the selects (only the page renders them): the supervisors of the bulletins the user reads."""
        fields = self.form.fields
        supervisors = (
            MemberUnit.objects.filter(pk__in=visible_to(user).values("supervisor_id"))
            .order_by("order", "id")
            .values_list("pk", "name")
        )
        fields["year"].widget.choices = year_choices()
        fields["quarter"].widget.choices = QUARTER_CHOICES
        fields["supervisor"].widget.choices = [ALL, *supervisors]
        fields["region"].widget.choices = levels.region_choices(user)
        fields["level"].widget.choices = levels.LEVEL_CHOICES
        return self

    def filter_quarter(self, qs: QuerySet[RecommendationBulletin], name: str, value: str) -> QuerySet[Any]:
        quarter = parse_id(value)
        return qs.filter(quarter=quarter) if quarter in (1, 2, 3, 4) else qs

    def filter_region(self, qs: QuerySet[RecommendationBulletin], name: str, value: str) -> QuerySet[Any]:
        return levels.filter_region(qs, value)

    def filter_level(self, qs: QuerySet[RecommendationBulletin], name: str, value: str) -> QuerySet[Any]:
        return levels.filter_level(qs, value)

    def filter_search(self, qs: QuerySet[RecommendationBulletin], name: str, value: str) -> QuerySet[Any]:
        if name == "q" and self.data.get("search"):
            return qs  # ``search`` wins when both are given
        term = value.strip()[:100]
        if not term:
            return qs
        return qs.filter(Q(supervisor__name__icontains=term) | Q(supervisor__short_name__icontains=term))
