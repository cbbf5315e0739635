"""参会率: units that came ÷ units invited, over the held meetings of the period whose sign-in list is recorded,
in the region's subtree (through the meeting's region), for a work task, and for a unit's own view."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import Invitation, Meeting
from members.models import MemberUnit
from stats import rollups
from stats.figures import FIGURES_BY_KEY, compute, figure_values
from stats.scope import Scope
from tests.conftest import client_for
from tests.stats.conftest import at

pytestmark = pytest.mark.django_db
Y2025 = Scope(date(2025, 1, 1), date(2025, 12, 31))
SIGNED = at(2025, 12, 1, 9)


def _signed(meeting: Meeting, lines: dict[MemberUnit, str], *, signed: datetime | None = SIGNED) -> None:
    """The meeting's invitations with their sign-in lines (``""`` for a line left 未登记)."""
    Invitation.objects.bulk_create(
        [
            Invitation(meeting=meeting, unit=unit, attendance=attendance, signed_names="某某" if attendance else "",
                       signed_at=signed)
            for unit, attendance in lines.items()
        ]
    )  # fmt: skip


def _world(world: Any) -> dict[str, Meeting]:
    w, cast = world, world.cast
    here = w.meeting(at(2025, 3, 1, 9), region=w.region, tasks=[w.task1])
    _signed(here, {cast.unit: "present", cast.court: "delegate", cast.other_unit: "absent", cast.other_court: ""})
    there = w.meeting(at(2025, 4, 1, 9), region=w.other_region, status="closed")
    _signed(there, {cast.unit: "absent", cast.other_court: "present"})
    # Not counted: no sign-in list yet; not held; another year.
    _signed(w.meeting(at(2025, 5, 1, 9)), {cast.unit: "", cast.court: ""}, signed=None)
    _signed(w.meeting(at(2025, 6, 1, 9), status="planned"), {cast.unit: "present"})
    _signed(w.meeting(at(2024, 12, 31, 15, 59)), {cast.unit: "present"})
    return {"here": here, "there": there}


def test_attendance_rate_counts_signed_lines_of_held_meetings(world) -> None:  # type: ignore[no-untyped-def]
    _world(world)
    assert figure_values(Y2025)["attendance_rate"] == {"numerator": 3, "denominator": 6, "rate": Decimal("50.00")}


def test_attendance_rate_by_region_task_and_unit(world) -> None:  # type: ignore[no-untyped-def]
    w, cast = world, world.cast
    _world(world)
    scoped = figure_values(Scope(Y2025.start, Y2025.end, region=w.region.pk))["attendance_rate"]
    assert scoped == {"numerator": 2, "denominator": 4, "rate": Decimal("50.00")}
    other = figure_values(Scope(Y2025.start, Y2025.end, region=w.other_region.pk))["attendance_rate"]
    assert other == {"numerator": 1, "denominator": 2, "rate": Decimal("50.00")}
    task = figure_values(Scope(Y2025.start, Y2025.end, task=w.task1.pk))["attendance_rate"]
    assert (task["numerator"], task["denominator"]) == (2, 4)
    # A unit's own view: its own lines only (present at one, absent at the other).
    mine = figure_values(Scope(Y2025.start, Y2025.end, unit=cast.unit.pk))["attendance_rate"]
    assert mine == {"numerator": 1, "denominator": 2, "rate": Decimal("50.00")}


def test_the_figures_stay_one_query_with_the_attendance(world) -> None:  # type: ignore[no-untyped-def]
    _world(world)
    rollups.flush()  # the records just written are taken into the rollups (measured on its own)
    with CaptureQueriesContext(connection) as ctx:
        computed = compute(Y2025)
    # no pending change; the rollups' sums and the day's counts among the open records, in one UNION ALL
    assert len(ctx.captured_queries) == 2
    assert computed.monthly["2025-03"]["units_attended"] == 2


def test_the_recorded_sign_in_list_reaches_the_dashboard(world, time_machine) -> None:  # type: ignore[no-untyped-def]
    """Through the services: 补录 a meeting, sign its list, and the office's dashboard shows the rate."""
    from meetings.meetings.attendance import SignIn, attendance_record
    from meetings.meetings.services import meeting_record

    cast = world.cast
    time_machine.move_to(at(2025, 12, 1, 10), tick=False)
    start = at(2025, 11, 20, 9)
    meeting = meeting_record(
        by=cast.office,
        kind="joint_meeting",
        title="补录的会",
        convener=cast.office.unit,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        invited_units=[cast.unit, cast.court, cast.other_unit],
        location="会议室",
    )
    attendance_record(
        meeting=meeting,
        by=cast.office,
        lines=[SignIn(cast.unit.pk, "present", "王局长"), SignIn(cast.court.pk, "absent", "")],
    )
    response = client_for(cast.office).get(reverse("dashboard"), {"period": "year", "year": "2025"})
    card = next(c for c in response.context["board"]["cards"] if c["key"] == "attendance_rate")
    assert (card["numerator"], card["denominator"], card["rate"]) == (1, 3, Decimal("33.33"))
    assert "参会率" in response.content.decode()
    assert timezone.localdate() == date(2025, 12, 1)


def test_the_definitions_page_explains_the_attendance_rate(cast) -> None:  # type: ignore[no-untyped-def]
    html = client_for(cast.liaison).get(reverse("stats-definitions")).content.decode()
    assert "参会率" in html and str(FIGURES_BY_KEY["attendance_rate"].definition) in html
    assert "会议签到" in html  # its source
