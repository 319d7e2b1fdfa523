"""Report metadata: statistics year, reporting body, jurisdiction and its code, publication date.

Input is the decoded, NFKC-normalised text of one report (page chrome and tables included).
The title and the page header carry almost everything, so the first few thousand characters
are read first and the rest only when something is still missing: this runs on every report
of a 150,000-report year and must stay far below a millisecond.

Jurisdictions are resolved against the administrative-division table (transforms.parser.divisions).
A code is given only when it follows without guessing: a name unique in the table, or an
ambiguous one (鼓楼区 is in four cities) settled by an enclosing name in the text or by a
索引号 whose prefix is a GB/T 2260 code. Otherwise `admin_code` is null.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from transforms.parser import divisions, zones
from transforms.parser.divisions import Division

HEAD_CHARS = 3000
# Text-wide scans stop here: a report is tens of thousands of characters; a 16 MB file is not one.
SCAN_CHARS = 200_000
YEAR_MIN, YEAR_MAX = 2008, 2035

# A year in digits, or in Chinese numerals as some titles print it (二〇二一年).
_YEAR = r"(?:19|20)\d\d|二[〇零○Oo][〇零○Oo一二三四五六七八九]{2}"
_CN_DIGITS = str.maketrans("〇零○Oo一二三四五六七八九", "00000123456789")
# The title's fixed part, possibly wrapped or spaced; a year may sit inside it
# (…政府信息公开工作2021年度报告).
_TITLE_TAIL = re.compile(
    rf"(?:政府\s*信息|政务)\s*公开\s*(?:工作\s*)?(?:(?P<year>{_YEAR})\s*年\s*度?\s*)?(?:工作\s*)?"
    r"(?:(?:年\s*度\s*)?报\s*告|年\s*报)"
)
_YEAR_AFTER = re.compile(rf"\s*[(\[【]\s*({_YEAR})\s*年?度?\s*[)\]】]")
# What may not be inside a body's name; spaces may (the title line is cut at the last one).
_SEGMENT_STOP = frozenset(",，。;；:：、!！?？《》<>〈〉“”\"'‘’「」【】[]|\n\r\t")
_SEGMENT_MAX = 60
# body YEAR年(度) [body]  — the body comes before the year, or after it (现公布2021年中山镇…).
_SEGMENT = re.compile(rf"(?P<pre>.*?)\s*(?P<year>{_YEAR})\s*年\s*度?\s*的?(?P<mid>.*)", re.S)
_LEADING_VERB = re.compile(r"^.*(?:公布|发布|现将|特将|印发|现就)")
_LEADING_NOISE = re.compile(r"^(?:了|是|关于|对)+")
_TRAILING_NOISE = re.compile(r"(?:关于|的|度|编制|形成|制作|公布|发布|印发)+$")
# 本机关, 我局, 全区… refer to a body without naming it (but 全州县 and 本溪市 are names).
_NOT_A_NAME = re.compile(
    r"^(?:本|我|该|各|全)(?:机关|单位|部门|局|委|办|厅|院|署|中心|省|市|区|县|州|旗|镇|乡|街道|级|年度)"
)
# A line that can be the first half of a wrapped title: it names an organ.
_ORGAN_END = re.compile(r"(?:政府|办公室|办公厅|局|委员会|委|办事处|厅|署|院|中心|管委会|会|所|站|处|队|馆)$")

# A township-level unit (not in the table): …镇 / …乡 / …街道 / …苏木, named before its organ.
_TOWN = re.compile(
    r"(?P<town>[\u4e00-\u9fff]{1,10}?(?:街道|镇|乡|苏木))"
    r"(?=人民政府|政府|办事处|街道办|党委|党工委|人大|$)"
)

# An untitled township report opens with the government that did the work:
# 2021年,红星乡人民政府深入贯彻… (optionally after 在…领导下,).
_OPENING = re.compile(r"((?:19|20)\d\d)\s*年\s*度?\s*,?\s*(?:在[^,。\n]{0,40}?下\s*,\s*)?")
_OPENING_TOWN = re.compile(
    r"(?P<place>[\u4e00-\u9fff]{1,16}?(?:街道|镇|乡|苏木))(?:人民政府|政府|街道办事处|办事处)"
)

# 索引号 330803-003/2022-47148 (a GB/T 2260 prefix), or one that opens with the body's
# unified social credit code 11410702MB…, whose digits 3-8 are the area's code.
_INDEX_CODE = re.compile(r"索引号\s*[::]?\s*([0-9A-Z]{2}\d{6}[0-9A-Z]{10}\b|\d{6})")
_STAT_PERIOD = re.compile(
    r"统计(?:期限|日期|时限|时间|区间|期间|周期|范围)[^。\n]{0,12}?((?:19|20)\d\d)\s*年\s*(?:度|1\s*月\s*1\s*日)"
)
# A year, not a date (2021年1月…). Patterns open with a literal or a character class so
# that re can skip ahead in C; context is checked in Python on the few hits.
_YEAR_MENTION = re.compile(r"((?:19|20)\d\d)\s*年(?!\s*\d)")

# Labelled dates only: 发布日期, 公开时间, … or a bare 日期:/时间: that starts a field
# (not 统计日期为…, 更新时间).
_DATE = re.compile(
    r"(?:日期|时间)(?P<colon>\s*[::])?\s*[\[(【]?\s*((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
)
_PUBLICATION_QUALIFIERS = ("发布", "公开")
# Some pages print the date unlabelled on the line under the title (2022/1/29 14:59:38 来源:…).
_DATE_LINE = re.compile(
    r"[ \t]*((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?![\d.])"
)
# Dates of writing, used only when the page gives no publication date.
_WRITING_QUALIFIERS = ("成文", "发文", "印发")


@dataclass
class Metadata:
    year: int | None
    body: str | None
    jurisdiction: str | None
    parent_jurisdictions: list[str] = field(default_factory=list)
    admin_code: str | None = None
    published_on: dt.date | None = None


@dataclass(frozen=True)
class _Title:
    year: int | None
    body: str
    title_line: bool  # the title stands on its own line (not quoted inside a sentence)
    end: int  # where the title ends in the text


def extract_metadata(text: str) -> Metadata:
    text = text[:SCAN_CHARS]
    head = text[:HEAD_CHARS]
    title = _find_title(head) or (_find_title(text, HEAD_CHARS - 100) if len(text) > HEAD_CHARS else None)

    year = title.year if title else None
    if year is None:
        year = _statistics_year(head) or _statistics_year(text) or _year_from_text(text)

    index_code = _index_code(head)
    body: str | None = None
    jurisdiction: str | None = None
    division: Division | None = None
    town = False
    if title:
        body, jurisdiction, division, town = _from_body(title.body, text, index_code)
    elif (place := _opening_town(text)) is not None:
        body, jurisdiction, division, town = _from_body(place, text, index_code)
    else:
        jurisdiction, division = _from_text(text, index_code)
        if jurisdiction:
            body = jurisdiction + "人民政府"

    parent_jurisdictions: list[str] = []
    admin_code = division.admin_code if division else None
    if division is not None:
        parent_jurisdictions = divisions.parents(division.admin_code)
        if town and division.name not in parent_jurisdictions:
            parent_jurisdictions.append(division.name)
    if body and not town and (zone := _innermost_zone(body)) is not None:
        # 平潭综合实验区财政金融局: the body sits in a zone, not in the division its name may
        # start with (福建省); the zone is the jurisdiction, its table row the code and parents.
        jurisdiction, parent_jurisdictions, admin_code = zone.name, list(zone.parents), zone.admin_code

    return Metadata(
        year=year,
        body=body,
        jurisdiction=jurisdiction,
        parent_jurisdictions=parent_jurisdictions,
        admin_code=admin_code,
        published_on=_published_on(head)
        or (_published_on(text[HEAD_CHARS:]) if len(text) > HEAD_CHARS else None)
        or (_date_under_title(text, title.end) if title and title.title_line else None),
    )


# ---------------------------------------------------------------------------------------
# Title
# ---------------------------------------------------------------------------------------
def _find_title(text: str, start: int = 0) -> _Title | None:
    """The report's title: the first one standing on its own line, else the first quoted one.

    Pages may list other reports (相关链接: …2020年政府信息公开工作年度报告) before the
    title: when several title lines disagree, the one whose year is the statistics period's
    wins."""
    lines: list[_Title] = []
    yearless: list[_Title] = []
    quoted: list[_Title] = []
    for m in _TITLE_TAIL.finditer(text, start):
        title = _title_at(text, m)
        if title is not None:
            if not title.title_line:
                quoted.append(title)
            elif title.year is None:
                yearless.append(title)
            else:
                lines.append(title)
    if lines:
        if len({(t.year, t.body) for t in lines}) > 1 and (period := _statistics_year(text)):
            return next((t for t in lines if t.year == period), lines[0])
        return lines[0]
    if yearless:
        # A title line without its year (the year is in the 统计期限 line) still names the body.
        return yearless[0]
    if quoted:
        # A sentence may cite last year's report (及时发布2020年度政府信息公开年报): it names
        # this report only if it agrees with the statistics period, when one is stated.
        period = _statistics_year(text)
        return next((t for t in quoted if not period or t.year == period), None)
    return None


def _title_at(text: str, m: re.Match[str]) -> _Title | None:
    end = m.start()
    begin = end
    floor = max(0, end - _SEGMENT_MAX)
    while begin > floor and text[begin - 1] not in _SEGMENT_STOP:
        begin -= 1
    segment = text[begin:end]
    if not segment.strip() and begin > 0 and text[begin - 1] == "\n":
        # Wrapped after the year: 红旗区人民政府2021年度 / 政府信息公开工作年度报告
        segment = _previous_line(text, begin - 1)

    year = _year_number(m.group("year"))
    if year is None and (after := _YEAR_AFTER.match(text, m.end())):
        year = _year_number(after.group(1))  # 红旗区政府信息公开工作年度报告(2021年度)
    parts = _SEGMENT.fullmatch(segment)
    if parts:
        if year is None:
            year = _year_number(parts.group("year"))
        pre, mid = parts.group("pre"), parts.group("mid").strip()
        pre_words = pre.split()
        raw = mid or (pre_words[-1] if pre_words else "")
        if not raw and begin > 0 and text[begin - 1] == "\n":
            raw = _wrapped_body(text, begin - 1)
    else:
        words = segment.split()
        raw = words[-1] if words else ""
    if year is not None and not _plausible(year):
        year = None  # a misprinted year (1990) still leaves the title's body good

    line_start = text.rfind("\n", 0, begin) + 1
    line_end = text.find("\n", m.end())
    line_end = len(text) if line_end < 0 else line_end
    title_line = not text[line_start:begin].strip() and not text[m.end() : line_end].strip()
    if year is None and not parts and not title_line:
        # Inside a sentence, a yearless 政府信息公开工作年度报告 refers to some report; on a
        # line of its own (犍为县财政局政府信息公开工作年度报告) it is this report's title.
        return None
    body = _clean_body(raw)
    if body is None:
        return None
    return _Title(year=year, body=body, title_line=title_line, end=m.end())


def _year_number(s: str | None) -> int | None:
    return int(s.translate(_CN_DIGITS)) if s else None


def _previous_line(text: str, line_end: int) -> str:
    """The line ending at `line_end` when it can be the first half of a wrapped title."""
    start = text.rfind("\n", 0, line_end) + 1
    line = text[start:line_end].strip()
    if not line or len(line) > 40 or any(ch in _SEGMENT_STOP for ch in line):
        return ""
    return line


def _wrapped_body(text: str, line_end: int) -> str:
    """The line before a title line that starts with its year, when it is the title's
    first half (红旗区人民政府 / 2021年政府信息公开工作年度报告)."""
    line = _previous_line(text, line_end)
    if line and (_ORGAN_END.search(line) or divisions.find_names(line)):
        return line.split()[-1]
    return ""


def _clean_body(raw: str) -> str | None:
    body = _LEADING_VERB.sub("", raw.strip())
    if "关于" in body:
        # 红旗区人民政府办公室关于红旗区2021年…: the organ is the one before 关于.
        before, _, after = body.partition("关于")
        body = before or after
    body = _LEADING_NOISE.sub("", body)
    body = _TRAILING_NOISE.sub("", body).strip()
    if len(body) < 2 or not re.search(r"[\u4e00-\u9fff]", body):
        return None
    if _NOT_A_NAME.match(body) and not any(start == 0 for _, start in divisions.find_names(body)):
        return None
    if body.endswith("人民"):  # 2021年度红旗区人民政府信息公开…: the tail took its 政府
        body += "政府"
    return body


# ---------------------------------------------------------------------------------------
# Body, jurisdiction, code
# ---------------------------------------------------------------------------------------
def _from_body(
    body: str, text: str, index_code: str | None
) -> tuple[str, str | None, Division | None, bool]:
    """(body, jurisdiction, division whose code is reported, whether the jurisdiction is a town)."""
    hits = _body_names(body)
    rest = hits[-1][1] + len(hits[-1][0]) if hits else 0
    town_match = _TOWN.match(body, rest)

    if town_match:
        town = town_match.group("town")
        if town_match.end() == len(body):  # the title names only the place
            body = _full_body(body)
        if hits:
            county = _resolve(hits[-1][0], text + body, index_code)
        else:
            county = _enclosing_county(town, text, index_code)
        return body, town, county, True

    if not hits:
        if body[0] in "省市区县旗镇乡":
            # 区政府办公室: the body names its area by level only; the text says which.
            name, division = _from_text(text, index_code)
            if name and name.endswith(body[0]):
                return name + body[1:], name, division, False
        return body, None, None, False
    name, start = hits[-1]
    if start + len(name) == len(body):
        body = _full_body(body)
    return body, name, _resolve(name, text + body, index_code), False


def _body_names(body: str) -> list[tuple[str, int]]:
    """Division names in a body's name. A two-character 区 (城区, 矿区) counts only where it
    is the area itself: after its city (阳泉市城区) or before the organ (城区人民政府)."""
    hits = divisions.find_names(body, generic=True)
    kept: list[tuple[str, int]] = []
    for i, (name, start) in enumerate(hits):
        if divisions.is_generic(name):
            after_city = (
                i > 0
                and hits[i - 1][1] + len(hits[i - 1][0]) == start
                and any(hits[i - 1][0] in divisions.parents(c.admin_code) for c in _candidates(name))
            )
            before_organ = body.startswith(("人民政府", "政府"), start + len(name))
            if not (start == 0 or after_city or before_organ):
                continue
        kept.append((name, start))
    return kept


def _innermost_zone(body: str) -> zones.Zone | None:
    """The zone a body is placed in where no county or town of the table names it."""
    hits = _body_names(body)
    if any(divisions.is_county_level(d) for name, _ in hits for d in divisions.lookup_name(name)):
        return None
    found = zones.in_body(body, hits)
    return found[-1] if found else None


def _full_body(place: str) -> str:
    """A title that names only a place (现公布2021年中山镇政府信息公开…, 深圳市福田区2021年…):
    the body is the place's government (中山镇人民政府, 深圳市福田区人民政府, 西城街道办事处),
    as the text itself calls it."""
    return place + ("办事处" if place.endswith("街道") else "人民政府")


def _candidates(name: str) -> list[Division]:
    seen: dict[str, Division] = {}
    for d in divisions.lookup_name(name):
        if d.mainland:
            area = divisions.same_area(d)
            seen[area.admin_code] = area
    return list(seen.values())


def _resolve(name: str, context: str, index_code: str | None) -> Division | None:
    candidates = _candidates(name)
    if not candidates:
        return None
    if index_code:
        for c in candidates:
            if c.admin_code == index_code:
                return c
        # A 索引号 of the enclosing city or province settles an ambiguous name too.
        within = [c for c in candidates if index_code in (c.province_code, c.city_code)]
        if len(within) == 1:
            return within[0]
    if len(candidates) == 1:
        return candidates[0]
    # The enclosing city settles it first (a report of 福州市鼓楼区 may well mention 江苏省),
    # then the province.
    for level in ("city", "province"):
        named = [c for c in candidates if (getattr(c, level) or "") in context and getattr(c, level) != c.name]
        if len(named) == 1:
            return named[0]
        if named:
            return None
    return None


def _enclosing_county(town: str, text: str, index_code: str | None) -> Division | None:
    """The county-level area a town belongs to, when the text names it."""
    if index_code:
        indexed = divisions.by_code(index_code)
        if indexed is not None and divisions.is_county_level(indexed) and indexed.name in text:
            return indexed
    hits = _county_mentions(text)
    # Strongest: the county written right before the town (江津区中山镇).
    adjacent = Counter(n for n, s in hits if text.startswith(town, s + len(n)))
    counts = adjacent or Counter(
        n for n, _ in hits if any(divisions.is_county_level(c) for c in _candidates(n))
    )
    if not counts:
        return None
    ranked = counts.most_common(2)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    county = _resolve(ranked[0][0], text, index_code)
    return county if county is not None and divisions.is_county_level(county) else None


def _opening_town(text: str) -> str | None:
    """The township an untitled report's first year-opened sentence names as its subject
    (2021年,红星乡人民政府深入贯彻…: the portal's owner named later is not the author)."""
    for m in _OPENING.finditer(text):
        before = text[max(0, m.start() - 4) : m.start()].rstrip(" \t")
        if before and before[-1] not in "。\n":
            continue
        t = _OPENING_TOWN.match(text, m.end())
        if t is None or _NOT_A_NAME.match(t.group("place")):
            return None
        return t.group("place")
    return None


def _county_mentions(text: str) -> list[tuple[str, int]]:
    """Division names in free text; a two-character 区 (矿区, 城区) only where it is the area
    itself: right after its city and before its organ (阳泉市矿区人民政府)."""
    kept: list[tuple[str, int]] = []
    for name, start in divisions.find_names(text, generic=True):
        if divisions.is_generic(name):
            if not text.startswith(("人民政府", "政府", "区委"), start + len(name)):
                continue
            cities = {c.city for c in _candidates(name) if c.city}
            if not any(text.startswith(city, start - len(city)) for city in cities):
                continue
        kept.append((name, start))
    return kept


def _from_text(text: str, index_code: str | None) -> tuple[str | None, Division | None]:
    """No title: the area the text is about, i.e. the division named most often.

    Two-character names (和县, 新县) are also ordinary words (市委和县委), and 城区/矿区 even
    more so: one is taken only when the text names its city or province as well, and a
    two-character 区 only when the text also names its 区委 or 区政府."""
    hits = divisions.find_names(text, generic=True)
    counts = Counter(name for name, _ in hits)
    if not counts:
        return None, None
    indexed = divisions.by_code(index_code) if index_code else None
    if indexed is not None and divisions.is_county_level(indexed) and counts.get(indexed.name):
        # The page's own 索引号 names a county the text speaks of. (A city's code may be the
        # portal's, hosting its counties' reports: that one falls through to counting.)
        return indexed.name, _resolve(indexed.name, text, index_code)
    organ_named = {name for name, s in hits if text.startswith(("委", "人民政府", "政府"), s + len(name))}
    for name in [n for n in counts if len(n) == 2]:
        enclosed = any(p in text for c in _candidates(name) for p in divisions.parents(c.admin_code))
        if not enclosed or (divisions.is_generic(name) and name not in organ_named):
            del counts[name]
    top = counts.most_common()
    if not top or top[0][1] < 2:
        return None, None
    best = top[0][1]
    tied = [n for n, c in top if c == best]
    name = tied[0] if len(tied) == 1 else _innermost(tied, text)
    if name is None:
        return None, None
    return name, _resolve(name, text, index_code)


def _innermost(names: list[str], text: str) -> str | None:
    """Of names mentioned equally often, the one inside all the others (二七区 in 郑州市)."""
    for name in names:
        others = set(names) - {name}
        for c in _candidates(name):
            if others <= set(divisions.parents(c.admin_code)):
                return name
    return None


def _index_code(head: str) -> str | None:
    m = _INDEX_CODE.search(head)
    if m is None:
        return None
    code = m.group(1) if len(m.group(1)) == 6 else m.group(1)[2:8]
    d = divisions.by_code(code)
    return code if d is not None and d.mainland else None


# ---------------------------------------------------------------------------------------
# Year and dates
# ---------------------------------------------------------------------------------------
def _plausible(year: int) -> bool:
    return YEAR_MIN <= year <= YEAR_MAX


def _statistics_year(text: str) -> int | None:
    for m in _STAT_PERIOD.finditer(text):
        if _plausible(y := int(m.group(1))):
            return y
    return None


def _year_from_text(text: str) -> int | None:
    """The first year that opens a sentence (2020年,在郑州市委…), else the most mentioned."""
    counts: Counter[int] = Counter()
    for m in _YEAR_MENTION.finditer(text):
        year = int(m.group(1))
        if not _plausible(year):
            continue
        before = text[max(0, m.start() - 4) : m.start()].rstrip(" \t")
        if not before or before[-1] in "。\n":
            return year
        counts[year] += 1
    return counts.most_common(1)[0][0] if counts else None


def _date_under_title(text: str, title_end: int) -> dt.date | None:
    """A date opening one of the two lines under the title line."""
    pos = text.find("\n", title_end)
    for _ in range(2):
        if pos < 0:
            return None
        while pos < len(text) and text[pos] in "\n \t":
            pos += 1
        if (m := _DATE_LINE.match(text, pos)) is not None:
            try:
                day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
            return day if YEAR_MIN <= day.year <= YEAR_MAX + 1 else None
        pos = text.find("\n", pos)
    return None


def _published_on(text: str) -> dt.date | None:
    fallback: dt.date | None = None
    for m in _DATE.finditer(text):
        qualifier = text[max(0, m.start() - 2) : m.start()]
        if qualifier in _PUBLICATION_QUALIFIERS:
            writing = False
        elif qualifier in _WRITING_QUALIFIERS:
            writing = True
        elif m.group("colon") and not (qualifier and "\u4e00" <= qualifier[-1] <= "\u9fff"):
            writing = False
        else:
            continue
        try:
            day = dt.date(int(m.group(2)), int(m.group(3)), int(m.group(4)))
        except ValueError:
            continue
        if not YEAR_MIN <= day.year <= YEAR_MAX + 1:
            continue
        if not writing:
            return day
        fallback = fallback or day
    return fallback
