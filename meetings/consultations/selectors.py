"""Reads of consultations. ``visible_to`` is the scope: every page, export and API view starts from it.

The scope follows the levels (``meetings.meetings.selectors.scope``): everything for administrators and
the provincial office and leaders; the consultations living in their region or below (a consultation
lives in its logging unit's region) for the office and leaders of a 市州 or 县市区; for a liaison those
their unit or a sub-unit logged or took part in; for a court clerk the same for their court and the
courts below it. Anything else is 404.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from meetings.consultations.models import Consultation
from meetings.meetings import selectors as meeting_selectors
from meetings.meetings.selectors import scope
from members.models import MemberUnit, User


def _of_units(qs: QuerySet[Consultation], unit_ids: tuple[int, ...] | None) -> QuerySet[Consultation]:
    # A UNION of two index scans: "logged OR took part" as OR EXISTS made PostgreSQL scan every row.
    # Neither part is ordered (Consultation's default ordering is cleared): SQLite refuses an ORDER BY
    # inside a compound statement, and the union's order means nothing to ``pk IN (...)`` anyway.
    if unit_ids is None:  # every court's consultations (a High Court clerk)
        court = MemberUnit.Kind.COURT
        logged = Consultation.objects.filter(logging_unit__kind=court)
        took_part = Consultation.units.through.objects.filter(memberunit__kind=court)
    else:
        logged = Consultation.objects.filter(logging_unit_id__in=unit_ids)
        took_part = Consultation.units.through.objects.filter(memberunit_id__in=unit_ids)
    union = logged.order_by().values("pk").union(took_part.order_by().values("consultation_id"))
    return qs.filter(pk__in=union)


def visible_to(user: User) -> QuerySet[Consultation]:
    return scope(Consultation.objects.all(), user, _of_units)


def with_meeting_shown(qs: QuerySet[Consultation], user: User) -> QuerySet[Consultation]:
    """Annotate ``meeting_shown``: the consultation names a meeting that ``user`` may see.

    A consultation is in the scope of every unit that took part, the meeting it names only in the scope of
    that meeting's convener and invitees: the record page, the list, the export and the API show the meeting
    (its title, its link, its id) only when ``meeting_shown`` is true.
    """
    visible = meeting_selectors.visible_to(user).filter(pk=OuterRef("meeting_id"))
    return qs.annotate(meeting_shown=Exists(visible))
