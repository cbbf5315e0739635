"""The one traffic-light rule of every record with a due date (recommendations, referrals, decisions…).

A record's light depends only on whether it is still open, its due date and today:
grey when closed (or no due date), red when the due date has passed, yellow when it falls within
the record kind's warning window (``settings.FUYUAN_LIGHT_WINDOW_DAYS[kind]``), green otherwise.
``attention=True`` (e.g. a referral left unacknowledged too long) makes a green light yellow.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Self, TypeVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GREY, GREEN, YELLOW, RED = "grey", "green", "yellow", "red"
LIGHTS = (RED, YELLOW, GREEN, GREY)
# The lights in words: the dot's tooltip and screen-reader text, and the legends.
LIGHT_LABELS = {RED: _("逾期"), YELLOW: _("临期"), GREEN: _("正常"), GREY: _("已办结或无期限")}


def light_window(kind: str) -> int:
    """Days before the due date at which a record of this kind turns yellow."""
    return int(settings.FUYUAN_LIGHT_WINDOW_DAYS[kind])


def light(*, kind: str, due: date | None, is_open: bool, today: date | None = None, attention: bool = False) -> str:
    if not is_open:
        return GREY
    today = today or timezone.localdate()
    if due is not None and due < today:
        return RED
    if attention or (due is not None and (due - today).days <= light_window(kind)):
        return YELLOW
    return GREEN if due is not None else GREY


def light_counts(lights: list[str]) -> dict[str, int]:
    """How many of each light, every light present (0 when none)."""
    return {name: lights.count(name) for name in LIGHTS}


_M = TypeVar("_M", bound=Model)


class OverdueQuerySet(QuerySet[_M]):
    """The one rule of "overdue" for a model with a due date: still open for it, and past the due date.

    The model says which statuses keep the clock running (``OVERDUE_STATUSES``) and which field holds
    the due date (``DUE_FIELD``), and declares ``objects = OverdueQuerySet.as_manager()``.
    ``Model.objects.overdue(today=None)`` lists them and ``not_overdue`` the rest; ``overdue_q`` is the
    same condition for an aggregate's ``filter=``; :func:`is_overdue` tells it of one loaded record.
    """

    def overdue_q(self, today: date | None = None) -> Q:
        model: Any = self.model  # a model declaring OVERDUE_STATUSES and DUE_FIELD
        return Q(status__in=model.OVERDUE_STATUSES, **{f"{model.DUE_FIELD}__lt": today or timezone.localdate()})

    def due_set_q(self) -> Q:
        """Every record in an overdue status with a due date: ``overdue_q`` on any day is these less
        :meth:`not_yet_due_q` (what the figures keep counted, ``stats.sources.Source.less``)."""
        model: Any = self.model
        return Q(status__in=model.OVERDUE_STATUSES, **{f"{model.DUE_FIELD}__isnull": False})

    def not_yet_due_q(self, today: date | None = None) -> Q:
        """The records in an overdue status not yet overdue on ``today`` (due today or later)."""
        model: Any = self.model
        return Q(status__in=model.OVERDUE_STATUSES, **{f"{model.DUE_FIELD}__gte": today or timezone.localdate()})

    def overdue(self, today: date | None = None) -> Self:
        return self.filter(self.overdue_q(today))

    def not_overdue(self, today: date | None = None) -> Self:
        return self.exclude(self.overdue_q(today))


def is_overdue(record: Any, today: date | None = None) -> bool:
    """:meth:`OverdueQuerySet.overdue_q` for one record already loaded."""
    due = getattr(record, record.DUE_FIELD)
    return record.status in record.OVERDUE_STATUSES and due is not None and due < (today or timezone.localdate())
