"""The statutory consistency rules, evaluated on a parsed report. Never changes a value.

One RuleResult per check that can be evaluated (every cell it needs is known): A1 per 表三
row, A2 and A3 per 表三 column, R1 per 表四 group, N1 per table (lhs = how many cells break
it). A check touching a recovered cell has basis "repaired": holding then proves nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from transforms.model import (
    APPLICANT_CODES,
    APPLICANT_PARTS,
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
from transforms.numbers import is_integral


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


def evaluate(report: Report, narrative: str | None = None) -> list[RuleResult]:
    results: list[RuleResult | None] = []
    template: Template | None = report.template
    apps = report.applications
    if apps and template:
        rows = [r for r in application_rows(template) if r in apps]
        for r in rows:
            cols = apps[r]
            results.append(_check("A1", "applications", r, [cols["total"]], [cols[c] for c in APPLICANT_PARTS]))
        outcomes = [r for r in outcome_rows(template) if r in apps]
        have_all = len(outcomes) == len(outcome_rows(template)) and "total_processed" in apps
        for c in APPLICANT_CODES:
            if have_all:
                results.append(
                    _check("A2", "applications", c, [apps["total_processed"][c]], [apps[r][c] for r in outcomes])
                )
        for c in APPLICANT_CODES:
            if all(r in apps for r in ("new_received", "carried_over", "total_processed", "carried_forward")):
                results.append(
                    _check(
                        "A3",
                        "applications",
                        c,
                        [apps["new_received"][c], apps["carried_over"][c]],
                        [apps["total_processed"][c], apps["carried_forward"][c]],
                    )
                )
    for group, cols in report.review_litigation.items():
        results.append(_check("R1", "review_litigation", group, [cols["total"]], [cols[c] for c in REVIEW_PARTS]))
    for name, table in report.tables().items():
        if not table:
            continue
        bad = sum(1 for _ in n1_offending(name, table))
        repaired = any(not c.printed and c.value is not None for cols in table.values() for c in cols.values())
        results.append(RuleResult("N1", name, "all", bad, 0, bad == 0, "repaired" if repaired else "printed"))
    if narrative:
        results.extend(narrative_checks(report, narrative))
    return [r for r in results if r is not None]
