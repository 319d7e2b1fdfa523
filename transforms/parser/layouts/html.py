"""HTML pages -> text lines, table rows as tab-separated cells, with a real HTML parser.

Report tables use rowspan/colspan for their grouped labels ((三)不予公开 spans eight
rows). The parser reads rows by their labels, not by grid position, so a row is simply
its cells in document order; a parent label spanning rows appears once, on its first row,
where label matching expects it. Layout tables that wrap a whole page are descended into:
only rows without a nested table are data rows.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

_BLOCK = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 table tbody thead tfoot tr section article header footer "
    "nav aside title form blockquote pre hr dd dt dl caption center address figure main".split()
)
_SKIP = frozenset(("script", "style", "noscript", "template", "head", "select", "option", "iframe", "svg"))
_WS_RE = re.compile(r"\s+")
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# lxml's plain HTML parser: the same libxml2 tree as lxml.html's, without its element
# classes (each element proxy costs less); string() does what text_content() did. lxml
# parsers and XPath evaluators must not be shared between threads: one pair per thread.
_local = threading.local()


def _tools() -> tuple[etree.HTMLParser, etree.XPath]:
    tools = getattr(_local, "tools", None)
    if tools is None:
        tools = _local.tools = (etree.HTMLParser(), etree.XPath("string()"))
    return tools


def _clean(text: str) -> str:
    return _WS_RE.sub(" ", text).strip()


def _cells(tr, string: etree.XPath) -> list[str]:  # noqa: ANN001 - an lxml element
    out = []
    for td in tr:
        tag = td.tag  # a comment's tag is a function: never equal to a string
        if tag == "td" or tag == "th":
            # string() is an XPath evaluation: needed only for a cell with markup inside
            text = string(td) if len(td) else (td.text or "")
            out.append(text if text.isdigit() else _clean(text))
    return out


def to_text(source: str) -> str:
    """The page's visible text: one line per block, one tab-separated line per table row."""
    source = _XML_DECL_RE.sub("", source, count=1)
    parser, string = _tools()
    root = etree.fromstring(source, parser)
    if root is None:
        raise etree.ParserError("Document is empty")
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
                lines.append("\t".join(_cells(el, string)))
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
