"""Reports whose whole body arrives on one line (site text exports of web pages).

Such a page prints its archive header lines, then headings, narrative, table labels and
numbers run together on a single line: `二、主动公开政府信息情况(一)…`, `一、本年新收政府信息
公开申请数量0 0 0 0 0 00二、上年结转…`, `…尚未审结总计 00 0 00 0 0 0 00 0 0 0 00五、存在的主要问题`.
The line is put back into lines at what the template itself prints: each section heading
on a line of its own (with its enumerator, so the narrative's list of the report's parts is
no heading), and each table row from its label, so the rest of the parser reads the report
as it reads any text whose cells ran together.

Inside a table every digit run may hold several cells (`00` is 0|0 at the end of
`0 0 0 0 0 00`; a space is a real boundary, its absence is not proof of none), so within
the tables the space between a label and its numbers is dropped: the numbers read as glued
and the rules cut them (repair.py), never the digit count alone unless it forces the cut.
"""

from __future__ import annotations

import re

from transforms.parser.tables import END, heading_kind

# A line this long holds more than one paragraph: a whole body, not a heading or a row.
LONG_LINE = 400

# A heading inside the line: its enumerator, then a short phrase ending in 情况 / 事项.
_HEADING_RE = re.compile(r"[一二三四五六七八九十]\s*[、.．]\s*[^。；;，,:：\d()（）]{2,30}?(?:情况|事项)")
# A row of 表三 or an item of 表二 starting right after the previous row's last digit:
# an enumerator (`2.`, `(三)`, `四、`) or an item name (规章, 行政许可, …).
_ITEM_WORDS = "规章|行政规范性文件|规范性文件|行政许可|其他对外管理服务事项|行政处罚|行政强制|行政事业性收费|政府集中采购|第二十条"
_ROW_BREAK_RE = re.compile(
    rf"(?<=\d)\s*(?=(?:[1-9][.、]|\([一二三四五六七八九十]{{1,2}}\)|[一二三四五六七八九十]{{1,2}}、)[^\d\s.,]|(?:{_ITEM_WORDS}))"
)
# A row printed with no figures ends in its label, so the next row's enumerator follows a
# character of text (`…申请3.其他(七)总计4000004`); `第(一)项` is a clause, not a row.
_BLANK_ROW_BREAK_RE = re.compile(
    r"(?<=[\u4e00-\u9fff)）])(?<!第)(?=(?:[1-9][.、]|\([一二三四五六七八九十]{1,2}\)|[一二三四五六七八九十]{1,2}、)[\u4e00-\u9fff])"
)
# The space between a label and the digits that follow it.
_LABEL_SPACE_RE = re.compile(r"(?<=[^\d\s.,%])[ \u3000]+(?=\d)")


def is_one_line(lines: list[str]) -> bool:
    """Whether some line holds a whole body: long, with a table heading inside it."""
    return any(len(line) > LONG_LINE and _table_headings(line) for line in lines)


def _table_headings(line: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each section heading printed inside `line`."""
    found = []
    for m in _HEADING_RE.finditer(line):
        kind = heading_kind(m.group())
        if kind is not None:
            found.append((m.start(), m.end(), kind))
    return found


def unfold(lines: list[str]) -> list[str]:
    """The lines with every one-line body put back into headings and rows."""
    out: list[str] = []
    for line in lines:
        heads = _table_headings(line) if len(line) > LONG_LINE else []
        if not heads:
            out.append(line)
            continue
        out.append(line[: heads[0][0]])
        for n, (start, end, kind) in enumerate(heads):
            out.append(line[start:end])
            body = line[end : heads[n + 1][0] if n + 1 < len(heads) else len(line)]
            if kind == END:
                out.append(body)
                continue
            body = _LABEL_SPACE_RE.sub("", body)
            out.extend(part for row in _ROW_BREAK_RE.split(body) for part in _BLANK_ROW_BREAK_RE.split(row))
    return out
