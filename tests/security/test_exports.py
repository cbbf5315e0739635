"""Downloads hold what users typed as inert text: the four XLSX exports (no formula, ever), the report's
.docx, and the meetings' .ics (a line break in a title cannot start a new property or event)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from fuyuan.lib.xlsx import append_row, safe_cell, workbook_bytes
from meetings.consultations import services as consultation_services
from meetings.decisions import services as decision_services
from meetings.meetings import ical
from meetings.meetings import services as meeting_services
from meetings.models import Meeting
from members.models import MemberUnit
from tests.cases.recommendations.support import make_issued
from tests.cases.referrals.support import sent
from tests.conftest import Cast, client_for
from tests.security import hostile
from tests.stats.conftest import ensure_referral_kinds

pytestmark = [pytest.mark.security, pytest.mark.django_db]

FORMULAS = [
    '=HYPERLINK("http://evil","x")',
    "@SUM(1+1)",
    "+1+1",
    "-1+1",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
]


def _cells(content: bytes) -> list[Any]:
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_text_cells(content: bytes, texts: list[str]) -> None:
    """Each text is in some cell, as a string cell with Excel's quote prefix; no cell is a formula."""
    cells = _cells(content)
    formulas = [c.coordinate for c in cells if c.data_type == "f"]
    assert not formulas, f"formula cells: {formulas}"
    for text in texts:
        found = [c for c in cells if c.value == text]
        assert found, f"{text!r} is not in the workbook"
        for cell in found:
            assert cell.data_type == "s", (text, cell.data_type)
            assert cell.quotePrefix, text


# --- the helper ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("write_only", [True, False])
def test_formula_like_text_is_stored_as_literal_text_and_other_values_keep_their_type(write_only: bool) -> None:
    """Read back with openpyxl: formula-like text is a string cell with quotePrefix, verbatim; numbers,
    dates and plain text are untouched; characters a worksheet cannot hold are dropped, not fatal."""
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("s") if write_only else workbook.active
    plain = ["案件", 7, 2.5, date(2026, 1, 2), datetime(2026, 1, 2, 3, 4), None, True, "a\x01b\x0bc\uffff"]
    append_row(sheet, [*FORMULAS, *plain])
    append_row(sheet, [*FORMULAS, *plain])  # a second row: nothing of the first row's styles leaks on
    content = workbook_bytes(workbook)
    _assert_text_cells(content, FORMULAS)
    row = next(iter(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(min_row=2)))
    after = row[len(FORMULAS) :]
    assert [c.value for c in after] == [
        "案件",
        7,
        2.5,
        datetime(2026, 1, 2),
        datetime(2026, 1, 2, 3, 4),
        None,
        True,
        "abc",
    ]
    assert [c.data_type for c in after] == ["s", "n", "n", "d", "d", "n", "b", "s"]
    assert not any(c.quotePrefix for c in after)


def test_safe_cell_leaves_ordinary_values_alone() -> None:
    """Only text that could be read as a formula becomes a styled cell; anything else is passed through."""
    sheet = Workbook().active
    assert safe_cell(sheet, "普通文字") == "普通文字"
    assert safe_cell(sheet, 12) == 12
    assert safe_cell(sheet, "=") != "="  # even a lone "=" stays text


def test_the_error_values_guarded_are_openpyxls() -> None:
    """The helper's list of error values is the one openpyxl turns into error cells."""
    from openpyxl.cell.cell import ERROR_CODES as OPENPYXL_ERROR_CODES

    from fuyuan.lib.xlsx import ERROR_CODES

    assert set(OPENPYXL_ERROR_CODES) == ERROR_CODES


# --- the four exports ------------------------------------------------------------------------------------


def test_recommendation_export_keeps_formula_text_as_text(cast: Cast) -> None:
    make_issued(cast, title=FORMULAS[0], case_number=FORMULAS[1], problem=FORMULAS[2])
    response = client_for(cast.office).get(reverse("recommendation-export"))
    assert response.status_code == 200
    _assert_text_cells(response.content, FORMULAS[:2])
    issued_on = next(c for c in _cells(response.content) if c.column == 9 and c.row == 2)
    assert issued_on.is_date  # dates stay dates


def test_referral_export_keeps_formula_text_as_text(cast: Cast) -> None:
    ensure_referral_kinds()
    sent(cast.clerk, cast.unit, number=FORMULAS[1], subject=FORMULAS[0])
    response = client_for(cast.office).get(reverse("referral-export-all"))
    assert response.status_code == 200
    _assert_text_cells(response.content, FORMULAS[:2])


def test_consultation_export_keeps_formula_text_as_text(cast: Cast) -> None:
    consultation_services.consultation_log(
        by=cast.liaison,
        topic_kind="routine",
        held_on=timezone.localdate(),
        units=[cast.unit, cast.court],
        topic=FORMULAS[0],
        outcome=FORMULAS[1],
        follow_up=FORMULAS[3],
    )
    response = client_for(cast.office).get(reverse("consultation-export"))
    assert response.status_code == 200
    _assert_text_cells(response.content, [FORMULAS[0], FORMULAS[1], FORMULAS[3]])
    held_on = next(c for c in _cells(response.content) if c.column == 1 and c.row == 2)
    assert held_on.is_date


def _meeting_with_decision(cast: Cast, *, title: str, text: str) -> Meeting:
    start = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    meeting = meeting_services.meeting_create(
        by=cast.office,
        kind=Meeting.Kind.JOINT_MEETING,
        title=title,
        convener=MemberUnit.objects.get(pk=cast.office.unit_id),
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        invited_units=[cast.unit],
        location="省司法厅三楼会议室",
    )
    decision_services.decision_add(
        meeting=meeting, by=cast.office, text=text, owner_unit=cast.unit, due=timezone.localdate() + timedelta(days=30)
    )
    return meeting


def test_report_workbook_keeps_formula_text_as_text(cast: Cast) -> None:
    _meeting_with_decision(cast, title=FORMULAS[1], text=FORMULAS[0])
    response = client_for(cast.office).get(reverse("stats-report-download", args=["xlsx"]))
    assert response.status_code == 200
    _assert_text_cells(response.content, FORMULAS[:2])


# --- markup in the downloads -----------------------------------------------------------------------------


@pytest.fixture
def world(cast: Cast, settings: Any, tmp_path: Any) -> hostile.HostileWorld:
    settings.MEDIA_ROOT = tmp_path
    return hostile.build(cast)


def test_exports_hold_typed_markup_verbatim(world: hostile.HostileWorld) -> None:
    """Markup in the fields comes out of each export exactly as typed (no escaping, no loss)."""
    office = client_for(world.cast.office)
    t = world.texts
    for name, tags in (
        ("recommendation-export", ["rt", "rn", "rc", "un"]),
        ("referral-export-all", ["fs", "fc", "un"]),
        ("consultation-export", ["ct", "cc", "co", "cf", "un", "mt"]),
        ("stats-report-download", ["dt", "mt"]),
    ):
        args = ["xlsx"] if name == "stats-report-download" else []
        response = office.get(reverse(name, args=args))
        assert response.status_code == 200, name
        values = {c.value for c in _cells(response.content)}
        missing = [tag for tag in tags if t[tag] not in values]
        assert not missing, f"{name}: {missing}"


def test_report_docx_holds_typed_markup_verbatim_and_survives_control_characters(
    world: hostile.HostileWorld,
) -> None:
    """The .docx has the decision's text and the meeting's title as typed; a control character (which
    Word's XML cannot hold) in a typed text is dropped instead of failing the download."""
    from docx import Document

    _meeting_with_decision(world.cast, title="会议\x0b名称\x01", text="议定\x08事项\x1f内容")
    response = client_for(world.cast.office).get(reverse("stats-report-download", args=["docx"]))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for table in document.tables for row in table.rows for c in row.cells)
    assert world.texts["dt"] in text
    assert "议定事项内容" in text
    response = client_for(world.cast.office).get(reverse("stats-report-download", args=["xlsx"]))
    assert response.status_code == 200
    assert "议定事项内容" in {c.value for c in _cells(response.content)}


# --- iCalendar -------------------------------------------------------------------------------------------

ICS_TITLE = "联席会议\r\nATTENDEE:mailto:x@evil"
ICS_LOCATION = "三楼\nBEGIN:VEVENT\nSUMMARY:假会议"
ICS_DESCRIPTION = '说明\rEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil <script>alert("d")</script>;,\\'


def _one_line(text: str) -> str:
    """What a calendar reads back: every kind of line break is a newline inside the value."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _assert_inert(content: bytes, events_expected: int) -> list[Any]:
    from icalendar import Calendar

    lines = content.split(b"\r\n")
    assert not any(b"\r" in line or b"\n" in line for line in lines), "a bare CR or LF in the file"
    assert not any(line.startswith((b"ATTENDEE", b"SUMMARY:\xe5\x81\x87")) for line in lines)
    assert lines.count(b"BEGIN:VEVENT") == events_expected
    events = Calendar.from_ical(content).walk("VEVENT")
    assert len(events) == events_expected
    assert not any("ATTENDEE" in event for event in events)
    return events


def test_ics_keeps_line_breaks_inside_their_property(cast: Cast) -> None:
    """A title, place or description with CR/LF and iCalendar syntax stays one property of one event,
    in the single meeting's .ics and in the unit's subscription feed; parsed back, it is the text typed."""
    start = (timezone.now() + timedelta(days=5)).replace(second=0, microsecond=0)
    meeting = meeting_services.meeting_create(
        by=cast.office,
        kind=Meeting.Kind.JOINT_MEETING,
        title=ICS_TITLE,
        convener=MemberUnit.objects.get(pk=cast.office.unit_id),
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        invited_units=[cast.unit],
        location=ICS_LOCATION,
        description=ICS_DESCRIPTION,
    )
    single = client_for(cast.liaison).get(reverse("meeting-ics", args=[meeting.pk]))
    token = ical.feed_token_get_or_create(user=cast.liaison).token
    feed = client_for(cast.liaison).get(reverse("calendar-feed-ics", args=[token]))
    for response in (single, feed):
        assert response.status_code == 200
        (event,) = _assert_inert(response.content, 1)
        assert str(event["SUMMARY"]) == _one_line(ICS_TITLE)
        assert str(event["LOCATION"]) == _one_line(ICS_LOCATION)
        assert _one_line(ICS_DESCRIPTION) in str(event["DESCRIPTION"])
        assert str(event["UID"]) == f"{meeting.uid}@fuyuan"


def test_ics_holds_typed_markup_verbatim(world: hostile.HostileWorld) -> None:
    """The hostile meeting's title and place come out of the .ics exactly as typed."""
    meeting = world.objects["meeting"]
    response = client_for(world.cast.office).get(reverse("meeting-ics", args=[meeting.pk]))
    (event,) = _assert_inert(response.content, 1)
    assert str(event["SUMMARY"]) == world.texts["mt"]
    assert str(event["LOCATION"]) == world.texts["ml"]
