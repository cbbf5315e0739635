"""The numbers of GB/T 9704-2012 that the .docx and the print view share.

A4 (210 × 297 mm); margins top 37, bottom 35, left 28, right 26 mm: a type area of 156 × 225 mm holding
22 lines of 28 characters of 3号 (16 pt) 仿宋_GB2312. Titles in 2号 (22 pt) 小标宋, page numbers in 4号
(14 pt) 宋体. Linux has none of the official fonts: each is named first, then the fallbacks that ship with
common systems (the .docx's font table names them as ``w:altName``; the print CSS lists them in order).
"""

from __future__ import annotations

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210.0, 297.0
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 37.0, 35.0, 28.0, 26.0
TYPE_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 156
TYPE_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM  # 225
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
#: The page number's dash line sits 7 mm below the type area (GB/T 9704-2012 7.5).
FOOTER_DISTANCE_MM = 23.0
HEADER_DISTANCE_MM = 15.0

BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
PAGE_NUMBER_PT = 14.0  # 4号
RECORD_PT = 14.0  # 版记: 4号
TABLE_PT = 10.5  # 五号: tables of many columns stay inside the type area
MARK_MAX_PT = 42.0  # 初号; a long 发文机关标志 gets smaller so that it fits one line of the type area

MM_PER_PT = 25.4 / 72
TWIPS_PER_PT = 20
#: One line of the grid: 225 mm / 22 lines = 28.96 pt, i.e. 579 twips.
LINE_PITCH_TWIPS = 579
LINE_PITCH_PT = LINE_PITCH_TWIPS / TWIPS_PER_PT
#: One character of the grid: 156 mm / 28 = 15.79 pt. Word's ``w:charSpace`` is the difference from the
#: body size in 1/4096 pt.
CHAR_PITCH_PT = TYPE_WIDTH_MM / MM_PER_PT / CHARS_PER_LINE
CHAR_SPACE = round((CHAR_PITCH_PT - BODY_PT) * 4096)
#: Body runs are condensed by 0.25 pt (w:spacing -5 twips): LibreOffice gives a glyph wider than the grid's
#: pitch two cells, Word and WPS place 28 characters per line either way.
BODY_CONDENSE_TWIPS = -10

RED = "FF0000"
#: 版记 rules: the first and last 0.35 mm, the one between 0.25 mm (in eighths of a point).
RULE_THICK, RULE_THIN = 8, 6
#: 版头中的分隔线: red, the width of the type area, 4 mm under the 文号.
SEPARATOR_SIZE = 12  # 1.5 pt
SEPARATOR_SPACE_PT = 11  # ≈ 4 mm

# The official font names (w:rFonts), then what a system without them shows.
FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
FALLBACKS: dict[str, tuple[str, ...]] = {
    FANGSONG: ("FangSong_GB2312", "仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC"),
    XIAOBIAOSONG: (
        "FZXiaoBiaoSong-B05S",
        "华文中宋",
        "STZhongsong",
        "Noto Serif CJK SC",
        "Source Han Serif SC",
        "SimSun",
    ),
    HEITI: ("SimHei", "STHeiti", "Noto Sans CJK SC", "Source Han Sans SC"),
    KAITI: ("KaiTi_GB2312", "楷体", "KaiTi", "STKaiti", "AR PL UKai CN", "Noto Serif CJK SC"),
    SONGTI: ("SimSun", "STSong", "Noto Serif CJK SC", "Source Han Serif SC"),
}
#: The CSS generic family each list ends with.
GENERIC = {FANGSONG: "serif", XIAOBIAOSONG: "serif", HEITI: "sans-serif", KAITI: "serif", SONGTI: "serif"}


def css_family(font: str) -> str:
    """A CSS ``font-family`` list: the official name, its fallbacks, the generic family."""
    names = [font, *FALLBACKS[font]]
    return ", ".join(f'"{name}"' for name in names) + f", {GENERIC[font]}"


def mark_size(text: str) -> float:
    """The 发文机关标志's size: up to 初号, small enough that the mark fits one line of 156 mm."""
    if not text:
        return MARK_MAX_PT
    width_pt = TYPE_WIDTH_MM / MM_PER_PT
    return min(MARK_MAX_PT, float(int(width_pt / (text_width(text) + 0.5) * 2)) / 2)


def text_width(text: str) -> float:
    """Width in characters: a CJK character (or a full-width sign) is one, an ASCII character half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)
