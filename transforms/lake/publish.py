"""Publishing the analysts' DuckDB file: copy the finished build, check it, swap it in atomically.

DuckDB locks a database file per process: a read-write connection shuts every other
process out, and any reader blocks a later writer. So analysts never get the file dbt
builds. A green build is copied to a temporary file beside the published one and renamed
over it with `os.replace`, which is atomic on one filesystem: an analyst who holds the old
file open keeps reading the old inode, complete, and the next connection opens the new
one, complete. The published path is never opened for writing.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb


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
    """Copy `build` over `published` atomically, once the copy holds every required table.

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
        shutil.copyfile(build, temporary)
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
