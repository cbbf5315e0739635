"""The transcript's table (DOMAIN.md, "The transcript's statistics"): each figure the press conference
announced, with the platform's figure(s) for it, their values for the chosen period and region, and how they
are counted. The dashboard shows it as 发布会通报数据.

``ROWS`` maps each row of the transcript's table to the figure keys of ``stats.figures`` that produce it. A
key not (yet) in ``FIGURES_BY_KEY`` is shown as "—" with 尚未统计: the keys marked ``# issue 16, <stream>``
come from the other streams of issue 16 (hearings, opinions, enforcement) and exist once they are merged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from stats.definitions import formula
from stats.figures import FIGURES_BY_KEY
from stats.scope import Scope


@dataclass(frozen=True)
class Row:
    label: Promise  # the transcript's words
    announced: str | Promise  # the transcript's value, as it was announced
    keys: tuple[str, ...]  # the platform's figures for it


ROWS: list[Row] = [
    Row(_("府院联席会商"), "2,180+", ("consultations",)),
    Row(_("府院联席会议"), "65", ("joint_meetings",)),
    Row(_("重大案件座谈"), "1,200+", ("case_symposiums",)),
    Row(_("行政白皮书"), "54", ("white_papers",)),  # issue 18, the library
    Row(_("司法建议"), "200+", ("recommendations_issued",)),
    Row(_("咨询意见"), "1,400+", ("opinions_given",)),  # issue 16, opinions
    Row(_("委派调解成功率"), "63.62%", ("mediation_success_rate",)),
    Row(_("人民法庭对接化解率"), "81.78%", ("tribunal_resolution_rate",)),
    Row(_("知识产权案件调撤率"), "54.16%", ("ip_mediation_withdrawal_rate",)),
    Row(
        _("执结 / 到位金额 / 发放案款"),
        "10,638 / ¥2.236 bn / ¥692 m",
        (
            "enforcement_concluded",  # issue 16, enforcement
            "enforcement_amount_recovered",  # issue 16, enforcement
            "enforcement_amount_paid",  # issue 16, enforcement
        ),
    ),
    Row(_("行政机关负责人出庭应诉率"), _("目标 100%"), ("agency_head_appearance_rate",)),  # issue 16, hearings
]
NOT_COUNTED = _("尚未统计")


def _cell(key: str, figures: dict[str, dict[str, Any]], scope: Scope) -> dict[str, Any]:
    figure = FIGURES_BY_KEY.get(key)
    if figure is None:
        return {"key": key, "counted": False, "label": key, "definition": NOT_COUNTED}
    return {
        "key": key,
        "counted": True,
        "label": figure.label,
        "is_rate": figure.is_rate,
        "definition": figure.definition,
        "formula": formula(figure),
        "url": figure.url(scope),
        **figures.get(key, {}),
    }


def table(scope: Scope, counts: dict[str, int]) -> list[dict[str, Any]]:
    """The rows of the transcript's table with the platform's figures for ``scope``, from ``counts`` (the
    dashboard's: no query of its own)."""
    figures = {key: figure.result(counts) for key, figure in FIGURES_BY_KEY.items()}
    return [
        {"label": row.label, "announced": row.announced, "cells": [_cell(key, figures, scope) for key in row.keys]}
        for row in ROWS
    ]
