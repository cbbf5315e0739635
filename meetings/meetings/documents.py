"""The official documents of a joint meeting (GB/T 9704-2012, :mod:`fuyuan.lib.gongwen`): the 会议通知 under
the convening office's letterhead, and the 会议纪要 in the standard's 纪要格式. Built from the record."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from fuyuan.lib.gongwen import Attendance, Block, Heading, OfficialDocument, Paragraph, chinese_date
from meetings.decisions.models import Decision
from meetings.meetings import selectors
from meetings.meetings.models import AgendaItem, Invitation, Meeting, Minutes
from members.letterheads import head_of
from members.models import User

WEEKDAYS = "一二三四五六日"


class NoMinutes(Exception):
    """The meeting has no minutes written yet (pages and API answer 404)."""


def queryset(user: User) -> QuerySet[Meeting]:
    """The user's scope with what the documents read, in a constant number of queries."""
    return (
        selectors.visible_to(user)
        .select_related("convener__region", "convener__letterhead", "created_by", "minutes")
        .prefetch_related(
            Prefetch("invitations", queryset=Invitation.objects.select_related("unit").order_by("unit__order", "id")),
            Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("presenter_unit")),
            Prefetch("decisions", queryset=Decision.objects.select_related("owner_unit").order_by("due", "id")),
        )
    )


def when_text(meeting: Meeting) -> str:
    """2026年12月1日（星期二）9:00—11:30"""
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    day = f"{chinese_date(start.date())}（星期{WEEKDAYS[start.weekday()]}）"
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{chinese_date(end.date())} {end:%H:%M}"
    return f"{day}{start:%H:%M}—{until}"


def _units(meeting: Meeting) -> list[str]:
    return [inv.unit.name for inv in meeting.invitations.all()]


def meeting_notice(meeting: Meeting) -> OfficialDocument:
    """会议通知: 主送 the invited units; time, place, agenda, who attends and how to answer, contact."""
    head = head_of(meeting.convener)
    dated = timezone.localdate(meeting.created_at) if meeting.created_at else timezone.localdate()
    body: list[Block] = [
        Paragraph(
            meeting.description.strip()
            or f"经研究，定于{chinese_date(timezone.localdate(meeting.starts_at))}召开{meeting.title}。"
        ),
        Paragraph("现将有关事项通知如下："),
        Heading("会议时间", run_in=f"：{when_text(meeting)}。"),
        Heading("会议地点", run_in=f"：{meeting.location or '另行通知'}。"),
    ]
    items = list(meeting.agenda_items.all())
    if items:
        body.append(Heading("会议议程"))
        for item in items:
            presenter = f"（{item.presenter_unit.name}）" if item.presenter_unit else ""
            body.append(Heading(f"{item.title}{presenter}", level=3))
    answer_by = timezone.localdate(meeting.agenda_cutoff) if meeting.agenda_cutoff else None
    ask = f"请于{chinese_date(answer_by)}前" if answer_by else "请在会前"
    body += [
        Heading("参会要求"),
        Paragraph(f"请各单位分管负责同志和联络员参加。{ask}通过府院联动工作平台答复是否参会及参会人员。"),
    ]
    person = meeting.created_by
    if person is not None:
        contact = person.display_name + (f"，电话：{person.phone}" if person.phone else "")
        body += [Heading("联系人", run_in=f"：{contact}。")]
    return OfficialDocument(
        issuer_mark=head.issuer_mark,
        number=f"{head.number_prefix}〔{dated.year}〕\u3000\u3000号",
        title=f"关于召开{meeting.title}的通知",
        addressee="，".join(_units(meeting)),
        body=body,
        signature=head.signature,
        date=dated,
        copy_to=list(head.copy_to),
        printed_by=head.printed_by,
        printed_on=dated,
        filename=f"会议通知-{meeting.title}",
    )


def meeting_minutes(meeting: Meeting) -> OfficialDocument:
    """会议纪要 (纪要格式): the red "××会议纪要" mark, the 期号, the minutes' text, the decisions with their
    lead units and deadlines, then 出席 and 请假 lines. Raises :class:`NoMinutes` without minutes."""
    try:
        minutes: Minutes = meeting.minutes
    except Minutes.DoesNotExist as exc:
        raise NoMinutes from exc
    if not minutes.body.strip():
        raise NoMinutes
    head = head_of(meeting.convener)
    issued = minutes.issued_at is not None
    dated = timezone.localdate(minutes.issued_at) if issued else timezone.localdate(meeting.starts_at)
    held = timezone.localtime(meeting.starts_at)
    mark = meeting.title if meeting.title.endswith("纪要") else f"{meeting.title.removesuffix('会议')}会议纪要"
    body: list[Block] = [
        Paragraph(
            f"{chinese_date(held.date())}，{meeting.convener.name}在{meeting.location or '本单位'}召开{meeting.title}。"
            "现将会议议定事项纪要如下。"
        ),
        Paragraph(minutes.body),
    ]
    decisions = list(meeting.decisions.all())
    if decisions:
        body.append(Heading("议定事项"))
        for decision in decisions:
            body.append(
                Heading(
                    decision.text.strip(),
                    level=3,
                    run_in=f"（牵头单位：{decision.owner_unit.name}；完成时限：{chinese_date(decision.due)}）",
                )
            )
    invitations = list(meeting.invitations.all())
    present = [
        inv.unit.name + (f"（{inv.signed_names or inv.attendees}）" if (inv.signed_names or inv.attendees) else "")
        for inv in invitations
        if inv.attendance in (Invitation.Attendance.PRESENT, Invitation.Attendance.DELEGATE)
        or (not inv.attendance and inv.reply in (Invitation.Reply.ATTENDING, Invitation.Reply.DELEGATE))
    ]
    away = [
        inv.unit.name
        for inv in invitations
        if inv.attendance == Invitation.Attendance.ABSENT or inv.reply == Invitation.Reply.DECLINED
    ]
    body.append(Paragraph(""))
    if present:
        body.append(Attendance("出席", "，".join(present)))
    if away:
        body.append(Attendance("请假", "，".join(away)))
    return OfficialDocument(
        issuer_mark=mark,
        number=minutes.document_number or f"〔{dated.year}〕第\u3000\u3000期",
        title="",
        body=body,
        date=dated,
        copy_to=[inv.unit.name for inv in invitations],
        copy_label="分送",
        printed_by=head.printed_by,
        printed_on=dated,
        kind="minutes",
        draft=not issued,
        filename=f"会议纪要-{meeting.title}",
    )
