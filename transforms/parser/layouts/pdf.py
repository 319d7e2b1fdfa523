"""Text PDFs -> lines, read from the page geometry with pdfplumber.

- Ruled tables (`find_tables` on the ruling lines) give real cells: a row becomes one
  tab-separated line of its cells; a cell spanned by a merged neighbour (None) is left out,
  as an HTML row leaves out the cells a rowspan covers, so a group label (（三）不予公开 over
  eight rows) stands once, on its first row.
- Text outside ruled tables is grouped into lines by position; within a line, a gap wider
  than a character separates cells (tables without lines: numbers placed by their x
  position), a narrower one is a space.
- A table that goes on at the top of the next page is the same table: header rows it
  repeats there are dropped. The reader finds rows by their labels, so the rows simply
  follow one another across the break.
- Page headers, footers and page numbers (`- 3 -`, `第3页`, `3/6`, a running title on
  most pages) in the top and bottom margins are dropped.
- Fonts without a Unicode map come out as private-use characters or `(cid:N)`: they are
  counted, never read as numbers; a page made mostly of them makes the PDF unreadable.
- A PDF without a text layer (scanned pages) is `scanned PDF: no text layer`.
"""

from __future__ import annotations

import io
import os
import re
import time
from dataclasses import dataclass

from transforms.parser.decoding import Unreadable
from transforms.parser.layouts.document import PDF_TEXT, Extracted, Timeout, deadline, time_limit_s

MAX_PAGES = 200  # an annual report has 3-40 pages; a file of hundreds is a compilation

# The margins where running headers and footers sit, as a share of the page height.
_MARGIN = 0.09
_PAGE_NUMBER_RE = re.compile(
    r"^(?:[-—–~·\s]*\d{1,4}[-—–~·\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$"
)
_CID_RE = re.compile(r"\(cid:\d+\)")
# A space the typesetter put between Chinese text and a number (2024 年, 申请 3119 件): the
# text of an HTML page of the same report has none, and the narrative's patterns expect none.
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\u2014\u2018\u2019\u201c\u201d"
_CJK_SPACE_RE = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}0-9])|(?<=[{_CJK}0-9]) +(?=[{_CJK}])")
_DIGITS_RE = re.compile(r"\d+")


def _unmapped(ch: str) -> bool:
    """A glyph whose font has no Unicode map: pdfminer's `(cid:N)`, or a private-use code."""
    if len(ch) > 1:
        return ch.startswith("(cid:")
    return "\ue000" <= ch <= "\uf8ff"


@dataclass
class _Line:
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    size: float
    table: int = -1  # index of the ruled table the row belongs to (-1: text outside tables)
    row: int = -1  # row index within that table


def _cell_text(text: str | None) -> str | None:
    """A cell's text on one line: wrapped CJK lines join without a space."""
    if text is None:
        return None
    parts = [p.strip() for p in text.split("\n")]
    out = ""
    for p in parts:
        if not p:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and p[0].isascii() and p[0].isalnum():
            out += " "
        out += p
    return out.replace("\t", " ")


def _ruled_tables(page) -> list:  # noqa: ANN001 - a pdfplumber Page
    """Tables with at least two columns (white filled boxes behind a paragraph make one-column
    'tables' of its lines: not tables)."""
    if not page.edges:
        return []
    found = []
    for t in page.find_tables():
        rows = t.extract()
        if not rows or max(len(r) for r in rows) < 2:
            continue
        found.append((t, rows))
    return found


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def _text_lines(words: list[dict], tight: float = -1.0) -> list[_Line]:
    """Words -> lines by vertical position; a wide gap between words is a cell break (tab).

    `tight`: for characters rather than words, the gap up to which two are one word."""
    words = sorted(words, key=lambda w: (round(w["top"]), w["x0"]))
    lines: list[list[dict]] = []
    for w in words:
        mid = (w["top"] + w["bottom"]) / 2
        for ln in reversed(lines[-3:]):
            top, bottom = min(x["top"] for x in ln), max(x["bottom"] for x in ln)
            if top - 1 <= mid <= bottom + 1:
                ln.append(w)
                break
        else:
            lines.append([w])
    out = []
    for ln in lines:
        ln.sort(key=lambda w: w["x0"])
        size = max(w.get("size", 10.0) for w in ln)
        text = ln[0]["text"]
        for prev, w in zip(ln, ln[1:], strict=False):
            gap = w["x0"] - prev["x1"]
            if gap > tight:
                text += "\t" if gap > 1.2 * size else " "
            text += w["text"]
        out.append(_Line(min(w["top"] for w in ln), max(w["bottom"] for w in ln), ln[0]["x0"], ln[-1]["x1"], text, size))
    out.sort(key=lambda line: line.top)
    return out


def _page_lines(page, n_unmapped: list[int]) -> list[_Line]:  # noqa: ANN001 - a pdfplumber Page
    """The page's lines, in reading order: text lines and ruled-table rows by their top."""
    chars = page.chars
    unmapped = sum(1 for c in chars if _unmapped(c["text"]))
    n_unmapped[0] += unmapped
    n_unmapped[1] += len(chars)
    tables = _ruled_tables(page)
    boxes = [t.bbox for t, _ in tables]
    lines: list[_Line] = []
    for k, (t, rows) in enumerate(tables):
        for r, (cells, row) in enumerate(zip(rows, t.rows, strict=False)):
            texts = [_cell_text(c) for c in cells]
            if not any(texts):
                continue
            top, bottom = row.bbox[1], row.bbox[3]
            lines.append(_Line(top, bottom, row.bbox[0], row.bbox[2], "\t".join(x for x in texts if x is not None), 0.0, k, r))
    words = page.extract_words(x_tolerance=1.5, y_tolerance=3, keep_blank_chars=False, use_text_flow=False, extra_attrs=["size"])
    if boxes:
        words = [w for w in words if not _inside(w, boxes)]
    lines.extend(_text_lines(words))
    lines.sort(key=lambda line: (line.top, line.x0))
    return lines


def _chars_text(chars: list[dict]) -> str:
    """The text of a cell's characters: lines by position, a gap of a few points a space."""
    lines = _text_lines(chars, tight=3.0)
    return _cell_text("\n".join(ln.text.replace("\t", " ") for ln in lines)) or ""


def _pdfium_tables(geom) -> list[tuple[tuple[float, float, float, float], list[tuple[tuple[float, ...], list]]]]:  # noqa: ANN001
    """Ruled tables from the page's edges with pdfplumber's own table finder: (bbox, rows),
    each row (bbox, cell bboxes with None where a merged neighbour covers the grid)."""
    from pdfplumber import table as T

    if not geom.edges:
        return []
    settings = T.TableSettings()
    edges = T.merge_edges(geom.edges, settings.snap_x_tolerance, settings.snap_y_tolerance, settings.join_x_tolerance, settings.join_y_tolerance)
    edges = [e for e in edges if (e["width"] if e["orientation"] == "h" else e["height"]) >= settings.edge_min_length]
    cells = T.intersections_to_cells(T.edges_to_intersections(edges, settings.intersection_x_tolerance, settings.intersection_y_tolerance))
    out = []
    for group in T.cells_to_tables(cells):
        t = T.Table(None, group)
        rows = [(row.bbox, row.cells) for row in t.rows]
        if rows and max(len(cs) for _, cs in rows) >= 2:
            out.append((t.bbox, rows))
    return out


def _in_box(ch: dict, box: tuple[float, ...]) -> bool:
    cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
    return box[0] <= cx < box[2] and box[1] <= cy < box[3]


def _pdfium_page_lines(geom) -> list[_Line]:  # noqa: ANN001 - a pdf_geometry.PageGeometry
    """As `_page_lines`, from PDFium's characters and edges."""
    tables = _pdfium_tables(geom)
    chars = geom.chars
    lines: list[_Line] = []
    inside: set[int] = set()
    for k, (bbox, rows) in enumerate(tables):
        in_table = [i for i, ch in enumerate(chars) if _in_box(ch, bbox)]
        inside.update(in_table)
        for r, (rbox, cells) in enumerate(rows):
            row_chars = [chars[i] for i in in_table if _in_box(chars[i], rbox)]
            texts = []
            for cell in cells:
                if cell is None:
                    continue
                texts.append(_chars_text([ch for ch in row_chars if _in_box(ch, cell)]))
            if not any(texts):
                continue
            lines.append(_Line(rbox[1], rbox[3], rbox[0], rbox[2], "\t".join(texts), 0.0, k, r))
    rest = [ch for i, ch in enumerate(chars) if i not in inside] if inside else chars
    lines.extend(_text_lines(rest, tight=1.5))
    lines.sort(key=lambda line: (line.top, line.x0))
    return lines


def _read_pdfium(data: bytes, limit: float) -> tuple[list[list[_Line]], list[float], int, int, int, bool]:
    """Pages' lines through PDFium: (pages, heights, unmapped, characters, images, encrypted)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as c

    from transforms.parser.layouts.pdf_geometry import page_geometry

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text:
            raise Unreadable("encrypted PDF: it needs a password to open; ask the publisher for an unprotected copy") from exc
        if "security" in text:
            raise Unreadable("encrypted PDF: an unsupported security handler; ask the publisher for an unprotected copy") from exc
        raise Unreadable(f"damaged PDF (truncated or corrupt: {exc}); download it again") from exc
    try:
        encrypted = c.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1
        n = len(pdf)
        if n == 0:
            raise Unreadable("damaged PDF: no pages could be read (truncated or corrupt file); download it again")
        if n > MAX_PAGES:
            raise Unreadable(f"PDF of {n} pages: longer than any annual report (limit {MAX_PAGES}); extract the report's pages")
        end = time.monotonic() + limit
        pages, heights = [], []
        unmapped = total = images = 0
        for i in range(n):
            if time.monotonic() > end:
                raise Timeout(f"PDF: reading took longer than the {limit:g} s limit per document ({i} of {n} pages read)")
            page = pdf[i]
            try:
                geom = page_geometry(page)
            finally:
                page.close()
            unmapped += geom.unmapped
            total += len(geom.chars)
            images += geom.images
            pages.append(_pdfium_page_lines(geom))
            heights.append(float(geom.height))
    finally:
        pdf.close()
    return pages, heights, unmapped, total, images, encrypted


def _margin_text(line: _Line, height: float) -> bool:
    return line.table < 0 and (line.bottom < height * _MARGIN or line.top > height * (1 - _MARGIN))


def _drop_running(pages: list[list[_Line]], heights: list[float]) -> None:
    """Page numbers, and text repeated in the same margin on most pages (a running header)."""
    seen: dict[str, int] = {}
    for lines, h in zip(pages, heights, strict=True):
        for key in {_DIGITS_RE.sub("#", ln.text.replace(" ", "")) for ln in lines if _margin_text(ln, h)}:
            seen[key] = seen.get(key, 0) + 1
    running = {k for k, n in seen.items() if n >= 2 and n * 2 >= len(pages)}
    for i, (lines, h) in enumerate(zip(pages, heights, strict=True)):
        pages[i] = [
            ln
            for ln in lines
            if not (
                _margin_text(ln, h)
                and (_PAGE_NUMBER_RE.match(ln.text.replace("\t", " ").strip()) or _DIGITS_RE.sub("#", ln.text.replace(" ", "")) in running)
            )
        ]


def _header_rows(lines: list[_Line], table: int) -> list[str]:
    """The rows of a table before its first row holding a number: its header."""
    out = []
    for ln in lines:
        if ln.table != table:
            continue
        if any(ch.isdigit() for ch in ln.text):
            break
        out.append(ln.text)
    return out


def _drop_repeated_headers(pages: list[list[_Line]]) -> None:
    """A table that opens the next page, right after a page that ended in a table, continues
    it: the header rows it repeats are dropped."""
    for i in range(1, len(pages)):
        prev, cur = pages[i - 1], pages[i]
        if not prev or not cur or prev[-1].table < 0 or cur[0].table < 0:
            continue
        # the header of the table the previous page's last table continues (or is)
        first = prev[-1].table
        header = _header_rows(prev, first)
        j = i - 1
        while not header and j > 0 and pages[j] and pages[j][0].table >= 0 and pages[j - 1] and pages[j - 1][-1].table >= 0:
            j -= 1
            header = _header_rows(pages[j], pages[j][-1].table)
        if not header:
            continue
        table = cur[0].table
        keep, dropping = [], True
        rest = list(header)
        for ln in cur:
            if dropping and ln.table == table and rest and ln.text == rest[0]:
                rest.pop(0)
                continue
            dropping = False
            keep.append(ln)
        pages[i] = keep


def _margins(lines: list[_Line]) -> tuple[float, float] | None:
    text = [ln for ln in lines if ln.table < 0 and "\t" not in ln.text]
    if len(text) < 2:
        return None
    return min(ln.x0 for ln in text), max(ln.x1 for ln in text)


def _joinable(prev: _Line, ln: _Line, margins: tuple[float, float] | None, next_margins: tuple[float, float] | None) -> bool:
    if margins is None or next_margins is None:
        return False
    if prev.table >= 0 or ln.table >= 0 or "\t" in prev.text or "\t" in ln.text:
        return False
    size = prev.size or 10.0
    return prev.x1 >= margins[1] - 1.5 * size and ln.x0 <= next_margins[0] + 0.5 * size


def _paragraphs(pages: list[list[_Line]]) -> list[tuple[int, str]]:
    """(page, text) of each line, a paragraph wrapped over several lines (and over a page
    break) joined again: the narrative's figures (共受理…申请3119件) must not be cut in two.
    A text line that runs to the right margin goes on in the next one when that starts at
    the left margin (a new paragraph is indented, a heading or a last line ends short)."""
    out: list[tuple[int, str]] = []
    last: _Line | None = None
    last_margins = None
    for page, lines in enumerate(pages, 1):
        margins = _margins(lines)
        for k, ln in enumerate(lines):
            same_page = k > 0
            if (
                last is not None
                and _joinable(last, ln, last_margins, margins)
                and (not same_page or 0 <= ln.top - last.bottom < 2 * (last.size or 10.0))
            ):
                prev = out[-1][1]
                sep = " " if prev[-1].isascii() and prev[-1].isalnum() and ln.text[0].isascii() and ln.text[0].isalnum() else ""
                out[-1] = (out[-1][0], prev + sep + ln.text)
            else:
                out.append((page, ln.text))
            last, last_margins = ln, margins
    return out


def _failure(exc: BaseException) -> str:
    """Why pdfminer could not read the file, in words (pdfplumber wraps its errors)."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    inner = exc.args[0] if type(exc).__name__ == "PdfminerException" and exc.args and isinstance(exc.args[0], BaseException) else exc
    if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
        return "encrypted PDF: it needs a password to open; ask the publisher for an unprotected copy"
    if isinstance(inner, (PDFSyntaxError, PSException)) or "EOF" in str(inner):
        return f"damaged PDF (truncated or corrupt: {inner or type(inner).__name__}); download it again"
    if isinstance(inner, (RecursionError, MemoryError)):
        return f"damaged PDF: the reader gave up ({type(inner).__name__})"
    return f"damaged PDF (cannot be read: {type(inner).__name__}: {inner}); download it again"


def _read_pdfplumber(data: bytes, limit: float) -> tuple[list[list[_Line]], list[float], int, int, int, bool]:
    """Pages' lines through pdfplumber (pdfminer): the reference reader, pure Python."""
    import pdfplumber

    encrypted = False
    try:
        with deadline(limit, "PDF") as end:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                encrypted = getattr(pdf.doc, "encryption", None) is not None
                n = len(pdf.pages)
                if n == 0:
                    raise Unreadable("damaged PDF: no pages could be read (truncated or corrupt file); download it again")
                if n > MAX_PAGES:
                    raise Unreadable(f"PDF of {n} pages: longer than any annual report (limit {MAX_PAGES}); extract the report's pages")
                pages: list[list[_Line]] = []
                heights: list[float] = []
                counts = [0, 0]
                images = 0
                for i, page in enumerate(pdf.pages):
                    if time.monotonic() > end:
                        raise Timeout(f"PDF: reading took longer than the {limit:g} s limit per document ({i} of {n} pages read)")
                    pages.append(_page_lines(page, counts))
                    heights.append(float(page.height))
                    images += len(page.images)
                    page.flush_cache()
    except Unreadable:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises its own kinds, and bare KeyError/TypeError on broken files
        raise Unreadable(_failure(exc)) from exc
    return pages, heights, counts[0], counts[1], images, encrypted


def reader() -> str:
    """Which PDF reader: `pdfium` (PDFium's geometry, C++; the default) or `pdfplumber`
    (pdfminer's, pure Python, 4x slower; OGI_PDF_READER=pdfplumber)."""
    return "pdfplumber" if os.environ.get("OGI_PDF_READER", "").lower() == "pdfplumber" else "pdfium"


def read_pdf(data: bytes) -> Extracted:
    """A text PDF's lines, page by page; raises Unreadable with the reason it cannot be read."""
    limit = time_limit_s()
    if reader() == "pdfium":
        try:
            with deadline(limit, "PDF"):
                pages, heights, unmapped, total, images, encrypted = _read_pdfium(data, limit)
        except Unreadable:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever a broken file makes of the geometry, a reason
            raise Unreadable(f"damaged PDF (cannot be read: {type(exc).__name__}: {exc}); download it again") from exc
    else:
        pages, heights, unmapped, total, images, encrypted = _read_pdfplumber(data, limit)
    if total == 0:
        if images:
            raise Unreadable("scanned PDF: no text layer (OCR is not installed)")
        raise Unreadable("PDF without text: no text layer and no images")
    notes = []
    if unmapped:
        if unmapped * 5 > total and encrypted:
            raise Unreadable(
                f"encrypted PDF (no password needed to open, but {unmapped} of {total} characters cannot be decoded); "
                "ask the publisher for an unprotected copy"
            )
        if unmapped * 5 > total:
            raise Unreadable(
                f"PDF fonts without a Unicode map: {unmapped} of {total} characters cannot be read as text; "
                "print it to PDF again with embedded Unicode fonts, or OCR it"
            )
        if unmapped * 20 > total and not any("公开" in line.text for page in pages for line in page):
            # glyphs mapped to the wrong characters around the unmapped ones: garbage, not a report
            raise Unreadable(
                f"PDF fonts without a Unicode map: {unmapped} of {total} characters cannot be read, the rest reads as "
                "garbage; print it to PDF again with embedded Unicode fonts, or OCR it"
            )
        notes.append(f"{unmapped} of {total} characters in fonts without a Unicode map were dropped")
    _drop_running(pages, heights)
    _drop_repeated_headers(pages)
    lines: list[str] = []
    page_of: list[int] = []
    for page, text in _paragraphs(pages):
        if "(cid:" in text:
            text = _CID_RE.sub("\ufffd", text)
        if unmapped:
            text = "".join("\ufffd" if "\ue000" <= ch <= "\uf8ff" else ch for ch in text)
        if "\t" not in text and " " in text:
            text = _CJK_SPACE_RE.sub("", text)
        lines.append(text.replace("\r", " ").replace("\n", " "))
        page_of.append(page)
    return Extracted(lines, page_of, PDF_TEXT, "application/pdf", "pdf", page_count=len(pages), notes=notes)
