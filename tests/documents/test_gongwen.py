"""The 公文 engine on its own: numbering, headings' fonts, the signer line, the font table, the filename."""

from __future__ import annotations

from datetime import date

from docx.oxml.ns import qn

from fuyuan.lib.gongwen import (
    Attendance,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    chinese_date,
    chinese_numeral,
    html_context,
    render_docx,
)
from fuyuan.lib.gongwen.layout import CHAR_SPACE, css_family, mark_size
from fuyuan.lib.gongwen.response import content_disposition
from tests.documents.support import check_layout, fonts_of, open_docx


def sample(**overrides: object) -> OfficialDocument:
    fields: dict[str, object] = {
        "issuer_mark": "甘肃省府院联动工作领导小组办公室文件",
        "number": "甘府院办〔2026〕3号",
        "title": "关于召开联席会议的通知",
        "addressee": "省生态环境厅，省市场监管局",
        "body": [
            Paragraph("为贯彻落实《意见》，定于2026年12月1日召开联席会议。"),
            Heading("会议时间"),
            Heading("上午", level=2),
            Heading("议程", level=3),
            Heading("细目", level=4),
            Heading("会议地点"),
            Table(["单位", "人数"], [["省司法厅", "2"]]),
            Attendance("出席", "省司法厅，省高级人民法院"),
        ],
        "attachments": ["参会回执", "议程"],
        "signature": "甘肃省府院联动工作领导小组办公室",
        "date": date(2026, 11, 20),
        "copy_to": ["省高级人民法院", "省高级人民法院", "省检察院"],
        "printed_by": "甘肃省府院联动工作领导小组办公室",
        "printed_on": date(2026, 11, 21),
    }
    fields.update(overrides)
    return OfficialDocument(**fields)  # type: ignore[arg-type]


def test_numbers_and_dates() -> None:
    assert [chinese_numeral(n) for n in (1, 10, 11, 20, 23)] == ["一", "十", "十一", "二十", "二十三"]
    assert chinese_date(date(2026, 12, 1)) == "2026年12月1日"
    assert CHAR_SPACE < 0  # 28 characters of 16 pt in 156 mm
    assert mark_size("甘肃省高级人民法院") == 42 and mark_size("甘肃省府院联动工作领导小组办公室文件") < 26


def test_the_layout_of_the_standard() -> None:
    doc = check_layout(
        render_docx(sample()), number="甘府院办〔2026〕3号", date_text="2026年11月20日", title="关于召开联席会议的通知"
    )
    paragraphs = {p.text: p for p in doc.paragraphs if p.text}
    assert fonts_of(paragraphs["一、会议时间"].runs[0]) == {"黑体"}
    assert fonts_of(paragraphs["（一）上午"].runs[0]) == {"楷体_GB2312"}
    assert fonts_of(paragraphs["1.议程"].runs[0]) == {"仿宋_GB2312"}
    assert "（1）细目" in paragraphs and "二、会议地点" in paragraphs  # counters per level, reset below
    assert "附件：1.参会回执" in paragraphs and "2.议程" in paragraphs
    assert "省生态环境厅，省市场监管局：" in paragraphs
    record = doc.tables[-1]
    assert record.rows[0].cells[0].text == "抄送：省高级人民法院，省检察院。"
    assert record.rows[1].cells[0].text == "甘肃省府院联动工作领导小组办公室\t2026年11月21日印发"
    fonts = open_docx(render_docx(sample())).part.package
    table = next(p for p in fonts.iter_parts() if str(p.partname) == "/word/fontTable.xml").blob.decode()
    assert 'w:name="仿宋_GB2312"' in table and "FangSong" in table and "Noto Serif CJK SC" in table


def test_an_upward_document_puts_the_number_left_and_the_signer_right() -> None:
    doc = open_docx(render_docx(sample(signer="王办公")))
    line = next(p for p in doc.paragraphs if "签发人" in p.text)
    assert line.text == "\u3000甘府院办〔2026〕3号\t签发人：王办公\u3000"
    assert fonts_of(line.runs[-1]) == {"楷体_GB2312"}


def test_control_characters_in_typed_text_do_not_break_the_document() -> None:
    doc = open_docx(render_docx(sample(title="关于\x0b召开的通知", body=[Paragraph("正文\x01。")])))
    assert "关于召开的通知" in [p.text for p in doc.paragraphs]


def test_draft_and_html_context() -> None:
    doc = open_docx(render_docx(sample(draft=True)))
    assert doc.sections[0].header.paragraphs[0].text == "草稿"
    ctx = html_context(sample())
    assert [b["text"] for b in ctx["blocks"] if b["kind"] == "heading"][:2] == ["一、会议时间", "（一）上午"]
    assert ctx["attachments"] == ["1.参会回执", "2.议程"] and 12 <= ctx["mark_size"] <= 42
    assert css_family("仿宋_GB2312").startswith('"仿宋_GB2312", "FangSong_GB2312"')


def test_filename_is_rfc_5987() -> None:
    header = content_disposition("司法建议书-（2026）甘01司建3号.docx")
    assert header.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E5%8F%B8" in header
    assert qn("w:t")  # python-docx namespaces available
