"""`ogi sql "SELECT ..."`: a read-only query on the published analysts' database.

It opens data/warehouse/ogi.duckdb read-only, exactly as an analyst would, so it never
blocks a load (the load swaps in a new file) and can never change the marts.
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from transforms.lake.settings import DataPaths
from transforms.parser.decoding import display_width


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sql",
        help="run a read-only SQL query on the published marts (data/warehouse/ogi.duckdb)",
        description=(
            "Run one read-only SQL query on the analysts' database and print the result as a table. "
            "Marts are in schema `marts` (outcome_rates, report_outcomes, applicant_mix, "
            "review_litigation, active_disclosure, report_quality, dim_jurisdiction)."
        ),
        epilog='example: ogi sql "select jurisdiction, year, grant_rate from marts.outcome_rates order by grant_rate desc limit 10"',
    )
    p.add_argument("query", help="the SQL query (quote it)")
    p.add_argument("--csv", action="store_true", help="print CSV (header + rows) instead of a table")
    p.add_argument("--data-dir", help="data directory (default: $OGI_DATA_DIR or the repository's data/)")
    p.add_argument("--database", help="a DuckDB file to query instead of the published one")
    p.set_defaults(handler=handle)


def _text(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def format_table(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    """An aligned text table: numbers right-aligned, NULL spelled out, CJK-width aware."""
    cells = [[_text(v) for v in row] for row in rows]
    widths = [max([display_width(c)] + [display_width(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [bool(rows) and all(_is_number(r[i]) or r[i] is None for r in rows) for i in range(len(columns))]

    def line(values: list[str]) -> str:
        out = []
        for i, v in enumerate(values):
            pad = " " * (widths[i] - display_width(v))
            out.append(pad + v if numeric[i] else v + pad)
        return "  ".join(out).rstrip()

    head = line(list(columns))
    rule = "  ".join("-" * w for w in widths)
    body = [line(r) for r in cells]
    noun = "row" if len(rows) == 1 else "rows"
    return "\n".join([head, rule, *body, f"({len(rows)} {noun})"])


def write_csv(columns: list[str], rows: list[tuple[Any, ...]], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, (date, datetime)) else v for v in row])


def query(database: Path, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()


def handle(args: argparse.Namespace) -> int:
    database = Path(args.database) if args.database else DataPaths.from_env(args.data_dir).published_database
    if not database.is_file():
        print(
            f"ogi sql: no published database at {database}; run `ogi run` first "
            "(it builds the marts and publishes them)",
            file=sys.stderr,
        )
        return 1
    import duckdb

    try:
        columns, rows = query(database, args.query)
    except duckdb.Error as e:
        print(f"ogi sql: {e}", file=sys.stderr)
        return 1
    if args.csv:
        write_csv(columns, rows, sys.stdout)
    else:
        print(format_table(columns, rows))
    return 0
