"""One national year end to end: 150,000 reports through the whole graph, then a nightly 500.

    .venv/bin/python benchmarks/national.py [--n 150000] [--nightly 500] [--nightlies 2] [--settle 30] [--seed 0] [--data-dir DIR] [--keep]

1. Renders --n reports with tests/support/renderer.py in the realistic mix (both templates,
   every layout, noise, one in ten with an arithmetic error) and makes one file in ten junk
   that the parser must quarantine (empty, random bytes, an image renamed .txt). Not timed.
2. floor: reads every raw file's bytes once, in this run, with the page cache as warm as the
   load will find it.
3. `ogi run` in a child process: the real Dagster load_job, headless: bronze, silver, the dbt
   marts with their tests, every expectation suite, publishing. The summed RSS of the child
   and its workers is sampled every 50 ms; the run's step start/end events, read back from
   the data directory's Dagster instance, split wall time and peak RSS per stage.
4. The nightly runs: the national load's writes are flushed to disk (timed) and the machine
   idles --settle seconds (a nightly comes the next night, not a second after four minutes
   of full load), then --nightlies times --nightly new reports land and `ogi run` runs again;
   its time should follow the 500, not the 150,000 already loaded.
Prints wall time and peak memory per stage, reports/s, and the parse stage against the floor.
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
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.load import floor, generate  # noqa: E402  (the same renderer and floor)
from benchmarks.measure import PeakRSS  # noqa: E402

JUNK_EVERY = 10


def make_junk(raw: Path, seed: int) -> int:
    """Overwrite one rendered file in ten with junk: what a national crawl really brings."""
    rng = random.Random(seed)
    files = sorted(p for p in raw.rglob("*") if p.is_file())
    for i, path in enumerate(files[3::JUNK_EVERY]):
        kind = i % 3
        data = b"" if kind == 0 else rng.randbytes(4096) if kind == 1 else b"\x89PNG\r\n\x1a\n" + rng.randbytes(2048)
        path.write_bytes(data + i.to_bytes(4, "big") if kind == 0 else data)
    return len(files[3::JUNK_EVERY])


def run_graph(data: Path) -> dict:
    """`ogi run` on `data` in a child process; wall time, peak RSS, and the stages of the run."""
    env = {**os.environ, "OGI_DATA_DIR": str(data)}
    started_at = time.time()
    started = time.perf_counter()
    child = subprocess.Popen(
        [str(Path(sys.executable).parent / "ogi"), "run", "--data-dir", str(data)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO,
    )
    sampler = PeakRSS(child.pid)
    out, _ = child.communicate()
    wall = time.perf_counter() - started
    peak = sampler.stop()
    if child.returncode != 0:
        print(out, file=sys.stderr)
        raise SystemExit(f"ogi run failed with exit code {child.returncode}")
    return {"wall_s": wall, "peak_mb": peak / 2**20, "stages": stages(data, started_at, sampler.samples), "out": out}


def stages(data: Path, since: float, samples: list[tuple[float, int]]) -> list[tuple[str, float, float]]:
    """(step, seconds, peak RSS MB) for every step of the newest run, in the order they ran."""
    os.environ["DAGSTER_HOME"] = str(data / "dagster")
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        events = instance.all_logs(
            run.run_id,
            of_type={dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE},
        )
    spans: dict[str, list[float]] = {}
    for e in events:
        if e.timestamp < since:
            continue
        spans.setdefault(e.step_key, []).append(e.timestamp)
    rows = []
    for step, times in sorted(spans.items(), key=lambda kv: min(kv[1])):
        start, end = min(times), max(times)
        peak = max((rss for t, rss in samples if start <= t <= end), default=0)
        rows.append((step, end - start, peak / 2**20))
    return rows


def dirty_megabytes() -> float:
    """Written but not yet on disk (Linux /proc/meminfo; 0 elsewhere)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("Dirty:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def print_run(title: str, files: int, result: dict, floor_s: float, parse_step: str = "parsed_reports") -> None:
    print(f"\n{title}: {files:,} files, wall {result['wall_s']:.1f} s, peak RSS {result['peak_mb']:,.0f} MB, "
          f"{files / result['wall_s']:,.0f} reports/s end to end")
    print(f"  {'stage (Dagster step)':<48} {'seconds':>8} {'peak RSS MB':>12}")
    for step, seconds, peak in result["stages"]:
        print(f"  {step:<48} {seconds:8.1f} {peak:12,.0f}")
    parse = [s for s in result["stages"] if s[0] == parse_step]
    if parse:
        seconds = sum(s[1] for s in parse)
        print(f"  parse stage ({', '.join(s[0] for s in parse)}): {seconds:.1f} s = {files / seconds:,.0f} reports/s, "
              f"{seconds / floor_s:,.0f}x the floor of reading the same bytes ({floor_s:.2f} s)")
    startup = result["wall_s"] - sum(s[1] for s in result["stages"])
    print(f"  outside the steps (process start, imports, run bookkeeping): {startup:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=150_000)
    ap.add_argument("--nightly", type=int, default=500)
    ap.add_argument("--nightlies", type=int, default=2, help="nightly runs one after another, each with --nightly new reports")
    ap.add_argument("--settle", type=float, default=30, help="seconds idle between the national load and the first nightly")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--distinct", type=int, default=20_000, help="reports rendered from scratch (see benchmarks/load.py)")
    ap.add_argument("--data-dir", type=Path, help="use (and keep) this data directory")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    ap.add_argument("--render-only", action="store_true", help="render into --data-dir and stop (to measure later)")
    args = ap.parse_args()

    workers = os.cpu_count() or 1
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="ogi-national-"))
    raw = data / "raw"
    try:
        # a kept data directory keeps its rendered reports (rendering is not what is measured)
        for stale in ("lake", "dagster", "warehouse", "quality", "raw/nightly"):
            shutil.rmtree(data / stale, ignore_errors=True)
        print(f"rendering {args.n:,} reports into {raw / 'national'} (kept ones reused) ...", file=sys.stderr)
        t = time.perf_counter()
        size = generate(raw / "national", 0, args.n, args.seed, workers, min(args.distinct, args.n))
        junk = make_junk(raw / "national", args.seed)
        print(f"  {size / 2**20:,.0f} MB, {junk:,} junk files, in {time.perf_counter() - t:.0f} s", file=sys.stderr)

        if args.render_only:
            return
        files = [p for p in (raw / "national").rglob("*") if p.is_file()]
        floor_s = floor(files)
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before the run")
        national = run_graph(data)
        print_run("national year", len(files), national, floor_s)
        print("\n".join("  | " + line for line in national["out"].strip().splitlines()[-12:]))

        # A nightly load comes the next night, not a second after the national load: the
        # gigabytes that load wrote are flushed to disk first (timed), or every commit of the
        # nightly (Dagster's SQLite, Delta, DuckDB) waits behind their writeback.
        dirty_mb = dirty_megabytes()
        t = time.perf_counter()
        os.sync()
        print(f"\nflushed the national load's writes before the nightly: {dirty_mb:,.0f} MB dirty, sync {time.perf_counter() - t:.1f} s")
        # ...and the machine is left idle a little: on this 2-core VM the first run after
        # minutes of full load measured up to 25 % slower in every stage, imports included
        time.sleep(args.settle)
        print(f"idle {args.settle:.0f} s before the nightly; load average {os.getloadavg()[0]:.1f}")
        nightlies = []
        for k in range(args.nightlies):
            start = args.n + k * args.nightly
            folder = raw / "nightly" / f"night{k + 1}"
            generate(folder, start, start + args.nightly, args.seed + 1 + k, workers, start + args.nightly)
            nightly_files = [p for p in folder.rglob("*") if p.is_file()]
            nightly_floor = floor(nightly_files)
            nightly = run_graph(data)
            print_run(f"nightly run {k + 1} over the {len(files) + k * args.nightly:,} already loaded", len(nightly_files), nightly, nightly_floor)
            nightlies.append(nightly)
        worst = max(n["wall_s"] for n in nightlies)
        print(f"\ntargets: national year < 600 s ({national['wall_s']:.0f} s), peak RSS < 3,072 MB "
              f"({max([national['peak_mb']] + [n['peak_mb'] for n in nightlies]):,.0f} MB), nightly {args.nightly} < 30 s "
              f"({', '.join(format(n['wall_s'], '.1f') for n in nightlies)} s; worst {worst:.1f}); load average after: {os.getloadavg()[0]:.1f}")
    finally:
        if not (args.keep or args.data_dir):
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
