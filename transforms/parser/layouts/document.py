"""What a binary document (PDF, DOCX) hands the text parser: lines, and where each came from.

PDF and Word reports are read into the same shape as an HTML page (`layouts.html.to_text`):
one line per paragraph, one tab-separated line per table row. From there every format goes
through the same sections -> rows -> repair -> rules path. Each line also carries the page it
was printed on, so silver can say on which page each table stands.

`extract` picks the reader by the bytes' signature; formats that no well-kept offline library
reads become a clear `Unreadable` reason naming the format and what to do with it.
"""

from __future__ import annotations

import io
import os
import signal
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from transforms.parser.decoding import Decoded, Unreadable, normalise_printed

# How the text of a report was obtained (bronze and silver `extraction`, the export's too).
TEXT, HTML, PDF_TEXT, PDF_OCR, DOCX = "text", "html", "pdf-text", "pdf-ocr", "docx"
EXTRACTIONS = (TEXT, HTML, PDF_TEXT, PDF_OCR, DOCX)
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# A published PDF or Word report is at most a few MB; scanned ones with images are larger.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


def time_limit_s() -> float:
    """Seconds one document may take to read (OGI_DOCUMENT_TIME_LIMIT_S, default 30)."""
    try:
        return float(os.environ.get("OGI_DOCUMENT_TIME_LIMIT_S", "30"))
    except ValueError:
        return 30.0


@dataclass
class Extracted:
    """A document's visible text as lines (tables as tab-separated rows), with provenance."""

    lines: list[str]
    pages: list[int]  # 1-based page of each line (DOCX: 1 throughout; Word paginates at display)
    extraction: str
    media_type: str
    layout: str  # the report's layout family: pdf | docx
    page_count: int = 1
    # Things a reader should know that are not failures (unmapped glyphs dropped, ...).
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class Timeout(Unreadable):
    """Reading the document took longer than the time limit."""


@contextmanager
def deadline(seconds: float, what: str) -> Iterator[float]:
    """Stop a read that runs past `seconds`: an alarm in the main thread (it interrupts a parser
    stuck inside one page), elsewhere only the readers' own checks between pages. A timer
    someone else set (pytest-timeout, a supervisor) is left running and given back its time."""
    start = time.monotonic()
    end = start + seconds
    use_alarm = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    old_delay = old_interval = 0.0
    if use_alarm:
        old_delay, old_interval = signal.getitimer(signal.ITIMER_REAL)
        use_alarm = not old_delay or old_delay > seconds
    if use_alarm:

        def _fire(signum, frame):  # noqa: ANN001, ARG001 - signal handler signature
            raise Timeout(f"{what}: reading took longer than the {seconds:g} s limit per document")

        previous = signal.signal(signal.SIGALRM, _fire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield end
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            if old_delay:
                left = old_delay - (time.monotonic() - start)
                signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), old_interval)


def sniff_document(data: bytes) -> str | None:
    """Which binary document format the bytes are, by signature (None: text or HTML)."""
    head = data[:8]
    if data[:1024].lstrip()[:5] == b"%PDF-":
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    return None


def _zip_kind(data: bytes) -> str:
    """docx | xlsx | pptx | ofd | wps-zip | zip | broken, from the archive's member names."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return "broken"
    if "word/document.xml" in names:
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("ppt/") for n in names):
        return "pptx"
    if "OFD.xml" in names:
        return "ofd"
    return "zip"


def _ole_kind(data: bytes) -> str:
    """doc | xls | wps | ppt | ole: the stream names sit in the OLE directory as UTF-16."""
    window = data[: 1 << 20]
    if "WordDocument".encode("utf-16-le") in window:
        return "doc"
    if "Workbook".encode("utf-16-le") in window or "Book".encode("utf-16-le") in window:
        return "xls"
    if "PowerPoint Document".encode("utf-16-le") in window:
        return "ppt"
    return "ole"


_LEGACY_REASONS = {
    # WPS Writer's .wps is an OLE file holding a WordDocument stream too: the same advice.
    "doc": "legacy Word .doc (or WPS .wps): not read (no well-kept offline reader); save it as .docx or PDF",
    "xls": "Excel workbook (.xls): reports are not read from spreadsheets; save the report as .docx or PDF",
    "ppt": "PowerPoint file (.ppt): not a report format; save the report as PDF",
    "ole": "MS Office (OLE) file of an unknown kind: save the report as .docx or PDF",
    "xlsx": "Excel workbook (.xlsx): reports are not read from spreadsheets; save the report as .docx or PDF",
    "pptx": "PowerPoint file (.pptx): not a report format; save the report as PDF",
    "ofd": "OFD document: no offline OFD reader; save the report as PDF",
    "zip": "ZIP archive, not a Word document (no word/document.xml): unpack it and land the files inside",
    "broken": "damaged ZIP container (truncated or not a zip): a .docx that cannot be opened; download it again",
    "rtf": "RTF document: not read; save it as .docx or PDF",
}


def extract_document(data: bytes) -> Extracted | None:
    """The document's lines, or None for text and HTML (read by `decoding.decode`).

    Raises Unreadable with a reason naming the format for what cannot be read."""
    kind = sniff_document(data)
    if kind is None:
        return None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise Unreadable(f"file too large ({len(data) / 1048576:.1f} MB, limit {MAX_DOCUMENT_BYTES // 1048576} MB), not a single report")
    if kind == "pdf":
        from transforms.parser.layouts.pdf import read_pdf

        return read_pdf(data)
    if kind == "zip":
        sub = _zip_kind(data)
        if sub == "docx":
            from transforms.parser.layouts.docx import read_docx

            return read_docx(data)
        raise Unreadable(_LEGACY_REASONS[sub])
    if kind == "ole":
        raise Unreadable(_LEGACY_REASONS[_ole_kind(data)])
    raise Unreadable(_LEGACY_REASONS[kind])


def media_type_of(data: bytes) -> str | None:
    """The media type of a binary document (None for text and HTML)."""
    kind = sniff_document(data)
    if kind == "pdf":
        return "application/pdf"
    if kind == "zip":
        return {
            "docx": DOCX_MEDIA_TYPE,
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "ofd": "application/ofd",
        }.get(_zip_kind(data), "application/zip")
    if kind == "ole":
        return {"doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint"}.get(
            _ole_kind(data), "application/x-ole-storage"
        )
    if kind == "rtf":
        return "application/rtf"
    return None


def document_decoded(document: Extracted) -> Decoded:
    """The document's text as `decoding.decode` would hand it over: NFKC, printed lines kept."""
    text, printed = normalise_printed(document.text)
    return Decoded(text, None, document.media_type, printed)


# section kinds of transforms.parser.tables -> the model's table names
_TABLE_OF_SECTION = {"disclosure": "active_disclosure", "applications": "applications", "review": "review_litigation"}


def table_pages(document: Extracted, sections: dict) -> dict[str, int]:
    """The page each table starts on: where its first number was printed."""
    out = {}
    for kind, section in sections.items():
        name = _TABLE_OF_SECTION.get(kind)
        line = next((t.line for t in section.tokens if type(t).__name__ == "Num"), None)
        if name and line is not None and line < len(document.pages):
            out[name] = document.pages[line]
    return out
