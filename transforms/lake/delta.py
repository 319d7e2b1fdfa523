"""Delta Lake writes with the declared schemas enforced: append, keyed MERGE, replace-if-changed.

Every writer goes through `conform`, so a frame with a missing, extra or mistyped column is
refused before anything reaches the table. Each function is one Delta commit (or none when
there is nothing to write): a crash leaves the table at its last committed version, because
delta-rs writes the data files first and only a successful log entry makes them visible.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import polars as pl
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError

from transforms.lake.schemas import TableSpec

# Large enough for few, big Parquet files per commit; rows are small.
_BATCH_ROWS = 500_000
_DELETE_FLAG = "_ogi_delete"
_MERGE_ATTEMPTS = 5


class SchemaMismatch(ValueError):
    """A frame does not have the columns its table declares."""


def conform(frame: pl.DataFrame, spec: TableSpec) -> pl.DataFrame:
    """Cast `frame` to the table's declared schema, column order included; refuse surprises."""
    expected = list(spec.schema)
    missing = [c for c in expected if c not in frame.columns]
    extra = [c for c in frame.columns if c not in spec.schema]
    if missing or extra:
        raise SchemaMismatch(f"{spec.layer}.{spec.name}: missing columns {missing}, unexpected columns {extra}")
    # strict casts: a value that does not fit its declared type is an error, not a null
    return frame.select([pl.col(c).cast(t, strict=True) for c, t in spec.schema.items()])


def is_uri(path: Path | str) -> bool:
    """An object-store location (`s3://bucket/lake/silver/reports`), not a local folder.

    deltalake and polars take such URIs as they are, with credentials and endpoint from the
    environment (`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, ...): benchmarks/object_store.py
    runs these writers against an S3-compatible store.
    """
    return "://" in str(path)


def _make_parent(path: Path | str) -> None:
    if not is_uri(path):  # object stores have no folders to create
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def exists(path: Path | str) -> bool:
    if is_uri(path):
        return DeltaTable.is_deltatable(str(path))
    return (Path(path) / "_delta_log").is_dir()


def version(path: Path | str) -> int | None:
    """The table's current Delta version, or None when it has never been written."""
    if not exists(path):
        return None
    return DeltaTable(str(path)).version()


def read(path: Path | str, spec: TableSpec, columns: list[str] | None = None) -> pl.DataFrame:
    """The table (only `columns` if given), or an empty frame of the declared schema."""
    cols = columns or list(spec.schema)
    if not exists(path):
        return pl.DataFrame(schema={c: spec.schema[c] for c in cols})
    return pl.scan_delta(str(path)).select(cols).collect()


def scan(path: Path | str) -> pl.LazyFrame:
    return pl.scan_delta(str(path))


def _batches(table: pa.Table) -> Iterator[pa.RecordBatch]:
    """The record batches delta-rs writes; a seam where tests inject a crash mid-write."""
    yield from table.to_batches(max_chunksize=_BATCH_ROWS)


def _stream(frame: pl.DataFrame) -> pa.RecordBatchReader:
    table = frame.to_arrow()
    return pa.RecordBatchReader.from_batches(table.schema, _batches(table))


def append(frame: pl.DataFrame, path: Path | str, spec: TableSpec) -> int | None:
    """Append rows known to be new (one commit); returns the new version, or None if no rows."""
    frame = conform(frame, spec)
    if frame.height == 0:
        return None
    _make_parent(path)
    write_deltalake(str(path), _stream(frame), mode="append")
    return version(path)


def overwrite_if_changed(frame: pl.DataFrame, path: Path | str, spec: TableSpec) -> int | None:
    """Replace a small reference table when its content differs; None when it already matches."""
    frame = conform(frame, spec)
    keys = list(spec.keys)
    if exists(path):
        current = read(path, spec)
        if current.height == frame.height and current.sort(keys).equals(frame.sort(keys)):
            return None
    _make_parent(path)
    write_deltalake(str(path), _stream(frame), mode="overwrite")
    return version(path)


def _quote(name: str) -> str:
    # `row`, `column`, `group`, `table`, `where` are SQL keywords
    return f"`{name}`"


def replace_reports(frame: pl.DataFrame, path: Path | str, spec: TableSpec, report_ids: pl.Series) -> int | None:
    """Make the table hold exactly `frame`'s rows for `report_ids`, in one MERGE by key.

    Rows whose key is in `frame` are updated or inserted; rows of those reports whose key
    `frame` no longer has (a re-parse that changed template, or moved a report to quarantine)
    are deleted in the same commit. Returns the new version, or None when nothing changed.
    """
    frame = conform(frame, spec)
    if not exists(path):
        return append(frame, path, spec)
    for attempt in range(_MERGE_ATTEMPTS):
        try:
            return _merge(frame, path, spec, report_ids)
        except CommitFailedError:
            # another part's load committed to this table meanwhile (loads of disjoint
            # shards share tables); the MERGE is planned again on the new version
            if attempt == _MERGE_ATTEMPTS - 1:
                raise
    return None


def _merge(frame: pl.DataFrame, path: Path | str, spec: TableSpec, report_ids: pl.Series) -> int | None:
    keys = list(spec.keys)
    ids = report_ids.unique()
    existing = scan(path).select(keys).filter(pl.col("report_id").is_in(ids.implode())).collect()
    stale = existing.join(frame.select(keys), on=keys, how="anti")
    if frame.height == 0 and stale.height == 0:
        return None
    source = pl.concat(
        [
            frame.with_columns(pl.lit(False).alias(_DELETE_FLAG)),
            stale.with_columns(pl.lit(True).alias(_DELETE_FLAG)),
        ],
        how="diagonal_relaxed",
    ).select([*spec.schema, _DELETE_FLAG])
    source = source.with_columns([pl.col(c).cast(t) for c, t in spec.schema.items()])
    on = " AND ".join(f"t.{_quote(k)} = s.{_quote(k)}" for k in keys)
    columns = {_quote(c): f"s.{_quote(c)}" for c in spec.schema}
    (
        DeltaTable(str(path))
        .merge(_stream(source), predicate=on, source_alias="s", target_alias="t")
        .when_matched_delete(predicate=f"s.{_DELETE_FLAG}")
        .when_matched_update(updates=columns)
        .when_not_matched_insert(updates=columns, predicate=f"NOT s.{_DELETE_FLAG}")
        .execute()
    )
    return version(path)


def row_count(path: Path | str) -> int:
    """Rows in the table's current version, from the Delta log's file statistics (no data read)."""
    if not exists(path):
        return 0
    actions = DeltaTable(str(path)).get_add_actions(flatten=True)
    counts = pl.DataFrame(actions).get_column("num_records")
    return int(counts.sum() or 0)


@contextmanager
def writer_lock(folder: Path, names: tuple[str, ...] = ("writer",)) -> Iterator[None]:
    """One writer per layer (or per part of it) at a time, across processes.

    Delta lets two appends commit side by side, so two loads planning from the same state
    would both append the same documents; holding this lock from plan to last commit makes
    the second load plan from what the first committed. `names` lock parts of a layer
    (silver's report_id buckets, see transforms/silver.Shard): loads of disjoint parts run
    side by side, overlapping ones wait. Taken in sorted order, so two loads never deadlock.
    """
    Path(folder).mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        for name in sorted(names):
            handle = stack.enter_context(open(Path(folder) / f".{name}.lock", "w"))
            fcntl.flock(handle, fcntl.LOCK_EX)  # waits; released by the OS if the process dies
            stack.callback(fcntl.flock, handle, fcntl.LOCK_UN)
        yield
