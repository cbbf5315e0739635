"""Reading the library: what a user may see (``visible_to``), what is new for them, and search."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import OrderBy

from library.audience import reader_keys
from library.models import DocumentAudience, DocumentRead, LibraryDocument
from members.levels import reach_of
from members.models import MemberUnit, User

Status = LibraryDocument.Status
#: Newest first, drafts (no publication time) last: the order of the ``library_newest`` index (migration 0003).
#: Lists and searches by date use it so that PostgreSQL reads the newest rows first and stops at the page.
NEWEST: tuple[OrderBy, ...] = (F("published_at").desc(nulls_last=True), F("id").desc())


def visible_to(user: User) -> QuerySet[LibraryDocument]:
    """Published documents whose audience includes the user's unit; everything published in the region of
    office staff and leaders (everything for the province's and administrators); and every document, draft
    or withdrawn too, of the user's own unit."""
    qs = LibraryDocument.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    reach = reach_of(user)
    own = Q(publisher_unit_id=user.unit_id) if user.unit_id else Q(created_by=user)
    if reach.everything:
        return qs.filter(Q(status=Status.PUBLISHED) | own)
    in_audience = Q(pk__in=DocumentAudience.objects.filter(key__in=reader_keys(user)).values("document_id"))
    return qs.filter((Q(status=Status.PUBLISHED) & (in_audience | reach.region_q())) | own)


def new_for(user: User) -> QuerySet[LibraryDocument]:
    """Published documents in the user's audience that the user has not opened, newest first."""
    keys = reader_keys(user)
    audience = DocumentAudience.objects.filter(key__in=keys).values("document_id")
    read = DocumentRead.objects.filter(user=user, document=OuterRef("pk"))
    return (
        LibraryDocument.objects.filter(status=Status.PUBLISHED, pk__in=audience).exclude(Exists(read)).order_by(*NEWEST)
    )


# --- Added by the library's pages and API (issue 18, part 3) -----------------------------------------


def with_read(qs: QuerySet[LibraryDocument], user: User) -> QuerySet[LibraryDocument]:
    """``qs`` with ``is_read`` (the user opened it) as one EXISTS per row, not a query each."""
    if not getattr(user, "is_authenticated", False):
        return qs.annotate(is_read=Value(False))
    return qs.annotate(is_read=Exists(DocumentRead.objects.filter(user=user, document=OuterRef("pk"))))


def list_rows(qs: QuerySet[LibraryDocument], user: User) -> QuerySet[LibraryDocument]:
    """The rows of a list page or the API: the publisher unit, tasks and tags joined, and ``is_read``."""
    return with_read(qs, user).select_related("publisher_unit").prefetch_related("tasks", "tags")


def document_detail(user: User, pk: int) -> LibraryDocument:
    """One document in the user's scope (``DoesNotExist`` outside it), with its relations."""
    return (
        with_read(visible_to(user), user)
        .select_related("publisher_unit__region", "created_by", "published_by")
        .prefetch_related("tasks", "tags", "audience_regions", "audience_units")
        .get(pk=pk)
    )


def audience_units(document: LibraryDocument) -> QuerySet[MemberUnit]:
    """The active units in a document's audience, by the same rule as its keys (``library.audience``): the
    units in the publisher's region and below ("all"), of the chosen levels there, in the chosen regions and
    below, or the chosen units."""
    from members.levels import unit_region_q

    unit = document.publisher_unit
    region = unit.region if unit.region_id else None
    units = MemberUnit.objects.filter(active=True)
    kind = document.audience
    if kind == LibraryDocument.Audience.ALL:
        return units.filter(unit_region_q(region))
    if kind == LibraryDocument.Audience.LEVELS:
        return units.filter(unit_region_q(region), level__in=document.audience_levels or [])
    if kind == LibraryDocument.Audience.REGIONS:
        where = Q(pk__in=[])
        for chosen in document.audience_regions.all():
            where |= unit_region_q(chosen)
        return units.filter(where)
    return MemberUnit.objects.filter(pk__in=document.audience_units.values("pk"))


def receipts(document: LibraryDocument, *, unread_limit: int = 200) -> dict[str, Any]:
    """The read receipts per unit, for the publisher: ``read`` (unit, readers with who and when, in the order
    of the first reading), ``unread`` (audience units none of whose users opened it, at most ``unread_limit``)
    and the counts. Three queries, whatever the audience's size."""
    audience = audience_units(document)
    reads = list(
        DocumentRead.objects.filter(document=document).select_related("user", "unit").order_by("read_at", "pk")
    )
    by_unit: dict[int | None, dict[str, Any]] = {}
    for row in reads:
        entry = by_unit.setdefault(row.unit_id, {"unit": row.unit, "readers": [], "first_read_at": row.read_at})
        entry["readers"].append(row)
    read_ids = [pk for pk in by_unit if pk is not None]
    unread_qs = audience.exclude(pk__in=read_ids).order_by("level", "order", "id")
    audience_count = audience.count()
    unread = list(unread_qs.select_related("region")[:unread_limit])
    in_audience = set(audience.filter(pk__in=read_ids).values_list("pk", flat=True)) if read_ids else set()
    read_rows = list(by_unit.values())
    for entry in read_rows:
        entry["in_audience"] = entry["unit"] is not None and entry["unit"].pk in in_audience
    read_in_audience = len(in_audience)
    return {
        "read": read_rows,
        "unread": unread,
        "audience_count": audience_count,
        "read_count": read_in_audience,
        "unread_count": audience_count - read_in_audience,
        "unread_more": max(0, audience_count - read_in_audience - len(unread)),
        "readers": len(reads),
    }
