"""Reads of consultations. ``visible_to`` is the scope: every page, export and API view starts from it.

Office, leaders and administrators see every consultation; a liaison or a court clerk sees those
their unit logged or took part in. Anything else is 404.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from meetings.consultations.models import Consultation
from meetings.meetings import selectors as meeting_selectors
from meetings.meetings.selectors import scope
from members.models import User


def _of_unit(qs: QuerySet[Consultation], unit_id: int) -> QuerySet[Consultation]:
    # A UNION of two index scans: "logged OR took part" as OR EXISTS made PostgreSQL scan every row.
    # Neither part is ordered (Consultation's default ordering is cleared): SQLite refuses an ORDER BY
    # inside a compound statement, and the union's order means nothing to ``pk IN (...)`` anyway.
    logged = Consultation.objects.filter(logging_unit_id=unit_id).order_by().values("pk")
    took_part = Consultation.units.through.objects.filter(memberunit_id=unit_id).order_by().values("consultation_id")
    return qs.filter(pk__in=logged.union(took_part))


def visible_to(user: User) -> QuerySet[Consultation]:
    return scope(Consultation.objects.all(), user, _of_unit)


def with_meeting_shown(qs: QuerySet[Consultation], user: User) -> QuerySet[Consultation]:
    """Annotate ``meeting_shown``: the consultation names a meeting that ``user`` may see.

    A consultation is in the scope of every unit that took part, the meeting it names only in the scope of
    that meeting's convener and invitees: the record page, the list, the export and the API show the meeting
    (its title, its link, its id) only when ``meeting_shown`` is true.
    """
    visible = meeting_selectors.visible_to(user).filter(pk=OuterRef("meeting_id"))
    return qs.annotate(meeting_shown=Exists(visible))
