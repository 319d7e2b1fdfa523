"""dbt docs for this data directory: generated after a load, beside the data, served by `ogi docs`.

`dbt docs generate` needs the build database (for the catalog: column types) and takes seconds
(about 7.5 s on the sample), while what it shows changes only when the dbt
project does: a column's type follows its model. So a load regenerates the docs only when they
are missing or older than a project file. Everything dbt writes for it stays under the data
directory (`docs/dbt/`), never in the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from transforms.lake.settings import REPO_ROOT, DataPaths

DBT_PROJECT = REPO_ROOT / "dbt_project"
PAGE = "static_index.html"  # one self-contained page: opens from any web server, no catalog fetches


class DbtDocsError(RuntimeError):
    pass


def docs_dir(paths: DataPaths) -> Path:
    return paths.root / "docs" / "dbt"


def _project_files(project: Path) -> list[Path]:
    files = [project / "dbt_project.yml"]
    for folder in ("models", "macros", "tests"):
        files += [p for p in (project / folder).rglob("*") if p.suffix in (".sql", ".yml", ".yaml", ".md")]
    return files


def stale(paths: DataPaths, project: Path = DBT_PROJECT) -> bool:
    page = docs_dir(paths) / PAGE
    if not page.is_file():
        return True
    written = page.stat().st_mtime
    return any(p.stat().st_mtime > written for p in _project_files(project))


def generate(paths: DataPaths, project: Path = DBT_PROJECT, force: bool = False) -> Path | None:
    """Write docs/dbt/static_index.html; None when the page already describes this project."""
    if not force and not stale(paths, project):
        return None
    target = docs_dir(paths)
    target.mkdir(parents=True, exist_ok=True)
    dbt = Path(sys.executable).parent / "dbt"
    command = [str(dbt) if dbt.exists() else "dbt", "docs", "generate", "--static", "--quiet",
               "--profiles-dir", str(project), "--project-dir", str(project),
               "--target-path", str(target), "--log-path", str(target / "logs")]  # fmt: skip
    env = {**os.environ, "OGI_DATA_DIR": str(paths.root), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise DbtDocsError(f"dbt docs generate failed ({done.returncode}): {(done.stdout + done.stderr)[-2000:]}")
    return target / PAGE
