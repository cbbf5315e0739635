"""Reads of enforcement cases. ``visible_to`` is the one scope every page, export, picker and API view starts from.

Scope by level (``members.levels.reach_of``): administrators and the provincial office and leaders read every
case; the office and leaders of a 市州 or 县市区 the cases living in their region or below (a case lives where its
court is); a court clerk their court's cases and, read-only, those of the courts below; a liaison the cases their
unit (or a sub-unit) worked on as a partner. Outside: 404.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from cases.enforcement.models import EnforcementCase
from members.levels import reach_of
from members.models import User

Partners = EnforcementCase.partner_units.through
CENT = Decimal("0.01")


def visible_to(user: User) -> QuerySet[EnforcementCase]:
    """Every enforcement case ``user`` may read."""
    qs = EnforcementCase.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    reach = reach_of(user)
    if reach.everything:
        return qs
    if reach.nothing:
        return qs.none()
    scope = Q(pk__in=[])
    if reach.region is not None:
        scope |= reach.region_q()
    if reach.all_courts or reach.court_ids:
        scope |= reach.courts_q("court")
    if reach.unit_ids:
        scope |= Q(Exists(Partners.objects.filter(enforcementcase_id=OuterRef("pk"), memberunit_id__in=reach.unit_ids)))
    return qs.filter(scope)


def list_rows(qs: QuerySet[EnforcementCase]) -> QuerySet[EnforcementCase]:
    """What a list row shows: the court (one join) and the partner units (one prefetch)."""
    return qs.select_related("court").prefetch_related("partner_units")


def case_get(user: User, pk: Any) -> EnforcementCase:
    """One case in the user's scope, or 404."""
    try:
        return (
            visible_to(user)
            .select_related("court", "created_by", "region")
            .prefetch_related("partner_units", "tasks", "referrals__kind")
            .get(pk=int(pk))
        )
    except (EnforcementCase.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


#: Totals over this many cases or more are kept a minute in the cache, as the lists' counts are
#: (``fuyuan.lib.listing.DeepPaginator``): the province's list sums every case on each view otherwise.
CACHE_TOTALS_FROM = 5000
CACHE_SECONDS = 60


def totals(qs: QuerySet[EnforcementCase]) -> dict[str, Any]:
    """The number of cases and the two amounts (exact decimals, 0.00 for none) of a filtered list, in one
    aggregate (or from the cache, for large lists)."""
    qs = qs.order_by()
    try:
        sql, params = qs.values("pk").query.sql_with_params()
    except EmptyResultSet:
        return {"cases": 0, "amount_recovered": Decimal("0.00"), "amount_paid": Decimal("0.00")}
    key = "enforcement-totals:" + hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    values = qs.aggregate(cases=Count("pk"), amount_recovered=Sum("amount_recovered"), amount_paid=Sum("amount_paid"))
    for name in ("amount_recovered", "amount_paid"):  # two decimals on SQLite too
        values[name] = Decimal(str(values[name] or 0)).quantize(CENT)
    if values["cases"] >= CACHE_TOTALS_FROM:
        cache.set(key, values, CACHE_SECONDS)
    return values
