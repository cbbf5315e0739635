"""Reading the library: what a user may see (``visible_to``), what is new for them, and search."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import OrderBy

from library.audience import reader_keys
from library.models import DocumentAudience, DocumentRead, LibraryDocument
from members.levels import reach_of
from members.models import User

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
