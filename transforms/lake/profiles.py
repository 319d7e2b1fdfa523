"""What an asset page shows of a table: its row count, its columns' types, and its first rows.

Read from the build database after dbt has finished with it (DuckDB lets one process write,
and dbt's runs in another), in one read-only connection for all the models of a run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from transforms.lake.sql import identifier

PREVIEW_ROWS = 5


@dataclass(frozen=True)
class TableProfile:
    rows: int
    columns: list[tuple[str, str]]  # (name, DuckDB type)
    preview: pl.DataFrame


def profile_tables(database: Path, tables: Iterable[tuple[str, str]], preview_rows: int = PREVIEW_ROWS) -> dict[tuple[str, str], TableProfile]:
    """Profiles of those (schema, table) pairs that are base tables of `database`; views are left out
    (the staging views read silver through dbt's plugin and resolve nowhere else)."""
    wanted = set(tables)
    if not wanted or not Path(database).is_file():
        return {}
    out = {}
    with duckdb.connect(str(database), read_only=True) as con:
        present = {(s, t) for s, t in con.execute("select schema_name, table_name from duckdb_tables()").fetchall()}
        for schema, table in sorted(wanted & present):
            name = f"{identifier(schema)}.{identifier(table)}"
            columns = con.execute(
                "select column_name, data_type from duckdb_columns() where schema_name = ? and table_name = ? order by column_index",
                [schema, table],
            ).fetchall()
            rows = con.execute(f"select count(*) from {name}").fetchall()[0][0]
            preview = con.sql(f"select * from {name} limit {int(preview_rows)}").pl()
            out[(schema, table)] = TableProfile(rows=rows, columns=columns, preview=preview)
    return out


def markdown(frame: pl.DataFrame) -> str:
    """A frame as a Markdown table (Dagster renders Markdown metadata as a table)."""

    def cell(v: object) -> str:
        return "" if v is None else str(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join(lines)
