"""dbt-duckdb plugin: the silver Delta tables as dbt sources, replicated incrementally.

DuckDB's own delta extension downloads at run time, which this platform cannot do, so
deltalake reads each table's Delta log (which Parquet files make up the current version)
and DuckDB scans those files with its built-in Parquet reader; tables that need more than
the files (partitions, deletion vectors, object stores) go through deltalake's Arrow
dataset. The table's location comes from `DataPaths` (so `$OGI_DATA_DIR` decides it, an
absolute path, whatever directory dbt runs from). A silver table nobody has written yet
(statutory findings before the expectations first run) reads as empty with its declared
schema instead of failing.

The build database keeps a copy of every silver table (`silver.<table>`), which the models
read. Copying the whole lake on every build took most of a nightly run, so `replicate`
follows the Delta log instead: `silver._replica_files` lists the Delta data files each copy
holds. Delta data files never change once written, so while the current version still
holds every replicated file the copy only needs the files added since (appended loads);
when a file has gone (a MERGE re-parse, an overwrite, a compaction) or the schema, the kind
of read or the copy itself changed, the table is copied whole. Table and bookkeeping change
in one DuckDB transaction.

Used from dbt_project/profiles.yml as `plugins: [{module: transforms.silver_source}]`: the
plugin replicates when dbt opens the build database (`configure_connection`). The sources
carry `meta: {plugin: silver_source, save_mode: ignore}`, so dbt-duckdb does not copy them
again; it loads one through `Plugin.load` only if its table is missing. The source table
name is the silver table name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import SourceConfig

from transforms.lake.schemas import SILVER_TABLES
from transforms.lake.settings import DataPaths
from transforms.lake.sql import identifier, literal

_SPECS = {spec.name: spec for spec in SILVER_TABLES}

FILES_TABLE = "silver._replica_files"
STATE_TABLE = "silver._replica_tables"


def read_silver(name: str, paths: DataPaths | None = None, connection: Any = None) -> Any:
    """A stream of the current version of silver table `name` (empty if never written).

    deltalake reads the Delta log (which Parquet files make up the current version); when
    the files alone hold the table (no partition columns, no deletion vectors or column
    mapping), DuckDB's own Parquet reader scans them, about four times faster than an
    Arrow dataset scan, streamed in batches so memory stays flat.
    """
    paths = paths or DataPaths.from_env()
    source = _current(name, paths)
    if source.kind == "empty":
        return _empty(name)
    if source.kind == "dataset":
        return source.table.to_pyarrow_dataset()
    if connection is not None:
        # A relation on the database that will read it: DuckDB scans the files natively.
        return connection.cursor().sql(_scan(source, source.files))
    import duckdb

    # Elsewhere: a private in-memory DuckDB streams Arrow batches.
    return duckdb.connect().sql(_scan(source, source.files)).to_arrow_reader(1_000_000)


@dataclass(frozen=True)
class _Source:
    """What the current version of a silver table is made of, read from its Delta log once."""

    kind: str  # "parquet": the data files alone hold it | "dataset": read through deltalake | "empty": never written
    files: list[str]
    schema: str  # the Delta schema (or the declared one when never written), to detect a change
    columns: tuple[str, ...] = ()
    version: int | None = None
    table_id: str | None = None
    table: Any = None


def _empty(name: str) -> Any:
    import polars as pl

    return pl.DataFrame(schema=_SPECS[name].polars_schema).to_arrow()


def _current(name: str, paths: DataPaths) -> _Source:
    from deltalake import DeltaTable

    location = paths.silver_table(name)
    if not (location / "_delta_log").is_dir():
        return _Source("empty", [], "declared:" + repr(_SPECS[name].polars_schema))
    table = DeltaTable(str(location))
    files = table.file_uris()
    protocol = table.protocol()
    kind = "parquet"
    if table.metadata().partition_columns or protocol.min_reader_version > 1 or protocol.reader_features:
        kind = "dataset"
    # DuckDB reads object stores only through extensions it cannot download here.
    elif not files or any("://" in f and not f.startswith("file://") for f in files):
        kind = "dataset"
    schema = table.schema()
    columns = tuple(field.name for field in schema.fields)
    return _Source(kind, files, schema.to_json(), columns, table.version(), table.metadata().id, table)


@dataclass(frozen=True)
class Replicated:
    """What `replicate` did to one table: "unchanged", "appended" (`files` new files) or "replaced"."""

    action: str
    files: int
    rows: int


def _scan(source: _Source, files: list[str]) -> str:
    """A query of `files` with the table's columns in Delta's order.

    By name, and null where a file lacks a column: files written before a column was added
    to the Delta schema do not hold it, and Delta reads them as null.
    """
    listed = ", ".join(literal(f) for f in files)
    columns = ", ".join(identifier(c) for c in source.columns)
    return f"select {columns} from read_parquet([{listed}], union_by_name = true)"


def _scalar(cursor, sql: str, params: list | None = None) -> Any:
    # fetchall: DuckDB refuses other work on a cursor whose result was only partly fetched.
    return cursor.execute(sql, params).fetchall()[0][0]


def _ensure_bookkeeping(cursor) -> None:
    cursor.execute("create schema if not exists silver")
    cursor.execute(f"create table if not exists {FILES_TABLE} (table_name varchar not null, file_uri varchar not null)")
    cursor.execute(
        f"create table if not exists {STATE_TABLE} (table_name varchar not null, kind varchar not null,"
        " delta_version bigint, delta_table_id varchar, delta_schema varchar not null, row_count bigint not null,"
        " replicated_at timestamp with time zone not null)"
    )


def replicate(connection: Any, paths: DataPaths | None = None) -> dict[str, Replicated]:
    """Bring `silver.<table>` of the database `connection` opens to each silver table's current version."""
    paths = paths or DataPaths.from_env()
    cursor = connection.cursor()
    try:
        # Row order means nothing in these copies; without it DuckDB copies in parallel, in less memory.
        cursor.execute("set preserve_insertion_order = false")
        _ensure_bookkeeping(cursor)
        # In SILVER_TABLES order, reports first: a load writes reports last, so a load
        # committing meanwhile can add cells of a report the copy lacks, never the reverse.
        return {name: _replicate_table(cursor, name, paths) for name in _SPECS}
    finally:
        cursor.close()


def _replicate_table(cursor, name: str, paths: DataPaths) -> Replicated:
    source = _current(name, paths)
    target = f'silver."{name}"'
    state = cursor.execute(
        f"select kind, delta_version, delta_table_id, delta_schema, row_count from {STATE_TABLE} where table_name = ?", [name]
    ).fetchall()
    exists = _scalar(
        cursor,
        "select count(*) from duckdb_tables() where database_name = current_database() and schema_name = 'silver' and table_name = ?",
        [name],
    )
    held: set[str] = set()
    same = False
    if exists and len(state) == 1:
        kind, version, table_id, schema, rows = state[0]
        # The row count guards against a copy someone else replaced (an older checkout's dbt
        # copies whole tables without this bookkeeping): appending to it would double rows.
        same = (kind, schema) == (source.kind, source.schema) and rows == _scalar(cursor, f"select count(*) from {target}")
        if same and kind == "parquet":
            held = {f for (f,) in cursor.execute(f"select file_uri from {FILES_TABLE} where table_name = ?", [name]).fetchall()}
            same = held <= set(source.files)
        elif same and kind == "dataset":
            # Deletion vectors change rows without changing files: only the same version of the same table is the same.
            same = (version, table_id) == (source.version, source.table_id)
    if same:
        new = [f for f in source.files if f not in held] if source.kind == "parquet" else []
        if not new:
            if state[0][1] != source.version:
                cursor.execute(f"update {STATE_TABLE} set delta_version = ? where table_name = ?", [source.version, name])
            return Replicated("unchanged", 0, 0)
        cursor.begin()
        try:
            before = state[0][4]
            cursor.execute(f"insert into {target} by name {_scan(source, new)}")
            rows = _scalar(cursor, f"select count(*) from {target}")
            cursor.executemany(f"insert into {FILES_TABLE} values (?, ?)", [[name, f] for f in new])
            cursor.execute(
                f"update {STATE_TABLE} set delta_version = ?, row_count = ?, replicated_at = now() where table_name = ?",
                [source.version, rows, name],
            )
            cursor.commit()
        except BaseException:
            cursor.rollback()
            raise
        return Replicated("appended", len(new), rows - before)
    cursor.begin()
    try:
        if source.kind == "parquet":
            cursor.execute(f"create or replace table {target} as {_scan(source, source.files)}")
        else:
            data = _empty(name) if source.kind == "empty" else source.table.to_pyarrow_dataset()
            cursor.register("_silver_replica_source", data)
            cursor.execute(f"create or replace table {target} as select * from _silver_replica_source")
            cursor.unregister("_silver_replica_source")
        rows = _scalar(cursor, f"select count(*) from {target}")
        cursor.execute(f"delete from {FILES_TABLE} where table_name = ?", [name])
        if source.kind == "parquet":
            cursor.executemany(f"insert into {FILES_TABLE} values (?, ?)", [[name, f] for f in source.files])
        cursor.execute(f"delete from {STATE_TABLE} where table_name = ?", [name])
        cursor.execute(
            f"insert into {STATE_TABLE} values (?, ?, ?, ?, ?, ?, now())",
            [name, source.kind, source.version, source.table_id, source.schema, rows],
        )
        cursor.commit()
    except BaseException:
        cursor.rollback()
        raise
    return Replicated("replaced", len(source.files), rows)


class Plugin(BasePlugin):
    def initialize(self, config: dict[str, Any]) -> None:
        self._root = config.get("data_dir") or None
        self._connection = None
        self.replicated: dict[str, Replicated] = {}

    def configure_connection(self, conn) -> None:
        self._connection = conn
        # dbt's threads each create the sources' schema before copying a source in; two
        # doing it at once is a DuckDB write-write conflict ("Catalog write-write conflict on
        # create with silver", seen in CI). Created once here, their CREATE IF NOT EXISTS is a no-op.
        conn.execute("create schema if not exists silver")
        # dbt-duckdb calls this with its connection lock held, before any thread gets a
        # cursor: the models see the replicated tables and nothing races the copy.
        self.replicated = replicate(conn, DataPaths.from_env(self._root))

    def load(self, source_config: SourceConfig):
        # Only when the table is missing (save_mode: ignore), e.g. dropped after replication.
        # dbt-duckdb copies it whole outside the bookkeeping, so the bookkeeping is dropped
        # too: the next replication copies the table whole instead of appending to it.
        name = source_config.get("silver_table", source_config.identifier)
        cursor = self._connection.cursor()
        try:
            cursor.execute(f"delete from {FILES_TABLE} where table_name = ?", [name])
            cursor.execute(f"delete from {STATE_TABLE} where table_name = ?", [name])
        finally:
            cursor.close()
        return read_silver(name, DataPaths.from_env(self._root), self._connection)

    def default_materialization(self) -> str:
        # Copied into the build database: the published file must stand alone, without the
        # Arrow objects this process registered.
        return "table"
