"""What a quality suite has already validated, and what silver changed since: incremental validation.

A nightly load adds a few hundred reports to a lake of 150,000; validating all of silver again
would make its time follow the lake, not the night. So each suite keeps a *ledger* under
`quality/ledgers/<suite>.parquet`: one row per report it validated, with the per-report figures
it totals over all of silver, and (in the file's metadata) the Delta version of every silver
table it read.

`plan` compares those versions with silver now. Every Parquet file a table gained or lost
since names the reports it holds: those reports are *touched* (loaded, re-parsed, moved to
quarantine, or edited by hand: any write shows up as files), and their rows are read back from
the tables' current files. Reading rows by report_id is cheap: silver writes each batch in
report_id order, so the Parquet row-group statistics skip nearly everything else.

The plan falls back to validating everything (and says why) when there is no ledger, when a
table's old version can no longer be read (vacuumed), when most of silver was touched anyway,
or when asked (`OGI_QUALITY_FULL=1`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from transforms.lake import delta, schemas
from transforms.lake.files import write_parquet
from transforms.lake.settings import DataPaths

# Above this share of silver touched, validating everything is as fast and simpler to read.
FULL_ABOVE_SHARE = 0.5
_IDS = pl.Series("report_id", [], pl.String)


@dataclass(frozen=True)
class Batch:
    """The part of silver a suite validates this run."""

    full: bool
    reason: str
    reports: pl.Series  # every report_id in silver reports now
    touched: pl.Series  # report_ids whose rows to validate (changed, removed or orphaned); all when full
    removed: pl.Series  # report_ids validated before that silver reports no longer holds
    files: dict[str, tuple[str, ...]]  # silver table -> its current data files
    versions: dict[str, int | None]  # silver table -> the version read
    span: tuple[str, str | None] | None = None  # a part of a full batch: report_ids from, up to (excluded)
    stamp: str = ""  # the suites as stored (quality_gx.suite_stamp): the ledger holds for these only

    @property
    def changed(self) -> pl.Series:
        """Touched reports that silver reports holds now: the ones whose figures the ledger replaces."""
        return self.touched.filter(self.touched.is_in(self.reports.implode())) if not self.full else self.touched

    def parts(self, size: int) -> list["Batch"]:
        """A full batch as consecutive parts of `size` reports in report_id order (others: itself).

        A full validation of a national year goes part by part, so memory follows the part;
        each part reads only its span of report_ids, which the Parquet statistics find.
        """
        if not self.full or self.touched.len() <= size:
            return [self]
        ids = self.touched.sort()
        starts = ids.gather_every(size).to_list()
        starts[0] = ""  # the first part also takes cells filed under an id before any report's
        bounds = list(zip(starts, [*starts[1:], None]))
        return [
            Batch(True, self.reason, self.reports, ids.slice(i * size, size), self.removed, self.files, self.versions, span, self.stamp)
            for i, span in enumerate(bounds)
        ]

    def describe(self) -> str:
        mode = "full" if self.full else "incremental"
        return f"{mode} ({self.reason}): {self.changed.len():,} reports validated, {self.removed.len():,} removed"


def path(paths: DataPaths, suite: str) -> Path:
    return paths.data_docs.parent / "ledgers" / f"{suite}.parquet"


def _snapshot(location: Path, version: int | None = None) -> tuple[int | None, tuple[str, ...]] | None:
    """(version, data files) of a table, now or at `version`; None when that version is gone."""
    from deltalake import DeltaTable

    if not delta.exists(location):
        return None, ()
    try:
        table = DeltaTable(str(location), version=version)
    except Exception:  # noqa: BLE001  (an old version vacuumed or its log cleaned up)
        return None
    return table.version(), tuple(table.file_uris())


def _location(paths: DataPaths, name: str) -> Path:
    """Where a table the suites read lives: bronze's documents index, or a silver table."""
    return paths.bronze_table(name) if name == schemas.BRONZE_DOCUMENTS.name else paths.silver_table(name)


def _ids(files: list[str]) -> pl.Series:
    if not files:
        return _IDS
    return pl.scan_parquet(files).select(pl.col("report_id").unique()).collect().get_column("report_id")


def read(paths: DataPaths, suite: str) -> tuple[pl.DataFrame, dict[str, int | None]] | None:
    """The suite's ledger and the table versions it was written against, or None."""
    found = _read(paths, suite)
    return None if found is None else found[:2]


def _read(paths: DataPaths, suite: str) -> tuple[pl.DataFrame, dict[str, int | None], str] | None:
    import pyarrow.parquet as pq

    file = path(paths, suite)
    if not file.is_file():
        return None
    table = pq.read_table(file)
    metadata = table.schema.metadata or {}
    versions = json.loads(metadata.get(b"ogi_versions", b"{}"))
    return pl.from_arrow(table), versions, metadata.get(b"ogi_stamp", b"").decode()


def plan(paths: DataPaths, suite: str, tables: tuple[str, ...], full: bool = False, stamp: str = "") -> Batch:
    """What `suite` must validate now, reading silver tables `tables` (`reports` always among them).

    `stamp` names the suites' stored definitions: a ledger written under other ones (an
    expectation added or changed) is void, and everything is validated again.
    """
    names = tuple(dict.fromkeys(("reports", *tables)))
    now = {n: _snapshot(_location(paths, n)) for n in names}
    files = {n: s[1] for n, s in now.items()}
    versions = {n: s[0] for n, s in now.items()}
    reports = _ids(list(files["reports"]))

    def everything(reason: str) -> Batch:
        return Batch(True, reason, reports, reports, _IDS, files, versions, stamp=stamp)

    if full or os.environ.get("OGI_QUALITY_FULL"):
        return everything("asked for")
    ledger = _read(paths, suite)
    if ledger is None:
        return everything("no earlier validation")
    validated, before, stamped = ledger
    if stamped != stamp:
        return everything("the suite changed since the last validation")
    touched_ids = [_IDS]
    for name in names:
        if name not in before:
            return everything(f"{name} not validated before")
        old = _snapshot(_location(paths, name), before[name]) if before[name] is not None else (None, ())
        if old is None:
            return everything(f"{name} version {before[name]} can no longer be read")
        old_files, new_files = set(old[1]), set(files[name])
        # one table's files at a time: tables differ in columns
        touched_ids.append(_ids([f for f in files[name] if f not in old_files] + [f for f in old[1] if f not in new_files]))
    removed = validated.get_column("report_id")
    removed = removed.filter(~removed.is_in(reports.implode()))
    touched = pl.concat([*touched_ids, removed]).unique().sort()
    if reports.len() and touched.len() > FULL_ABOVE_SHARE * reports.len():
        return everything(f"{touched.len():,} of {reports.len():,} reports touched")
    return Batch(False, "what changed since the last validation", reports, touched, removed, files, versions, stamp=stamp)


def rows(batch: Batch, name: str, spec: schemas.TableSpec, columns: list[str]) -> pl.LazyFrame:
    """Table `name`'s current rows for the batch's touched reports (every row when full)."""
    files = batch.files.get(name, ())
    if not files:
        return pl.LazyFrame(schema={c: spec.schema[c] for c in columns})
    frame = pl.scan_parquet(list(files)).select(columns)
    if batch.full and batch.span is not None:
        low, high = batch.span
        rid = pl.col("report_id")
        return frame.filter((rid >= pl.lit(low)) & (rid < pl.lit(high)) if high is not None else rid >= pl.lit(low))
    if batch.full:
        return frame
    # the range first: Parquet statistics skip the row groups outside it before is_in is tested;
    # a row without a report_id is always shown (it matches no id, and is itself a finding)
    rid = pl.col("report_id")
    touched = batch.touched.drop_nulls()
    if touched.len() == 0:
        return frame.filter(rid.is_null())
    low, high = touched.min(), touched.max()
    return frame.filter((rid.is_between(pl.lit(low), pl.lit(high)) & rid.is_in(touched.implode())) | rid.is_null())


def write(paths: DataPaths, suite: str, batch: Batch, figures: pl.DataFrame) -> Path:
    """Record that `suite` validated `batch`; `figures` has one row per changed report (report_id first).

    The new ledger keeps the earlier rows of untouched reports, replaces the touched ones and
    carries the versions this run read. Written whole and renamed into place: a crash leaves
    the previous ledger, and the next run validates the same reports again.
    """
    current = batch.changed.to_frame().join(figures, on="report_id", how="left")
    previous = read(paths, suite)
    if previous is not None and not batch.full:
        kept = previous[0].filter(~pl.col("report_id").is_in(batch.touched.implode()))
        current = pl.concat([kept, current], how="diagonal_relaxed")
    table = current.fill_null(0).to_arrow()
    versions = json.dumps(batch.versions).encode()
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"ogi_versions": versions, b"ogi_stamp": batch.stamp.encode()})
    return write_parquet(table, path(paths, suite))


def totals(paths: DataPaths, suite: str) -> dict[str, int]:
    """Sums of the ledger's figure columns over every validated report."""
    ledger = read(paths, suite)
    if ledger is None:
        return {}
    return sums(ledger[0])


def sums(figures: pl.DataFrame) -> dict[str, int]:
    """Each per-report figure column summed."""
    return {c: int(figures[c].sum() or 0) for c in figures.columns if c != "report_id" and figures[c].dtype.is_numeric()}


# ---------------------------------------------------------------------------------------
# Marts: rows already validated, by content
# ---------------------------------------------------------------------------------------
# dbt rebuilds the marts in the build database on every load, so they have no versions to
# compare. But every expectation of the mart suites looks at one row at a time, so a row whose
# every value is what it was when it passed needs no second look: the ledger of a mart suite
# holds a 128-bit content hash of each row of the table that passed (two seeded polars row
# hashes), and only rows that are new or changed go to GX. The stamp (suite file, columns,
# polars version: its row hash is not stable across releases) must match, or every row is
# validated again.
_ROW_HASH = ("ogi_h1", "ogi_h2")


@dataclass(frozen=True)
class Rows:
    """The part of a mart table a suite validates this run."""

    frame: pl.DataFrame  # the rows to validate: new, changed, or failing before
    hashes: pl.DataFrame  # the content hash of every current row: the ledger once they pass
    known: int  # rows skipped: they passed before with exactly these values
    reason: str  # why all rows, when all

    def describe(self) -> str:
        if self.reason:
            return f"full ({self.reason}): {self.frame.height:,} rows"
        return f"incremental: {self.frame.height:,} new or changed rows, {self.known:,} unchanged rows passed before"


def _row_stamp(frame: pl.DataFrame, suite_stamp: str) -> str:
    return json.dumps({"suite": suite_stamp, "schema": {c: str(t) for c, t in frame.schema.items()}, "polars": pl.__version__})


def unvalidated_rows(paths: DataPaths, ledger: str, frame: pl.DataFrame, suite_stamp: str, full: bool = False) -> Rows:
    """The rows of `frame` that ledger `ledger` has not seen pass, with this suite (`suite_stamp`)."""
    import pyarrow.parquet as pq

    hashes = pl.DataFrame([frame.hash_rows(seed=seed).alias(name) for name, seed in zip(_ROW_HASH, (0x6F6769, 0x5E6F7081))])
    file = path(paths, ledger)
    reason = ""
    if full or os.environ.get("OGI_QUALITY_FULL"):
        reason = "asked for"
    elif not file.is_file():
        reason = "no earlier validation"
    else:
        table = pq.read_table(file)
        if (table.schema.metadata or {}).get(b"ogi_stamp", b"").decode() != _row_stamp(frame, suite_stamp):
            reason = "the suite, the table's columns or polars changed since"
    if reason:
        return Rows(frame, hashes, 0, reason)
    passed = pl.from_arrow(table).with_columns(pl.lit(True).alias("_passed"))
    seen = hashes.join(passed, on=list(_ROW_HASH), how="left", maintain_order="left").get_column("_passed").is_not_null()
    return Rows(frame.filter(~seen), hashes, int(seen.sum()), "")


def record_rows(paths: DataPaths, ledger: str, rows: Rows, suite_stamp: str) -> Path:
    """Record that every current row passed (call only when the validation of `rows` succeeded).

    The ledger becomes the hashes of the current rows, so rows dbt no longer builds drop out
    and it never grows past the table. Written whole and renamed into place.
    """
    table = rows.hashes.unique().to_arrow()
    table = table.replace_schema_metadata({b"ogi_stamp": _row_stamp(rows.frame, suite_stamp).encode()})
    return write_parquet(table, path(paths, ledger))
