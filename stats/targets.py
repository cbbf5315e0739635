"""Targets (指标): a level's target value for a figure in a year, and the actual figure against it.

* :func:`targets_visible_to` is the scope (office staff and leaders their region and below, administrators
  and provincial readers everything, others nothing: 404);
* :func:`target_set` and :func:`target_delete` are the writes (the office of the target's level or a level
  above it), :func:`target_actions` what a user may do with one;
* :func:`target_rows` puts each target beside its actual figure (the year from 1 January to today, the
  level's region and subtree, the target's task) with a light, and the same per region one level below.

Queries of :func:`target_rows`: one for the targets, one for the regions below, and at most two for the
figures whatever the number of targets — one for the whole-mechanism targets, one for all the task targets
(each source's counts grouped by task and by region below: the same ``count_columns`` as the dashboard).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, IntegerField, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuyuan.lib.deadlines import GREEN, GREY, RED, YELLOW
from fuyuan.lib.errors import NotPermitted
from members.levels import is_within, reach_of, region_q
from members.models import Region, User, WorkTask
from members.roles import Role, has_role
from stats.breakdowns import child_field
from stats.cache import cache_seconds, cached, data_version
from stats.figures import FIGURES, FIGURES_BY_KEY, Figure, count_columns
from stats.models import Target
from stats.scope import Scope
from stats.sources import ALL_SOURCES, COUNT_SOURCE

MIN_YEAR, MAX_YEAR = 2000, 2100
#: Yellow: not met, but within this share of the target value (stats/definitions.html says so).
NEAR = Decimal("0.10")
LIGHT_WORDS = {
    GREEN: gettext_lazy("达标"),
    YELLOW: gettext_lazy("接近目标"),
    RED: gettext_lazy("未达标"),
    GREY: gettext_lazy("暂无数据"),
}
OFFICE_ONLY = gettext_lazy("只有本级或上级领导小组办公室可以设定指标。")

# --- Scope and actions ------------------------------------------------------------------------------------


def targets_visible_to(user: Any) -> QuerySet[Target]:
    """The targets a user may read: office staff and leaders their region's and below (the province's: all),
    administrators all; liaisons and court clerks none (their pages and the API answer 404)."""
    reach = reach_of(user)
    qs = Target.objects.all()
    if reach.everything:
        return qs
    if reach.region is not None:
        return qs.filter(region_q(reach.region))
    return qs.none()


def can_set_targets(user: Any) -> bool:
    """The office (of any level) and administrators set targets, each within its reach."""
    reach = reach_of(user)
    return has_role(user, Role.OFFICE, Role.ADMIN) and (reach.everything or reach.region is not None)


def _reaches(user: Any, region: Region | None) -> bool:
    reach = reach_of(user)
    if not has_role(user, Role.OFFICE, Role.ADMIN):
        return False
    return reach.everything or (reach.region is not None and is_within(region, reach.region))


def target_actions(target: Target, user: Any) -> set[str]:
    """``edit`` and ``delete`` for the office whose reach holds the target's region."""
    return {"edit", "delete"} if _reaches(user, target.region) else set()


# --- Writes -----------------------------------------------------------------------------------------------


def figure_choices() -> list[tuple[str, str]]:
    """The figures a target may be set on: counts and rates (the targets' counts do not sum amounts)."""
    return [(f.key, str(f.label)) for f in FIGURES if not f.is_amount]


def _value_errors(figure: Figure, value: Any) -> list[str]:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return [_("请填写数值。")]
    if not number.is_finite():
        return [_("请填写数值。")]
    if figure.is_rate and not Decimal(0) <= number <= Decimal(100):
        return [_("比率指标的目标值应在 0 至 100 之间(百分比)。")]
    if not figure.is_rate and number < 0:
        return [_("数量指标的目标值不能为负数。")]
    if not figure.is_rate and number != number.to_integral_value():
        return [_("数量指标的目标值应为整数。")]
    if abs(number) >= Decimal("1e10"):
        return [_("目标值过大。")]
    return []


def _errors(
    *, by: User, year: Any, region: Region | None, figure: str, value: Any, comparator: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        year_ok = MIN_YEAR <= int(year) <= MAX_YEAR
    except (TypeError, ValueError):
        year_ok = False
    if not year_ok:
        errors["year"] = [_("年度应在 %(a)s 至 %(b)s 之间。") % {"a": MIN_YEAR, "b": MAX_YEAR}]
    if region is None:
        errors["region"] = [_("请选择层级区划。")]
    elif not _reaches(by, region):
        errors["region"] = [_("只能为本级或下级区划设定指标。")]
    known = FIGURES_BY_KEY.get(figure or "")
    if known is None:
        errors["figure"] = [_("没有这个统计项。")]
    else:
        value_errors = _value_errors(known, value)
        if value_errors:
            errors["value"] = value_errors
    if comparator not in Target.Comparator.values:
        errors["comparator"] = [_("比较方式应为“不低于”或“不高于”。")]
    return errors


def _same_key(year: int, region: Region, task: WorkTask | None, figure: str) -> QuerySet[Target]:
    return Target.objects.filter(year=year, region=region, task=task, figure=figure).order_by("pk")


@transaction.atomic
def target_set(
    *,
    by: User,
    year: int,
    region: Region,
    task: WorkTask | None,
    figure: str,
    value: Any,
    comparator: str = Target.Comparator.GTE,
    target: Target | None = None,
    replace: bool = True,
) -> Target:
    """Set a target: the one of (year, region, task, figure) is created or its value changed; with ``target``,
    that target is edited (to a key no other target holds); ``replace=False`` (the API's POST) refuses a key that
    has a target already. Only the office reaching ``region``
    (``NotPermitted`` for anyone else; a region outside its reach is a ``ValidationError``, nothing saved)."""
    if not can_set_targets(by):
        raise NotPermitted(str(OFFICE_ONLY))
    if target is not None and not _reaches(by, target.region):
        raise NotPermitted(str(OFFICE_ONLY))
    errors = _errors(by=by, year=year, region=region, figure=figure, value=value, comparator=comparator)
    if errors:
        raise ValidationError(errors)
    year = int(year)
    existing = _same_key(year, region, task, figure).select_for_update().first()
    if target is not None:
        target = Target.objects.select_for_update().order_by().get(pk=target.pk)
        if existing is not None and existing.pk != target.pk:
            raise ValidationError({"figure": [_("该年度、该层级、该任务的这一统计项已有指标。")]})
    elif existing is not None and not replace:
        raise ValidationError({"figure": [_("该年度、该层级、该任务的这一统计项已有指标。")]})
    else:
        target = existing or Target()
    target.year, target.region, target.city_id, target.task, target.figure = year, region, region.city_id, task, figure
    target.value = Decimal(str(value)).quantize(Decimal("0.01"))
    target.comparator = comparator
    target.set_by = by
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:  # two offices set the same target at once: the constraint keeps one
        raise ValidationError({"figure": [_("该年度、该层级、该任务的这一统计项已有指标。")]}) from None
    return target


@transaction.atomic
def target_delete(*, target: Target, by: User) -> None:
    if "delete" not in target_actions(target, by):
        raise NotPermitted(str(OFFICE_ONLY))
    Target.objects.filter(pk=target.pk).delete()


# --- Actual against target ----------------------------------------------------------------------------------


@dataclass
class Reading:
    """One figure's actual value in one scope against one target."""

    actual: dict[str, Any]  # {"value"} | {"numerator", "denominator", "rate"} (stats.figures.Figure.result)
    met: bool | None  # None: no data
    light: str

    @property
    def light_words(self) -> str:
        return str(LIGHT_WORDS[self.light])

    @property
    def number(self) -> Decimal | int | None:
        return self.actual.get("rate") if "rate" in self.actual else self.actual.get("value")


@dataclass
class RegionReading(Reading):
    region: Region | None = None


@dataclass
class TargetRow(Reading):
    target: Target | None = None
    figure: Figure | None = None
    regions: list[RegionReading] = field(default_factory=list)
    own: RegionReading | None = None  # records living at the level itself (本级), when it has regions below
    actions: set[str] = field(default_factory=set)  # ``target_actions`` for the reader, set by a page that offers them


def judge(target: Target, figure: Figure, counts: dict[str, int] | None) -> Reading:
    """The actual figure (``counts`` None: the period has not begun), whether it meets the target and its light:
    green met; yellow not met but within 10% of the target value; red otherwise; grey with no data (a rate
    whose denominator is 0, or a year not begun)."""
    actual = figure.result(counts or {})
    number = actual.get("rate") if figure.is_rate else actual.get("value")
    if counts is None or number is None:
        return Reading(actual=actual, met=None, light=GREY)
    value, number = Decimal(target.value), Decimal(number)
    if target.comparator == Target.Comparator.LTE:
        met, near = number <= value, number <= value * (1 + NEAR)
    else:
        met, near = number >= value, number >= value * (1 - NEAR)
    return Reading(actual=actual, met=met, light=GREEN if met else YELLOW if near else RED)


def period_of(year: int, today: date) -> Scope | None:
    """The target's period: its year from 1 January up to today (None before the year begins)."""
    start, end = date(year, 1, 1), min(date(year, 12, 31), today)
    return Scope(start, end) if end >= start else None


def _scope(period: Scope, region: Region | None) -> Scope:
    if region is None or region.level == Region.Level.PROVINCE:
        return Scope(period.start, period.end)
    return Scope(period.start, period.end, region.pk, level=str(region.level))


NO_ID = Value(None, output_field=IntegerField())
Counts = dict[tuple[int | None, int | None], dict[str, int]]  # (task id | None, region below | None) → counts


def _count_query(scope: Scope, today: date, *, task_ids: list[int] | None, by_child: bool) -> QuerySet:
    """ONE query: every count of every source, grouped by task (``task_ids``; None: no task filter) and, with
    ``by_child``, by the region one level below the scope's (None: the level itself)."""
    child = child_field(scope)
    parts = []
    for source in ALL_SOURCES.values():
        qs = source.in_scope(scope)
        if task_ids is None:
            qs = qs.annotate(t=NO_ID)
        else:  # one row per task a record is tagged with (filtered on the annotation: the same join)
            qs = qs.annotate(t=F(f"{source.task_field}__id")).filter(t__in=task_ids)
        qs = qs.annotate(src=Value(source.key), child=F(f"{source.path}{child}_id") if by_child else NO_ID)
        parts.append(qs.values("t", "src", "child").annotate(**count_columns(source, today)).order_by())
    return parts[0].union(*parts[1:], all=True)


def _counts(scope: Scope, today: date, *, task_ids: list[int] | None, own: int | None, by_child: bool) -> Counts:
    out: Counts = {}
    for row in _count_query(scope, today, task_ids=task_ids, by_child=by_child):
        child = row["child"] if by_child and row["child"] != own else None
        bucket = out.setdefault((row["t"], child), dict.fromkeys(COUNT_SOURCE, 0))
        for i, name in enumerate(ALL_SOURCES[row["src"]].counts):
            bucket[name] += int(row[f"c{i}"] or 0)
    return out


def _sum(counts: Iterable[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for bucket in counts:
        for name, value in bucket.items():
            total[name] += value
    return dict(total)


def level_counts(
    targets: list[Target],
    region: Region | None,
    period: Scope,
    today: date,
    *,
    by_child: bool,
    version: str | None = None,
) -> Counts:
    """The counts the targets need (at most two queries: the whole-mechanism ones, the task ones), through the
    statistics' short cache (``stats.cache``: exact while the data's version holds) when it is on."""
    scope = _scope(period, region)
    own = region.pk if region is not None and region.level != Region.Level.PROVINCE else None
    task_ids = sorted({t.task_id for t in targets if t.task_id is not None})
    if version is None:
        version = data_version() if cache_seconds() > 0 else ""
    out: Counts = {}
    if any(t.task_id is None for t in targets):
        key: tuple[Any, ...] = (scope, today, None, by_child)
        out.update(
            cached("targets", key, version, lambda: _counts(scope, today, task_ids=None, own=own, by_child=by_child))
        )
    if task_ids:
        key = (scope, today, tuple(task_ids), by_child)
        out.update(
            cached(
                "targets", key, version, lambda: _counts(scope, today, task_ids=task_ids, own=own, by_child=by_child)
            )
        )
    return out


def regions_below(region: Region | None, regions: list[Region] | None = None) -> list[Region]:
    """The 市州 of the province, the 县市区 of a 市州; none below a 县市区. From ``regions`` (a list holding them,
    e.g. the regions the user reads) when given, else one query (none for a 县市区)."""
    if region is not None and region.level == Region.Level.COUNTY:
        return []
    parent = None if region is None or region.level == Region.Level.PROVINCE else region.pk
    if regions is not None:
        below = [r for r in regions if (r.parent_id == parent if parent else r.level == Region.Level.CITY)]
        return sorted(below, key=lambda r: (r.order, r.code))
    if parent is None:
        return list(Region.objects.filter(level=Region.Level.CITY).order_by("order", "code"))
    return list(Region.objects.filter(parent_id=parent).order_by("order", "code"))


def target_rows(
    *,
    year: int,
    region: Region | None,
    task: WorkTask | int | None = None,
    today: date | None = None,
    regions: list[Region] | None = None,
    version: str | None = None,
) -> list[TargetRow]:
    """The level's targets of the year (one task's, or all with ``task`` None) beside their actual figures,
    each with the same per region one level below. ``region`` None is the province. ``regions``: a list holding
    the regions below (``stats.selectors.reachable_regions``), to spare the query that reads them.

    Queries: one for the targets (nothing more when there are none), one for the regions below unless given,
    at most two for the figures (plus the data version when the statistics cache is on)."""
    today = today or timezone.localdate()
    qs = Target.objects.filter(year=year).select_related("task", "region")
    if region is None or region.level == Region.Level.PROVINCE:
        qs = qs.filter(region__level=Region.Level.PROVINCE)
    else:
        qs = qs.filter(region=region)
    if task is not None:
        qs = qs.filter(task_id=task.pk if isinstance(task, WorkTask) else task)
    targets = sorted(qs, key=lambda t: (t.task.number if t.task else 0, _figure_order(t.figure)))
    if not targets:
        return []
    level = targets[0].region
    period = period_of(year, today)
    below = regions_below(level, regions)
    counts = level_counts(targets, level, period, today, by_child=bool(below), version=version) if period else None
    return [_row(t, counts, below) for t in targets if t.figure in FIGURES_BY_KEY]


def _figure_order(key: str) -> int:
    return next((i for i, f in enumerate(FIGURES) if f.key == key), len(FIGURES))


def _row(target: Target, counts: Counts | None, below: list[Region]) -> TargetRow:
    figure = FIGURES_BY_KEY[target.figure]
    mine = {child: c for (t, child), c in (counts or {}).items() if t == target.task_id}
    reading = judge(target, figure, _sum(mine.values()) if counts is not None else None)
    row = TargetRow(**vars(reading), target=target, figure=figure)
    zero = dict.fromkeys(COUNT_SOURCE, 0)
    for region in below:
        sub = judge(target, figure, mine.get(region.pk, zero) if counts is not None else None)
        row.regions.append(RegionReading(**vars(sub), region=region))
    if below:
        row.own = RegionReading(**vars(judge(target, figure, mine.get(None, zero) if counts is not None else None)))
    return row


def readings(targets: list[Target], *, today: date | None = None) -> dict[int, Reading]:
    """The actual figure of each target for its whole level (the API's list): at most two queries per
    (year, level) among ``targets``, whatever their number."""
    today = today or timezone.localdate()
    groups: dict[tuple[int, int], list[Target]] = defaultdict(list)
    for target in targets:
        groups[(target.year, target.region_id)].append(target)
    out: dict[int, Reading] = {}
    for (year, _region), members in groups.items():
        period = period_of(year, today)
        counts = level_counts(members, members[0].region, period, today, by_child=False) if period else None
        for target in members:
            figure = FIGURES_BY_KEY.get(target.figure)
            if figure is not None:
                mine = counts.get((target.task_id, None), {}) if counts is not None else None
                out[target.pk] = judge(target, figure, mine)
    return out
