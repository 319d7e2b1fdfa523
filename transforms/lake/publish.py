"""Publishing the analysts' DuckDB file: copy the finished build, check it, swap it in atomically.

DuckDB locks a database file per process: a read-write connection shuts every other
process out, and any reader blocks a later writer. So analysts never get the file dbt
builds. A green build is copied to a temporary file beside the published one and renamed
over it with `os.replace`, which is atomic on one filesystem: an analyst who holds the old
file open keeps reading the old inode, complete, and the next connection opens the new
one, complete. The published path is never opened for writing.

The copy is not the build's bytes: the build is written by the pipeline's DuckDB, whose
storage format (v2.0.0 for duckdb 2.x) the clients analysts have (DuckDB 1.x CLIs, DBeaver's
driver, notebooks) refuse outright. The published file is written table by table into a
database attached with the oldest storage version that holds the marts, so every DuckDB
since 1.0 opens it; copying only the published schemas also drops the build's dead space
and its staging views, which read silver through the dbt plugin and resolve nowhere else.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from transforms.lake.sql import identifier, literal


class PublishError(RuntimeError):
    """The build cannot be published; the published file was left untouched."""


@dataclass(frozen=True)
class Published:
    path: Path
    size_bytes: int
    row_counts: dict[str, int]  # "schema.table" -> rows, for every table of the required schemas


def _checkpoint(build: Path) -> None:
    # Folds any write-ahead log into the file, so that the single file we copy is the whole
    # database. Only safe while no build runs: the caller holds the build pool.
    with duckdb.connect(str(build)) as con:
        con.execute("CHECKPOINT")


# The oldest DuckDB storage format a 2.x writer can produce; DuckDB 1.0 through 1.5 read it.
STORAGE_VERSION = "v1.0.0"


def _copy_schemas(build: Path, target: Path, schemas: Sequence[str]) -> None:
    """Write every base table of `schemas` from `build` into a new file `target` in the old format."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH {literal(build)} AS build (READ_ONLY)")
        con.execute(f"ATTACH {literal(target)} AS published (STORAGE_VERSION {literal(STORAGE_VERSION)})")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'build' "
            "and list_contains(?, schema_name) order by 1, 2",
            [list(schemas)],
        ).fetchall()
        for schema in sorted(set(schemas)):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS published.{identifier(schema)}")
        for schema, table in tables:
            name = f"{identifier(schema)}.{identifier(table)}"
            con.execute(f"CREATE TABLE published.{name} AS SELECT * FROM build.{name}")
        con.execute("DETACH published")


def _row_counts(database: Path, schemas: Sequence[str]) -> dict[str, int]:
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and list_contains(?, table_schema) order by 1, 2",
            [list(schemas)],
        ).fetchall()
        return {
            f"{schema}.{table}": con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            for schema, table in tables
        }


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(
    build: Path,
    published: Path,
    required_tables: Sequence[str] = (),
    schemas: Sequence[str] = ("marts",),
) -> Published:
    """Copy the tables of `schemas` from `build` over `published` atomically, in the storage
    format of DuckDB 1.0, once the copy holds every required table.

    `required_tables` are "schema.table" names that must exist in the copy (an empty mart is
    allowed: a new data directory has none). On any failure the temporary copy is removed
    and `published` is left as it was.
    """
    build, published = Path(build), Path(published)
    if not build.is_file():
        raise PublishError(f"no build database at {build}: run the dbt build first")
    published.parent.mkdir(parents=True, exist_ok=True)
    _checkpoint(build)
    temporary = published.with_name(f".{published.name}.{uuid.uuid4().hex}.tmp")
    try:
        _copy_schemas(build, temporary, schemas)
        counts = _row_counts(temporary, schemas)
        missing = [t for t in required_tables if t not in counts]
        if missing:
            raise PublishError(f"the build lacks {', '.join(missing)}: not published")
        _fsync(temporary)
        os.replace(temporary, published)
        _fsync(published.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return Published(path=published, size_bytes=published.stat().st_size, row_counts=counts)
