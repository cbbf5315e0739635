"""Reads of decisions. ``visible_to`` is the scope: every page, export and API view starts from it.

The scope follows the levels (``meetings.meetings.selectors.scope``): everything for administrators and
the provincial office and leaders; the decisions living in their region or below (a decision lives in
its meeting's region) for the office and leaders of a 市州 or 县市区; for a liaison those their unit or a
sub-unit owns or supports, or took at a meeting it convened; for a court clerk the same for their court
and the courts below it. Anything else is 404.
"""

from __future__ import annotations

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value

from meetings.decisions.models import Decision, DecisionProgress
from meetings.meetings import selectors as meeting_selectors
from meetings.meetings.selectors import scope, unit_ids_of
from members.levels import reach_of
from members.models import MemberUnit, User


def _of_units(qs: QuerySet[Decision], unit_ids: tuple[int, ...] | None) -> QuerySet[Decision]:
    through = Decision.supporting_units.through.objects.filter(decision=OuterRef("pk"))
    if unit_ids is None:  # every court's decisions (a High Court clerk)
        court = MemberUnit.Kind.COURT
        supports = through.filter(memberunit__kind=court)
        return qs.filter(Q(owner_unit__kind=court) | Exists(supports) | Q(meeting__convener__kind=court))
    supports = through.filter(memberunit_id__in=unit_ids)
    # The convening unit follows up the decisions of its own meetings too.
    return qs.filter(Q(owner_unit_id__in=unit_ids) | Exists(supports) | Q(meeting__convener_id__in=unit_ids))


def visible_to(user: User) -> QuerySet[Decision]:
    return scope(Decision.objects.all(), user, _of_units)


def with_meeting_shown(qs: QuerySet[Decision], user: User) -> QuerySet[Decision]:
    """Annotate ``meeting_shown``: the decision's meeting is in ``user``'s scope too.

    An owner or supporting unit that was not invited sees the decision, not its meeting: the pages and the
    API name the meeting (title, link, id) only when ``meeting_shown``. Those who read by region read the
    meeting too (a decision lives where its meeting does): no subquery for them.
    """
    reach = reach_of(user)
    if reach.everything or (reach.region is not None and not unit_ids_of(user, reach) and not reach.all_courts):
        return qs.annotate(meeting_shown=Value(True, output_field=BooleanField()))
    visible = meeting_selectors.visible_to(user).filter(pk=OuterRef("meeting_id"))
    return qs.annotate(meeting_shown=Exists(visible))


def open_for_home(*, user: User, limit: int) -> list[Decision]:
    """Open decisions for the home page: the unit's own for a unit's people; the most overdue of their scope
    (all, or their region's) for the office and leaders."""
    reach = reach_of(user)
    if reach.everything or reach.region is not None:
        qs = visible_to(user)
    else:
        qs = Decision.objects.filter(owner_unit_id=user.unit_id)
    qs = qs.filter(status=Decision.Status.OPEN)
    return list(qs.select_related("owner_unit").order_by("due", "id")[:limit])


def progress_visible_to(user: User) -> QuerySet[DecisionProgress]:
    """The progress reports of the decisions ``user`` may see (their attachments' scope)."""
    return DecisionProgress.objects.filter(decision__in=visible_to(user))
