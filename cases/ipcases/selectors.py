"""Reads of IP cases. ``visible_to`` is the scope: every page, export, filter choice and API view starts from it.

Scope by level (``members.levels.reach_of``): administrators and the provincial office and leaders read
every case; the office and leaders of a 市州 or 县市区 the cases living in their region or below (a case lives
in its court's region); a court clerk their court's cases and, read-only, those of the courts below it (the
High Court's clerks every court's); a liaison the cases of their unit or a sub-unit, as the court or as the
mediation organisation. Anything else is 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cases.ipcases.models import IPCase
from members.levels import reach_of, unit_region_q
from members.models import MemberUnit, User


def visible_to(user: User) -> QuerySet[IPCase]:
    """The IP cases ``user`` may read."""
    if not getattr(user, "is_authenticated", False):
        return IPCase.objects.none()
    reach = reach_of(user)
    if reach.everything:
        return IPCase.objects.all()
    parts = reach.region_q() | reach.courts_q("court")
    if reach.unit_ids:
        parts |= Q(court_id__in=reach.unit_ids) | Q(mediated_by_id__in=reach.unit_ids)
    return IPCase.objects.filter(parts)


def court_choices(user: User) -> list[tuple[int, str]]:
    """The courts whose cases ``user`` may read, for the list's court filter (one query)."""
    reach = reach_of(user)
    courts = MemberUnit.objects.filter(kind=MemberUnit.Kind.COURT)
    if not (reach.everything or reach.all_courts):
        ids = {*reach.court_ids, *reach.unit_ids}
        parts = Q(pk__in=sorted(ids))
        if reach.region is not None:
            parts |= unit_region_q(reach.region)
        courts = courts.filter(parts)
    return list(courts.order_by("region__code", "court_level", "name").values_list("pk", "name"))


def list_rows(qs: QuerySet[IPCase]) -> QuerySet[IPCase]:
    """What a list row shows, in one query (the court, the mediation organisation, the region)."""
    return qs.select_related("court", "mediated_by", "region")


def _field_label(name: str) -> str:
    found = IPCase._meta.get_field(name)
    return str(getattr(found, "verbose_name", name))


def history_of(case: IPCase) -> list[dict[str, object]]:
    """The case's timeline: who recorded it and each later change (django-simple-history), oldest first."""
    rows = case.history.select_related("history_user").order_by("history_date", "history_id")
    timeline: list[dict[str, object]] = []
    previous = None
    for row in rows:
        changed: list[str] = []
        if previous is not None:
            changed = [_field_label(c.field) for c in row.diff_against(previous).changes]
        timeline.append(
            {
                "at": row.history_date,
                "by": row.history_user,
                "type": row.history_type,
                "changed": changed,
            }
        )
        previous = row
    return timeline
