"""The page of definitions (/stats/definitions/): how each figure of the registry (stats.figures) is counted."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stats.figures import FIGURES, Figure

# The counts a rate divides, in words (a test checks that every rate has both of its counts here).
COUNT_LABELS: dict[str, Promise] = {
    "recommendations_issued": _("发出的司法建议件数"),
    "recommendations_replied": _("已书面回复的件数"),
    "recommendations_replied_on_time": _("按期回复的件数"),
    "recommendations_reply_expected": _("应已回复的件数"),
    "recommendations_adopted": _("回复采纳或部分采纳的件数"),
    "recommendations_rectified": _("已整改的件数(回访为已整改,或未回访而已报告整改完成)"),
    "recommendations_due_for_rectification": _("应整改的件数(整改期限已过,或已整改完成)"),
    "mediation_delegated": _("委派调解件数"),
    "mediation_resolved": _("调解成功件数"),
    "tribunal_concluded": _("人民法庭对接已办结件数"),
    "tribunal_resolved": _("化解成功件数"),
    "units_attended": _("出席的受邀单位数(含委派代表)"),
    "units_signed": _("已登记签到的受邀单位数"),
    "hearings_held": _("已开庭的行政案件件数"),
    "agency_head_appearances": _("负责人(正职或副职)出庭应诉的件数"),
    "plan_items_done": _("已验收的工作要点事项数"),
    "plan_items_expected": _("截至今日应完成的工作要点事项数(完成时限已到的,或已验收的)"),
    "ip_cases_concluded": _("已结知识产权案件数"),
    "ip_cases_mediated_or_withdrawn": _("调解结案与撤诉结案的件数之和"),
    "opinions_given_on_time": _("按期答复的咨询件数"),
    "opinions_answer_expected": _("应已答复的咨询件数(已答复的,或答复期限已过的)"),
}


def formula(figure: Figure) -> str:
    """How a rate is computed, in words ("已书面回复的件数 ÷ 发出的司法建议件数 × 100"); "" for a count."""
    if not figure.is_rate:
        return ""
    words = {"n": COUNT_LABELS[figure.numerator], "d": COUNT_LABELS[figure.denominator]}
    return gettext("%(n)s ÷ %(d)s × 100") % words


def rows() -> list[dict[str, Any]]:
    """One row per figure: the figure, its source's name and its formula."""
    return [{"figure": f, "source": f.source.label, "formula": formula(f)} for f in FIGURES]
