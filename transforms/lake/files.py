"""Side files of the lake (bronze's scan cache, silver's load journals, the quality ledgers),
written whole: to a temporary name beside the file, then renamed over it. A reader, another
process or a crash sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pyarrow as pa


def write_parquet(table: pl.DataFrame | pa.Table, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if isinstance(table, pl.DataFrame):
        table.write_parquet(tmp)
    else:  # a pyarrow table, for the schema metadata polars does not write
        import pyarrow.parquet as pq

        pq.write_table(table, tmp)
    os.replace(tmp, path)
    return path
