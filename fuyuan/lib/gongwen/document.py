"""The plain description of a 公文: what a domain fills from its record, before any layout."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

NUMERALS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """一, 二, … 十, 十一, … 九十九 (the numbers of level-1 and level-2 headings)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return NUMERALS[ones]
    return (NUMERALS[tens] if tens > 1 else "") + "十" + (NUMERALS[ones] if ones else "")


def chinese_date(day: dt.date | None) -> str:
    """成文日期 as GB/T 9704-2012 writes it: Arabic numerals, no leading zeros ("2026年12月1日")."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


def number_placeholder(prefix: str, year: int) -> str:
    """A 文号 still to be filled in by hand: "×府院办〔2026〕　　号" (the office writes the number)."""
    return f"{prefix}〔{year}〕\u3000\u3000号"


@dataclass
class Paragraph:
    """A body paragraph: first line indented two characters."""

    text: str


@dataclass
class Heading:
    """A heading of level 1-4: 一、(黑体) （一）(楷体) 1.(仿宋) （1）(仿宋). ``numbered`` prefixes the number,
    counted per level under its parent; a heading that carries its own number sets it False. ``text``
    may continue after the heading on the same line with ``run_in`` (a sentence after "一、…。")."""

    text: str
    level: int = 1
    numbered: bool = True
    run_in: str = ""


@dataclass
class Table:
    """A table within the type area (columns of equal width unless ``widths`` in characters)."""

    header: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None
    caption: str = ""


@dataclass
class Attendance:
    """A 纪要's 出席 / 请假 / 列席 line: the label in 黑体, the names in 仿宋, wrapped under the first name."""

    label: str
    names: str


Block = Paragraph | Heading | Table | Attendance


@dataclass
class OfficialDocument:
    """One 公文. Empty fields are left out of the layout (a 下行文 has no 签发人, a letter no 抄送…)."""

    issuer_mark: str  # 发文机关标志, red, e.g. "甘肃省府院联动工作领导小组办公室文件" or "××会议纪要"
    title: str
    number: str = ""  # 发文字号
    signer: str = ""  # 签发人 (上行文): 文号 moves left, "签发人：姓名" right
    addressee: str = ""  # 主送机关
    body: list[Block] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)  # 附件说明
    signature: str = ""  # 发文机关署名
    date: dt.date | None = None  # 成文日期
    note: str = ""  # 附注, printed in brackets
    copy_to: list[str] = field(default_factory=list)  # 抄送机关
    copy_label: str = "抄送"  # a 纪要 writes 分送
    printed_by: str = ""  # 印发机关
    printed_on: dt.date | None = None  # 印发日期
    secrecy: str = ""  # 密级和保密期限
    urgency: str = ""  # 紧急程度
    kind: Literal["document", "minutes"] = "document"
    draft: bool = False  # a draft: the print view and the .docx's header say 草稿
    filename: str = ""  # the download's name, without extension

    @property
    def date_text(self) -> str:
        return chinese_date(self.date)

    @property
    def printed_text(self) -> str:
        return f"{chinese_date(self.printed_on)}印发" if self.printed_on else ""

    @property
    def copy_text(self) -> str:
        """抄送：甲，乙。 (the units in order, without repeats)."""
        names = list(dict.fromkeys(name for name in self.copy_to if name))
        return f"{self.copy_label}：{'，'.join(names)}。" if names else ""

    @property
    def has_record(self) -> bool:
        """版记: 抄送 or 印发机关 and 印发日期."""
        return bool(self.copy_text or self.printed_by or self.printed_on)


def numbered_blocks(blocks: list[Block]) -> list[tuple[Block, str]]:
    """Each block with the number its heading shows ("一、", "（二）", "3.", "（4）"; "" for the others)."""
    counters = [0, 0, 0, 0]
    out: list[tuple[Block, str]] = []
    for block in blocks:
        label = ""
        if isinstance(block, Heading) and block.numbered:
            level = min(max(block.level, 1), 4)
            counters[level - 1] += 1
            for deeper in range(level, 4):
                counters[deeper] = 0
            n = counters[level - 1]
            label = (f"{chinese_numeral(n)}、", f"（{chinese_numeral(n)}）", f"{n}.", f"（{n}）")[level - 1]
        out.append((block, label))
    return out
