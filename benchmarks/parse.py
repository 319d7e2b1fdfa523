"""Benchmark `ogi parse --json` over thousands of rendered reports, against the floor of reading them.

    .venv/bin/python benchmarks/parse.py [--n 3000] [--seed 0] [--keep] [--dump-failures DIR]

Renders --n reports with tests/support/renderer.py (every layout, both templates, noise,
one in ten with an arithmetic error) into a temporary folder, then in the same run:
  floor  read every file's bytes and split them into lines (what any parser must at least do);
  parse  the real CLI, `ogi parse --json FILE...`, output to a file;
and prints files, MB, both times, reports/s, the parse/floor ratio, peak RSS of the parse
(the CLI and its worker processes, summed), and accuracy: the share of reports whose export
equals what the renderer says it must be.
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
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.measure import PeakRSS  # noqa: E402
from tests.support import renderer as R  # noqa: E402


def generate(n: int, seed: int, folder: Path) -> dict[str, R.Case]:
    cases = {}
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        layout = R.LAYOUTS[i % len(R.LAYOUTS)]
        case = R.make_case(rng, layout, error=(i % 10 == 9 and layout != "run_together"))
        path = folder / f"r{i:06d}{case.suffix()}"
        path.write_bytes(case.data)
        cases[str(path)] = case
    return cases


def floor(paths: list[str]) -> float:
    start = time.perf_counter()
    lines = 0
    for p in paths:
        with open(p, "rb") as f:
            lines += len(f.read().splitlines())
    elapsed = time.perf_counter() - start
    assert lines > 0
    return elapsed


def ogi_command() -> list[str]:
    exe = REPO / ".venv" / "bin" / "ogi"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "transforms.cli"]


def parse_all(paths: list[str], out: Path) -> tuple[float, int, int, float]:
    """Wall time, peak RSS, exit code, and CPU seconds (user + system) of the CLI and its workers."""
    env = dict(os.environ, DO_NOT_TRACK="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with out.open("wb") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen([*ogi_command(), "parse", "--json", *paths], stdout=sink, stderr=subprocess.PIPE,
                                env=env, cwd=REPO)
        rss = PeakRSS(proc.pid)
        _, err = proc.communicate()
        elapsed = time.perf_counter() - start
        peak = rss.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"ogi parse failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    return elapsed, peak, proc.returncode, cpu


def in_process(cases: dict[str, R.Case], n: int = 600) -> float:
    """CPU seconds per report of parse_document + report_to_export in this process (no CLI, no pool)."""
    from transforms.parser.export import report_to_export
    from transforms.parser.parse import parse_document

    sample = list(cases.items())[:n]
    report_to_export(parse_document(sample[0][1].data, sample[0][0]))  # imports and tables loaded
    start = time.process_time()
    for path, case in sample:
        report_to_export(parse_document(case.data, path))
    return (time.process_time() - start) / len(sample)


def accuracy(cases: dict[str, R.Case], out: Path, dump: Path | None) -> tuple[int, Counter, Counter, Counter]:
    good, seen, bad, why = 0, Counter(), Counter(), Counter()
    got_by_source = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            got_by_source[d["source"]] = d
    for path, case in cases.items():
        seen[case.layout] += 1
        got = got_by_source.get(path)
        problems = case.diff(got, path) if got else ["no output line"]
        if not problems:
            good += 1
            continue
        bad[case.layout] += 1
        kind = problems[0].split(":")[0]
        why[(case.layout, kind)] += 1
        if dump is not None and why[(case.layout, kind)] <= 3:
            dump.mkdir(parents=True, exist_ok=True)
            name = Path(path).name
            shutil.copy(path, dump / name)
            (dump / (name + ".diff.json")).write_text(json.dumps(
                {"layout": case.layout, "noise": repr(case.noise), "problems": problems[:20]},
                ensure_ascii=False, indent=1), encoding="utf-8")
    return good, seen, bad, why


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=3000, help="reports to render (default 3000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", action="store_true", help="keep the rendered files and the JSON output")
    ap.add_argument("--dump-failures", type=Path, default=None, metavar="DIR",
                    help="copy up to 3 failing inputs per layout and kind of failure here, with their diffs")
    args = ap.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="ogi-bench-parse-"))
    try:
        t0 = time.perf_counter()
        cases = generate(args.n, args.seed, folder)
        paths = list(cases)
        mb = sum(len(c.data) for c in cases.values()) / 2**20
        print(f"rendered {len(paths)} reports ({mb:.1f} MB) in {time.perf_counter() - t0:.1f} s into {folder}")

        load_before = os.getloadavg()[0]
        floor_s = min(floor(paths) for _ in range(3))  # warm page cache; best of three
        out = folder / "parsed.jsonl"
        parse_s, peak, code, cpu_s = parse_all(paths, out)
        load_after = os.getloadavg()[0]
        floor_s = min(floor_s, floor(paths))
        good, seen, bad, why = accuracy(cases, out, args.dump_failures)
        per_report = in_process(cases)

        n = len(paths)
        print(f"files            {n}")
        print(f"MB               {mb:.1f}")
        print(f"floor (read+split lines)  {floor_s:.3f} s")
        print(f"ogi parse --json          {parse_s:.3f} s  (exit {code}, {os.cpu_count()} cores)")
        cores = os.cpu_count() or 1
        print(f"reports/s        {n / parse_s:.0f}")
        # Other work on the machine inflates wall time; CPU time per report does not depend on it.
        print(f"CPU time         {cpu_s:.1f} s = {cpu_s / n * 1000:.1f} ms/report "
              f"-> {n / cpu_s * cores:.0f} reports/s on {cores} idle cores")
        print(f"in-process       {per_report * 1000:.2f} ms CPU/report (parse_document + export, one core)")
        print(f"load average     {load_before:.1f} before, {load_after:.1f} after (1-minute; {cores} cores)")
        print(f"ratio parse/floor {parse_s / floor_s:.0f}x")
        print(f"peak RSS (ogi + workers)  {peak / 2**20:.0f} MB")
        print(f"accuracy         {good}/{n} = {good / n:.2%} exports equal the truth")
        for layout in R.LAYOUTS:
            if seen[layout]:
                print(f"  {layout:13s} {seen[layout] - bad[layout]:5d}/{seen[layout]}")
        for (layout, kind), count in why.most_common(12):
            print(f"  failing: {layout:13s} {kind:40s} {count}")
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
