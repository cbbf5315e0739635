"""The follow-through conditions (issue 17) written once: the figures count by them (``stats.sources``) and the
recommendation list selects by them (``cases.recommendations.filters``), so a figure's number and the list
behind it cannot disagree.

- adopted: replied, adopting fully or partly;
- rectification: adopted with a rectification deadline (整改期限), the figures' cohort dated by that deadline;
- rectified: the follow-up visit found it rectified, or, not visited yet, the agency reported it done
  (a visit's result, when there is one, decides: "partly" or "not rectified" is not rectified);
- due for rectification (应已整改): of the cohort, the deadline passed before today, or already rectified;
- recurrence (问题复发): an issued recommendation (not withdrawn) that repeats earlier adopted ones of the same
  addressee and category (``recurrence_of``; a draft's flag is a warning, not yet a recurrence).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q

from cases.recommendations.models import JudicialRecommendation

R = JudicialRecommendation
VisitResult = R.VisitResult


def replied_q() -> Q:
    return Q(replied_at__isnull=False)


def adopted_q() -> Q:
    return Q(replied_at__isnull=False, reply_outcome__in=R.ADOPTING)


def rectification_q() -> Q:
    """Adopted (fully or partly) with a rectification deadline: what the rectification figures count among."""
    return Q(reply_outcome__in=R.ADOPTING, rectification_due__isnull=False)


def rectified_q() -> Q:
    return Q(visit_result=VisitResult.RECTIFIED) | Q(visit_result="", rectified_at__isnull=False)


def due_for_rectification_q(today: date) -> Q:
    """Adopted, and the rectification deadline passed (the deadline day itself still counts as in time) or the
    rectification is done."""
    return rectification_q() & (Q(rectification_due__lt=today) | rectified_q())


def visited_q() -> Q:
    return Q(visited_on__isnull=False)


def not_rectified_q() -> Q:
    return Q(visit_result=VisitResult.NOT_RECTIFIED)


def recurrence_q() -> Q:
    # A correlated EXISTS: one probe of the links' index per record. ``id IN (SELECT …)`` over every link was hashed
    # only while the links fitted ``work_mem``; past that (330,000 links) PostgreSQL scanned them all once per
    # record, so the ledger of five recommendations took 190 ms instead of 0.1 ms, and a year of 100,000 never ended.
    recurring = R.recurrence_of.through.objects.filter(from_judicialrecommendation_id=OuterRef("pk"))
    return Q(issued_on__isnull=False) & ~Q(status=R.Status.WITHDRAWN) & Q(Exists(recurring))
