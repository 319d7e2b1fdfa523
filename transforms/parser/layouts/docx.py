"""Word (.docx) reports -> lines, with python-docx: paragraphs and table rows in document order.

A table row becomes one tab-separated line of its cells, as an HTML row does. Word merges
cells by spanning a cell over grid columns (gridSpan) or down rows (vMerge); python-docx
expands both into the grid, handing the same cell for every position it covers. A cell
is written once, where it starts: a group label merged down eight rows ((三)不予公开)
stands on its first row only, as an HTML rowspan does, and a header merged across columns
once. The narrative paragraphs are lines, for metadata and rule T1.

Word does not store pages (they come from layout at display time), so no page is recorded.
"""

from __future__ import annotations

import io
import time
import zipfile

from transforms.parser.decoding import Unreadable
from transforms.parser.layouts.document import DOCX, DOCX_MEDIA_TYPE, Extracted, Timeout, time_limit_s

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _cell_text(cell) -> str:  # noqa: ANN001 - a python-docx _Cell
    parts = [p.text.strip() for p in cell.paragraphs]
    # a table nested in a cell: its text, in order, as part of the cell
    for inner in cell.tables:
        for row in inner.rows:
            parts.extend(c.text.strip() for c in row.cells)
    out = ""
    for p in parts:
        if not p:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and p[0].isascii() and p[0].isalnum():
            out += " "
        out += p
    return out.replace("\t", " ").replace("\n", "")


def _table_lines(table, end: float) -> list[str]:  # noqa: ANN001 - a python-docx Table
    lines = []
    above: list = []
    for row in table.rows:
        if time.monotonic() > end:
            raise Timeout(f"Word document: reading took longer than the {time_limit_s():g} s limit per document")
        tcs = [cell._tc for cell in row.cells]
        cells = []
        for j, (cell, tc) in enumerate(zip(row.cells, tcs, strict=True)):
            if j > 0 and tcs[j - 1] is tc:
                continue  # the same cell again: spanned across grid columns
            if j < len(above) and above[j] is tc:
                continue  # merged down from the row above
            cells.append(_cell_text(cell))
        above = tcs
        if any(cells):
            lines.append("\t".join(cells))
    return lines


def read_docx(data: bytes) -> Extracted:
    """A Word document's lines; raises Unreadable with the reason it cannot be read."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    end = time.monotonic() + time_limit_s()
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise Unreadable(f"damaged Word document (.docx cannot be opened: {type(exc).__name__}); download it again") from exc
    except Exception as exc:  # noqa: BLE001 - lxml and python-docx raise many kinds on broken parts
        raise Unreadable(f"damaged Word document (.docx cannot be read: {type(exc).__name__}: {exc}); download it again") from exc
    lines: list[str] = []
    try:
        body = document.element.body
        for child in body.iterchildren():
            if child.tag == f"{_W}p":
                text = Paragraph(child, document).text.strip()
                if text:
                    lines.append(text.replace("\t", " "))
            elif child.tag == f"{_W}tbl":
                lines.extend(_table_lines(Table(child, document), end))
    except Unreadable:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed table grid
        raise Unreadable(f"damaged Word document (its body cannot be read: {type(exc).__name__}: {exc})") from exc
    if not lines:
        raise Unreadable("Word document without text (empty, or its report is an embedded image)")
    return Extracted(lines, [], DOCX, DOCX_MEDIA_TYPE, "docx", page_count=0)
