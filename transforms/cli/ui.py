"""`ogi ui`: the Dagster UI on this data directory's instance (runs, lineage, checks, quarantine)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from transforms.lake.settings import DOCS_PORT, REPO_ROOT, DataPaths


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "ui",
        help="serve the Dagster UI (dg dev) on the data directory's instance; the sensor and schedule run while it does",
    )
    p.add_argument("--data-dir", help="data directory (default: $OGI_DATA_DIR or the repository's data/)")
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--docs-port", type=int, default=DOCS_PORT, help="where Data Docs and dbt docs are served (the UI links there)")
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
    from transforms.cli.docs import serve_in_background

    # The docs beside the UI, in this process: the UI's links to them need a web server.
    docs = serve_in_background(paths, port=args.docs_port)
    os.environ["OGI_DOCS_URL"] = f"http://127.0.0.1:{args.docs_port}"
    print(
        f"Dagster UI on http://127.0.0.1:{args.port}, Data Docs and dbt docs on http://127.0.0.1:{args.docs_port}/ "
        f"(data {paths.root}; Ctrl-C stops both)",
        flush=True,
    )
    os.environ.setdefault("VIRTUAL_ENV", str(Path(sys.executable).parent.parent))  # dg warns otherwise
    try:
        # dg finds the project through pyproject.toml
        return subprocess.call([command, "dev", "--port", str(args.port)], cwd=REPO_ROOT)
    except KeyboardInterrupt:
        return 0
    finally:
        docs.shutdown()
