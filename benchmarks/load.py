"""Benchmark the lakehouse load: raw -> bronze -> silver over 100,000 rendered reports, then +1,000.

    .venv/bin/python benchmarks/load.py [--n 100000] [--incremental 1000] [--seed 0] [--data-dir DIR] [--keep]

1. Renders reports with tests/support/renderer.py (every layout, both templates, noise,
   one in ten with an arithmetic error; one in a hundred files is junk the parser must
   quarantine) into <data>/raw/. Not timed. The renderer is slower than the parser, so
   --distinct reports are rendered and the other files are those with a unique run of
   trailing whitespace: distinct bytes, distinct documents, the same parsing work.
2. floor: reads every raw file's bytes once (the least any loader must do), same run, same cache.
3. full load, in a child process (what the bronze and silver assets run: bronze.land,
   silver.load, the codes and divisions tables): wall time, and peak RSS of the child and
   its worker processes summed (sampled every 50 ms).
4. no-op rerun (nothing new: the fixed cost of a run over a large table), then
   --incremental new files landed and loaded: wall time, peak RSS, ratio to their floor.
Checks at the end that bronze holds every file and silver reports + quarantine every document.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.measure import PeakRSS  # noqa: E402

PER_FOLDER = 1000


def _case(i: int, seed: int) -> tuple[bytes, str]:
    from tests.support import renderer as R

    rng = random.Random(seed * 1_000_003 + i)
    if i % 100 == 57:  # junk: what the parser must quarantine, not crash on
        kind = i // 100 % 3
        return (b"" if kind == 0 else rng.randbytes(2048) if kind == 1 else b"\x89PNG\r\n\x1a\n" + rng.randbytes(512)), ".txt"
    layout = R.LAYOUTS[i % len(R.LAYOUTS)]
    case = R.make_case(rng, layout, error=(i % 10 == 9 and layout != "run_together"))
    return case.data, case.suffix()


def _variant(data: bytes, i: int) -> bytes:
    """The same report with a unique run of trailing whitespace: new bytes, same parse work."""
    if not data or data.startswith(b"\x89PNG"):
        return data + i.to_bytes(4, "big")
    return data + b"\n" + bytes(0x20 if (i >> k) & 1 else 0x09 for k in range(20)) + b"\n"


def _folder(root: str, i: int) -> Path:
    return Path(root) / f"b{i // PER_FOLDER:04d}"


def _render_range(folder: str, start: int, stop: int, seed: int, distinct: int) -> int:
    """Render reports start..stop; past `distinct`, copy a rendered one with a unique tail."""
    written = 0
    for i in range(start, stop):
        sub = _folder(folder, i)
        sub.mkdir(parents=True, exist_ok=True)
        if i < distinct:
            if list(sub.glob(f"r{i:07d}.*")):  # rendered by an earlier, interrupted run
                continue
            data, suffix = _case(i, seed)
        else:
            j = i % distinct
            original = next(_folder(folder, j).glob(f"r{j:07d}.*"))
            data, suffix = _variant(original.read_bytes(), i), original.suffix
        (sub / f"r{i:07d}{suffix}").write_bytes(data)
        written += len(data)
    return written


def generate(raw: Path, start: int, stop: int, seed: int, workers: int, distinct: int) -> int:
    step = 500
    with ProcessPoolExecutor(workers) as pool:
        total = 0
        # the rendered originals first, then their variants (which read them)
        for lo, hi in ((start, min(stop, max(start, distinct))), (max(start, distinct), stop)):
            ranges = [(a, min(a + step, hi)) for a in range(lo, hi, step)]
            futures = [pool.submit(_render_range, str(raw), a, b, seed, distinct) for a, b in ranges]
            total += sum(f.result() for f in futures)
        return total


def floor(files: list[Path]) -> float:
    started = time.perf_counter()
    total = 0
    for f in files:
        with open(f, "rb") as fh:
            total += len(fh.read())
    assert total >= 0
    return time.perf_counter() - started


def run_load(data_dir: Path) -> dict:
    """One load in a child process; its report plus wall time and peak RSS of the tree."""
    env = {**os.environ, "OGI_DATA_DIR": str(data_dir)}
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", "--data-dir", str(data_dir)], env=env, stdout=subprocess.PIPE, text=True
    )
    sampler = PeakRSS(child.pid)
    out, _ = child.communicate()
    wall = time.perf_counter() - started
    peak = sampler.stop()
    if child.returncode != 0:
        raise SystemExit(f"load failed with exit code {child.returncode}")
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the child and its reaped workers
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    report = json.loads(out.strip().splitlines()[-1])
    load = max(load_before, os.getloadavg()[0])
    return {**report, "wall_s": wall, "peak_rss_mb": peak / 2**20, "cpu_s": cpu, "load": load}


def child(data_dir: Path) -> None:
    """The asset bodies of bronze/documents, silver parsed tables, codes and divisions."""
    from transforms.lake import bronze, silver
    from transforms.lake.settings import DataPaths

    paths = DataPaths(data_dir)
    t0 = time.perf_counter()
    landed = bronze.land(paths)
    t1 = time.perf_counter()
    loaded = silver.load(paths)
    t2 = time.perf_counter()
    silver.write_codes(paths)
    silver.write_divisions(paths)
    t3 = time.perf_counter()
    print(
        json.dumps(
            {
                "files_seen": landed.files_seen,
                "files_read": landed.files_hashed,
                "documents_added": landed.documents_added,
                "bronze_rows": landed.rows,
                "parsed": loaded.parsed,
                "statuses": loaded.statuses,
                "quarantined": loaded.quarantined,
                "violations": loaded.violations,
                "rows_written": loaded.rows_written,
                "bronze_s": t1 - t0,
                "silver_s": t2 - t1,
                "reference_s": t3 - t2,
            }
        )
    )


def describe(name: str, r: dict, floor_s: float | None) -> str:
    ratio = f", {r['wall_s'] / floor_s:,.0f}x the floor ({floor_s:.2f} s)" if floor_s else ""
    return (
        f"{name:<13} {r['wall_s']:7.1f} s  peak RSS {r['peak_rss_mb']:6.0f} MB  "
        f"(bronze {r['bronze_s']:.1f} s: {r['documents_added']:,} landed of {r['files_seen']:,} files, "
        f"{r['files_read']:,} read; silver {r['silver_s']:.1f} s: {r['parsed']:,} parsed, "
        f"{r['quarantined']:,} quarantined){ratio}; CPU {r['cpu_s']:.1f} s, load average {r['load']:.1f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--incremental", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--distinct",
        type=int,
        default=20_000,
        help="reports rendered from scratch; the rest are those with unique trailing whitespace (default 20,000)",
    )
    ap.add_argument("--data-dir", type=Path, help="reuse or keep this data directory (raw/ is rendered once)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.data_dir)
        return

    workers = os.cpu_count() or 1
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="ogi-load-"))
    raw = data / "raw"
    try:
        print(f"rendering {args.n:,} reports into {raw / 'base'} (kept ones reused) ...", file=sys.stderr)
        started = time.perf_counter()
        size = generate(raw / "base", 0, args.n, args.seed, workers, min(args.distinct, args.n))
        print(f"  {size / 2**20:,.0f} MB written in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        for stale in ("lake", "dagster", "alone"):
            shutil.rmtree(data / stale, ignore_errors=True)
        shutil.rmtree(raw / "incremental", ignore_errors=True)
        base_files = [p for p in (raw / "base").rglob("*") if p.is_file()]
        mb = sum(p.stat().st_size for p in base_files) / 2**20

        floor_full = floor(base_files)
        full = run_load(data)
        noop = run_load(data)
        # new reports rendered from scratch, not variants
        generate(raw / "incremental", args.n, args.n + args.incremental, args.seed, workers, args.n + args.incremental)
        inc_files = [p for p in (raw / "incremental").rglob("*") if p.is_file()]
        floor_inc = floor(inc_files)
        inc = run_load(data)
        # the same new files into an empty lake: what the 100,000 documents already there cost
        alone = data / "alone"
        shutil.rmtree(alone, ignore_errors=True)
        shutil.copytree(raw / "incremental", alone / "raw" / "incremental")
        empty = run_load(alone)
        shutil.rmtree(alone, ignore_errors=True)

        from transforms.lake import delta, schemas
        from transforms.lake.settings import DataPaths

        paths = DataPaths(data)
        bronze_rows = delta.row_count(paths.bronze_table("documents"))
        done = delta.row_count(paths.silver_table("reports")) + delta.row_count(paths.silver_table("quarantine"))
        distinct = delta.read(paths.bronze_table("documents"), schemas.BRONZE_DOCUMENTS, ["report_id"])["report_id"].n_unique()
        total_files = len(base_files) + len(inc_files)

        print(
            f"ogi load benchmark: {len(base_files):,} files ({mb:,.0f} MB, {min(args.distinct, args.n):,} rendered, "
            f"the rest variants), {workers} cores, seed {args.seed}, load average {os.getloadavg()[0]:.1f}"
        )
        print(describe("full load", full, floor_full))
        print(f"              {len(base_files) / full['wall_s']:,.0f} documents/s; statuses {full['statuses']}")
        cores = workers
        print(
            f"              CPU time {full['cpu_s']:.0f} s = {full['cpu_s'] / len(base_files) * 1000:.2f} ms/document: "
            f"at best {full['cpu_s'] / cores:.0f} s of wall time on {cores} idle cores"
        )
        print(describe("no-op rerun", noop, None))
        print(describe(f"+{len(inc_files):,} files", inc, floor_inc))
        print(f"              new-file cost {inc['wall_s'] - noop['wall_s']:.1f} s over the no-op's fixed {noop['wall_s']:.1f} s")
        print(describe("into empty lake", empty, floor_inc))
        print(
            f"              the {len(base_files):,}-document lake adds {inc['wall_s'] - empty['wall_s']:.1f} s wall, "
            f"{inc['cpu_s'] - empty['cpu_s']:.1f} s CPU to loading {len(inc_files):,} new files"
        )
        print(
            f"check: bronze rows {bronze_rows:,} = files {total_files:,}: {bronze_rows == total_files}; "
            f"reports + quarantine {done:,} = distinct documents {distinct:,}: {done == distinct}"
        )
        print(
            f"targets: full < 180 s: {full['wall_s'] < 180}; peak RSS < 2048 MB: {full['peak_rss_mb'] < 2048}; "
            f"+{len(inc_files):,} < 30 s: {inc['wall_s'] < 30}"
        )
    finally:
        if not args.keep and not args.data_dir:
            shutil.rmtree(data, ignore_errors=True)
        elif args.keep:
            print(f"data kept in {data}", file=sys.stderr)


if __name__ == "__main__":
    main()
