"""Checks of the GB/T 9704-2012 layout on a generated .docx, opened with python-docx."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

MM = Mm(1)


def open_docx(content: bytes) -> Any:
    assert content[:2] == b"PK"
    return Document(io.BytesIO(content))


def fonts_of(run: Any) -> set[str]:
    """The run's east-Asian, ascii and hAnsi font names (its own rFonts)."""
    rfonts = run._r.rPr.find(qn("w:rFonts"))
    return {rfonts.get(qn(f"w:{attr}")) for attr in ("ascii", "hAnsi", "eastAsia")}


def near(value: int, mm: float) -> bool:
    return abs(value - Mm(mm)) <= Mm(0.5)


def texts(doc: Any) -> list[str]:
    return [p.text for p in doc.paragraphs]


def body_text(doc: Any) -> str:
    """Every paragraph's text, the 版记 table's included."""
    parts = texts(doc)
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def check_layout(content: bytes, *, number: str, date_text: str, title: str | None = None) -> Any:
    """Page, margins, grid, fonts, the 文号 under the mark, the date right with its indent after the body, the
    odd/even page numbers and the 版记. Returns the document for more checks."""
    doc = open_docx(content)
    section = doc.sections[0]
    assert near(section.page_width, 210) and near(section.page_height, 297)
    assert near(section.top_margin, 37) and near(section.bottom_margin, 35)
    assert near(section.left_margin, 28) and near(section.right_margin, 26)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    pitch_twips = int(grid.get(qn("w:linePitch")))
    type_height_pt = (297 - 37 - 35) / 25.4 * 72
    assert round(type_height_pt * 20 / pitch_twips) == 22  # 22 lines
    char_pitch = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert round((156 / 25.4 * 72) / char_pitch) == 28  # 28 characters
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"

    paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    mark = next(p for p in paragraphs if p.runs and p.runs[0].font.color.rgb is not None)
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    assert fonts_of(mark.runs[0]) == {"方正小标宋简体"}
    number_para = paragraphs[paragraphs.index(mark) + 1]  # right after the issuer mark
    assert number in number_para.text
    if "签发人" not in number_para.text:
        assert number_para.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert number_para._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "FF0000"
    if title:
        title_para = next(p for p in paragraphs if p.text == title)
        assert title_para.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert title_para.runs[0].font.size == Pt(22) and fonts_of(title_para.runs[0]) == {"方正小标宋简体"}
    body = [p for p in paragraphs[paragraphs.index(number_para) + 1 :] if p.paragraph_format.first_line_indent]
    assert body and all(fonts_of(r) <= {"仿宋_GB2312", "黑体", "楷体_GB2312"} for p in body for r in p.runs)
    date_para = next(p for p in paragraphs if p.text == date_text)
    assert date_para.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date_para.paragraph_format.right_indent == Pt(64)  # four characters of 16 pt
    assert paragraphs.index(date_para) > paragraphs.index(body[0])  # after the body

    assert doc.settings.odd_and_even_pages_header_footer
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        para = footer.paragraphs[0]
        assert para.alignment == align
        xml = para._p.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
        assert para.runs[0].text == "— " and para.runs[-1].text == " —"
        assert all(r.font.size == Pt(14) and fonts_of(r) == {"宋体"} for r in para.runs)
    # 版记: a table anchored at the foot of the type area, with 印发 and the date
    record = doc.tables[-1]
    position = record._tbl.tblPr.find(qn("w:tblpPr"))
    assert position.get(qn("w:vertAnchor")) == "page" and int(position.get(qn("w:tblpY"))) > 200 * 56.7
    assert "印发" in record.rows[-1].cells[0].text
    return doc
