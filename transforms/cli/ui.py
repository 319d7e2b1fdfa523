"""`ogi ui`: the Dagster UI on this data directory's instance (runs, lineage, checks, quarantine)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from transforms.lake.settings import REPO_ROOT, DataPaths


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "ui",
        help="serve the Dagster UI (dg dev) on the data directory's instance; the sensor and schedule run while it does",
    )
    p.add_argument("--data-dir", help="data directory (default: $OGI_DATA_DIR or the repository's data/)")
    p.add_argument("--port", type=int, default=3000)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    paths = DataPaths.from_env(args.data_dir)
    from orchestration.instance import ensure_dagster_home

    os.environ["OGI_DATA_DIR"] = str(paths.root)
    ensure_dagster_home(paths)  # also exports DAGSTER_HOME
    for name, value in (("DO_NOT_TRACK", "1"), ("GX_ANALYTICS_ENABLED", "false"), ("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")):
        os.environ.setdefault(name, value)
    dg = Path(sys.executable).parent / "dg"
    command = str(dg) if dg.exists() else shutil.which("dg")
    if command is None:
        print("ogi ui: the dg command is not installed (source scripts/setup.sh)", file=sys.stderr)
        return 2
    print(f"Dagster UI on http://127.0.0.1:{args.port} (data {paths.root}; Ctrl-C stops it)", flush=True)
    os.environ.setdefault("VIRTUAL_ENV", str(Path(sys.executable).parent.parent))  # dg warns otherwise
    os.chdir(REPO_ROOT)  # dg finds the project through pyproject.toml
    os.execv(command, [command, "dev", "--port", str(args.port)])
    return 0  # not reached
