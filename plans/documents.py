"""The 督办通知 (GB/T 9704-2012, :mod:`fuyuan.lib.gongwen`): the level's office presses the lead unit on a
lagging work-plan item; built from the 督办 record and its item, never retyped."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from fuyuan.lib.gongwen import Block, Heading, OfficialDocument, Paragraph, chinese_date
from members.letterheads import default_head, head_of, office_unit
from members.models import User
from plans import selectors
from plans.models import Supervision


def queryset(user: User) -> QuerySet[Supervision]:
    return selectors.supervisions_visible_to(user).select_related(
        "item__plan__region", "item__task", "item__lead_unit", "issued_by__unit__region", "issued_by__unit__letterhead"
    )


def supervision_notice(sup: Supervision) -> OfficialDocument:
    """督办通知: the office of the plan's level (its letterhead), 主送 the lead unit; the item, what is pressed,
    the answer deadline. Two queries at most (the office unit with its letterhead)."""
    item, plan = sup.item, sup.item.plan
    office = office_unit(plan.region_id)
    if office is not None:
        head = head_of(office)
    elif sup.issued_by is not None and sup.issued_by.unit is not None:
        head = head_of(sup.issued_by.unit)
    else:
        head = default_head(item.lead_unit, plan.region)
    dated = timezone.localdate(sup.issued_at)
    body: list[Block] = [
        Paragraph(
            f"根据《{plan.title}》，你单位牵头的第{item.number}项工作（{item.task.number}. {item.task.title}）"
            f"应于{chinese_date(item.due)}前完成，目前进展滞后。现予督办。"
        ),
        Heading("督办事项"),
        Paragraph(item.text),
        Heading("督办要求"),
        Paragraph(sup.text),
        Heading(
            "答复时限", run_in=f"：请于{chinese_date(sup.due)}前将办理情况书面报送本办，并通过府院联动工作平台答复。"
        ),
    ]
    return OfficialDocument(
        issuer_mark=head.issuer_mark,
        number=f"{head.number_prefix}督〔{dated.year}〕\u3000\u3000号",
        title=f"关于督办《{plan.title}》第{item.number}项工作的通知",
        addressee=item.lead_unit.name,
        body=body,
        signature=head.signature,
        date=dated,
        copy_to=list(head.copy_to),
        printed_by=head.printed_by,
        printed_on=dated,
        filename=f"督办通知-{item.lead_unit.name}-{dated:%Y%m%d}",
    )
