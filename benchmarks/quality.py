"""How long the GX suites take over the silver of N reports (100,000 by default).

Synthesises silver with polars (valid reports of both templates: every statutory rule holds,
then about 1 in 10 reports gets one arithmetic error and 2% of cells are marked repaired),
writes it as Delta tables with the schemas of transforms/lake/schemas.py, plus the bronze index,
then measures in the same run:

- floor: reading the same Delta tables into memory (every column the suites read);
- statutory_rules: frames from the cells (polars), the GX validation, findings written, Data Docs;
- pipeline_integrity (silver): the four integrity suites, Data Docs.

Run: .venv/bin/python benchmarks/quality.py [--reports 100000] [--dir /tmp/ogi-quality-bench]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from transforms.lake import delta, schemas, silver  # noqa: E402
from transforms.lake.settings import DataPaths  # noqa: E402
from transforms.parser import model  # noqa: E402
from transforms.quality import silver_integrity, statutory, suites  # noqa: E402
from transforms.quality.gx import Validator  # noqa: E402

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def _long(ids: np.ndarray, values: np.ndarray, outer: list[str], inner: list[str], names: tuple[str, str]) -> pl.DataFrame:
    """(reports, outer, inner) array -> long cells frame."""
    n, a, b = values.shape
    return pl.DataFrame(
        {
            # gathered by polars: numpy would hold 17M fixed-width 64-character strings (4 GB)
            "report_id": pl.Series(ids).gather(np.repeat(np.arange(n), a * b)),
            names[0]: np.tile(np.repeat(np.array(outer), b), n),
            names[1]: np.tile(np.array(inner), n * a),
            "value": values.reshape(-1),
        }
    )


def synthesize(paths: DataPaths, n: int, seed: int = 7) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    ids = np.array([hashlib.sha256(f"report {i}".encode()).hexdigest() for i in range(n)])
    templates = np.where(rng.random(n) < 0.8, "2021", "2019")
    app_parts, rev_parts, dis_parts = [], [], []
    for t in model.TEMPLATES:
        tid = ids[templates == t]
        k = len(tid)
        rows = list(model.application_rows(t))
        outcome = [rows.index(r) for r in model.outcome_rows(t)]
        v = np.zeros((k, len(rows), len(model.APPLICANT_CODES)), dtype=np.int64)
        parts = len(model.APPLICANT_PARTS)
        # sparse small counts, natural persons the most
        scale = np.array([6.0, 1.0, 0.3, 0.2, 0.2, 0.5])
        v[:, outcome, :parts] = rng.poisson(scale, size=(k, len(outcome), parts))
        tp, cf, co, nr = (rows.index(r) for r in ("total_processed", "carried_forward", "carried_over", "new_received"))
        v[:, tp, :parts] = v[:, outcome, :parts].sum(axis=1)
        v[:, cf, :parts] = rng.poisson(scale * 0.3, size=(k, parts))
        v[:, co, :parts] = np.minimum(rng.poisson(scale * 0.3, size=(k, parts)), v[:, tp, :parts] + v[:, cf, :parts])
        v[:, nr, :parts] = v[:, tp, :parts] + v[:, cf, :parts] - v[:, co, :parts]
        v[:, :, parts] = v[:, :, :parts].sum(axis=2)
        app_parts.append(_long(tid, v, rows, list(model.APPLICANT_CODES), ("row", "column")))

        r = np.zeros((k, len(model.REVIEW_GROUP_CODES), len(model.REVIEW_COLUMN_CODES)), dtype=np.int64)
        r[:, :, :4] = rng.poisson([1.5, 0.3, 0.4, 0.3], size=(k, 3, 4))
        r[:, :, 4] = r[:, :, :4].sum(axis=2)
        rev_parts.append(_long(tid, r, list(model.REVIEW_GROUP_CODES), list(model.REVIEW_COLUMN_CODES), ("group", "column")))

        layout = model.DISCLOSURE_LAYOUT[t]
        cells = [(item, m) for item, measures in layout.items() for m in measures]
        d = rng.poisson(20, size=(k, len(cells))).astype(np.float64)
        for j, (_, m) in enumerate(cells):
            if model.MEASURE_CATEGORY[m] == "signed_count":
                d[:, j] = rng.integers(-5, 6, size=k)
            elif model.MEASURE_CATEGORY[m] == "amount":
                d[:, j] = np.round(rng.gamma(2.0, 30.0, size=k), 4)
        dis_parts.append(
            pl.DataFrame(
                {
                    "report_id": pl.Series(tid).gather(np.repeat(np.arange(k), len(cells))),
                    "item": np.tile(np.array([c[0] for c in cells]), k),
                    "measure": np.tile(np.array([c[1] for c in cells]), k),
                    "value": pl.Series(d.reshape(-1)).cast(pl.String).cast(schemas.AMOUNT),
                }
            )
        )

    def finish(frames: list[pl.DataFrame], spec: schemas.TableSpec) -> pl.DataFrame:
        frame = pl.concat(frames)
        repaired = pl.Series(rng.random(frame.height) < 0.02)
        frame = frame.with_columns(
            printed=~repaired,
            repair_rules=pl.when(repaired).then(pl.lit(["A1"])).otherwise(pl.lit([], dtype=pl.List(pl.String))),
        )
        return delta.conform(frame, spec)

    app = finish(app_parts, schemas.APPLICATION_CELLS)
    rev = finish(rev_parts, schemas.REVIEW_LITIGATION_CELLS)
    dis = finish(dis_parts, schemas.ACTIVE_DISCLOSURE_CELLS)

    # about 1 report in 10: one printed 表三 part cell or one 表四 cell off by one
    broken = rng.choice(n, size=n // 10, replace=False)
    half = len(broken) // 2
    app_bad = pl.DataFrame({"report_id": ids[broken[:half]], "row": "granted", "column": "natural_person"})
    rev_bad = pl.DataFrame({"report_id": ids[broken[half:]], "group": "review", "column": "upheld"})
    app = app.join(app_bad.with_columns(bump=pl.lit(1)), on=["report_id", "row", "column"], how="left").with_columns(
        value=pl.col("value") + pl.col("bump").fill_null(0), printed=pl.col("printed") | pl.col("bump").is_not_null()
    ).drop("bump")
    rev = rev.join(rev_bad.with_columns(bump=pl.lit(1)), on=["report_id", "group", "column"], how="left").with_columns(
        value=pl.col("value") + pl.col("bump").fill_null(0), printed=pl.col("printed") | pl.col("bump").is_not_null()
    ).drop("bump")

    reports = pl.DataFrame(
        {
            "report_id": ids,
            "source": [f"r/{i:06d}.txt" for i in range(n)],
            "parser_version": "bench",
            "status": "ok",
            "error": None,
            "year": np.where(templates == "2021", 2022, 2020).astype(np.int32),
            "template": templates,
            "body": "某区人民政府办公室",
            "jurisdiction": "某区",
            "parent_jurisdictions": [["某省", "某市"]] * n,
            "admin_code": None,
            "published_on": None,
            "layout": "tsv",
            "encoding": "utf-8",
            "parsed_at": NOW,
        }
    )
    documents = pl.DataFrame(
        {
            "report_id": ids,
            "source": reports["source"],
            "size_bytes": 9000,
            "landed_at": NOW,
            "encoding": "utf-8",
            "media_type": "text/plain",
            "blob_path": [f"blobs/{i[:2]}/{i}" for i in ids],
        }
    )
    for frame, spec in (
        (reports, schemas.REPORTS),
        (app, schemas.APPLICATION_CELLS),
        (rev, schemas.REVIEW_LITIGATION_CELLS),
        (dis, schemas.ACTIVE_DISCLOSURE_CELLS),
        (pl.DataFrame(schema=schemas.QUARANTINE.polars_schema), schemas.QUARANTINE),
        (documents, schemas.BRONZE_DOCUMENTS),
    ):
        path = paths.bronze_table(spec.name) if spec.layer == "bronze" else paths.silver_table(spec.name)
        delta.append(frame, path, spec)
    silver.write_codes(paths)
    return {"reports": n, "application_cells": app.height, "review_litigation_cells": rev.height,
            "active_disclosure_cells": dis.height, "broken_reports": len(broken)}  # fmt: skip


def floor(paths: DataPaths) -> float:
    """Reading every column the suites read from the same Delta tables."""
    t = time.perf_counter()
    for spec in (schemas.REPORTS, schemas.APPLICATION_CELLS, schemas.REVIEW_LITIGATION_CELLS, schemas.ACTIVE_DISCLOSURE_CELLS, schemas.QUARANTINE, schemas.CODES):
        if delta.exists(paths.silver_table(spec.name)):  # an empty quarantine is never written
            delta.scan(paths.silver_table(spec.name)).collect()
    delta.scan(paths.bronze_table("documents")).select("report_id", "source").collect()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=None, help="data directory (default: a temporary one, removed)")
    parser.add_argument("--synthesize-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="ogi-quality-bench-"))
    paths = DataPaths.from_env(root)
    if args.synthesize_only:
        print(json.dumps(synthesize(paths, args.reports)))
        return
    try:
        t = time.perf_counter()
        # in a child process, so that the peak memory below is the suites' own
        out = subprocess.run(
            [sys.executable, __file__, "--reports", str(args.reports), "--dir", str(root), "--synthesize-only"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        sizes = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"synthesised silver in {time.perf_counter() - t:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))

        t = time.perf_counter()
        validator = Validator(paths)
        setup = time.perf_counter() - t
        print(f"GX import and ephemeral context (once per process): {setup:.1f} s")

        base = floor(paths)
        t, c = time.perf_counter(), _cpu()
        stat = statutory.run_statutory(paths, validator=validator)
        statutory_s, statutory_cpu = time.perf_counter() - t, _cpu() - c
        t, c = time.perf_counter(), _cpu()
        integrity = silver_integrity.run_integrity_silver(paths, validator=validator)
        integrity_s, integrity_cpu = time.perf_counter() - t, _cpu() - c
        base = min(base, floor(paths))  # the floor, warm like the suites' reads

        f = stat.findings
        expected = sizes["broken_reports"]
        print(f"floor (read the same tables): {base:.2f} s")
        print(
            f"statutory_rules: {statutory_s:.1f} s wall, {statutory_cpu:.1f} s CPU ({statutory_s / base:.1f}x floor) over {stat.checks:,} check sites; "
            + ", ".join(f"{k} {v:.1f} s" for k, v in stat.seconds.items() if k != "gx_setup")
        )
        print(
            f"  findings: {f.height:,} failed checks in {f['report_id'].n_unique():,} reports "
            f"(injected: {expected:,} reports); by rule "
            + ", ".join(f"{r} {f.filter(pl.col('rule') == r).height:,}" for r in suites.STATUTORY_RULES)
        )
        ok = all(r.success for r in integrity.values())
        rows = sum(r.run.row_count for r in integrity.values())
        print(f"pipeline_integrity (silver): {integrity_s:.1f} s wall, {integrity_cpu:.1f} s CPU ({integrity_s / base:.1f}x floor) over {rows:,} rows; all passed: {ok}")
        total = statutory_s + integrity_s
        print(f"both suites: {total:.1f} s wall ({total / base:.1f}x floor), {statutory_cpu + integrity_cpu:.1f} s CPU, plus {setup:.1f} s GX start-up; "
              f"peak RSS {_peak_gib():.2f} GiB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
        assert f["report_id"].n_unique() == expected, "every broken report found, and only those"
        assert ok
    finally:
        if args.dir is None:
            shutil.rmtree(root, ignore_errors=True)


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _peak_gib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


if __name__ == "__main__":
    main()
