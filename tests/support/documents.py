"""Random valid reports written as PDF (reportlab) and Word (python-docx) files.

A test helper beside renderer.py, sharing its truth, narrative and table rows (with their
spans): `render_pdf` lays the report out on A4 pages in reportlab's built-in CID font
STSong-Light (no font file), with ruled tables or tables without lines, a table split
across pages with or without its header rows repeated, page numbers in the footer and a
running header; `render_docx` writes the same report as a Word document whose merged cells
are real Word merges. What the parser must make of them is `renderer.expected_export`.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from tests.support import renderer as R

FONT = "STSong-Light"


@dataclass(frozen=True)
class PdfStyle:
    ruled: bool = True  # tables with ruling lines (else words placed by x only)
    split: bool = False  # 表三 starts low on a page, so it runs onto the next
    repeat_header: bool = False  # a split table prints its header rows again on the next page
    running_header: bool = False  # a title line at the top of every page
    page_numbers: str = "dash"  # dash (- 3 -) | of (第3页 共5页) | none
    font_size: float = 8.0  # table text
    pages_of_filler: int = 0  # extra narrative pages (a long report, the 100-page case)


def random_style(rng: random.Random) -> PdfStyle:
    return PdfStyle(
        ruled=rng.random() < 0.6,
        split=rng.random() < 0.5,
        repeat_header=rng.random() < 0.5,
        running_header=rng.random() < 0.3,
        page_numbers=rng.choice(("dash", "of", "none")),
    )


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _story_parts(truth: R.Truth, rng: random.Random, noise: R.Noise):
    tx = R.Text(rng, noise)
    story = R.narrative(truth, tx, rng, noise.title)
    title = R.title_line(truth, tx, rng) if noise.title else None
    date = R.date_line(truth, tx, rng)
    tables = [R.disclosure_rows(truth, tx), R.applications_rows(truth, tx), R.review_rows(truth, tx)]
    return tx, story, title, date, tables


def _spans(rows: list[list[R.G]]) -> tuple[list[list[R.G | None]], list[tuple[int, int, int, int]]]:
    """The expanded grid, and each multi-cell origin's (col0, row0, col1, row1)."""
    g = R.grid(rows)
    spans = []
    for i, line in enumerate(g):
        for j, c in enumerate(line):
            if c is not None and (c.rowspan > 1 or c.colspan > 1):
                spans.append((j, i, j + c.colspan - 1, i + c.rowspan - 1))
    return g, spans


def _header_count(g: list[list[R.G | None]]) -> int:
    return next(i for i, line in enumerate(g) if any(c is not None and c.numeric for c in line))


def render_pdf(
    truth: R.Truth, rng: random.Random, noise: R.Noise = R.Noise(), style: PdfStyle = PdfStyle(), encrypt: object = None
) -> bytes:
    """The report as a text PDF of A4 pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    tx, story, title, date, tables = _story_parts(truth, rng, noise)
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17, wordWrap="CJK", firstLineIndent=22)
    head = ParagraphStyle("head", parent=body, firstLineIndent=0)
    big = ParagraphStyle("title", parent=body, fontSize=16, leading=24, alignment=1, firstLineIndent=0)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=style.font_size, leading=style.font_size * 1.3, wordWrap="CJK")
    running = f"{truth.body}政府信息公开工作年度报告"

    def on_page(canvas, doc) -> None:  # noqa: ANN001 - reportlab callback
        canvas.saveState()
        canvas.setFont(FONT, 9)
        n = canvas.getPageNumber()
        if style.page_numbers == "dash":
            canvas.drawCentredString(A4[0] / 2, 12 * mm, f"- {n} -")
        elif style.page_numbers == "of":
            canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, f"第{n}页")
        if style.running_header:
            canvas.drawCentredString(A4[0] / 2, A4[1] - 12 * mm, running)
        canvas.restoreState()

    flow = []
    if title:
        flow.append(Paragraph(title, big))
    if date:
        flow.append(Paragraph(date.replace("  ", "\u3000"), head))
    for s in story["intro"]:
        flow.append(Paragraph(s, body))
    flow.append(Paragraph(story["overview"][0], head))
    for s in story["general"]:
        flow.append(Paragraph(s, body if not s.startswith("(") else head))
    for _ in range(style.pages_of_filler):
        flow.append(PageBreak())
        flow.extend(Paragraph("进一步规范政府信息公开工作流程,加强政务公开队伍建设,提升公开质效。" * 3, body) for _ in range(14))
    frame_width = A4[0] - 40 * mm
    for k, (sec, rows) in enumerate(zip(R.SECTION_TITLES, tables, strict=True)):
        if k == 1 and style.split:
            flow.append(PageBreak())
            flow.append(Spacer(1, rng.uniform(0.45, 0.7) * A4[1]))
        flow.append(Paragraph(tx(sec), head))
        g, spans = _spans(rows)
        ncols = len(g[0])
        numeric = [j for j in range(ncols) if any(line[j] is not None and line[j].numeric for line in g)]
        first_num = min(numeric)
        num_w = 34 if ncols > 4 else 105  # a full-width amount (１３７００１．００００) fits its cell
        if ncols == 15:
            widths = [frame_width / 15] * 15
        else:
            label_w = frame_width - num_w * (ncols - first_num)
            if ncols == 10:
                widths = [label_w * 0.16, label_w * 0.22, label_w * 0.62] + [num_w] * 7
            else:
                widths = [label_w] + [num_w] * (ncols - 1)
        data = []
        for line in g:
            out = []
            for c in line:
                if c is None:
                    out.append("")
                elif c.numeric:
                    out.append(c.text)
                else:
                    out.append(Paragraph(c.text, cell))
            data.append(out)
        cmds = [("FONT", (0, 0), (-1, -1), FONT, style.font_size), ("VALIGN", (0, 0), (-1, -1), "MIDDLE" if style.ruled else "TOP"),
                ("ALIGN", (first_num, 0), (-1, -1), "CENTER")]
        if style.ruled:
            cmds.append(("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)))
        cmds += [("SPAN", (a, b), (c, d)) for a, b, c, d in spans]
        repeat = _header_count(g) if (style.repeat_header and k == 1) else 0
        flow.append(Table(data, colWidths=widths, style=TableStyle(cmds), repeatRows=repeat))
    flow.append(Paragraph(story["problems"][0], head))
    flow.extend(Paragraph(s, body) for s in story["problems"][1:])
    flow.append(Paragraph(story["other"][0], head))
    flow.extend(Paragraph(s, body) for s in story["other"][1:])
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=22 * mm, bottomMargin=22 * mm,
                            title=running, invariant=1, encrypt=encrypt)
    doc.build(flow, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()


def render_docx(truth: R.Truth, rng: random.Random, noise: R.Noise = R.Noise()) -> bytes:
    """The report as a Word document: paragraphs, and tables whose spans are Word merges."""
    import docx

    tx, story, title, date, tables = _story_parts(truth, rng, noise)
    d = docx.Document()
    if title:
        d.add_heading(title, level=1)
    if date:
        d.add_paragraph(date)
    for s in story["intro"]:
        d.add_paragraph(s)
    d.add_paragraph(story["overview"][0])
    for s in story["general"]:
        d.add_paragraph(s)
    for sec, rows in zip(R.SECTION_TITLES, tables, strict=True):
        d.add_paragraph(tx(sec))
        g, spans = _spans(rows)
        table = d.add_table(rows=len(g), cols=len(g[0]))
        table.style = "Table Grid"
        for a, b, c, e in spans:
            table.cell(b, a).merge(table.cell(e, c))
        cells = table._cells  # the grid, computed once (table.cell() walks the whole table per call)
        width = len(g[0])
        for i, line in enumerate(g):
            for j, c in enumerate(line):
                if c is not None:
                    # a merge keeps every merged cell's (empty) paragraph: write into the first
                    cells[i * width + j].paragraphs[0].text = c.text
    d.add_paragraph(story["problems"][0])
    for s in story["problems"][1:]:
        d.add_paragraph(s)
    d.add_paragraph(story["other"][0])
    for s in story["other"][1:]:
        d.add_paragraph(s)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
