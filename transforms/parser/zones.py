"""Zones that publish reports but are no GB/T 2260 unit: 综合实验区, 新区, 开发区, 高新区, 片区.

Their bodies (平潭综合实验区财政金融局, 平潭综合实验区海坛片区管理局) name no division of the
table, so the jurisdiction is the zone as printed. `admin_code` is the county-level unit the
zone coincides with where there is one (平潭综合实验区 is administered as one area with 平潭县),
else null: a zone that spans or cuts across counties (雄安新区) has no single code.

Data, not code: one row per zone, with where the row comes from. A zone missing here still
gets its printed name as jurisdiction (metadata reads zone names by their suffix); the table
adds what the text cannot say: the code, and the enclosing areas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class Zone:
    name: str
    parents: tuple[str, ...]  # outermost first, as parent_jurisdictions
    admin_code: str | None  # the coextensive county-level unit, else null
    source: str


_PINGTAN = (
    "国务院《平潭综合实验区总体发展规划》(2011, 国函〔2011〕142号): the zone is the territory of 平潭县 "
    "(350128), which it administers"
)
_PINGTAN_PQ = "平潭综合实验区片区管理局 (www.pingtan.gov.cn 片区 channels): township-level parts of the zone"

ZONES: tuple[Zone, ...] = (
    Zone("平潭综合实验区", ("福建省",), "350128", _PINGTAN),
    Zone("海坛片区", ("福建省", "平潭综合实验区"), "350128", _PINGTAN_PQ),
    Zone("君山片区", ("福建省", "平潭综合实验区"), "350128", _PINGTAN_PQ),
    Zone("苏平片区", ("福建省", "平潭综合实验区"), "350128", _PINGTAN_PQ),
    Zone("金井片区", ("福建省", "平潭综合实验区"), "350128", _PINGTAN_PQ),
    Zone("雄安新区", ("河北省",), None, "中共中央、国务院 2017-04-01: spans 雄县, 容城县, 安新县 and parts of others"),
    Zone("两江新区", ("重庆市",), None, "国务院 国函〔2010〕36号: parts of 江北区, 渝北区, 北碚区"),
    Zone("贵安新区", ("贵州省",), None, "国务院 国函〔2014〕3号: parts of 贵阳市 and 安顺市"),
    Zone("兰州新区", ("甘肃省",), None, "国务院 国函〔2012〕104号: parts of 永登县 and 皋兰县"),
    Zone("赣江新区", ("江西省",), None, "国务院 国函〔2016〕96号: parts of 南昌市 and 九江市"),
)


@cache
def _by_name() -> dict[str, Zone]:
    return {z.name: z for z in ZONES}


def lookup(name: str) -> Zone | None:
    return _by_name().get(name)


# A zone's name ends in one of these; what precedes it back to the start of the body, a
# division's name or another zone is its proper name (平潭|综合实验区, 海坛|片区).
_SUFFIX_RE = re.compile(r"综合实验区|综合试验区|高新技术产业开发区|经济技术开发区|经济开发区|高新区|开发区|新区|片区|保税区")
_NAME_MAX = 8


def in_body(body: str, divisions_found: list[tuple[str, int]]) -> list[Zone]:
    """The zones a body's name is placed in, outermost first (平潭综合实验区海坛片区管理局 ->
    平潭综合实验区, 海坛片区). A zone not in `ZONES` comes back as printed, with no code.

    `divisions_found`: (name, start) of the GB/T 2260 names in the body; a name that is a
    division itself (浦东新区, 滨海新区) is no zone, and a division before a zone encloses it.
    """
    found: list[Zone] = []
    start = 0
    ends = {s + len(n): n for n, s in divisions_found}
    for m in _SUFFIX_RE.finditer(body):
        if any(s <= m.start() < s + len(n) for n, s in divisions_found):
            start = m.end()
            continue  # part of a division's own name
        # the proper name: back to the body's start, the last division or the last zone
        begin = max([start, *(e for e in ends if e <= m.start())])
        name = body[begin : m.end()]
        if not (len(m.group()) < len(name) <= _NAME_MAX + len(m.group())):
            start = m.end()
            continue
        known = lookup(name)
        if known is None:
            outer = [z.name for z in found]
            enclosing = [ends[e] for e in ends if e <= begin]
            known = Zone(name, (*enclosing, *outer), None, "as printed")
        found.append(known)
        start = m.end()
    return found
