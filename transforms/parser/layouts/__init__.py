"""Every layout a report arrives in, reduced to lines of cells.

HTML pages are first flattened to text whose table rows are tab-separated lines
(`html.to_text`); from then on every layout is a text layout, and a line splits into cells
by the strongest separator it holds: tab, pipe (Markdown rule lines dropped), runs of two
or more spaces (PDF text extraction), or none (one cell per line, or cells that ran
together). Which separators a report's tables used is recorded as its layout family.
"""

from __future__ import annotations

import re
from collections import Counter

_SPACES_RE = re.compile(r" {2,}")
_RULE_CELL_RE = re.compile(r"^[\s:\-=+_—]*[-=—]{3,}[\s:\-=+_—]*$")

# layout kinds of one line, as `split_cells` reports them
TAB, PIPE, MARKDOWN, SPACES, SINGLE = "tab", "pipe", "markdown", "space_aligned", "cell_per_line"


def split_cells(line: str) -> tuple[list[str], str]:
    """Cells of one text line (empty ones dropped), and which separator made them."""
    cells, kind = split_positioned(line)
    return [c for c in cells if c], kind


def split_positioned(line: str) -> tuple[list[str], str]:
    """Cells of one text line, empty ones kept so a cell's index is its column.

    For space-aligned text the index says nothing (columns are character positions);
    `offsets` gives those.
    """
    if "\t" in line:
        kind, cells = TAB, line.split("\t")
    elif "|" in line:
        stripped = line.strip()
        kind = MARKDOWN if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1 else PIPE
        cells = line.split("|")
    else:
        stripped = line.strip()
        if "  " in stripped:
            return [c for c in _SPACES_RE.split(stripped) if c], SPACES
        return ([stripped] if stripped else []), SINGLE
    out = [c.strip() for c in cells]
    for j, c in enumerate(out):
        if c and c[0] in "-=:—" and _RULE_CELL_RE.match(c):
            out[j] = ""
    return out, kind


_CELL_SPAN_RE = re.compile(r"\S+(?: \S+)*")


def offsets(line: str) -> list[tuple[int, str]]:
    """(start offset, text) of each cell of a space-aligned line."""
    return [(m.start(), m.group()) for m in _CELL_SPAN_RE.finditer(line)]


def family(kinds: Counter[str], glued: int, numeric_lines: int) -> str:
    """The layout family of a report from the separators its table lines used."""
    if glued and glued * 2 >= max(numeric_lines, 1):
        return "run_together"
    if not kinds:
        return SINGLE
    if kinds.get(MARKDOWN, 0) and kinds[MARKDOWN] >= kinds.get(PIPE, 0):
        return MARKDOWN
    multi = {k: v for k, v in kinds.items() if k != SINGLE}
    # A layout whose cells each sit on their own line (seed 001) or end in a lone pipe
    # (seeds 002, 004) has mostly one-cell lines; report the separator if any was used.
    if multi:
        best = max(multi, key=multi.get)
        if multi[best] * 4 >= kinds.get(SINGLE, 0):
            return best
    return SINGLE
