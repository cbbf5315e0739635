"""The official documents of a judicial recommendation (GB/T 9704-2012, :mod:`fuyuan.lib.gongwen`):
the court's 司法建议书 and the agency's 回复函, built from the record, never retyped."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from cases.recommendations import selectors
from cases.recommendations.models import JudicialRecommendation
from fuyuan.lib.gongwen import Block, Heading, OfficialDocument, Paragraph, chinese_date
from members.letterheads import head_of
from members.models import User

Status = JudicialRecommendation.Status


class NoReply(Exception):
    """The agency has not replied: there is no 回复函 yet (pages and API answer 404)."""


def queryset(user: User) -> QuerySet[JudicialRecommendation]:
    """The user's scope with what the documents read: one query, whatever the number of 抄送 units."""
    return (
        selectors.visible_to(user)
        .select_related(
            "court__region", "court__letterhead", "addressee__region", "addressee__letterhead", "supervisor"
        )
        .prefetch_related("copy_to")
    )


def _title(rec: JudicialRecommendation) -> str:
    title = rec.title.strip()
    if title.endswith("司法建议"):
        return f"{title}书"
    if "司法建议" in title:  # already names itself (司法建议书, or a note after it): as the court wrote it
        return title
    if title.endswith("建议"):
        return f"{title}书" if title.endswith("司法建议") else f"{title.removesuffix('建议')}的司法建议书"
    return f"{title}的司法建议书" if title.startswith("关于") else f"关于{title}的司法建议书"


def recommendation_document(rec: JudicialRecommendation) -> OfficialDocument:
    """司法建议书: the court's letterhead, 文号 as the court wrote it, 主送 the addressee, 抄送 the copy units
    and the supervising authority; dated the day it was issued (a draft: today, marked 草稿)."""
    head = head_of(rec.court)
    dated = rec.issued_on or timezone.localdate()
    number = rec.number or f"（{rec.year}）{head.number_prefix}\u3000\u3000号"
    intro = (
        f"本院在审理{rec.case_number}案件中，发现你单位在工作中存在以下问题，特提出司法建议。"
        if rec.case_number
        else "本院在审判执行工作中，发现你单位在工作中存在以下问题，特提出司法建议。"
    )
    body: list[Block] = [Paragraph(intro)]
    if rec.problem:
        body += [Heading("存在的问题"), Paragraph(rec.problem)]
    if rec.recommendation:
        body += [Heading("司法建议"), Paragraph(rec.recommendation)]
    if rec.reply_due:
        closing = f"请你单位于{chinese_date(rec.reply_due)}前将采纳落实情况书面回复本院。"
    else:
        closing = "请你单位自收到本司法建议书之日起两个月内将采纳落实情况书面回复本院。"
    body.append(Paragraph(closing))
    copy_to = [unit.name for unit in rec.copy_to.all()]
    if rec.supervisor is not None:
        copy_to.append(rec.supervisor.name)
    return OfficialDocument(
        issuer_mark=head.issuer_mark,
        number=number,
        title=_title(rec),
        addressee=rec.addressee.name,
        body=body,
        signature=head.signature,
        date=dated,
        copy_to=[*copy_to, *head.copy_to],
        printed_by=head.printed_by,
        printed_on=dated,
        draft=rec.is_draft,
        filename=f"司法建议书-{rec.number or rec.title}",
    )


def reply_letter(rec: JudicialRecommendation) -> OfficialDocument:
    """回复函: the addressee's letterhead, 主送 the court; the outcome, the reply, the measures and the
    rectification deadline. Raises :class:`NoReply` before the agency has replied."""
    if not rec.replied_at or not rec.reply_outcome:
        raise NoReply
    head = head_of(rec.addressee)
    dated = timezone.localdate(rec.replied_at)
    cited = f"{rec.number}《{_title(rec)}》" if rec.number else f"《{_title(rec)}》"
    body: list[Block] = [
        Paragraph(f"贵院{cited}收悉。我单位高度重视，经认真研究，现将有关情况函复如下。"),
        Heading("采纳情况", run_in=f"：{rec.get_reply_outcome_display()}。"),
    ]
    if rec.reply_content:
        body += [Heading("回复意见"), Paragraph(rec.reply_content)]
    if rec.reply_measures:
        body += [Heading("整改措施"), Paragraph(rec.reply_measures)]
    if rec.rectification_due:
        body += [
            Heading("整改期限"),
            Paragraph(f"我单位将于{chinese_date(rec.rectification_due)}前完成整改，并及时向贵院反馈。"),
        ]
    if rec.reply_reason:
        body += [Heading("未采纳理由"), Paragraph(rec.reply_reason)]
    body.append(Paragraph("特此函复。"))
    copy_to = [rec.supervisor.name] if rec.supervisor is not None else []
    return OfficialDocument(
        issuer_mark=head.issuer_mark,
        number=f"{head.number_prefix}〔{dated.year}〕\u3000\u3000号",
        title=f"关于{rec.court.name}{rec.number}司法建议书的回复函",
        addressee=rec.court.name,
        body=body,
        signature=head.signature,
        date=dated,
        copy_to=[*copy_to, *head.copy_to],
        printed_by=head.printed_by,
        printed_on=dated,
        filename=f"回复函-{rec.number or rec.title}",
    )
