"""The words for the notices' event codes (``Notification.event``): one mapping, used by the admin and the inbox.

Each event is a pair of templates, ``templates/notifications/<event>.subject.txt`` and ``.txt``, written by
``members.services.notify``; a test keeps this mapping and those templates in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

EVENT_LABELS: dict[str, StrOrPromise] = {
    "agenda_cutoff": _("议题征集截止"),
    "convener_digest": _("参会答复与议题建议汇总"),
    "decision_assigned": _("议定事项交办"),
    "decision_due": _("议定事项即将到期"),
    "decision_escalated": _("议定事项升级督办"),
    "decision_overdue": _("议定事项逾期"),
    "hearing.answered": _("出庭应诉通知已答复"),
    "hearing.cancelled": _("庭审已取消"),
    "hearing.notified": _("出庭应诉通知"),
    "hearing.reminder": _("出庭应诉答复提醒"),
    "hearing.reported": _("负责人未出庭通报"),
    "meeting_cancelled": _("会议取消"),
    "meeting_changed": _("会议变更"),
    "meeting_invited": _("会议通知"),
    "meeting_reminder": _("会议提醒"),
    "minutes_circulated": _("会议纪要征求确认"),
    "minutes_commented": _("会议纪要有修改意见"),
    "minutes_confirm": _("会议纪要确认即将截止"),
    "opinion_answered": _("咨询意见已答复"),
    "opinion_due_soon": _("咨询意见即将到期"),
    "opinion_escalated": _("咨询意见逾期升级督办"),
    "opinion_overdue": _("咨询意见逾期未答复"),
    "opinion_requested": _("收到咨询"),
    "opinion_withdrawn": _("咨询已撤回"),
    "plan_item_accepted": _("工作要点事项验收"),
    "plan_item_assigned": _("工作要点事项交办"),
    "plan_item_done": _("工作要点事项报完成"),
    "plan_item_due": _("工作要点事项即将到期"),
    "plan_item_overdue": _("工作要点事项逾期"),
    "plan_item_returned": _("工作要点事项退回"),
    "plan_published": _("工作要点印发"),
    "recommendation.ack_reminder": _("司法建议签收提醒"),
    "recommendation.acknowledged": _("司法建议已签收"),
    "recommendation.bulletin": _("司法建议季度通报"),
    "recommendation.closed": _("司法建议已办结"),
    "recommendation.due_soon": _("司法建议即将到期"),
    "recommendation.escalated": _("司法建议逾期通报"),
    "recommendation.issued": _("收到司法建议"),
    "recommendation.overdue": _("司法建议逾期未回复"),
    "recommendation.remind": _("司法建议督办"),
    "recommendation.replied": _("司法建议已回复"),
    "recommendation.withdrawn": _("司法建议已撤回"),
    "recommendation.approved": _("司法建议已签发"),
    "recommendation.delivered": _("司法建议已登记送达"),
    "recommendation.not_rectified": _("司法建议未整改通报"),
    "recommendation.rectification_due": _("司法建议整改期限临近"),
    "recommendation.rectification_overdue": _("司法建议整改逾期"),
    "recommendation.rectified": _("司法建议整改完成"),
    "recommendation.recurrence": _("司法建议问题复发通报"),
    "recommendation.sent_back": _("司法建议退回修改"),
    "recommendation.submitted": _("司法建议待签发"),
    "recommendation.visit_due": _("司法建议待回访"),
    "recommendation.visit_planned": _("司法建议回访提醒"),
    "referral_due_soon": _("案件移送即将到期"),
    "referral_escalated": _("案件移送升级督办"),
    "referral_overdue": _("案件移送逾期"),
    "referral_unacknowledged": _("案件移送未签收提醒"),
    "referral_update": _("案件移送进展"),
    "stats_report_ready": _("定期报告已生成"),
    "supervision_answered": _("督办答复"),
    "supervision_due": _("督办答复即将到期"),
    "supervision_escalated": _("督办逾期升级"),
    "supervision_issued": _("督办通知"),
    "supervision_overdue": _("督办逾期未答复"),
}


def event_label(code: str) -> StrOrPromise:
    """The words for an event code; an unknown code (an event retired since) shows as it is."""
    return EVENT_LABELS.get(code, code)
