"""Where the three tables sit in a report, and their rows as (labels, numbers) runs.

Sections are found by their headings' words, not their numbering (seed 001 prints
"一、 主动公开" and "二、 第二十条"): 主动公开政府信息 (表二), 收到和处理 ... 申请 (表三),
行政复议 + 行政诉讼 + 情况 (表四), and the 主要问题 / 其他需要报告 headings that end them.
A heading may also appear in a table of contents or a run of short lines; of several spans
of one kind, the one holding the most numbers is the table.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from transforms.parser.decoding import PrintedLines, column_shifts, display_width, shift_at
from transforms.parser.layouts import PIPE, SINGLE, SPACES, TAB, offsets, split_positioned
from transforms.parser.tokens import GLUED, NONE, NUMBERS, Label, Num, Token, cell_tokens, new_token

DISCLOSURE, APPLICATIONS, REVIEW, END = "disclosure", "applications", "review", "end"
TABLE_NAMES = {
    DISCLOSURE: "表二 主动公开政府信息情况",
    APPLICATIONS: "表三 收到和处理政府信息公开申请情况",
    REVIEW: "表四 行政复议、行政诉讼情况",
}

_HEADING_MAX = 40
_WS_RE = re.compile(r"[\s|]+")
_HEADING_HINT_RE = re.compile(r"[公复问报改]")  # every heading holds one of these: skip the rest cheaply


def heading_kind(line: str) -> str | None:
    """Which section a short line opens, if it is a section heading."""
    if len(line) > 3 * _HEADING_MAX or not _HEADING_HINT_RE.search(line):
        return None
    text = _WS_RE.sub("", line)
    if not text or len(text) > _HEADING_MAX:
        return None
    if "主动公开政府信息" in text and "情况" in text:
        return DISCLOSURE
    if "收到和处理" in text and "申请" in text:
        return APPLICATIONS
    if "行政复议" in text and "行政诉讼" in text and "情况" in text:
        return REVIEW
    if "主要问题" in text or "其他需要报告" in text or ("改进" in text and ("五、" in text or "情况" in text)):
        return END
    return None


@dataclass
class LayoutStats:
    kinds: Counter[str] = field(default_factory=Counter)
    glued: int = 0  # lines whose numbers were glued to a label
    numeric_lines: int = 0


@dataclass
class Section:
    kind: str
    start: int  # first line after the heading
    end: int  # first line of the next heading
    tokens: list[Token] = field(default_factory=list)
    stats: LayoutStats = field(default_factory=lambda: LayoutStats())
    _runs: list[Run] | None = None

    @property
    def runs(self) -> list[Run]:
        if self._runs is None:
            self._runs = runs(self.tokens)
        return self._runs

    @property
    def number_count(self) -> int:
        return sum(1 for t in self.tokens if isinstance(t, Num))


def tokenize(
    lines: list[str], start: int, end: int, stats: LayoutStats, printed: PrintedLines | None = None
) -> list[Token]:
    """`printed`: the lines as printed (Decoded.printed), to place the numbers of
    space-aligned text by the columns they were printed at."""
    out: list[Token] = []
    append = out.append
    kinds: dict[str, int] = {}
    numeric_lines = glued_lines = 0
    for i in range(start, end):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            continue
        # A line starting with spaces, in text without tabs: a PDF label's continuation.
        indented = line[:2] == "  "
        found = NONE
        if "\t" in line:
            kind = TAB
            indented = False
        elif "|" in stripped:
            if stripped[-1] == "|" and stripped.count("|") == 1:
                # `cell |`: one cell per line, pipe-terminated (seeds 002, 004)
                cell = stripped[:-1].rstrip()
                kinds[PIPE] = kinds.get(PIPE, 0) + 1
                if cell.isdigit():
                    append(new_token(Num, (int(cell), cell, False, i, 0, 0)))
                    numeric_lines += 1
                elif cell:
                    found = cell_tokens(cell, i, out, 0, 0, indented)
                    numeric_lines += found > NONE
                    glued_lines += found == GLUED
                continue
            kind = PIPE
        elif "  " in stripped:
            kind = SPACES
        else:
            kinds[SINGLE] = kinds.get(SINGLE, 0) + 1
            if stripped.isdigit():
                append(new_token(Num, (int(stripped), stripped, False, i, 0, 0)))
                numeric_lines += 1
            else:
                found = cell_tokens(stripped, i, out, 0, 0, indented)
                numeric_lines += found > NONE
                glued_lines += found == GLUED
            continue
        if kind == SPACES:
            kinds[SPACES] = kinds.get(SPACES, 0) + 1
            width, done = 0, 0
            # NFKC narrowed full-width characters (０, Ａ, （) to one column: add back what
            # it took before each number, or the columns of this row and its neighbours differ.
            as_printed = printed.get(i, line) if printed else None
            shifts = None
            for offset, cell in offsets(line):
                if "0" <= cell[-1] <= "9":
                    # a number's column is where it ends on screen: PDF text right-aligns them
                    stop = offset + len(cell)
                    width += display_width(line[done:stop])
                    done = stop
                    col = width
                    if as_printed is not None:
                        if shifts is None:
                            shifts = column_shifts(as_printed)
                        col += shift_at(shifts, stop)
                    found = max(found, cell_tokens(cell, i, out, col, -1, indented))
                else:
                    found = max(found, cell_tokens(cell, i, out, -1, -1, indented))
        else:
            cells, kind = split_positioned(line)
            n_cells = len(cells) - cells.count("")
            if not n_cells:
                continue
            key = kind if n_cells > 1 else SINGLE
            kinds[key] = kinds.get(key, 0) + 1
            last = len(cells) - 1
            for j, cell in enumerate(cells):
                if cell:
                    if cell.isdigit():
                        append(new_token(Num, (int(cell), cell, False, i, j, last - j)))
                        found = found or NUMBERS
                    else:
                        found = max(found, cell_tokens(cell, i, out, j, last - j, indented))
        numeric_lines += found > NONE
        glued_lines += found == GLUED
    stats.kinds.update(kinds)
    stats.numeric_lines += numeric_lines
    stats.glued += glued_lines
    return out


def column_hint(nums: list[Num], reference: list[list[Num]], n: int, prefer_right: bool = False) -> int | None:
    """Which of `n` columns a row with one lost cell lost, judged by where its numbers sit.

    `reference` holds rows printed complete on one line; their numbers' positions give the
    columns. Only used to choose among readings with the same values (a zero lost among
    zeros), so a wrong guess here never changes a value.
    """
    if len(nums) != n - 1 or not reference or len({t.line for t in nums}) != 1:
        return None
    spaces = nums[0].rcol == -1 and nums[0].col > 0 and all(t.rcol == -1 for t in reference[0])
    if spaces:
        # Right-aligned columns: find the lost column whose removal lines the numbers up
        # with the complete rows' columns best, allowing a small constant shift (labels of
        # other widths) but not a whole column's.
        cols = Counter(tuple(t.col for t in row) for row in reference).most_common(1)[0][0]
        scores = []
        for h in range(n):
            diffs = sorted(t.col - c for t, c in zip(nums, (cols[k] for k in range(n) if k != h), strict=False))
            med = diffs[len(diffs) // 2]
            scores.append((sum(abs(d - med) for d in diffs) + abs(med), h))
        scores.sort()
        return scores[0][1] if scores[0][0] < scores[1][0] else None
    for key in ("rcol", "col") if prefer_right else ("col", "rcol"):
        if key == "col":
            start = Counter(row[0].col for row in reference).most_common(1)[0][0]
            slots = [t.col - start for t in nums]
        else:
            start = Counter(row[-1].rcol for row in reference).most_common(1)[0][0]
            slots = [n - 1 - (t.rcol - start) for t in nums]
        if all(0 <= s < n for s in slots) and len(set(slots)) == n - 1 and slots == sorted(slots):
            return next(k for k in range(n) if k not in slots)
    return None


_HEADING_SCAN_RE = re.compile(
    "|".join(r"\s*".join(word) for word in ("主动公开", "收到和处理", "行政复议", "主要问题", "需要报告", "改进"))
)


def heading_lines(text: str) -> list[int]:
    """Indices of the lines that may be headings: one regex pass instead of a call per line."""
    found: list[int] = []
    line, pos = 0, 0
    for m in _HEADING_SCAN_RE.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        if not found or found[-1] != line:
            found.append(line)
    return found


def find_sections(
    lines: list[str], stats: LayoutStats, text: str | None = None, printed: PrintedLines | None = None
) -> dict[str, Section]:
    """The best span of each table kind, tokenized (`printed` as for `tokenize`)."""
    candidates = heading_lines(text) if text is not None else range(len(lines))
    heads = [(i, k) for i in candidates if (k := heading_kind(lines[i]))]
    best: dict[str, Section] = {}
    for n, (i, kind) in enumerate(heads):
        if kind == END:
            continue
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        section = Section(kind, i + 1, end)
        section.tokens = tokenize(lines, i + 1, end, section.stats, printed)
        if kind not in best or section.number_count > best[kind].number_count:
            best[kind] = section
    for section in best.values():
        probe = section.stats
        stats.kinds.update(probe.kinds)
        stats.glued += probe.glued
        stats.numeric_lines += probe.numeric_lines
    return best


class Run(NamedTuple):
    """One printed row: the labels before its numbers (nearest last), the numbers, and the
    indented label-only lines right after them (a PDF label wrapped below its numbers)."""

    labels: list[str]
    nums: list[Num]
    tail: list[str]
    own: int  # how many of `labels` sit on the numbers' own line


def runs(tokens: list[Token]) -> list[Run]:
    """Label groups each followed by their numbers: one run per printed row."""
    numeric_lines = {t.line for t in tokens if type(t) is Num}
    out: list[Run] = []
    labels: list[Label] = []
    nums: list[Num] = []
    tail: list[str] = []

    def close() -> None:
        line = nums[0].line
        own = 0
        for t in reversed(labels):
            if t.line != line:
                break
            own += 1
        out.append(Run([t.text for t in labels], nums, tail, own))

    for tok in tokens:
        if type(tok) is Label:
            if nums:
                if tok.indented and tok.line > nums[-1].line and tok.line not in numeric_lines:
                    if tok.text:
                        tail.append(tok.text)
                    continue
                close()
                labels, nums, tail = [], [], []
            if tok.text:
                labels.append(tok)
        else:
            nums.append(tok)
    if nums:
        close()
    return out
