"""An :class:`OfficialDocument` as a .docx in the GB/T 9704-2012 layout (python-docx).

Every run names its font for ascii, hAnsi and eastAsia (the official names); the font table carries the
fallbacks as ``w:altName``. Paragraphs sit on the section's document grid (22 lines × 28 characters) with
an exact line pitch, so the body keeps 22 lines per page in Word, WPS and LibreOffice alike.
"""

from __future__ import annotations

import functools
import io
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree  # type: ignore[import-untyped]

from fuyuan.lib.gongwen import layout as L
from fuyuan.lib.gongwen.document import Attendance, Heading, OfficialDocument, Table, numbered_blocks
from fuyuan.lib.text import xml_text

HEADING_FONTS = {1: L.HEITI, 2: L.KAITI, 3: L.FANGSONG, 4: L.FANGSONG}
CENTER, LEFT, RIGHT, JUSTIFY = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)


PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
    "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
    "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs "
    "em lang eastAsianLayout specVanish oMath"
).split()
TBLPR_ORDER = (
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
    "tblInd tblBorders shd tblLayout tblCellMar tblLook"
).split()


def put(parent: Any, child: Any, order: list[str]) -> Any:
    """Put ``child`` in ``parent`` where the schema's sequence wants it (Word refuses another order),
    replacing an element of the same name."""
    name = etree.QName(child).localname
    old = parent.find(qn(f"w:{name}"))
    if old is not None:
        parent.replace(old, child)
        return child
    later = set(order[order.index(name) + 1 :])
    for i, existing in enumerate(parent):
        if etree.QName(existing).localname in later:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


def element(tag: str, **attrs: Any) -> Any:
    el = OxmlElement(f"w:{tag}")
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), str(value))
    return el


def off_grid(para: Any) -> None:
    """A paragraph whose characters keep their own width (titles, tables, footers): not on the char grid."""
    put(para._p.get_or_add_pPr(), element("snapToGrid", val="0"), PPR_ORDER)


def set_fonts(rpr_parent: Any, font: str) -> None:
    """w:rFonts ascii/hAnsi/eastAsia/cs = ``font`` on a run or a style (its rPr created when missing)."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    fonts.set(qn("w:hint"), "eastAsia")


class Writer:
    """Adds the parts of a 公文 to one python-docx document, in order."""

    def __init__(self, base: bytes | None = None) -> None:
        self.doc = Document(io.BytesIO(base)) if base is not None else Document()
        self.body_chars_pt = L.BODY_PT

    # --- page, grid, styles, fonts -------------------------------------------------------------
    def setup(self, draft: bool) -> None:
        section = self.doc.sections[0]
        section.start_type = WD_SECTION.NEW_PAGE
        section.page_width, section.page_height = Mm(L.PAGE_WIDTH_MM), Mm(L.PAGE_HEIGHT_MM)
        section.top_margin, section.bottom_margin = Mm(L.MARGIN_TOP_MM), Mm(L.MARGIN_BOTTOM_MM)
        section.left_margin, section.right_margin = Mm(L.MARGIN_LEFT_MM), Mm(L.MARGIN_RIGHT_MM)
        section.gutter = Mm(0)
        section.header_distance, section.footer_distance = Mm(L.HEADER_DISTANCE_MM), Mm(L.FOOTER_DISTANCE_MM)
        sect_pr = section._sectPr
        grid = sect_pr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            sect_pr.append(grid)
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(L.LINE_PITCH_TWIPS))
        grid.set(qn("w:charSpace"), str(L.CHAR_SPACE))
        self._defaults()
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(L.BODY_PT)
        set_fonts(normal.element, L.FANGSONG)
        # Each 16 pt character 0.25 pt narrower: 28 of them fill the 156 mm line (15.79 pt each).
        put(normal.element.get_or_add_rPr(), element("spacing", val=L.BODY_CONDENSE_TWIPS), RPR_ORDER)
        fmt = normal.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(L.LINE_PITCH_PT)
        fmt.widow_control = False
        # Off the character grid, on the exact line pitch: LibreOffice gives a 16 pt glyph two cells of a
        # 15.79 pt grid (14 characters a line); with the condensed runs all three renderers set 28 a line.
        put(normal.element.get_or_add_pPr(), element("snapToGrid", val="0"), PPR_ORDER)
        self.doc.settings.odd_and_even_pages_header_footer = True
        self._page_number(section.footer, odd=True)
        self._page_number(section.even_page_footer, odd=False)
        if draft:
            for header in (section.header, section.even_page_header):
                para = header.paragraphs[0]
                para.alignment = RIGHT
                self._run(para, "草稿", font=L.HEITI, size=L.PAGE_NUMBER_PT, color=L.RED)
        self._font_table()

    def _defaults(self) -> None:
        """docDefaults: 仿宋_GB2312 16 pt, Chinese, no paragraph spacing. LibreOffice measures the
        character grid against the default size, so it must be the body's."""
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = rpr.find(qn("w:rFonts"))
        for attr in list(fonts.attrib):
            del fonts.attrib[attr]
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), L.FANGSONG)
        for tag in ("w:sz", "w:szCs"):
            rpr.find(qn(tag)).set(qn("w:val"), str(int(L.BODY_PT * 2)))
        rpr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
        spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), str(L.LINE_PITCH_TWIPS))
        spacing.set(qn("w:lineRule"), "exact")

    def _font_table(self) -> None:
        """Name each official font's fallbacks in word/fontTable.xml (``w:altName``)."""
        part = next(p for p in self.doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
        root = etree.fromstring(part.blob)
        for name, fallbacks in L.FALLBACKS.items():
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            alt = etree.SubElement(font, qn("w:altName"))
            alt.set(qn("w:val"), ",".join(fallbacks))
            charset = etree.SubElement(font, qn("w:charset"))
            charset.set(qn("w:val"), "86")  # GB2312
            family = etree.SubElement(font, qn("w:family"))
            family.set(qn("w:val"), "modern" if name == L.HEITI else "roman")
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _page_number(self, footer: Any, *, odd: bool) -> None:
        """ "— 1 —" in 4号 宋体: odd pages right with one character's indent, even pages left."""
        footer.is_linked_to_previous = False
        para = footer.paragraphs[0]
        para.alignment = RIGHT if odd else LEFT
        off_grid(para)
        fmt = para.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        if odd:
            fmt.right_indent = Pt(L.PAGE_NUMBER_PT)
        else:
            fmt.left_indent = Pt(L.PAGE_NUMBER_PT)
        size = L.PAGE_NUMBER_PT
        self._run(para, "— ", font=L.SONGTI, size=size)
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            run = para.add_run()
            set_fonts(run._r, L.SONGTI)
            run.font.size = Pt(size)
            if kind:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._r.append(char)
            elif text == " PAGE ":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._r.append(instr)
            else:
                run.text = text or ""
        self._run(para, " —", font=L.SONGTI, size=size)

    # --- paragraphs ----------------------------------------------------------------------------
    def _run(
        self,
        para: Any,
        text: str,
        *,
        font: str = L.FANGSONG,
        size: float = L.BODY_PT,
        color: str | None = None,
        bold: bool = False,
    ) -> Any:
        run = para.add_run(xml_text(text))
        set_fonts(run._r, font)
        run.font.size = Pt(size)
        if size != L.BODY_PT:  # the body's condensing is for 16 pt on the grid only
            put(run._r.get_or_add_rPr(), element("spacing", val=0), RPR_ORDER)
        if color:
            run.font.color.rgb = RGBColor.from_string(color)
        if bold:
            run.font.bold = True
        return run

    def para(
        self,
        text: str = "",
        *,
        align: Any = JUSTIFY,
        first: float = 0,
        left: float = 0,
        right: float = 0,
        font: str = L.FANGSONG,
        size: float = L.BODY_PT,
        color: str | None = None,
        exact: float | None = None,
    ) -> Any:
        """A paragraph; indents in characters of the body (16 pt), ``first`` negative for a hanging indent."""
        para = self.doc.add_paragraph()
        para.alignment = align
        fmt = para.paragraph_format
        if first:
            fmt.first_line_indent = Pt(first * L.BODY_PT)
        if left:
            fmt.left_indent = Pt(left * L.BODY_PT)
        if right:
            fmt.right_indent = Pt(right * L.BODY_PT)
        if exact:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(exact)
        if text:
            self._run(para, text, font=font, size=size, color=color)
        return para

    def blank(self, lines: int = 1) -> None:
        for _i in range(lines):
            self.para()

    def separator(self, para: Any) -> None:
        """版头中的分隔线: a red rule the width of the type area, 4 mm under the 文号 paragraph."""
        borders = element("pBdr")
        borders.append(element("bottom", val="single", sz=L.SEPARATOR_SIZE, space=L.SEPARATOR_SPACE_PT, color=L.RED))
        put(para._p.get_or_add_pPr(), borders, PPR_ORDER)

    # --- the parts ------------------------------------------------------------------------------
    def head(self, doc: OfficialDocument) -> None:
        """版头: 密级, 紧急程度 (top left, 黑体), the red 发文机关标志, the 文号 (and 签发人), the red line."""
        for mark in (doc.secrecy, doc.urgency):
            if mark:
                self.para(mark, align=LEFT, font=L.HEITI)
        size = L.mark_size(doc.issuer_mark)
        mark = self.para(doc.issuer_mark, align=CENTER, font=L.XIAOBIAOSONG, size=size, color=L.RED, exact=size * 1.25)
        off_grid(mark)
        self.blank(2)
        if doc.signer:
            number = self.para("\u3000" + doc.number, align=LEFT)
            number.paragraph_format.tab_stops.add_tab_stop(Mm(L.TYPE_WIDTH_MM), alignment=2)  # right
            self._run(number, "\t签发人：")
            self._run(number, doc.signer + "\u3000", font=L.KAITI)
        else:
            number = self.para(doc.number, align=CENTER)
        self.separator(number)

    def title(self, doc: OfficialDocument) -> None:
        self.blank(2)
        off_grid(self.para(doc.title, align=CENTER, font=L.XIAOBIAOSONG, size=L.TITLE_PT, exact=L.LINE_PITCH_PT * 1.2))
        self.blank()
        if doc.addressee:
            self.para(f"{doc.addressee}：", align=LEFT)

    def body(self, doc: OfficialDocument) -> None:
        for block, label in numbered_blocks(doc.body):
            if isinstance(block, Heading):
                font = HEADING_FONTS[min(max(block.level, 1), 4)]
                para = self.para(label + block.text, first=2, font=font)
                if block.run_in:
                    self._run(para, block.run_in)
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, Attendance):
                width = L.text_width(block.label) + 1
                para = self.para(f"{block.label}：", left=2 + width, first=-width, font=L.HEITI)
                self._run(para, block.names)
            elif not block.text.strip():
                self.blank()
            else:
                for line in block.text.splitlines():
                    if line.strip():
                        self.para(line.strip(), first=2)

    def table(self, block: Table) -> None:
        if block.caption:
            self.para(block.caption, align=CENTER, font=L.HEITI)
        columns = len(block.header)
        table = self.doc.add_table(rows=1, cols=columns)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        weights = block.widths or [1.0] * columns
        widths = [Mm(L.TYPE_WIDTH_MM * w / sum(weights)) for w in weights]
        for row_values in [block.header, *block.rows]:
            cells = table.rows[0].cells if row_values is block.header else table.add_row().cells
            for cell, value, width in zip(cells, row_values, widths, strict=False):
                cell.width = width
                para = cell.paragraphs[0]
                para.alignment = CENTER if row_values is block.header else LEFT
                fmt = para.paragraph_format
                fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
                off_grid(para)
                font = L.HEITI if row_values is block.header else L.FANGSONG
                self._run(para, str(value), font=font, size=L.TABLE_PT)
        self.para()  # a table never ends the body: the next block starts on its own line

    def attachments(self, doc: OfficialDocument) -> None:
        """附件说明: one blank line under the body, two characters in; names numbered when more than one."""
        if not doc.attachments:
            return
        self.blank()
        many = len(doc.attachments) > 1
        for i, name in enumerate(doc.attachments, start=1):
            label = f"{i}.{name}" if many else name
            if i == 1:
                self.para(f"附件：{label}", left=5, first=-3)
            else:
                self.para(label, left=5)

    def closing(self, doc: OfficialDocument) -> None:
        """署名 centred over the 成文日期; the date right with four characters' right indent; 附注 under it."""
        if doc.signature or doc.date:
            self.blank(2)
        date_text = doc.date_text
        date_width = L.text_width(date_text) if date_text else 8
        if doc.signature:
            centre = 4 + date_width / 2
            right = max(0.0, centre - L.text_width(doc.signature) / 2)
            self.para(doc.signature, align=RIGHT, right=right)
        if date_text:
            self.para(date_text, align=RIGHT, right=4)
        if doc.note:
            self.para(f"（{doc.note}）", first=2)

    def record(self, doc: OfficialDocument) -> None:
        """版记 at the foot of the last page: a table anchored to the bottom of the type area, its rules
        0.35 mm (first and last) and 0.25 mm (between), 抄送 and 印发机关/印发日期 in 4号 仿宋."""
        if not doc.has_record:
            return
        rows = [r for r in (doc.copy_text, "printed" if (doc.printed_by or doc.printed_on) else "") if r]
        table = self.doc.add_table(rows=len(rows), cols=1)
        table.autofit = False
        tbl_pr = table._tbl.tblPr
        # Its top: the type area's foot less its rows (an absolute offset from the page's top, which Word,
        # WPS and LibreOffice all honour; LibreOffice ignores tblpYSpec="bottom").
        height_pt = len(rows) * L.LINE_PITCH_PT + 2
        top_pt = (L.PAGE_HEIGHT_MM - L.MARGIN_BOTTOM_MM) / L.MM_PER_PT - height_pt
        position = element(
            "tblpPr",
            leftFromText=0,
            rightFromText=0,
            vertAnchor="page",
            horzAnchor="margin",
            tblpXSpec="center",
            tblpY=int(top_pt * L.TWIPS_PER_PT),
        )
        put(tbl_pr, position, TBLPR_ORDER)
        put(tbl_pr, element("tblOverlap", val="never"), TBLPR_ORDER)
        put(tbl_pr, element("tblW", w=int(L.TYPE_WIDTH_MM / L.MM_PER_PT * 20), type="dxa"), TBLPR_ORDER)
        for i, (row, kind) in enumerate(zip(table.rows, rows, strict=True)):
            cell = row.cells[0]
            cell.width = Mm(L.TYPE_WIDTH_MM)
            self._cell_rules(
                cell, top=L.RULE_THICK if i == 0 else L.RULE_THIN, bottom=L.RULE_THICK if i == len(rows) - 1 else 0
            )
            para = cell.paragraphs[0]
            off_grid(para)
            fmt = para.paragraph_format
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(L.LINE_PITCH_PT)
            fmt.left_indent = fmt.right_indent = Pt(L.RECORD_PT)
            if kind == "printed":
                fmt.tab_stops.add_tab_stop(Mm(L.TYPE_WIDTH_MM) - Pt(2 * L.RECORD_PT), alignment=2)
                self._run(para, doc.printed_by, size=L.RECORD_PT)
                self._run(para, "\t" + doc.printed_text, size=L.RECORD_PT)
            else:
                self._run(para, kind, size=L.RECORD_PT)
        # The table floats (anchored to the foot of the type area); the paragraph after it is its anchor, and
        # a document must not end with a table.
        anchor = self.doc.add_paragraph()
        anchor.paragraph_format.line_spacing = Pt(1)
        anchor.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY

    @staticmethod
    def _cell_rules(cell: Any, *, top: int, bottom: int) -> None:
        tc_pr = cell._tc.get_or_add_tcPr()
        borders = element("tcBorders")
        for side, size in (("top", top), ("left", 0), ("bottom", bottom), ("right", 0)):
            if size:
                borders.append(element(side, val="single", sz=size, space=0, color="000000"))
            else:
                borders.append(element(side, val="nil"))
        tc_pr.append(borders)  # after tcW, the only other child

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


@functools.lru_cache(maxsize=2)
def _set_up(draft: bool) -> bytes:
    """An empty document with the page, grid, styles, fonts and page numbers set (a quarter of the time a
    document takes), made once per process for drafts and for final documents and opened for each one."""
    writer = Writer()
    writer.setup(draft)
    return writer.bytes()


def render_docx(doc: OfficialDocument) -> bytes:
    """The document as .docx bytes: 版头, 主体 (title, 主送, body, 附件说明, 署名, 成文日期, 附注), 版记."""
    writer = Writer(_set_up(doc.draft))
    writer.head(doc)
    if doc.kind == "document":
        writer.title(doc)
    else:
        writer.blank()
        if doc.title:
            off_grid(
                writer.para(doc.title, align=CENTER, font=L.XIAOBIAOSONG, size=L.TITLE_PT, exact=L.LINE_PITCH_PT * 1.2)
            )
            writer.blank()
    writer.body(doc)
    writer.attachments(doc)
    writer.closing(doc)
    writer.record(doc)
    return writer.bytes()
