"""The report to the leading group: its content once, rendered as a printable page, a .docx and an .xlsx."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuyuan.lib.gongwen import Block, Heading, OfficialDocument, Paragraph, Table, number_placeholder, render_docx
from fuyuan.lib.xlsx import Sheet, sheets_bytes
from meetings.models import Decision
from members.letterheads import Head, head_of, office_unit
from members.models import Region, WorkTask
from plans.models import PlanItem
from stats.late import late_items
from stats.league import AGENCY_COLUMNS, COURT_COLUMNS, UNIT_COLUMNS, agency_table, court_table, unit_league
from stats.scope import Scope
from stats.selectors import dashboard
from stats.sources import HELD, PLAN_ITEMS, SOURCES
from stats.targets import target_rows

MEETINGS_PER_TASK = 8
OPEN_DECISIONS_LIMIT = 200


PLAN_COLUMNS = [
    gettext_lazy("工作任务"),
    gettext_lazy("工作要点事项"),
    gettext_lazy("已完成(验收)"),
    gettext_lazy("推进中"),
    gettext_lazy("逾期"),
    gettext_lazy("指标"),
    gettext_lazy("实际"),
    gettext_lazy("达标"),
]
NO_PLAN = {"total": 0, "done": 0, "in_progress": 0, "overdue": 0}


def plan_counts_by_task(scope: Scope, today: date) -> dict[int, dict[str, int]]:
    """Per task, the items of published plans due in the period (the figures' source, ``stats.figures``):
    done (accepted), in progress (still with the lead unit, or reported done and awaiting acceptance),
    overdue. One query."""
    rows = (
        PLAN_ITEMS.in_scope(scope)
        .order_by()
        .values("task_id")
        .annotate(
            n_total=Count("pk"),
            n_done=Count("pk", filter=Q(status=PlanItem.Status.ACCEPTED)),
            n_overdue=Count("pk", filter=PlanItem.objects.overdue_q(today)),
        )
    )
    return {
        row["task_id"]: {
            "total": row["n_total"],
            "done": row["n_done"],
            "in_progress": row["n_total"] - row["n_done"],
            "overdue": row["n_overdue"],
        }
        for row in rows
    }


def target_text(row: dict[str, Any]) -> str:
    """A target row (``stats.targets.target_rows``: figure_label, comparator_label, value, actual, met) in words."""
    actual = "—" if row.get("actual") is None else row["actual"]
    met = _("达标") if row.get("met") else _("未达标")
    return _("{figure} 目标 {comparator} {value},实际 {actual},{met}").format(
        figure=row["figure_label"], comparator=row["comparator_label"], value=row["value"], actual=actual, met=met
    )


def targets_by_task(scope: Scope, today: date) -> dict[int, list[dict[str, Any]]]:
    """The level's targets of the report's year (``stats.targets.target_rows``), per task, in words and numbers."""
    region = Region.objects.filter(pk=scope.region).first() if scope.region else None
    out: dict[int, list[dict[str, Any]]] = {}
    for row in target_rows(year=scope.start.year, region=region, today=today):
        if row.target is None or row.figure is None or row.target.task_id is None:
            continue
        number = row.actual.get("rate") if row.figure.is_rate else row.actual.get("value")
        out.setdefault(row.target.task_id, []).append(
            {
                "figure_label": row.figure.label,
                "comparator_label": row.target.get_comparator_display(),
                "value": row.target.value,
                "actual": number,
                "met": row.met,
                "light": row.light,
            }
        )
    return out


def report_title(start: date, end: date) -> str:
    return _("府院联动工作情况报告({start} 至 {end})").format(start=start.isoformat(), end=end.isoformat())


def report_context(scope: Scope, *, today: date | None = None) -> dict[str, Any]:
    """Figures, the ten tasks one section each, overdue items, open decisions, and the tables."""
    today = today or timezone.localdate()
    board = dashboard(scope, today=today, late=False)
    by_task = board["breakdowns"]["task"]
    counts_by_task: dict[int, dict[str, int]] = {
        task_id: {key: board["breakdowns"]["task"]["series"][key][i] for key in SOURCES}
        for i, task_id in enumerate(by_task["ids"])
    }
    meetings: dict[int, list[dict[str, Any]]] = {}
    held = SOURCES["meetings"].in_scope(scope).filter(status__in=HELD)
    for row in held.values("title", "starts_at", "kind", task_id=F("tasks__id")).order_by("starts_at", "id"):
        if row["task_id"] is not None and len(meetings.setdefault(row["task_id"], [])) < MEETINGS_PER_TASK:
            meetings[row["task_id"]].append(row)
    plan = plan_counts_by_task(scope, today)
    targets = targets_by_task(scope, today)
    tasks = []
    for task in WorkTask.objects.order_by("number"):
        counts = counts_by_task.get(task.pk, dict.fromkeys(SOURCES, 0))
        task_plan, task_targets = plan.get(task.pk, NO_PLAN), targets.get(task.pk, [])
        tasks.append(
            {
                "task": task,
                "counts": [(SOURCES[key].label, counts.get(key, 0)) for key in SOURCES],
                "meetings": meetings.get(task.pk, []),
                "plan": task_plan,
                "targets": task_targets,
                "quiet": not any(counts.values()) and not task_plan["total"] and not task_targets,
            }
        )
    open_decisions = list(
        SOURCES["decisions"]
        .in_scope(scope, period=False)
        .filter(status=Decision.Status.OPEN)
        .select_related("owner_unit", "meeting")
        .order_by("due", "id")[:OPEN_DECISIONS_LIMIT]
    )
    return {
        "title": report_title(scope.start, scope.end),
        "scope": scope,
        "today": today,
        "board": board,
        "cards": board["cards"],
        "snapshot": board["snapshot"],
        "tasks": tasks,
        "late": late_items(scope, today=today, limit=50),
        "open_decisions": open_decisions,
        "units": unit_league(scope, today=today),
        "courts": court_table(scope, today=today),
        "unit_columns": UNIT_COLUMNS,
        "court_columns": COURT_COLUMNS,
        "agencies": agency_table(scope, today=today),
        "agency_columns": AGENCY_COLUMNS,
    }


def plan_text(plan: dict[str, int]) -> str:
    return _("工作要点事项 {total} 项:已完成(验收){done} 项,推进中 {in_progress} 项,其中逾期 {overdue} 项。").format(
        **plan
    )


def figure_text(card: dict[str, Any]) -> str:
    if card["is_rate"]:
        shown = "—" if card["rate"] is None else f"{card['rate']}%"
        return f"{card['numerator']} ÷ {card['denominator']} = {shown}"
    if card.get("is_amount"):
        return f"{card['value']:,.2f}"
    return str(card["value"])


def _cell(value: Any) -> Any:
    if value is None:
        return "—"
    return value


def report_docx(scope: Scope, *, title: str | None = None, today: date | None = None) -> bytes:
    """The report as a 公文 (GB/T 9704-2012, :mod:`fuyuan.lib.gongwen`) under the letterhead of the level's
    office; the content is :func:`report_document`'s."""
    return render_docx(report_document(scope, title=title, today=today))


def _office_head(scope: Scope) -> Head:
    region_id = scope.region or Region.objects.filter(level=Region.Level.PROVINCE).values_list("pk", flat=True).first()
    office = office_unit(region_id)
    if office is not None:
        return head_of(office)
    name = _("府院联动工作领导小组办公室")
    return Head(f"{name}文件", "府院办", name, name, ())


def report_document(scope: Scope, *, title: str | None = None, today: date | None = None) -> OfficialDocument:
    """The report's content as blocks: figures, the ten tasks, overdue items, open decisions and the three
    tables (in 五号 within the 156 mm type area). Typed text is cleaned by the engine (``xml_text``)."""
    ctx = report_context(scope, today=today)
    intro = _("报告期间:{start} 至 {end};统计日期:{today}。").format(
        start=scope.start.isoformat(), end=scope.end.isoformat(), today=ctx["today"].isoformat()
    )
    if ctx["snapshot"]:
        intro += _("本期数据已于 {at} 冻结。").format(
            at=timezone.localtime(ctx["snapshot"].frozen_at).strftime("%Y-%m-%d")
        )
    body: list[Block] = [Paragraph(intro), Heading(_("主要数据"))]
    body.append(
        Table(
            [_("指标"), _("数值"), _("统计口径")],
            [[str(card["label"]), figure_text(card), str(card["definition"])] for card in ctx["cards"]],
            widths=[3, 3, 6],
        )
    )
    body.append(Heading(_("十项工作任务推进情况")))
    for item in ctx["tasks"]:
        task = item["task"]
        body.append(Heading(task.title, level=2))
        if item["quiet"]:
            body.append(Paragraph(_("本期无登记的联动事项。")))
            continue
        body.append(Paragraph(plan_text(item["plan"])))
        body += [Paragraph(target_text(row)) for row in item["targets"]]
        body.append(Paragraph(";".join(f"{label} {n}" for label, n in item["counts"]) + "。"))
        for meeting in item["meetings"]:
            when = timezone.localtime(meeting["starts_at"]).strftime("%Y-%m-%d")
            body.append(Paragraph(f"{when} {meeting['title']}"))
    body.append(Heading(_("逾期事项")))
    for group in ctx["late"].values():
        body.append(Heading(_("{label}:逾期 {n} 件").format(label=group["label"], n=group["total"]), level=2))
        for row in group["rows"]:
            body.append(
                Paragraph(
                    _("{title}({unit},期限 {due},逾期 {days} 日)").format(
                        title=row["title"], unit=row["unit"], due=row["due"].isoformat(), days=row["days_late"]
                    )
                )
            )
    body.append(Heading(_("尚未办结的议定事项")))
    if not ctx["open_decisions"]:
        body.append(Paragraph(_("无。")))
    for decision in ctx["open_decisions"]:
        body.append(
            Paragraph(
                _("{text}(牵头单位:{unit};完成时限:{due})").format(
                    text=decision.text[:120], unit=decision.owner_unit.name, due=decision.due.isoformat()
                )
            )
        )
    for heading, columns, rows in (
        (_("成员单位办理情况"), ctx["unit_columns"], ctx["units"]),
        (_("各法院司法建议情况"), ctx["court_columns"], ctx["courts"]),
        (_("行政机关负责人出庭应诉和司法建议整改情况"), ctx["agency_columns"], ctx["agencies"]),
    ):
        body += [Heading(heading), _report_table(columns, rows)]
    head = _office_head(scope)
    dated = ctx["today"]
    return OfficialDocument(
        issuer_mark=head.issuer_mark,
        number=number_placeholder(head.number_prefix, dated.year),
        title=title or ctx["title"],
        body=body,
        signature=head.signature,
        date=dated,
        copy_to=list(head.copy_to),
        printed_by=head.printed_by,
        printed_on=dated,
        filename=title or ctx["title"],
    )


def _report_table(columns: list[tuple[str, Any]], rows: list[dict[str, Any]]) -> Table:
    return Table(
        [str(label) for _key, label in columns],
        [[str(_cell(row.get(key))) for key, _label in columns] for row in rows],
    )


def report_xlsx(scope: Scope, *, today: date | None = None) -> bytes:
    """Every table of the report as one workbook (fuyuan.lib.xlsx: text that looks like a formula stays text)."""
    ctx = report_context(scope, today=today)
    board = ctx["board"]
    trend = board["charts"]["trend"]
    sheets = [
        Sheet(
            _("主要数据"),
            [_("指标"), _("代码"), _("数值"), _("分子"), _("分母"), _("比率(%)"), _("统计口径")],
            [_card_row(card) for card in ctx["cards"]],
        ),
        Sheet(
            _("月度趋势"),
            [_("月份"), *[s["name"] for s in trend["series"]]],
            [[month, *[s["data"][i] for s in trend["series"]]] for i, month in enumerate(trend["labels"])],
        ),
    ]
    for dimension, title in (("task", _("按工作任务")), ("region", _("按地区")), ("unit", _("按单位"))):
        block = board["breakdowns"][dimension]
        sheets.append(
            Sheet(
                title,
                ["", *[str(SOURCES[k].label) for k in SOURCES]],
                [[label, *[block["series"][k][i] for k in SOURCES]] for i, label in enumerate(block["labels"])],
            )
        )
    for title, columns, rows in (
        (_("成员单位办理情况"), ctx["unit_columns"], ctx["units"]),
        (_("法院司法建议"), ctx["court_columns"], ctx["courts"]),
        (_("行政机关"), ctx["agency_columns"], ctx["agencies"]),
    ):
        sheets.append(
            Sheet(
                title,
                [str(label) for _key, label in columns],
                [[_xlsx(row.get(key)) for key, _label in columns] for row in rows],
            )
        )
    sheets.append(
        Sheet(
            _("工作要点与指标"),
            [str(column) for column in PLAN_COLUMNS],
            [
                [f"{t['task'].number}. {t['task'].title}", *_plan_cells(t["plan"]), *_target_cells(row)]
                for t in ctx["tasks"]
                for row in (t["targets"] or [None])
            ],
        )
    )
    sheets.append(
        Sheet(
            _("逾期事项"),
            [_("类别"), _("事项"), _("单位"), _("期限"), _("逾期天数")],
            [
                [str(group["label"]), row["title"], row["unit"], row["due"], row["days_late"]]
                for group in ctx["late"].values()
                for row in group["rows"]
            ],
        )
    )
    sheets.append(
        Sheet(
            _("未办结议定事项"),
            [_("议定事项"), _("牵头单位"), _("会议"), _("完成时限")],
            [[d.text, d.owner_unit.name, d.meeting.title, d.due] for d in ctx["open_decisions"]],
        )
    )
    return sheets_bytes(sheets)


def _card_row(card: dict[str, Any]) -> list[Any]:
    label, definition = str(card["label"]), str(card["definition"])
    if not card["is_rate"]:
        return [label, card["key"], card["value"], None, None, None, definition]
    rate_value = None if card["rate"] is None else float(card["rate"])
    return [label, card["key"], None, card["numerator"], card["denominator"], rate_value, definition]


def _plan_cells(plan: dict[str, int]) -> list[int]:
    return [plan["total"], plan["done"], plan["in_progress"], plan["overdue"]]


def _target_cells(row: dict[str, Any] | None) -> list[Any]:
    if row is None:
        return [None, None, None]
    target = f"{row['figure_label']} {row['comparator_label']} {row['value']}"
    return [target, _xlsx(row.get("actual")), _("是") if row.get("met") else _("否")]


def _xlsx(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


__all__ = [
    "plan_counts_by_task",
    "report_context",
    "report_document",
    "report_docx",
    "report_title",
    "report_xlsx",
    "target_text",
]
