"""Text bound for XML documents (XLSX, DOCX): without the characters XML 1.0 cannot hold.

A title typed with a stray control character (pasted from another program, or sent on purpose)
is stored as typed; lxml refuses it ("All strings must be XML compatible"), which would make a
whole export or report fail. Those characters are invisible anyway, so they are dropped.
"""

from __future__ import annotations

import re

# C0 controls other than tab, newline and carriage return; UTF-16 surrogates; U+FFFE and U+FFFF.
XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters an XML document cannot contain."""
    return XML_ILLEGAL_RE.sub("", text)
