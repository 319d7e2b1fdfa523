"""The lake on an S3-compatible object store: the project's own Delta writer and reader, tried.

    .venv/bin/python benchmarks/object_store.py [--data-dir DIR] [--reports 10000] [--endpoint URL]

The scale-out path of issue 6: a team that outgrows one machine keeps the lake in an object
store. This runs the functions silver is written and read with (transforms/lake/delta.py: schema
enforced append, the keyed MERGE a re-parse goes through, the log's row counts, the polars
scan the quality suites and the dbt plugin build on) against an S3-compatible server, and
the same calls against a local folder in the same run as the floor.

Unless --endpoint names a server, it starts one: moto 5.2.5's S3 server, run by uv from PyPI
(`uv tool run`; needs PyPI once, then uv's cache). moto stands in for S3 or MinIO; it is not
part of ogi and not in requirements.lock. Rows come from a loaded data directory (default:
the repository's data/; a national benchmark's directory makes it realistic): every silver
table's rows for the first --reports report_ids.

Prints, per table: rows, MB, write seconds on the store and locally, and the ratio; then a
MERGE of 500 reports' cells, a row count from the log and a scan, each against the floor.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import polars as pl  # noqa: E402

from transforms.lake import delta, schemas  # noqa: E402
from transforms.lake.settings import DataPaths  # noqa: E402

MOTO = "moto[server]==5.2.5"
BUCKET = "ogi-bench"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"
    server = subprocess.Popen(
        [uv, "tool", "run", "--quiet", "--from", MOTO, "moto_server", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120  # the first run installs moto into uv's cache
    while time.time() < deadline:
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            return server, endpoint
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the S3 server exited ({server.returncode}); is PyPI reachable for `uv tool run --from {MOTO}`?")
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the S3 server did not answer within 120 s")


def create_bucket(endpoint: str) -> None:
    # moto takes unsigned requests; a real store would have the bucket already
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/{BUCKET}", method="PUT"), timeout=10)


def sample(paths: DataPaths, reports: int) -> dict[str, pl.DataFrame]:
    """Every silver table's rows for the first `reports` report_ids (sorted)."""
    ids = delta.scan(paths.silver_table("reports")).select("report_id").sort("report_id").head(reports).collect()["report_id"]
    out = {}
    for spec in schemas.SILVER_TABLES:
        location = paths.silver_table(spec.name)
        if not delta.exists(location):
            continue
        frame = delta.scan(location)
        if "report_id" in spec.schema:
            frame = frame.filter(pl.col("report_id").is_in(ids.implode()))
        out[spec.name] = frame.collect()
    return out


def timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, help="a loaded data directory (default: $OGI_DATA_DIR or data/)")
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--merge", type=int, default=500, help="reports re-parsed through one MERGE")
    ap.add_argument("--endpoint", help="an S3-compatible endpoint to use instead of starting moto")
    args = ap.parse_args()

    paths = DataPaths.from_env(args.data_dir)
    if not delta.exists(paths.silver_table("reports")):
        raise SystemExit(f"no silver lake under {paths.root}: run `ogi run` (or benchmarks/national.py --keep) first")
    server = None
    endpoint = args.endpoint
    if endpoint is None:
        server, endpoint = start_server()
    os.environ.update(
        AWS_ENDPOINT_URL=endpoint, AWS_ALLOW_HTTP="true", AWS_REGION=os.environ.get("AWS_REGION", "us-east-1"),
        AWS_ACCESS_KEY_ID=os.environ.get("AWS_ACCESS_KEY_ID", "ogi"), AWS_SECRET_ACCESS_KEY=os.environ.get("AWS_SECRET_ACCESS_KEY", "ogi"),
    )  # fmt: skip
    local_root = Path(tempfile.mkdtemp(prefix="ogi-objstore-"))
    run = uuid.uuid4().hex[:8]
    try:
        if server is not None:
            create_bucket(endpoint)
        frames = sample(paths, args.reports)
        print(f"S3-compatible store {endpoint} ({'moto, started here' if server else 'given'}); "
              f"{args.reports:,} reports from {paths.root}; machine load {os.getloadavg()[0]:.1f}")
        print(f"  {'silver table':<26} {'rows':>10} {'MB':>7} {'store s':>8} {'local s':>8} {'ratio':>6}")
        total = {"store": 0.0, "local": 0.0}
        specs = {s.name: s for s in schemas.SILVER_TABLES}
        for name, frame in frames.items():
            uri = f"s3://{BUCKET}/{run}/lake/silver/{name}"
            local = local_root / name
            store_s, _ = timed(delta.append, frame, uri, specs[name])
            local_s, _ = timed(delta.append, frame, local, specs[name])
            assert delta.row_count(uri) == frame.height == delta.row_count(local), name
            total["store"] += store_s
            total["local"] += local_s
            mb = frame.estimated_size() / 2**20
            print(f"  {name:<26} {frame.height:>10,} {mb:>7.1f} {store_s:>8.2f} {local_s:>8.2f} {store_s / local_s:>5.1f}x")
        print(f"  {'all tables':<26} {'':>10} {'':>7} {total['store']:>8.2f} {total['local']:>8.2f} {total['store'] / total['local']:>5.1f}x")

        # a re-parse: one keyed MERGE of --merge reports' cells, values changed
        cells = frames["application_cells"]
        ids = cells["report_id"].unique().sort().head(args.merge)
        changed = cells.filter(pl.col("report_id").is_in(ids.implode())).with_columns(pl.col("value") + 1)
        uri = f"s3://{BUCKET}/{run}/lake/silver/application_cells"
        local = local_root / "application_cells"
        store_s, _ = timed(delta.replace_reports, changed, uri, schemas.APPLICATION_CELLS, ids)
        local_s, _ = timed(delta.replace_reports, changed, local, schemas.APPLICATION_CELLS, ids)
        print(f"  MERGE of {args.merge} reports' cells ({changed.height:,} rows): store {store_s:.2f} s, local {local_s:.2f} s, {store_s / local_s:.1f}x")
        for what, fn in (("row count from the Delta log", delta.row_count), ("polars scan, sum of values", lambda p: delta.scan(p).select(pl.col("value").sum()).collect().item())):
            store_s, a = timed(fn, uri)
            local_s, b = timed(fn, local)
            assert a == b, (what, a, b)
            print(f"  {what}: store {store_s:.3f} s, local {local_s:.3f} s, {store_s / max(local_s, 1e-3):.1f}x (same answer: {a:,})")
    finally:
        shutil.rmtree(local_root, ignore_errors=True)
        if server is not None:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
