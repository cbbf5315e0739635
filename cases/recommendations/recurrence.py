"""问题复发: a draft to an agency that adopted a recommendation of the same category not long ago.

``FUYUAN_RECOMMENDATION_RECURRENCE_MONTHS`` (12) is the window: an earlier recommendation of the same
court or any other, to the same addressee, of the same category, adopted (fully or partly) within this
many calendar months before now. The draft links to them (``recurrence_of``) when it is written and
again when it is issued; issuing one that recurs tells the supervising authority and the office of the
record's level (通报), and the figure ``recommendation_recurrences`` counts it.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from cases.recommendations.alerts import send_notice
from cases.recommendations.models import JudicialRecommendation
from fuyuan.lib.inserts import insert_ignoring_conflicts
from fuyuan.lib.workdays import add_months, day_start
from members.roles import Role
from members.selectors import ContactDirectory


def window_months() -> int:
    return int(getattr(settings, "FUYUAN_RECOMMENDATION_RECURRENCE_MONTHS", 12))


def earlier(rec: JudicialRecommendation, *, now: datetime | None = None) -> QuerySet[JudicialRecommendation]:
    """The adopted recommendations of the window that this one repeats (the indexed recurrence lookup)."""
    now = now or timezone.now()
    since = day_start(add_months(timezone.localdate(now), -window_months()))
    return (
        JudicialRecommendation.objects.filter(
            addressee_id=rec.addressee_id,
            category=rec.category,
            reply_outcome__in=JudicialRecommendation.ADOPTING,
            replied_at__gte=since,
            replied_at__lte=now,
        )
        .exclude(pk=rec.pk)
        .order_by("-replied_at", "-id")
    )


def link(rec: JudicialRecommendation, *, now: datetime | None = None) -> None:
    """Set ``recurrence_of`` from :func:`earlier` (a draft's flag; fixed for good at issue).

    What ``recurrence_of.set()`` does, without a model instance per link (nothing listens to this relation's
    ``m2m_changed``): the links no longer wanted deleted in one statement, the missing ones inserted in one
    (``insert_ignoring_conflicts``). An agency that adopted hundreds of the category gives a draft hundreds of links.
    """
    wanted = set(earlier(rec, now=now).values_list("pk", flat=True))
    through = JudicialRecommendation.recurrence_of.through
    links = through.objects.filter(from_judicialrecommendation_id=rec.pk)
    links.exclude(to_judicialrecommendation_id__in=wanted).delete()
    have = set(links.values_list("to_judicialrecommendation_id", flat=True))
    rows = [(rec.pk, pk) for pk in sorted(wanted - have)]
    insert_ignoring_conflicts(through, ["from_judicialrecommendation_id", "to_judicialrecommendation_id"], rows)
    getattr(rec, "_prefetched_objects_cache", {}).pop("recurrence_of", None)  # as set() does: read them anew


def tell_supervisor(rec: JudicialRecommendation) -> int:
    """The recurrence notice of an issued recommendation: the supervising authority's liaisons and the
    office of the record's level. Nothing when it does not recur."""
    previous = list(rec.recurrence_of.order_by("-replied_at", "-id"))
    if not previous:
        return 0
    people = ContactDirectory()
    recipients = [*people.contacts([rec.supervisor_id], roles=(Role.LIAISON,)), *people.office_for(rec.region_id)]
    return send_notice(rec, "recurrence", "recurrence", recipients, previous=previous, months=window_months())
