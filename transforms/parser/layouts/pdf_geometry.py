"""A PDF page's geometry through PDFium (pypdfium2): characters with boxes, and ruling lines.

pdfminer (under pdfplumber) interprets content streams in Python, three quarters of the
time of reading a report; PDFium does it in C++. This module hands `layouts.pdf` the same
shapes pdfplumber would: characters as dicts with `text x0 x1 top bottom size` (top-left
origin, points), and edges as pdfplumber edge dicts, so pdfplumber's own table finder
(merge_edges -> intersections -> cells -> tables) runs on them unchanged.

Edges come from path objects, form XObjects included, transformed to page space: every
horizontal or vertical segment of a stroked path, and thin filled rectangles (WPS and Word
draw cell borders as filled bars). Large filled but unstroked rectangles are backgrounds
(the white boxes behind paragraphs that pdfplumber turns into one-column 'tables'): no edges.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

_THIN = 2.5  # points: a filled rectangle this narrow is a drawn line
_AXIS = 0.8  # points of slant still taken as horizontal / vertical


@dataclass
class PageGeometry:
    width: float
    height: float
    chars: list[dict]
    edges: list[dict]
    images: int
    unmapped: int  # glyphs of fonts without a Unicode map


def _edge_h(x0: float, x1: float, y: float, height: float) -> dict:
    if x1 < x0:
        x0, x1 = x1, x0
    top = height - y
    return {"x0": x0, "x1": x1, "top": top, "bottom": top, "width": x1 - x0, "height": 0.0, "orientation": "h", "object_type": "line"}


def _edge_v(x: float, y0: float, y1: float, height: float) -> dict:
    top, bottom = sorted((height - y0, height - y1))
    return {"x0": x, "x1": x, "top": top, "bottom": bottom, "width": 0.0, "height": bottom - top, "orientation": "v", "object_type": "line"}


def _matrix(obj, c) -> tuple[float, ...]:  # noqa: ANN001 - a raw FPDF_PAGEOBJECT and pdfium's raw module
    m = c.FS_MATRIX()
    if not c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c_, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c_ * A + d * C, c_ * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _path_edges(obj, m: tuple[float, ...], height: float, c, out: list[dict]) -> None:  # noqa: ANN001
    fill, stroke = ctypes.c_int(0), ctypes.c_int(0)
    c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke))
    stroked, filled = bool(stroke.value), bool(fill.value)
    if not stroked and not filled:
        return
    n = c.FPDFPath_CountSegments(obj)
    a, b, c_, d, e, f = m
    x, y = ctypes.c_float(0), ctypes.c_float(0)
    pts: list[tuple[float, float]] = []
    subpaths: list[list[tuple[float, float]]] = []
    for i in range(n):
        seg = c.FPDFPath_GetPathSegment(obj, i)
        c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
        px, py = a * x.value + c_ * y.value + e, b * x.value + d * y.value + f
        kind = c.FPDFPathSegment_GetType(seg)
        if kind == c.FPDF_SEGMENT_MOVETO:
            if len(pts) > 1:
                subpaths.append(pts)
            pts = [(px, py)]
        else:
            pts.append((px, py))
            if c.FPDFPathSegment_GetClose(seg) and pts[0] != pts[-1]:
                pts.append(pts[0])
    if len(pts) > 1:
        subpaths.append(pts)
    for sp in subpaths:
        xs = [p[0] for p in sp]
        ys = [p[1] for p in sp]
        w, h = max(xs) - min(xs), max(ys) - min(ys)
        if not stroked:
            # a filled shape: only a thin bar is a drawn line
            if h <= _THIN and w > _THIN:
                out.append(_edge_h(min(xs), max(xs), (min(ys) + max(ys)) / 2, height))
            elif w <= _THIN and h > _THIN:
                out.append(_edge_v((min(xs) + max(xs)) / 2, min(ys), max(ys), height))
            continue
        for (x0, y0), (x1, y1) in zip(sp, sp[1:], strict=False):
            if abs(y1 - y0) <= _AXIS and abs(x1 - x0) > _AXIS:
                out.append(_edge_h(x0, x1, (y0 + y1) / 2, height))
            elif abs(x1 - x0) <= _AXIS and abs(y1 - y0) > _AXIS:
                out.append(_edge_v((x0 + x1) / 2, y0, y1, height))


def _objects(parent, page: bool, m: tuple[float, ...], height: float, c, edges: list[dict], depth: int = 0) -> int:  # noqa: ANN001
    """Edges of every path under `parent` (a page or a form object); returns the images seen."""
    count = c.FPDFPage_CountObjects(parent) if page else c.FPDFFormObj_CountObjects(parent)
    images = 0
    for i in range(count):
        obj = c.FPDFPage_GetObject(parent, i) if page else c.FPDFFormObj_GetObject(parent, i)
        kind = c.FPDFPageObj_GetType(obj)
        if kind == c.FPDF_PAGEOBJ_PATH:
            # a path's matrix maps its points into its parent's space
            _path_edges(obj, _compose(_matrix(obj, c), m) if not page else _matrix(obj, c), height, c, edges)
        elif kind == c.FPDF_PAGEOBJ_IMAGE:
            images += 1
        elif kind == c.FPDF_PAGEOBJ_FORM and depth < 8:
            images += _objects(obj, False, _compose(_matrix(obj, c), m), height, c, edges, depth + 1)
    return images


def page_geometry(page) -> PageGeometry:  # noqa: ANN001 - a pypdfium2 PdfPage
    import pypdfium2.raw as c

    width, height = page.get_size()
    raw = page.raw
    edges: list[dict] = []
    images = _objects(raw, True, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), height, c, edges)
    textpage = page.get_textpage()
    tp = textpage.raw
    chars: list[dict] = []
    unmapped = 0
    rect = c.FS_RECTF()
    get_unicode, is_generated, loose_box = c.FPDFText_GetUnicode, c.FPDFText_IsGenerated, c.FPDFText_GetLooseCharBox
    map_error = c.FPDFText_HasUnicodeMapError
    try:
        for i in range(c.FPDFText_CountChars(tp)):
            code = get_unicode(tp, i)
            if code in (0x20, 0x0D, 0x0A, 0x09, 0xA0, 0xFFFE, 0x02) or is_generated(tp, i) == 1:
                continue
            if map_error(tp, i) == 1:
                unmapped += 1
                text = "\ufffd"
            else:
                text = chr(code) if code < 0x110000 else "\ufffd"
            if not loose_box(tp, i, ctypes.byref(rect)):
                continue
            # FPDFText_GetFontSize is the size before the text matrix scales it; the loose box
            # spans the font's ascent to descent, about 1.2 em
            top, bottom = height - rect.top, height - rect.bottom
            chars.append({"text": text, "x0": rect.left, "x1": rect.right, "top": top, "bottom": bottom, "size": (bottom - top) / 1.2})
    finally:
        textpage.close()
    return PageGeometry(width, height, chars, edges, images, unmapped)
