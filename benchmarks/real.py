"""How well the parser reads real published reports: the figures issue 12 is measured by.

    .venv/bin/python benchmarks/real.py [--verbose]

Over every real report the project holds:
  with an expected export (tests/fixtures/real/*.expected.json, hand-checked): the share of
    table cells read right (a cell the expected file leaves out must come back null), reports
    perfect (every cell and every metadata field), metadata fields right;
  without one (tests/fixtures/real/archive/*.txt): the share parsed with every statutory rule
    holding on the printed values and nothing left null, the only check where nobody read them;
and the parse time per report against the floor of reading the same bytes and splitting lines.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from transforms.parser.export import report_to_export  # noqa: E402
from transforms.parser.parse import parse_document  # noqa: E402

REAL = REPO / "tests" / "fixtures" / "real"
TABLES = ("applications", "review_litigation", "active_disclosure")
METADATA = ("year", "template", "body", "jurisdiction", "parent_jurisdictions", "admin_code", "published_on")


def _source(expected: Path) -> Path:
    stem = expected.name.removesuffix(".expected.json")
    (found,) = [p for p in expected.parent.glob(stem + ".*") if not p.name.endswith((".expected.json", ".md"))]
    return found


def _cells(export: dict, table: str) -> dict[tuple[str, str], object]:
    return {(row, col): v for row, cols in (export.get(table) or {}).items() for col, v in cols.items()}


def compare(got: dict, want: dict) -> tuple[int, int, list[str]]:
    """(cells right, cells, metadata fields wrong) of one report."""
    right = total = 0
    for table in TABLES:
        g, w = _cells(got, table), _cells(want, table)
        for key in g.keys() | w.keys():
            total += 1
            right += g.get(key) == w.get(key)
    return right, total, [f for f in METADATA if f in want and got.get(f) != want[f]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", action="store_true", help="one line per report")
    args = ap.parse_args()

    expected = sorted(REAL.glob("*.expected.json"))
    archive = sorted((REAL / "archive").glob("*.txt"))
    files = [_source(p) for p in expected] + archive
    blobs = [p.read_bytes() for p in files]

    t0 = time.perf_counter()
    for data in blobs:
        data.decode("utf-8", errors="replace").splitlines()
    floor = time.perf_counter() - t0
    t0 = time.perf_counter()
    exports = [report_to_export(parse_document(data, str(p))) for p, data in zip(files, blobs)]
    parse = time.perf_counter() - t0

    cells_right = cells = perfect = meta_right = meta = 0
    for path, got in zip(expected, exports):
        want = json.loads(path.read_text(encoding="utf-8"))
        right, total, wrong = compare(got, want)
        cells_right, cells = cells_right + right, cells + total
        meta += sum(f in want for f in METADATA)
        meta_right += sum(f in want for f in METADATA) - len(wrong)
        perfect += right == total and not wrong
        if args.verbose:
            print(f"  {right:3d}/{total} cells  {got['status']:10s} wrong: {','.join(wrong) or '-'}  {_source(path).name[:70]}")

    holding = [e for e in exports[len(expected):] if e["status"] == "ok" and not e["violations"]]
    if args.verbose:
        for p, e in zip(archive, exports[len(expected):]):
            print(f"  archive {e['status']:10s} violations {len(e['violations'])}  {p.name}  {e['error'] or ''}")

    print(f"real reports with expected exports: {len(expected)}")
    print(f"  cells read right        {cells_right}/{cells} = {cells_right / max(cells, 1):.1%}")
    print(f"  reports perfect         {perfect}/{len(expected)}")
    print(f"  metadata fields right   {meta_right}/{meta} = {meta_right / max(meta, 1):.1%}")
    print(f"archive reports without expected exports: {len(archive)}")
    print(f"  parsed ok, every rule holding on printed values: {len(holding)}/{len(archive)}")
    n = len(files)
    print(f"parse {parse / n * 1e3:.2f} ms/report vs floor {floor / n * 1e3:.3f} ms/report (ratio {parse / max(floor, 1e-9):.0f}x)")


if __name__ == "__main__":
    main()
