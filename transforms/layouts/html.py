"""HTML pages -> text lines, table rows as tab-separated cells, with a real HTML parser.

Report tables use rowspan/colspan for their grouped labels ((三)不予公开 spans eight
rows). The parser reads rows by their labels, not by grid position, so a row is simply
its cells in document order; a parent label spanning rows appears once, on its first row,
where label matching expects it. Layout tables that wrap a whole page are descended into:
only rows without a nested table are data rows.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

_BLOCK = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 table tbody thead tfoot tr section article header footer "
    "nav aside title form blockquote pre hr dd dt dl caption center address figure main".split()
)
_SKIP = frozenset(("script", "style", "noscript", "template", "head", "select", "option", "iframe", "svg"))
_WS_RE = re.compile(r"\s+")
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def _clean(text: str) -> str:
    return _WS_RE.sub(" ", text).strip()


def to_text(source: str) -> str:
    """The page's visible text: one line per block, one tab-separated line per table row."""
    source = _XML_DECL_RE.sub("", source, count=1)
    root = lxml_html.document_fromstring(source)
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            text = _clean("".join(buf))
            if text:
                lines.append(text)
            buf.clear()

    walker = etree.iterwalk(root, events=("start", "end"))
    # Elements themselves, not id()s: an lxml proxy kept in a set stays the one proxy of its node.
    skipped: set = set()
    # rows that hold a table of their own are page layout, not data: found once, up front
    wrappers = {tr for table in root.iter("table") for tr in table.iterancestors("tr")}
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else None
        if event == "start":
            if tag is None or tag in _SKIP:
                skipped.add(el)
                walker.skip_subtree()
                continue
            if tag == "tr" and el not in wrappers:
                flush()
                cells = [_clean(td.text_content()) for td in el if isinstance(td.tag, str) and td.tag in ("td", "th")]
                lines.append("\t".join(cells))
                skipped.add(el)
                walker.skip_subtree()
                continue
            if tag in _BLOCK:
                flush()
            if el.text:
                buf.append(el.text)
        else:
            if el in skipped:
                skipped.discard(el)
            elif tag in _BLOCK:
                flush()
            if el.tail and el.getparent() is not None:
                buf.append(el.tail)
    flush()
    return "\n".join(lines)
