"""SQL text built from names and paths: quoted so that any name or path is read as itself.

The lake builds a few DuckDB statements from table names, column names and file paths
(ATTACH of a file, read_parquet of a list, a table per schema) where parameters cannot stand.
"""

from __future__ import annotations

from pathlib import Path


def identifier(name: str) -> str:
    """A schema, table or column name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str | Path) -> str:
    """A string or path as a quoted SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"
