"""Benchmark `ogi parse --json` over text PDFs, against the floor of extracting their text with pypdfium2.

    .venv/bin/python benchmarks/pdf.py [--n 300] [--seed 0] [--keep]

Renders --n reports as PDFs with tests/support/documents.py (ruled and unruled tables, split
tables, repeated headers, both templates; 2-3 A4 pages each) plus the real Huai'an PDF, then
in the same run:
  floor  every PDF's text with pypdfium2 (PDFium, C++): open, each page's text, close; the
         least any PDF reader does, in one process per core like the parse;
  parse  the real CLI, `ogi parse --json FILE...` (its worker pool over the cores);
and prints files, pages, MB, both times, reports/s and pages/s of each, the parse/floor
ratio, peak RSS of the parse (CLI and workers), CPU per report, and accuracy: the share of
rendered reports whose export equals what the renderer says it must be.
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
from tests.support import documents as D  # noqa: E402
from tests.support import renderer as R  # noqa: E402

HUAIAN = REPO / "tests" / "fixtures" / "real" / "huaian-2024__szfgs2024.pdf"


def generate(n: int, seed: int, folder: Path) -> dict[str, tuple[R.Truth, R.Noise, bytes]]:
    cases = {}
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        truth = R.random_report(rng)
        noise = R.Noise(title=rng.random() < 0.85, fullwidth=rng.random() < 0.2, thousands=rng.random() < 0.2)
        data = D.render_pdf(truth, rng, noise, D.random_style(rng))
        path = folder / f"r{i:06d}.pdf"
        path.write_bytes(data)
        cases[str(path)] = (truth, noise, data)
    return cases


def _pdfium_text(paths: list[str]) -> tuple[int, int]:
    import pypdfium2 as pdfium

    pages = chars = 0
    for p in paths:
        pdf = pdfium.PdfDocument(p)
        try:
            for page in pdf:
                text = page.get_textpage()
                chars += len(text.get_text_range())
                text.close()
                page.close()
                pages += 1
        finally:
            pdf.close()
    return pages, chars


def floor(paths: list[str], workers: int) -> tuple[float, int]:
    """Wall time and pages of pypdfium2 text extraction over `workers` processes."""
    chunks = [paths[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_pdfium_text, [paths[:2]] * workers))  # workers started and pdfium loaded
        start = time.perf_counter()
        done = list(pool.map(_pdfium_text, chunks))
        elapsed = time.perf_counter() - start
    pages = sum(p for p, _ in done)
    assert sum(c for _, c in done) > 0
    return elapsed, pages


def parse_all(paths: list[str], out: Path) -> tuple[float, int, int, float]:
    """Wall time, peak RSS, exit code, and CPU seconds (user + system) of the CLI and its workers."""
    exe = REPO / ".venv" / "bin" / "ogi"
    env = dict(os.environ, DO_NOT_TRACK="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with out.open("wb") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen([str(exe), "parse", "--json", *paths], stdout=sink, stderr=subprocess.PIPE, env=env, cwd=REPO)
        rss = PeakRSS(proc.pid)
        _, err = proc.communicate()
        elapsed = time.perf_counter() - start
        peak = rss.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"ogi parse failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    return elapsed, peak, proc.returncode, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=300, help="PDF reports to render (default 300)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", action="store_true", help="keep the rendered files and the JSON output")
    args = ap.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="ogi-bench-pdf-"))
    try:
        t0 = time.perf_counter()
        cases = generate(args.n, args.seed, folder)
        shutil.copy(HUAIAN, folder / HUAIAN.name)
        paths = [*cases, str(folder / HUAIAN.name)]
        mb = sum(os.path.getsize(p) for p in paths) / 2**20
        print(f"rendered {args.n} PDF reports (+ the Huai'an PDF, {mb:.1f} MB) in {time.perf_counter() - t0:.1f} s into {folder}")
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

        load_before = os.getloadavg()[0]
        floor_s, pages = min(floor(paths, cores) for _ in range(2))
        out = folder / "parsed.jsonl"
        parse_s, peak, code, cpu_s = parse_all(paths, out)
        load_after = os.getloadavg()[0]

        got = {}
        for line in out.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                got[d["source"]] = d
        good = sum(1 for p, (truth, noise, data) in cases.items() if got.get(p) and not R.diff_export(got[p], R.expected_export(truth, data, p, noise)))
        huaian = got.get(paths[-1], {})
        n = len(paths)
        print(f"files            {n} ({pages} pages, {pages / n:.1f} per file)")
        print(f"MB               {mb:.1f}")
        print(f"floor: pypdfium2 text, {cores} processes   {floor_s:.3f} s = {n / floor_s:.0f} reports/s, {pages / floor_s:.0f} pages/s")
        print(f"ogi parse --json                       {parse_s:.3f} s = {n / parse_s:.1f} reports/s, {pages / parse_s:.1f} pages/s "
              f"(exit {code}, {cores} cores)")
        print(f"CPU time         {cpu_s:.1f} s = {cpu_s / n * 1000:.0f} ms/report, {cpu_s / pages * 1000:.0f} ms/page "
              f"-> {n / cpu_s * cores:.1f} reports/s on {cores} idle cores")
        print(f"load average     {load_before:.1f} before, {load_after:.1f} after (1-minute; {cores} cores)")
        print(f"ratio parse/floor {parse_s / floor_s:.0f}x")
        print(f"peak RSS (ogi + workers)  {peak / 2**20:.0f} MB")
        print(f"accuracy         {good}/{len(cases)} rendered PDFs equal the truth; Huai'an: {huaian.get('status')}")
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
