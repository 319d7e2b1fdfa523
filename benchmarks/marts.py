"""Benchmark the marts: `dbt build` over the silver of 100,000 reports, and publishing.

    .venv/bin/python benchmarks/marts.py [--n 100000] [--seed 0] [--data-dir DIR] [--reuse] [--keep]

1. Silver (not timed): random valid reports from tests/support/renderer.py (both templates,
   every jurisdiction, one in ten with an arithmetic error, one in a hundred quarantined),
   their rules evaluated by transforms/parser/rules.py, turned into silver frames by the
   pipeline's own writer (transforms.lake.silver.frames_from_reports) and appended to Delta in
   batches. Rendering text and parsing it back is benchmarks/load.py's job; the marts only
   see silver. With --reuse, an existing silver under --data-dir (e.g. from
   `benchmarks/load.py --keep`) is used as is.
2. floor: DuckDB reading the same silver (its Parquet reader on the files of each table's
   current Delta version) into a database file (what the dbt sources do before any model runs), plus one pass of the outcome_rates aggregation
   in plain SQL: the least any build of these marts must do. Same run, same cache.
3. dbt build (the real CLI: every model, data test and unit test), in a child process:
   wall time and peak RSS of the process tree (sampled every 50 ms).
4. publish: the checked copy and atomic swap of the analysts' file.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.measure import PeakRSS  # noqa: E402

BATCH = 5000
SILVER_NAMES = ("reports", "application_cells", "review_litigation_cells", "active_disclosure_cells", "rule_results", "quarantine")


def _report(i: int, seed: int):
    from tests.support import renderer as R
    from transforms.parser import model, rules

    rng = random.Random(seed * 1_000_003 + i)
    rid = f"{seed:04x}{i:060x}"
    if i % 100 == 57:
        return rid, f"bench/{i}.txt", model.Report(source=f"bench/{i}.txt", report_id=rid, status="rejected", error="not a report: no 表三")
    truth = R.random_report(rng)
    if i % 10 == 9:
        truth, _ = R.inject_error(truth, rng)

    def cells(table):
        return {a: {b: model.Cell(v) for b, v in row.items()} for a, row in table.items()}

    report = model.Report(
        source=f"bench/{i}.txt",
        report_id=rid,
        status="ok",
        year=truth.year,
        template=truth.template,
        body=truth.body,
        jurisdiction=truth.jurisdiction,
        parent_jurisdictions=list(truth.place.parents),
        admin_code=truth.place.code,
        published_on=truth.published_on,
        applications=cells(truth.applications),
        review_litigation=cells(truth.review_litigation),
        active_disclosure=cells(truth.active_disclosure),
        layout="bench",
        encoding="utf-8",
    )
    report.rule_results = rules.evaluate(report)
    return rid, report.source, report


def _write_batch(root: str, start: int, stop: int, seed: int) -> int:
    from transforms.lake import silver
    from transforms.lake.settings import DataPaths

    paths = DataPaths(Path(root))
    frames = silver.frames_from_reports(
        (_report(i, seed) for i in range(start, stop)), "bench", datetime(2026, 11, 1, tzinfo=UTC)
    )
    # Each worker its own Delta tables (Delta appends from two processes would race); merged below.
    for name in SILVER_NAMES:
        frames[name].write_delta(str(paths.root / "parts" / name / f"{start:08d}"), mode="overwrite")
    return stop - start


def generate(paths, n: int, seed: int, workers: int) -> None:
    import polars as pl

    from transforms.lake import silver

    parts = paths.root / "parts"
    with ProcessPoolExecutor(workers) as pool:
        done = sum(pool.map(_write_batch, *zip(*[(str(paths.root), s, min(s + BATCH, n), seed) for s in range(0, n, BATCH)])))
    assert done == n
    for name in SILVER_NAMES:
        frame = pl.concat([pl.read_delta(str(p)) for p in sorted((parts / name).iterdir())])
        frame.write_delta(str(paths.silver_table(name)), mode="overwrite")
    shutil.rmtree(parts)
    silver.write_codes(paths)
    silver.write_divisions(paths)


FLOOR_SQL = """
select r.jurisdiction, r.admin_code, r.year, count(distinct r.report_id) as reports,
       sum(c.value) filter (where k.category = 'granted') as granted,
       sum(c.value) filter (where k.category = 'total_processed') as processed
from application_cells c
join reports r using (report_id)
join codes k on k.table = 'applications' and k.kind = 'row' and k.code = c.row and k.template = r.template
where c.column = 'total'
group by all
"""


def floor(paths, scratch: Path) -> tuple[float, dict[str, int]]:
    """DuckDB's own Parquet reader over the files of each table's current Delta version."""
    import duckdb
    from deltalake import DeltaTable

    db = scratch / "floor.duckdb"
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    counts = {}
    with duckdb.connect(str(db)) as con:
        for name in (*SILVER_NAMES, "codes", "divisions"):
            files = DeltaTable(str(paths.silver_table(name))).file_uris()
            con.execute(f'create table "{name}" as select * from read_parquet(?)', [files]).fetchall()
            counts[name] = con.execute(f'select count(*) from "{name}"').fetchall()[0][0]
        con.execute(f"create table outcome_floor as {FLOOR_SQL}").fetchall()
    elapsed = time.perf_counter() - started
    db.unlink()
    return elapsed, counts


def dbt_build(paths) -> tuple[float, int, str]:
    from tests.support.silver_fixture import dbt_command, dbt_env

    paths.build_database.parent.mkdir(parents=True, exist_ok=True)
    paths.build_database.unlink(missing_ok=True)
    env = dbt_env(paths)
    cmd = dbt_command("build")
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with PeakRSS(proc.pid) as rss:
        out, _ = proc.communicate()
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"dbt build failed:\n{out[-4000:]}")
    return elapsed, rss.peak, out.strip().splitlines()[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--reuse", action="store_true", help="use the silver already under --data-dir")
    ap.add_argument("--keep", action="store_true", help="keep the data directory")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    os.environ.setdefault("DO_NOT_TRACK", "1")

    from transforms.lake.publish import publish
    from transforms.lake.settings import DataPaths

    root = args.data_dir or Path(tempfile.mkdtemp(prefix="ogi-marts-bench-"))
    paths = DataPaths(root.resolve())
    try:
        if not args.reuse:
            started = time.perf_counter()
            generate(paths, args.n, args.seed, args.workers)
            print(f"silver: {args.n:,} reports generated in {time.perf_counter() - started:.1f} s (not timed below)")
        floor_s, counts = floor(paths, paths.root)
        print("silver rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        build_s, peak, summary = dbt_build(paths)
        started = time.perf_counter()
        published = publish(paths.build_database, paths.published_database, ["marts.outcome_rates"])
        publish_s = time.perf_counter() - started
        reports = counts["reports"] + counts["quarantine"]
        print(f"floor (DuckDB reads the silver Parquet + one outcome aggregation): {floor_s:.1f} s")
        print(f"dbt build: {build_s:.1f} s wall, peak RSS {peak / 2**20:,.0f} MiB, {reports / build_s:,.0f} reports/s, "
              f"{build_s / floor_s:.1f}x the floor  [{summary}]")
        print(f"publish: {publish_s:.1f} s ({published.size_bytes / 2**20:,.0f} MiB; "
              f"outcome_rates {published.row_counts['marts.outcome_rates']:,} rows)")
    finally:
        if not args.keep and not args.data_dir:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
