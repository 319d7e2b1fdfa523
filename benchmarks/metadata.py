"""Benchmark `extract_metadata` (title, year, body, jurisdiction, code, date) per report.

    .venv/bin/python benchmarks/metadata.py [--n 3000] [--seed 0] [--seed-repeats 1000]

Renders --n reports with tests/support/renderer.py and decodes them as the parser does
(HTML turned into text), then in the same run measures:
  floor     splitting every text into lines (what the parser does first anyway);
  metadata  extract_metadata on every text;
and the five seed reports × --seed-repeats. Prints µs per report (CPU time, so other
processes on the machine do not inflate it), the ratio to the floor, and accuracy: the
share of rendered reports whose six metadata fields equal what the renderer expects.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support import renderer as R  # noqa: E402
from transforms.parser.decoding import decode  # noqa: E402
from transforms.parser.metadata import extract_metadata  # noqa: E402

FIELDS = ("year", "body", "jurisdiction", "parent_jurisdictions", "admin_code", "published_on")


def texts_and_expectations(n: int, seed: int) -> list[tuple[str, dict]]:
    from transforms.parser.layouts.html import to_text

    out = []
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        case = R.make_case(rng, R.LAYOUTS[i % len(R.LAYOUTS)])
        decoded = decode(case.data)
        text = to_text(decoded.text) if decoded.media_type == "text/html" else decoded.text
        expected = case.expected("bench")
        out.append((text, {f: expected[f] for f in FIELDS}))
    return out


def exported(meta) -> dict:
    return {f: (v.isoformat() if f == "published_on" and v else v) for f in FIELDS for v in [getattr(meta, f)]}


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seed-repeats", type=int, default=1000)
    args = ap.parse_args()

    cases = texts_and_expectations(args.n, args.seed)
    texts = [t for t, _ in cases]
    extract_metadata(texts[0])  # load the division table outside the timing

    floor = best_of(3, lambda: [t.split("\n") for t in texts])
    elapsed = best_of(3, lambda: [extract_metadata(t) for t in texts])
    right = sum(exported(extract_metadata(t)) == want for t, want in cases)

    seeds = [decode(p.read_bytes()).text for p in sorted((REPO / "tests/fixtures/seeds").glob("*.txt"))]
    seed_time = best_of(1, lambda: [extract_metadata(t) for _ in range(args.seed_repeats) for t in seeds])

    per = elapsed / len(texts) * 1e6
    print(f"rendered reports      {len(texts)} ({sum(map(len, texts)) / len(texts):.0f} chars on average)")
    print(f"floor (split lines)   {floor / len(texts) * 1e6:.1f} µs/report")
    print(f"extract_metadata      {per:.1f} µs/report  ({1e6 / per:,.0f} reports/s on one core)")
    print(f"ratio metadata/floor  {elapsed / floor:.1f}x")
    print(f"seeds ×{args.seed_repeats}            {seed_time / (len(seeds) * args.seed_repeats) * 1e6:.1f} µs/report")
    print(f"accuracy              {right}/{len(texts)} = {right / len(texts):.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
