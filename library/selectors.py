"""Reading the library: what a user may see (``visible_to``), what is new for them, and search."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from library.audience import reader_keys
from library.models import DocumentAudience, DocumentRead, LibraryDocument
from members.levels import reach_of
from members.models import User

Status = LibraryDocument.Status


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
    in_audience = Exists(DocumentAudience.objects.filter(document=OuterRef("pk"), key__in=reader_keys(user)))
    return qs.filter((Q(status=Status.PUBLISHED) & (in_audience | reach.region_q())) | own)


def new_for(user: User) -> QuerySet[LibraryDocument]:
    """Published documents in the user's audience that the user has not opened, newest first."""
    keys = reader_keys(user)
    audience = DocumentAudience.objects.filter(key__in=keys).values("document_id")
    read = DocumentRead.objects.filter(user=user, document=OuterRef("pk"))
    return (
        LibraryDocument.objects.filter(status=Status.PUBLISHED, pk__in=audience)
        .exclude(Exists(read))
        .order_by("-published_at", "-id")
    )
