"""The text of an uploaded PDF or DOCX, for search, bounded in time, memory, pages and characters.

An upload is untrusted: a PDF of 10,000 pages, a page that expands to gigabytes, a DOCX whose XML is
huge once decompressed. So the text is read in a separate Python process (``python -m
<this file> KIND PATH``, isolated: ``-I``) that caps its own address space (``RLIMIT_AS``) and CPU time
(``RLIMIT_CPU``) before opening the file, reads at most ``MAX_PAGES`` pages and ``max_chars``
characters, and is killed by the parent after ``timeout`` seconds. Whatever happens, the caller gets an
:class:`Extracted` (the text read so far may be empty) and never an exception: a file whose text cannot
be read is still a valid attachment, it is only not searchable.
"""

from __future__ import annotations

import json
import re
import subprocess  # nosec B404 - runs our own interpreter on this module, never a shell
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml.ElementTree import iterparse  # entities and DTDs refused: a DOCX is untrusted

#: Pages of a PDF read at most (a 10,000-page PDF gives the text of its first pages).
MAX_PAGES = 300
#: Characters kept at most.
MAX_CHARS = 200_000
#: Seconds the extraction may take, and the memory its process may use.
TIMEOUT_SECONDS = 10
MEMORY_BYTES = 768 * 1024 * 1024
#: A DOCX's document.xml declared larger than this once decompressed is not read.
MAX_DOCX_XML_BYTES = 50 * 1024 * 1024

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SPACES = re.compile(r"[ \t\r\f\v]+")


@dataclass(frozen=True)
class Extracted:
    text: str
    status: str  # "done", "truncated" (a cap was reached), "failed" (unreadable, too slow, too large)


def _clean(text: str) -> str:
    lines = (SPACES.sub(" ", line).strip() for line in text.replace("\x00", "").splitlines())
    return "\n".join(line for line in lines if line)


def _pdf_text(path: str, max_chars: int) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(path)
    parts: list[str] = []
    size = 0
    truncated = len(reader.pages) > MAX_PAGES
    for index, page in enumerate(reader.pages):
        if index >= MAX_PAGES:
            break
        chunk = page.extract_text() or ""
        parts.append(chunk)
        size += len(chunk)
        if size >= max_chars:
            truncated = True
            break
    text = _clean("\n".join(parts))
    return Extracted(text[:max_chars], "truncated" if truncated or len(text) > max_chars else "done")


def _docx_text(path: str, max_chars: int) -> Extracted:
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("word/document.xml")
        if info.file_size > MAX_DOCX_XML_BYTES:
            return Extracted("", "failed")
        parts: list[str] = []
        size = 0
        with archive.open(info) as stream:
            for _event, element in iterparse(stream, events=("end",)):
                if element.tag == f"{W_NS}t" and element.text:
                    parts.append(element.text)
                    size += len(element.text)
                elif element.tag == f"{W_NS}p":
                    parts.append("\n")
                    element.clear()
                if size >= max_chars:
                    return Extracted(_clean("".join(parts))[:max_chars], "truncated")
    return Extracted(_clean("".join(parts)), "done")


READERS = {"pdf": _pdf_text, "docx": _docx_text}


def extract_here(kind: str, path: str, max_chars: int = MAX_CHARS) -> Extracted:
    """Read the text in this process (the child's work; callers use :func:`extract_text`)."""
    try:
        return READERS[kind](path, max_chars)
    except Exception:  # noqa: BLE001 - any failure to read an untrusted file means "no text"
        return Extracted("", "failed")


def extract_text(
    kind: str,
    path: str | Path,
    *,
    max_chars: int = MAX_CHARS,
    timeout: float = TIMEOUT_SECONDS,
    memory: int = MEMORY_BYTES,
) -> Extracted:
    """The text of the file at ``path`` (a PDF or DOCX; other kinds have none), read in a bounded child."""
    if kind not in READERS:
        return Extracted("", "none")
    command = [sys.executable, "-I", __file__, kind, str(path), str(max_chars), str(memory)]
    try:
        finished = subprocess.run(  # noqa: S603  # nosec B603 - our own interpreter and module, no shell
            command,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Extracted("", "failed")
    if finished.returncode != 0:
        return Extracted("", "failed")
    try:
        data = json.loads(finished.stdout)
        return Extracted(str(data["text"])[:max_chars], str(data["status"]))
    except (ValueError, KeyError, TypeError):
        return Extracted("", "failed")


def _main(argv: list[str]) -> int:
    import resource

    kind, path, max_chars, memory = argv[0], argv[1], int(argv[2]), int(argv[3])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (TIMEOUT_SECONDS, TIMEOUT_SECONDS + 1))
    result = extract_here(kind, path, max_chars)
    sys.stdout.write(json.dumps({"text": result.text, "status": result.status}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
