"""The library's demo documents (``manage.py load_demo``; ``settings.FUYUAN_DEMO_LOADERS``): a dozen of each
kind across the levels — the province's office and High Court, 兰州市's office and court, 城关区's office —
including white papers and typical cases, some already read. Loaded once (a marker document)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from library import services
from library.models import LibraryDocument
from members.models import User

MARKER = "【演示】最高人民法院关于行政机关负责人出庭应诉若干问题的规定"  # the first document loaded
T = LibraryDocument.Type

#: type -> (title template ({n}: 1..12, {y}: a year), number template, issuing unit, tags), twelve of each type.
TEMPLATES: dict[str, tuple[str, str, str, list[str]]] = {
    T.INTERPRETATION: (
        "最高人民法院关于审理行政案件适用法律若干问题的解释(之{n})",
        "法释〔{y}〕{n}号",
        "最高人民法院",
        ["司法解释"],
    ),
    T.NORMATIVE: (
        "关于加强府院联动规范行政执法的若干措施(第{n}号)",
        "甘政办发〔{y}〕{n}号",
        "省政府办公厅",
        ["行政执法"],
    ),
    T.WHITE_PAPER: ("行政审判白皮书({y})·第{n}辑", "", "省高级人民法院", ["白皮书", "行政审判"]),
    T.LOSING_CASES: ("{y}年度行政机关败诉案件通报(第{n}号)", "甘府院办〔{y}〕{n}号", "省司法厅", ["败诉案件"]),
    T.BRIEF: ("府院联动工作简报(第{n}期)", "", "领导小组办公室", ["工作简报"]),
    T.TYPICAL_CASE: ("府院联动化解行政争议典型案例(之{n})", "", "人民法院", ["典型案例"]),
}
#: (title, case number, court, tags): typical cases with their 案号 and 审理法院.
CASES = [
    ("某公司诉某市生态环境局行政处罚案", "(2025)甘01行终35号", "兰州市中级人民法院", ["生态环境", "典型案例"]),
    ("某村民委员会诉某县自然资源局土地行政登记案", "(2024)甘行终112号", "甘肃省高级人民法院", ["典型案例"]),
    ("某物业公司与业主物业服务合同纠纷诉前调解案", "(2025)甘0102民诉前调1号", "兰州市城关区人民法院", ["诉调对接"]),
]
PER_TYPE = 12


def load(people: dict[str, User]) -> str:
    """Load the library's documents unless present; returns what was done, for the command to print."""
    if LibraryDocument.objects.filter(title=MARKER).exists():
        return "Library demo documents present already: nothing loaded."
    publishers = {
        "province": people.get("office1"),
        "court": people.get("clerk1"),
        "city": people.get("office2") or people.get("office1"),
        "city_court": people.get("clerk2") or people.get("clerk1"),
        "county": people.get("office3") or people.get("office1"),
    }
    order = ["province", "city", "county", "court", "city_court"]
    made: list[LibraryDocument] = []
    today = timezone.localdate()
    first = _publish(
        people["office1"], T.INTERPRETATION, MARKER, "法释〔2020〕3号", "最高人民法院", ["出庭应诉"], today
    )
    made.append(first)
    for kind, (title, number, issuing, tags) in TEMPLATES.items():
        for n in range(1, PER_TYPE + 1):
            by = publishers[order[n % len(order)]] or people["office1"]
            year = today.year - 1 - (n % 3)
            case_number, court = ("", "")
            if kind == T.TYPICAL_CASE:
                row = CASES[n % len(CASES)]
                title_n, case_number, court, tags = f"【演示】{row[0]}(之{n})", row[1], row[2], row[3]
            else:
                title_n = "【演示】" + title.format(n=n, y=year)
            issued = today - timedelta(days=5 * n + len(made))
            number_n = number.format(n=n, y=year)
            made.append(_publish(by, kind, title_n, number_n, court or issuing, tags, issued, case_number))
    # A few already read by the liaisons who received them.
    for reader in ("liaison4", "liaison6"):
        user = people.get(reader)
        if user is None:
            continue
        from library.selectors import new_for

        for document in list(new_for(user)[:3]):
            services.document_mark_read(document=document, by=user)
    return f"Library demo: {len(made)} documents published (province, 兰州市 and 城关区), some read."


def _publish(
    by: User,
    kind: str,
    title: str,
    number: str,
    issuing: str,
    tags: list[str],
    issued_on: object,
    case_number: str = "",
) -> LibraryDocument:
    fields = {
        "type": kind,
        "title": title,
        "number": number,
        "issuing_unit": issuing,
        "issued_on": issued_on,
        "case_number": case_number,
        "court": issuing if kind == T.TYPICAL_CASE else "",
        "text": f"{title}\n\n(演示正文)府院联动机制下,各级人民法院与行政机关加强信息共享,推动矛盾纠纷实质性化解。",
    }
    document = services.document_create(by=by, fields=fields, audience={"kind": "all"}, tags=tags)
    return services.document_publish(document=document, by=by)
