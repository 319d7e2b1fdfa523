"""Cells -> a stream of label and number tokens: the one shape every layout is read in.

A cell is a label, one or more numbers (`0 0 0` in one cell), or a label with numbers at
its end (`一、本年新收政府信息公开申请数量640020470` when cells ran together). Digits inside
a label (`1.属于国家秘密`, `保留4位小数`, OCR noise such as `4+H`) are not numbers: only a
trailing run is. Where whole rows ran together, a new row's enumerator glued to the last
digits of the previous one (`00000002.其他...`) starts a new cell.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from transforms.parser.model import Number
from transforms.parser.numbers import NUMBER, NUMBERS_ONLY_RE, parse_number

_TRAIL_RE = re.compile(rf"^(.*?[^\d\-+.,\s])(\s*)({NUMBER}(?:\s+{NUMBER})*)\s*$", re.S)
_NUM_RE = re.compile(NUMBER)
_ROW_START_RE = re.compile(r"(?<=\d)(?=(?:[1-9][.、]|\([一二三四五六七八九十]{1,2}\)|[一二三四五六七八九十]{1,2}、)[^\d\s.,])")
_HAS_TEXT_RE = re.compile(r"[^\W\d_]")  # a letter or CJK character
# A digit directly before a row's enumerator: rows that ran together inside one cell.
_GLUED_ROW_RE = re.compile(r"\d(?:[1-9][.、]|\([一二三四五六七八九十]{1,2}\)|[一二三四五六七八九十]{1,2}、)[^\d\s.,]")
_WS_RE = re.compile(r"\s+")
# A count printed with its unit (`3件`) or zero as 〇 / an OCR'd letter O: still one number.
_COUNT_WITH_UNIT_RE = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)\s*[件个项条]")
_ZERO_GLYPHS = frozenset("〇Oo")
# Only 件/个 inside a cell: 项 and 条 also follow digits in labels (第20条第5项).
_UNIT_AFTER_NUMBER_RE = re.compile(r"(?<=\d)\s*[件个](?=\s|$)")


class Num(NamedTuple):
    value: Number
    raw: str  # digits as printed, without separators
    glued: bool  # digits followed a label with no separator: cells may have run together
    line: int
    # Where the number sat, to place a lost cell among equal readings: its cell's index
    # from the left and from the right end of the line, or for space-aligned text the
    # display column where the number ends (rcol -1).
    col: int = -1
    rcol: int = -1


class Label(NamedTuple):
    text: str  # whitespace removed: OCR and wrapping put spaces inside labels
    line: int
    indented: bool = False  # its line starts with spaces: in PDF text, a wrapped label's continuation


Token = Num | Label

# A NamedTuple's generated __new__ runs a Python frame per call (~0.3 µs of ~0.5); a report
# yields hundreds of tokens, so hot paths build them as new_token(Num, (fields...)).
new_token = tuple.__new__


def _numbers(text: str, glued: bool, line: int, out: list[Token], col: int, rcol: int) -> None:
    for m in _NUM_RE.finditer(text):
        raw = m.group()
        out.append(new_token(Num, (parse_number(raw), raw.replace(",", ""), glued, line, col, rcol)))


# Plain label cells seen before -> their label text ("" for punctuation): every report
# prints the template's labels again, and the regex checks above cost more than a lookup.
_PLAIN_LABELS: dict[str, str] = {}
_PLAIN_LABELS_MAX = 200_000

# What a cell yielded, for the layout statistics: nothing or labels, numbers, glued numbers.
NONE, NUMBERS, GLUED = 0, 1, 2


def cell_tokens(cell: str, line: int, out: list[Token], col: int = -1, rcol: int = -1, indented: bool = False) -> int:
    """Append the tokens of one cell to `out`; say whether numbers (glued ones) came out."""
    if cell.isdigit():
        out.append(new_token(Num, (int(cell), cell, False, line, col, rcol)))
        return NUMBERS
    if ("件" in cell or "个" in cell) and _UNIT_AFTER_NUMBER_RE.search(cell):
        # a unit typed right after a number (行政许可965件, 0件 0 869件): the numbers count
        cell = _UNIT_AFTER_NUMBER_RE.sub("", cell)
        if not cell:
            return NONE
        if cell.isdigit():
            out.append(new_token(Num, (int(cell), cell, False, line, col, rcol)))
            return NUMBERS
    last = cell[-1]
    if not ("0" <= last <= "9"):
        text = _PLAIN_LABELS.get(cell)
        if text is not None:  # seen before: a plain label (or punctuation, "")
            if text:
                out.append(new_token(Label, (text, line, indented)))
            return NONE
        if len(cell) <= 8:
            if cell in _ZERO_GLYPHS:
                out.append(new_token(Num, (0, "0", False, line, col, rcol)))
                return NUMBERS
            m = _COUNT_WITH_UNIT_RE.fullmatch(cell)
            if m:
                raw = m.group(1).replace(",", "")
                out.append(new_token(Num, (int(raw), raw, False, line, col, rcol)))
                return NUMBERS
        if not _GLUED_ROW_RE.search(cell):
            # the common case, a plain label: no trailing number, no rows glued inside
            text = (_WS_RE.sub("", cell) if " " in cell else cell) if _HAS_TEXT_RE.search(cell) else ""
            if len(_PLAIN_LABELS) >= _PLAIN_LABELS_MAX:
                _PLAIN_LABELS.clear()
            _PLAIN_LABELS[cell] = text
            if text:
                out.append(new_token(Label, (text, line, indented)))
            return NONE
    elif NUMBERS_ONLY_RE.fullmatch(cell):
        _numbers(cell, False, line, out, col, rcol)
        return NUMBERS
    if not _HAS_TEXT_RE.search(cell):
        return NONE  # punctuation only ("+", "-", "/", "5/8"): neither label nor number
    found = NONE
    for part in _ROW_START_RE.split(cell):
        m = _TRAIL_RE.match(part)
        if m:
            out.append(new_token(Label, (_WS_RE.sub("", m.group(1)), line, indented)))
            glued = not m.group(2)
            _numbers(m.group(3), glued, line, out, col, rcol)
            found = max(found, GLUED if glued else NUMBERS)
        else:
            out.append(new_token(Label, (_WS_RE.sub("", part), line, indented)))
    return found
