"""The filters of the recommendation list, its export and the API: one FilterSet, rendered by its own form.

Status, court, addressee, supervisor, work task, year, overdue, escalated, rectification overdue,
recurrence, awaiting the user's signature, region and level (``cases.levels``), and a search over 文号,
案号, title and the units' names. A malformed value drops its filter (the list shows its rows without it).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import levels
from cases.recommendations import counting
from cases.recommendations.models import JudicialRecommendation
from cases.recommendations.services import can_sign
from fuyuan.lib.forms import BootstrapFormMixin, FastSelect
from fuyuan.lib.params import parse_day, parse_id
from members.levels import unit_region_q
from members.models import MemberUnit, User, WorkTask

Status = JudicialRecommendation.Status
ALL = ("", _("全部"))
YES_NO = [ALL, ("true", _("是")), ("false", _("否"))]


def _truthy(value: Any) -> bool | None:
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    return None


def year_choices() -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - 8, -1))


def recurs_q() -> Exists:
    """The recommendation repeats an earlier adopted one (问题复发: it has ``recurrence_of`` links)."""
    through = JudicialRecommendation.recurrence_of.through.objects
    return Exists(through.filter(from_judicialrecommendation_id=OuterRef("pk")))


def awaiting_signature_q(user: User) -> Q:
    """The drafts of the signer's court submitted for approval by someone else: what they may sign now
    (``services.allowed_actions`` offers them "approve"). Nothing for a user who may not sign."""
    if not can_sign(user, user.unit_id):
        return Q(pk__in=[])
    return Q(status=Status.SUBMITTED, court_id=user.unit_id) & ~Q(submitted_by_id=user.pk)


class FilterForm(BootstrapFormMixin, forms.Form):
    pass


class RecommendationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": _("文号、案号、标题、单位")}),
    )
    search = django_filters.CharFilter(method="filter_search")  # the API's name of ``q``
    status = django_filters.CharFilter(label=_("状态"), method="filter_status", widget=FastSelect)
    court = django_filters.CharFilter(label=_("发出法院"), method="filter_unit", widget=FastSelect)
    addressee = django_filters.CharFilter(method="filter_unit")
    supervisor = django_filters.CharFilter(method="filter_unit")
    # A name to search rather than a list: a province has thousands of units. ``?addressee=<id>``
    # (links, the API) still filters by one unit.
    addressee_name = django_filters.CharFilter(
        label=_("收文单位"),
        method="filter_addressee_name",
        widget=forms.TextInput(attrs={"placeholder": _("单位名称")}),
    )
    task = django_filters.CharFilter(label=_("工作任务"), method="filter_task", widget=FastSelect)
    year = django_filters.CharFilter(label=_("年度"), method="filter_year", widget=FastSelect)
    overdue = django_filters.CharFilter(label=_("逾期"), method="filter_overdue", widget=FastSelect)
    escalated = django_filters.CharFilter(label=_("已通报主管部门"), method="filter_escalated", widget=FastSelect)
    rectification_overdue = django_filters.CharFilter(
        label=_("整改逾期"), method="filter_rectification_overdue", widget=FastSelect
    )
    recurrence = django_filters.CharFilter(label=_("问题复发"), method="filter_recurrence", widget=FastSelect)
    # A signer's drafts of their court awaiting their signature (needs the user: the page, export and API give it).
    to_sign = django_filters.CharFilter(label=_("待我签发"), method="filter_to_sign", widget=FastSelect)
    region = django_filters.CharFilter(label=_("区划"), method="filter_region", widget=FastSelect)
    level = django_filters.CharFilter(label=_("层级"), method="filter_level", widget=FastSelect)

    class Meta:
        form = FilterForm

    def __init__(
        self, data: Any = None, queryset: QuerySet[JudicialRecommendation] | None = None, *, user: User | None = None
    ) -> None:
        super().__init__(data, queryset)
        self.today = timezone.localdate()
        self.user = user

    def with_choices(self, user: Any = None) -> RecommendationFilter:
        """Fill the choices of the form's selects (only the page renders them; the API and export do not).

        The region select and the courts offer only what lies within the user's reach.
        """
        fields = self.form.fields
        units = MemberUnit.objects.filter(active=True, kind=MemberUnit.Kind.COURT)
        top = levels.reach_region(user) if user is not None else None
        if top is None:
            # The High Court and the intermediate courts; a basic court is filtered by ?court=<id> or search.
            courts = units.filter(
                Q(level__in=[MemberUnit.Level.PROVINCE, MemberUnit.Level.CITY]) | Q(pk=parse_id(self.data.get("court")))
            )
        else:
            courts = units.filter(unit_region_q(top))
        courts = courts.order_by("order", "id")
        tasks = WorkTask.objects.order_by("number").values_list("pk", "number", "title")
        fields["status"].widget.choices = [ALL, *Status.choices]
        fields["court"].widget.choices = [ALL, *courts.values_list("pk", "name")]
        fields["task"].widget.choices = [ALL, *((pk, f"{n}. {title}") for pk, n, title in tasks)]
        fields["year"].widget.choices = [ALL, *((y, str(y)) for y in year_choices())]
        fields["overdue"].widget.choices = YES_NO
        fields["escalated"].widget.choices = YES_NO
        fields["rectification_overdue"].widget.choices = YES_NO
        fields["recurrence"].widget.choices = YES_NO
        fields["to_sign"].widget.choices = [ALL, ("true", _("是"))]
        fields["region"].widget.choices = levels.region_choices(user) if user is not None else [ALL]
        fields["level"].widget.choices = levels.LEVEL_CHOICES
        return self

    def filter_region(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        return levels.filter_region(qs, value)

    def filter_level(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        return levels.filter_level(qs, value)

    def filter_status(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(status=value) if value in Status.values else qs

    def filter_unit(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        unit = parse_id(value)
        return qs if unit is None else qs.filter(**{f"{name}_id": unit})

    def filter_addressee_name(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()[:100]
        return qs.filter(addressee__name__icontains=value) if value else qs

    def filter_task(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        task = parse_id(value)
        if task is None:
            return qs
        through = JudicialRecommendation.tasks.through.objects
        return qs.filter(Exists(through.filter(judicialrecommendation_id=OuterRef("pk"), worktask_id=task)))

    def filter_year(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        year = parse_id(value)
        return qs if year is None else qs.filter(year=year)

    def filter_overdue(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        overdue = _truthy(value)
        if overdue is None:
            return qs
        condition = JudicialRecommendation.objects.overdue_q(self.today)
        return qs.filter(condition) if overdue else qs.exclude(condition)

    def filter_escalated(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        escalated = _truthy(value)
        return qs if escalated is None else qs.filter(escalated_at__isnull=not escalated)

    def filter_rectification_overdue(
        self, qs: QuerySet[JudicialRecommendation], name: str, value: str
    ) -> QuerySet[Any]:
        overdue = _truthy(value)
        if overdue is None:
            return qs
        # The rule of JudicialRecommendation.rectification_overdue, as a condition.
        condition = Q(status=Status.RECTIFYING, rectification_due__lt=self.today)
        return qs.filter(condition) if overdue else qs.exclude(condition)

    def filter_recurrence(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        recurs = _truthy(value)
        if recurs is None:
            return qs
        return qs.filter(recurs_q()) if recurs else qs.exclude(recurs_q())

    def filter_to_sign(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        if _truthy(value) is not True or self.user is None:
            return qs
        return qs.filter(awaiting_signature_q(self.user))

    def filter_search(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        if name == "q" and self.data.get("search"):
            return qs  # ``search`` wins when both are given
        search = value.strip()[:100]
        if not search:
            return qs
        # Units matching the name first (a small table), so that every branch of the OR is an
        # index lookup (trigram indexes on 文号, 案号 and title; the foreign-key indexes).
        units = list(MemberUnit.objects.filter(name__icontains=search).values_list("pk", flat=True)[:2000])
        return qs.filter(
            Q(number__icontains=search)
            | Q(case_number__icontains=search)
            | Q(title__icontains=search)
            | Q(addressee_id__in=units)
            | Q(court_id__in=units)
        )

    # --- The figures' lists (stats): each figure links here with the filters that select exactly the rows it
    # counts (the conditions of cases.recommendations.counting). Not on the page's form: links and the API.
    # ``from``/``to``: the issue date; the follow-through figures date their rows by the rectification deadline
    # or the visit instead.
    from_ = django_filters.CharFilter(method="filter_issued_from")
    to = django_filters.CharFilter(method="filter_issued_to")
    outcome = django_filters.CharFilter(method="filter_outcome")  # adopted,partly_adopted
    replied = django_filters.CharFilter(method="filter_replied")
    rectification = django_filters.CharFilter(method="filter_rectification")  # due | rectified
    rectification_due_from = django_filters.CharFilter(method="filter_day")
    rectification_due_to = django_filters.CharFilter(method="filter_day")
    visited_from = django_filters.CharFilter(method="filter_day")
    visited_to = django_filters.CharFilter(method="filter_day")
    visit_result = django_filters.CharFilter(method="filter_visit_result")
    # The recurrences the figure counts: issued (not drafts, whose flag is a warning) and not withdrawn.
    recurrence_issued = django_filters.CharFilter(method="filter_recurrence_issued")

    def filter_issued_from(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        day = parse_day(value)
        return qs if day is None else qs.filter(issued_on__gte=day)

    def filter_issued_to(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        day = parse_day(value)
        return qs if day is None else qs.filter(issued_on__lte=day)

    def filter_day(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        """``<date field>_from`` / ``<date field>_to``: that day or later / that day or earlier."""
        day = parse_day(value)
        if day is None:
            return qs
        field, _sep, end = name.rpartition("_")
        field = {"visited": "visited_on"}.get(field, field)
        return qs.filter(**{f"{field}__{'gte' if end == 'from' else 'lte'}": day})

    def filter_outcome(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        outcomes = [o for o in str(value).split(",") if o in JudicialRecommendation.Outcome.values]
        return qs.filter(reply_outcome__in=outcomes) if outcomes else qs

    def filter_replied(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        replied = _truthy(value)
        if replied is None:
            return qs
        return qs.filter(counting.replied_q()) if replied else qs.exclude(counting.replied_q())

    def filter_rectification(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        if value == "due":
            return qs.filter(counting.due_for_rectification_q(self.today))
        if value == "rectified":
            return qs.filter(counting.rectification_q() & counting.rectified_q())
        return qs

    def filter_visit_result(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        results = JudicialRecommendation.VisitResult.values
        return qs.filter(visit_result=value) if value in results else qs

    def filter_recurrence_issued(self, qs: QuerySet[JudicialRecommendation], name: str, value: str) -> QuerySet[Any]:
        recurs = _truthy(value)
        if recurs is None:
            return qs
        return qs.filter(counting.recurrence_q()) if recurs else qs.exclude(counting.recurrence_q())


# ``from`` is a Python keyword: the filter is declared as ``from_`` and read from ``?from=``.
RecommendationFilter.base_filters = {
    ("from" if k == "from_" else k): v for k, v in RecommendationFilter.base_filters.items()
}
