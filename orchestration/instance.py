"""The Dagster instance of a data directory: DAGSTER_HOME under it, telemetry off.

Pools: assets that write the build DuckDB declare `pool="duckdb_build"`; an unconfigured
pool defaults to one slot, so only one of them runs at a time.
"""

from __future__ import annotations

import os
from pathlib import Path

from transforms.settings import DataPaths

DAGSTER_YAML = """\
# Written by ogi; the instance of this data directory. See orchestration/instance.py.
telemetry:
  enabled: false
concurrency:
  pools:
    # duckdb_build (the assets that write the build DuckDB) and any other pool: one at a time
    default_limit: 1
"""


def ensure_dagster_home(paths: DataPaths | None = None) -> Path:
    """Create DAGSTER_HOME under the data directory with its dagster.yaml; export it."""
    paths = paths or DataPaths.from_env()
    home = paths.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home
