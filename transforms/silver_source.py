"""dbt-duckdb plugin: the silver Delta tables as dbt sources, read through the deltalake package.

DuckDB's own delta extension downloads at run time, which this platform cannot do, so
deltalake reads each table's Delta log (which Parquet files make up the current version)
and DuckDB scans those files with its built-in Parquet reader; tables that need more than
the files (partitions, deletion vectors, object stores) go through deltalake's Arrow
dataset. The table's location comes from `DataPaths` (so `$OGI_DATA_DIR` decides it, an
absolute path, whatever directory dbt runs from). A silver table nobody has written yet (statutory findings before
the expectations first run) reads as empty with its declared schema instead of failing.

Used from dbt_project/profiles.yml as `plugins: [{module: transforms.silver_source}]` and
from a source as `meta: {plugin: silver_source}`; the source table name is the silver
table name.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import SourceConfig

from transforms.schemas import SILVER_TABLES
from transforms.settings import DataPaths

_SPECS = {spec.name: spec for spec in SILVER_TABLES}


def read_silver(name: str, paths: DataPaths | None = None, connection: Any = None) -> Any:
    """A stream of the current version of silver table `name` (empty if never written).

    deltalake reads the Delta log (which Parquet files make up the current version); when
    the files alone hold the table (no partition columns, no deletion vectors or column
    mapping), DuckDB's own Parquet reader scans them, about four times faster than an
    Arrow dataset scan, streamed in batches so memory stays flat.
    """
    from deltalake import DeltaTable

    paths = paths or DataPaths.from_env()
    location = paths.silver_table(name)
    if not (location / "_delta_log").is_dir():
        import polars as pl

        return pl.DataFrame(schema=_SPECS[name].polars_schema).to_arrow()
    table = DeltaTable(str(location))
    protocol = table.protocol()
    if table.metadata().partition_columns or protocol.min_reader_version > 1 or protocol.reader_features:
        return table.to_pyarrow_dataset()
    files = table.file_uris()
    # DuckDB reads object stores only through extensions it cannot download here.
    if not files or any("://" in f and not f.startswith("file://") for f in files):
        return table.to_pyarrow_dataset()
    if connection is not None:
        # A relation on the database that will read it: DuckDB scans the files natively.
        return connection.cursor().read_parquet(files)
    import duckdb

    # Elsewhere: a private in-memory DuckDB streams Arrow batches.
    return duckdb.connect().read_parquet(files).to_arrow_reader(1_000_000)


class Plugin(BasePlugin):
    def initialize(self, config: dict[str, Any]) -> None:
        self._root = config.get("data_dir") or None
        self._connection = None

    def configure_connection(self, conn) -> None:
        self._connection = conn
        # dbt's threads each create the sources' schema before copying a source in; two
        # doing it at once is a DuckDB write-write conflict ("Catalog write-write conflict on
        # create with silver", seen in CI). Created once here, their CREATE IF NOT EXISTS is a no-op.
        conn.execute("create schema if not exists silver")

    def load(self, source_config: SourceConfig):
        name = source_config.get("silver_table", source_config.identifier)
        return read_silver(name, DataPaths.from_env(self._root), self._connection)

    def default_materialization(self) -> str:
        # Copied into the build database: the published file must stand alone, without the
        # Arrow objects this process registered.
        return "table"
