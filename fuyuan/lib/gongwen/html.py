"""The print view's context: the same blocks as the .docx, for ``templates/documents/official.html``."""

from __future__ import annotations

from typing import Any

from fuyuan.lib.gongwen import layout as L
from fuyuan.lib.gongwen.document import Attendance, Heading, OfficialDocument, Paragraph, Table, numbered_blocks


def _block(block: Any, label: str) -> dict[str, Any]:
    if isinstance(block, Heading):
        return {
            "kind": "heading",
            "level": min(max(block.level, 1), 4),
            "text": label + block.text,
            "run_in": block.run_in,
        }
    if isinstance(block, Table):
        return {"kind": "table", "header": block.header, "rows": block.rows, "caption": block.caption}
    if isinstance(block, Attendance):
        return {"kind": "attendance", "label": block.label, "names": block.names}
    assert isinstance(block, Paragraph)
    lines = [line.strip() for line in (block.text or "").splitlines() if line.strip()]
    return {"kind": "paragraphs", "lines": lines or [""]}


def html_context(doc: OfficialDocument) -> dict[str, Any]:
    """What the template shows, in order; the signature's right offset (in characters) centres it on the date."""
    date_width = L.text_width(doc.date_text) if doc.date_text else 8
    signature_right = max(0.0, 4 + date_width / 2 - L.text_width(doc.signature) / 2) if doc.signature else 0
    return {
        "doc": doc,
        "blocks": [_block(block, label) for block, label in numbered_blocks(doc.body)],
        # CSS classes, not inline styles: the mark's size in whole points (gw-mark-12 … gw-mark-42), the
        # signature's right indent in half characters (gw-sig-r0 … gw-sig-r16).
        "mark_size": max(12, int(L.mark_size(doc.issuer_mark))),
        "signature_right": min(16, round(signature_right * 2)),
        "attachments": [
            f"{i}.{name}" if len(doc.attachments) > 1 else name for i, name in enumerate(doc.attachments, 1)
        ],
    }
