"""Writes of the statistics: freezing a period's figures, and preparing the quarterly report."""

from __future__ import annotations

import calendar
import logging
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.lib.dbrouter import use_replica
from fuyuan.lib.errors import Busy, NotPermitted, TransitionNotAllowed
from fuyuan.lib.workdays import is_working_day
from members.models import User
from members.roles import Role, has_role
from members.selectors import office_staff
from members.services import notify
from stats.breakdowns import breakdowns
from stats.cache import cache_seconds
from stats.drilldown import drill_counts
from stats.figures import compute
from stats.models import PreparedReport, Snapshot
from stats.periods import previous_quarter, quarter_bounds
from stats.report import report_docx, report_title
from stats.scope import Scope
from stats.selectors import dashboard

logger = logging.getLogger(__name__)


def snapshot_freeze(*, scope: Scope, by: User | None, label: str = "", note: str = "") -> Snapshot:
    """Freeze the figures of a period and filter as they are now. Only the office (or an administrator).

    Later edits to old records no longer change what the frozen period shows.
    """
    if by is not None and not has_role(by, Role.OFFICE, Role.ADMIN):
        raise NotPermitted(_("只有领导小组办公室可以冻结统计数据。"))
    key = Snapshot.make_key(scope.start, scope.end, scope.region, scope.task, scope.unit)
    try:
        with transaction.atomic():
            if Snapshot.objects.select_for_update().filter(key=key).exists():
                raise TransitionNotAllowed(_("该期间的统计数据已经冻结。"))
            return Snapshot.objects.create(
                key=key,
                start=scope.start,
                end=scope.end,
                region_id=scope.region,
                task_id=scope.task,
                unit_id=scope.unit,
                label=label[:100],
                note=note,
                data=_fresh_data(scope),
                frozen_at=timezone.now(),
                frozen_by=by,
            )
    except IntegrityError:  # a concurrent freeze of the same period won
        raise TransitionNotAllowed(_("该期间的统计数据已经冻结。")) from None


def _fresh_data(scope: Scope) -> dict:
    """Counted now, never from the cache: what is frozen must be what the records say at this moment."""
    computed = compute(scope)
    return {
        # Amounts (Decimal) frozen as their exact text ("2236000000.00"); Figure.result reads either.
        "counts": {k: f"{v:.2f}" if isinstance(v, Decimal) else v for k, v in computed.counts.items()},
        "monthly": computed.monthly,
        "breakdowns": breakdowns(scope),
        "drill": drill_counts(scope, computed.today),
        "today": computed.today.isoformat(),
    }


def snapshot_unfreeze(*, snapshot: Snapshot, by: User) -> None:
    if not has_role(by, Role.OFFICE, Role.ADMIN):
        raise NotPermitted(_("只有领导小组办公室可以解除冻结。"))
    with transaction.atomic():
        Snapshot.objects.select_for_update().filter(pk=snapshot.pk).delete()


def first_working_day_of_quarter(day: date) -> bool:
    """Whether ``day`` is the first working day (Chinese official calendar) of its quarter."""
    start, _end = quarter_bounds(day.year, (day.month - 1) // 3 + 1)
    probe = start
    while not is_working_day(probe):
        probe = date.fromordinal(probe.toordinal() + 1)
    return probe == day


def prepare_quarterly_report(*, today: date | None = None, force: bool = False) -> PreparedReport | None:
    """On the first working day of a quarter, write the report on the quarter just ended and tell the office.

    Safe to run twice: one report per period (a unique constraint), one notice per recipient.
    """
    today = today or timezone.localdate()
    if not force and not first_working_day_of_quarter(today):
        return None
    year, quarter = previous_quarter(today)
    start, end = quarter_bounds(year, quarter)
    report = PreparedReport.objects.filter(start=start, end=end).first()
    if report is None:
        scope = Scope(start, end)
        with use_replica():  # a quarter that has ended: the replica's copy is as good
            content = report_docx(scope, title=report_title(start, end))
        try:
            with transaction.atomic():
                report = PreparedReport(start=start, end=end, title=report_title(start, end))
                report.document.save(f"report-{start:%Y}-q{quarter}.docx", ContentFile(content), save=False)
                report.save()
        except IntegrityError:
            report = PreparedReport.objects.get(start=start, end=end)
    url = reverse("stats-report") + f"?period=quarter&year={year}&quarter={quarter}"
    notify(event="stats_report_ready", obj=report, stage="ready", recipients=office_staff(), url=url)
    return report


def warm_dashboard_cache(*, today: date | None = None) -> int:
    """Count the periods the office opens most (this and last year, this quarter and month, five years) ahead
    of time, so the first view after a change is served from the cache. Unchanged data costs one query each."""
    if cache_seconds() <= 0:
        return 0
    today = today or timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    month_end = calendar.monthrange(year, today.month)[1]
    scopes = [
        Scope(date(year, 1, 1), date(year, 12, 31)),
        Scope(date(year - 1, 1, 1), date(year - 1, 12, 31)),
        Scope(*quarter_bounds(year, quarter)),
        Scope(date(year, today.month, 1), date(year, today.month, month_end)),
        Scope(date(year - 4, 1, 1), date(year, 12, 31)),
    ]
    for done, scope in enumerate(scopes):
        try:
            dashboard(scope, today=today, every_unit=False)  # what the page reads, waiting as long as a page
        except Busy:  # a rebuild or a large import holds the rollups: the next run warms them
            logger.info("stats: the dashboard cache warmer skipped its run (the rollups are busy)")
            return done
    return len(scopes)
