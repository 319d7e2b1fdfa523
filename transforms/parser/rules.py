"""The statutory consistency rules, evaluated on a parsed report. Never changes a value.

One RuleResult per check that can be evaluated (every cell it needs is known): A1 per 表三
row, A2 and A3 per 表三 column, R1 per 表四 group, N1 per table (lhs = how many cells break
it). A check touching a recovered cell has basis "repaired": holding then proves nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from transforms.parser.model import (
    APPLICANT_CODES,
    MEASURE_CATEGORY,
    REVIEW_PARTS,
    Cell,
    Number,
    Report,
    RuleResult,
    Table,
    Template,
    application_rows,
    outcome_rows,
)
from transforms.parser.numbers import is_integral


def _sum(cells: list[Cell]) -> tuple[Number | None, bool]:
    """Sum of the cells' values (None if any is unknown), and whether any was recovered."""
    total: Number = 0
    repaired = False
    for c in cells:
        v = c.value
        if v is None:
            return None, repaired
        total += v
        if not c.printed:
            repaired = True
    return total, repaired


def _check(rule: str, table: str, where: str, lhs_cells: list[Cell], rhs_cells: list[Cell]) -> RuleResult | None:
    lhs, rep_l = _sum(lhs_cells)
    rhs, rep_r = _sum(rhs_cells)
    if lhs is None or rhs is None:
        return None
    return RuleResult(rule, table, where, lhs, rhs, lhs == rhs, "repaired" if rep_l or rep_r else "printed")


def n1_offending(table_name: str, table: Table) -> Iterator[tuple[str, str, Number]]:
    """(row, column, value) of every cell that breaks N1 in one table."""
    for row, cols in table.items():
        for col, cell in cols.items():
            v = cell.value
            if v is None or (type(v) is int and v >= 0):
                continue
            kind = MEASURE_CATEGORY.get(col, "count") if table_name == "active_disclosure" else "count"
            if kind == "amount":
                bad = v < 0 or (not is_integral(v) and v.as_tuple().exponent < -4)  # type: ignore[union-attr]
            elif kind == "signed_count":
                bad = not is_integral(v)
            else:
                bad = v < 0 or not is_integral(v)
            if bad:
                yield row, col, v


# T1: figures the narrative states. Only phrasings whose meaning is unambiguous: 收到 ...
# 申请 N件 is this year's new applications (受理 may include the carried-over ones, so it
# is not used); 予以公开 / 部分公开 N件 are the outcome totals.
_NARRATIVE = (
    ("new_received", re.compile(r"(?:共|全年|本年|年度)收到(?:政府信息公开|信息公开|依申请公开)?申请(?:共计|共)?(\d+)件")),
    ("granted", re.compile(r"(?<!部分)(?<!不)予以公开(?:政府信息)?(\d+)件")),
    ("partially_granted", re.compile(r"部分公开(\d+)件")),
)


def narrative_checks(report: Report, narrative: str) -> list[RuleResult]:
    """T1, a warning: each table total the narrative states, against the table."""
    out = []
    apps = report.applications
    for row, pattern in _NARRATIVE:
        m = pattern.search(narrative)
        cell = apps.get(row, {}).get("total") if apps else None
        if m is None or cell is None or cell.value is None:
            continue
        stated = int(m.group(1))
        out.append(RuleResult("T1", "applications", row, stated, cell.value, stated == cell.value,
                              "printed" if cell.printed else "repaired"))
    return out


_new_object = object.__new__
_set_attribute = object.__setattr__


def _result(rule: str, table: str, where: str, lhs: Number, rhs: Number, repaired: bool) -> RuleResult:
    """RuleResult(rule, table, where, lhs, rhs, lhs == rhs, basis), built without the frozen
    dataclass __init__ (one object.__setattr__ per field: a third of evaluate's time)."""
    r = _new_object(RuleResult)
    _set_attribute(
        r,
        "__dict__",
        {"rule": rule, "table": table, "where": where, "lhs": lhs, "rhs": rhs, "held": lhs == rhs,
         "basis": "repaired" if repaired else "printed"},
    )
    return r


@lru_cache(maxsize=4)
def _row_codes(template: Template) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return application_rows(template), outcome_rows(template)


_A3_ROWS = ("new_received", "carried_over", "total_processed", "carried_forward")


def evaluate(report: Report, narrative: str | None = None) -> list[RuleResult]:
    # Sums run left to right from 0, as _check's do: the same values and types (a Decimal
    # total stays a Decimal). A check with an unknown cell is not evaluated.
    results: list[RuleResult] = []
    append = results.append
    template: Template | None = report.applications_template or report.template
    apps = report.applications
    if apps and template:
        all_rows, all_outcomes = _row_codes(template)
        values: dict[str, list[Number | None]] = {}
        printed: dict[str, bool] = {}
        for r in all_rows:
            cols = apps.get(r)
            if cols is None:
                continue
            cells = [cols[c] for c in APPLICANT_CODES]
            row = values[r] = [c.value for c in cells]
            printed[r] = all([c.printed for c in cells])
            if None not in row:
                *parts, total = row
                append(_result("A1", "applications", r, 0 + total, sum(parts), not printed[r]))
        outcomes = [r for r in all_outcomes if r in values]
        if len(outcomes) == len(all_outcomes) and "total_processed" in values:
            processed = apps["total_processed"]
            columns = [[apps[r][c] for r in outcomes] for c in APPLICANT_CODES]
            for j, c in enumerate(APPLICANT_CODES):
                lhs_cell = processed[c]
                terms = [x.value for x in columns[j]]
                if lhs_cell.value is None or None in terms:
                    continue
                repaired = not lhs_cell.printed or not all([x.printed for x in columns[j]])
                append(_result("A2", "applications", c, 0 + lhs_cell.value, sum(terms), repaired))
        if all(r in values for r in _A3_ROWS):
            a, b, t, f = (apps[r] for r in _A3_ROWS)
            for c in APPLICANT_CODES:
                cells = (a[c], b[c], t[c], f[c])
                va, vb, vt, vf = (x.value for x in cells)
                if va is None or vb is None or vt is None or vf is None:
                    continue
                repaired = not all([x.printed for x in cells])
                append(_result("A3", "applications", c, 0 + va + vb, 0 + vt + vf, repaired))
    for group, cols in report.review_litigation.items():
        cells = [cols[c] for c in REVIEW_PARTS]
        total = cols["total"]
        terms = [x.value for x in cells]
        if total.value is None or None in terms:
            continue
        repaired = not total.printed or not all([x.printed for x in cells])
        append(_result("R1", "review_litigation", group, 0 + total.value, sum(terms), repaired))
    for name, table in report.tables().items():
        if not table:
            continue
        suspect = repaired = False  # one pass; n1_offending only for a table with a non-int or negative
        for cols in table.values():
            for c in cols.values():
                v = c.value
                if v is None:
                    continue
                if type(v) is not int or v < 0:
                    suspect = True
                if not c.printed:
                    repaired = True
        bad = sum(1 for _ in n1_offending(name, table)) if suspect else 0
        append(_result("N1", name, "all", bad, 0, repaired))
    if narrative:
        results.extend(narrative_checks(report, narrative))
    return results
