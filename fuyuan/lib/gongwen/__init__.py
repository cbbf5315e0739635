"""公文 (GB/T 9704-2012 党政机关公文格式): one plain description of a document, rendered as .docx and as HTML.

A domain builds an :class:`OfficialDocument` from its record (``cases/recommendations/documents.py`` and
friends); :func:`render_docx` lays it out with python-docx, :func:`html_context` gives the print view
(``templates/documents/official.html``) the same blocks. The layout numbers live in :mod:`.layout`.
"""

from fuyuan.lib.gongwen.document import (
    Attendance,
    Block,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    chinese_date,
    chinese_numeral,
    number_placeholder,
)
from fuyuan.lib.gongwen.html import html_context
from fuyuan.lib.gongwen.render import render_docx
from fuyuan.lib.gongwen.response import docx_response, official_response

__all__ = [
    "Attendance",
    "Block",
    "Heading",
    "OfficialDocument",
    "Paragraph",
    "Table",
    "chinese_date",
    "chinese_numeral",
    "docx_response",
    "html_context",
    "number_placeholder",
    "official_response",
    "render_docx",
]
