"""The convener hears of replies and agenda proposals: one digest notice per meeting per run, not one per click.

A reply (``services.invitation_reply``) clears its invitation's ``reported_at``; a new proposal is
created without one. The periodic task ``meetings.send_convener_digests`` (every 30 minutes in the
database scheduler, editable in the admin: that is the batch window) finds the meetings with
unreported rows through two partial indexes, claims those rows with ``SELECT … FOR UPDATE SKIP
LOCKED`` (a reply being saved right now, or a second run at the same time, is left for the next
run), sends one notice per meeting listing each unit's reply and proposal, and stamps the rows
``reported_at``. The state lives in PostgreSQL: a missed run is caught up by the next one
(DESIGN.md promises 2 and 3). Nothing pending costs two index lookups.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from meetings.meetings.models import Invitation, Meeting, TopicProposal
from meetings.meetings.reminders import meeting_url
from members.models import User
from members.selectors import ContactDirectory
from members.services import notify

DIGEST_EVENT = "convener_digest"


def convener_side(meeting: Meeting, directory: ContactDirectory | None = None) -> list[User]:
    """Who hears for the convener: the office of the meeting's level (``levels.office_for`` of the region it
    lives in) and the convening unit's own people (liaisons, or a court's clerks), once each."""
    directory = directory or ContactDirectory()
    people = {u.pk: u for u in directory.office_for(meeting.region_id)}
    for user in directory.contacts([meeting.convener_id]):
        people.setdefault(user.pk, user)
    return list(people.values())


def _pending_invitations() -> Q:
    return Q(reported_at__isnull=True, replied_at__isnull=False)


def send_convener_digests(*, now: datetime | None = None) -> int:
    """Send the digests due now; returns the number of meetings told."""
    now = now or timezone.now()
    meeting_ids = set(
        Invitation.objects.filter(_pending_invitations()).values_list("meeting_id", flat=True).distinct()
    ) | set(TopicProposal.objects.filter(reported_at__isnull=True).values_list("meeting_id", flat=True).distinct())
    if not meeting_ids:
        return 0
    with transaction.atomic():
        replies = list(
            Invitation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(_pending_invitations(), meeting_id__in=meeting_ids)
            .select_related("unit")
            .order_by("meeting_id", "unit__order", "unit_id")
        )
        proposals = list(
            TopicProposal.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(reported_at__isnull=True, meeting_id__in=meeting_ids)
            .select_related("unit")
            .order_by("meeting_id", "created_at", "pk")
        )
        by_meeting: dict[int, tuple[list[Invitation], list[TopicProposal]]] = defaultdict(lambda: ([], []))
        for invitation in replies:
            by_meeting[invitation.meeting_id][0].append(invitation)
        for proposal in proposals:
            by_meeting[proposal.meeting_id][1].append(proposal)
        meetings = (
            Meeting.objects.filter(pk__in=by_meeting)
            .select_related("convener")
            .annotate(
                invited_total=Count("invitations"),
                replied_total=Count("invitations", filter=~Q(invitations__reply=Invitation.Reply.PENDING)),
            )
        )
        directory = ContactDirectory()
        directory.preload(m.convener_id for m in meetings)
        told = 0
        for meeting in meetings:
            meeting_replies, meeting_proposals = by_meeting[meeting.pk]
            if meeting.status != Meeting.Status.CANCELLED:
                told += _send(meeting, meeting_replies, meeting_proposals, directory, now) > 0
        Invitation.objects.filter(pk__in=[i.pk for i in replies]).update(reported_at=now)
        TopicProposal.objects.filter(pk__in=[p.pk for p in proposals]).update(reported_at=now)
    return told


def _send(
    meeting: Meeting,
    replies: list[Invitation],
    proposals: list[TopicProposal],
    directory: ContactDirectory,
    now: datetime,
) -> int:
    # The stage names the rows it reports: a rerun after a crash that rolled back sends the same key once.
    first = min([f"i{r.pk}" for r in replies] + [f"p{p.pk}" for p in proposals])
    stage = f"digest@{timezone.localtime(now):%Y%m%dT%H%M%S}-{first}"[:60]
    return notify(
        event=DIGEST_EVENT,
        obj=meeting,
        stage=stage,
        recipients=convener_side(meeting, directory),
        url=meeting_url(meeting),
        context={
            "meeting": meeting,
            "replies": replies,
            "proposals": proposals,
            "count": len(replies) + len(proposals),
            "invited_total": getattr(meeting, "invited_total", 0),
            "replied_total": getattr(meeting, "replied_total", 0),
        },
    )
