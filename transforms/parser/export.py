"""The JSON export of one report, exactly as the spec lays it out (keys in the spec's order)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from transforms.parser.model import Number, Report, Table
from transforms.parser.rules import n1_offending


def json_number(value: Number | None) -> int | float | None:
    """Whole values print as ints; amounts as numbers with at most 4 decimals."""
    if value is None or isinstance(value, int):
        return value
    if value == value.to_integral_value():
        return int(value)
    return float(round(Decimal(value), 4))


def _values(table: Table) -> dict[str, dict[str, int | float | None]]:
    # Almost every cell holds an int: json_number only for the others.
    return {
        row: {c: v if type(v := cell.value) is int else json_number(v) for c, cell in cols.items()}
        for row, cols in table.items()
    }


def report_to_export(report: Report) -> dict[str, Any]:
    rejected = report.status == "rejected"
    tables = {name: ({} if rejected else table) for name, table in report.tables().items()}
    repairs = []
    for name, table in tables.items():
        for row, cols in table.items():
            for col, cell in cols.items():
                if not cell.printed and cell.value is not None:
                    repairs.append(
                        {"table": name, "row": row, "column": col, "value": json_number(cell.value), "rules": list(cell.repair_rules)}
                    )
    violations = []
    for r in report.rule_results if not rejected else ():
        if r.held:
            continue
        if r.rule == "N1":
            for row, col, value in n1_offending(r.table, tables[r.table]):
                violations.append({"rule": "N1", "table": r.table, "where": f"{row}.{col}", "lhs": json_number(value), "rhs": 0})
            continue
        violations.append({"rule": r.rule, "table": r.table, "where": r.where, "lhs": json_number(r.lhs), "rhs": json_number(r.rhs)})
    return {
        "source": report.source,
        "report_id": report.report_id,
        "status": report.status,
        "error": report.error,
        "year": None if rejected else report.year,
        "template": None if rejected else report.template,
        "body": None if rejected else report.body,
        "jurisdiction": None if rejected else report.jurisdiction,
        "parent_jurisdictions": [] if rejected else list(report.parent_jurisdictions),
        "admin_code": None if rejected else report.admin_code,
        "published_on": None if rejected or report.published_on is None else report.published_on.isoformat(),
        "applications": _values(tables["applications"]),
        "review_litigation": _values(tables["review_litigation"]),
        "active_disclosure": _values(tables["active_disclosure"]),
        "repairs": repairs,
        "violations": violations,
        # provenance, after the spec's keys: text | html | pdf-text | pdf-ocr | docx (null when unread)
        "extraction": report.extraction,
    }
