"""The Dagster instance of a data directory: DAGSTER_HOME under it, telemetry off, Dagster's
SQLite storage with events written on kept connections (orchestration/storage.py).

Pools: assets that write the build DuckDB declare `pool="duckdb_build"`; an unconfigured
pool defaults to one slot, so only one of them runs at a time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from transforms.lake.settings import DataPaths

DAGSTER_YAML = """\
# Written by ogi; the instance of this data directory. See orchestration/instance.py.
telemetry:
  enabled: false
# Dagster's SQLite storage under DAGSTER_HOME, storing events on kept connections
# (orchestration/storage.py: ~400 events a load, 3-7 ms each otherwise).
storage:
  custom:
    module: orchestration.storage
    class: OgiSqliteStorage
    config:
      base_dir: {home}
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
    # Written anew when ogi wrote it for another version or place (a moved data directory);
    # one edited by hand (without the first line) is left alone.
    wanted = DAGSTER_YAML.format(home=json.dumps(str(home)))
    current = config.read_text(encoding="utf-8") if config.exists() else None
    if current is None or (current != wanted and current.startswith(wanted.splitlines()[0])):
        config.write_text(wanted, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home
