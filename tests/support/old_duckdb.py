"""Opening a DuckDB file with the older DuckDB clients analysts have, each in its own venv.

scripts/old_clients.sh (run by test.sh) installs them under .venv-clients/; the tests only run
them, offline. A missing client is a failure, not a skip: the file must open in them.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ("1.1.3", "1.5.6")

_READ = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
tables = con.execute(
    "select schema_name || '.' || table_name from duckdb_tables() order by 1").fetchall()
counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for (t,) in tables}
print(json.dumps({"version": duckdb.__version__, "counts": counts, "sample": [list(map(str, r)) for r in con.execute(sys.argv[2]).fetchall()]}))
"""


def client(version: str) -> Path:
    python = ROOT / ".venv-clients" / f"duckdb-{version}" / "bin" / "python"
    assert python.is_file(), f"no DuckDB {version} client: run scripts/old_clients.sh (test.sh does)"
    return python


def read_with(version: str, database: Path, sql: str = "select 1") -> dict:
    """Row counts of every table, and the rows of `sql`, as DuckDB `version` reads `database`."""
    done = subprocess.run([str(client(version)), "-c", _READ, str(database), sql], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
