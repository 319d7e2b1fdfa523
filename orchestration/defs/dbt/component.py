"""The dbt project as Dagster assets: dagster-dbt's component, with the data directory passed on.

Two things the stock component cannot know: dbt finds the build database and the silver
tables through `$OGI_DATA_DIR` (the component runs dbt from a copy of the project, so
paths must be absolute), and a checkout that never ran `dbt parse` has no manifest yet.
"""


import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, DbtProjectComponent

from transforms.settings import DataPaths


def _parse(project: DbtProject) -> None:
    """Write target/manifest.json for a fresh checkout (seconds) instead of failing to load.

    Parsed into a private folder and renamed into place: several processes (test workers,
    the webserver and a run) may load the definitions at once.
    """
    scratch = Path(tempfile.mkdtemp(prefix="parse-", dir=project.project_dir))
    try:
        DbtCliResource(project_dir=project).cli(["parse", "--quiet"], target_path=scratch).wait()
        project.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(scratch / "manifest.json", project.manifest_path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# dagster-dbt looks `dbt` up on PATH; `.venv/bin/ogi run` does not put the venv there.
_VENV_BIN = Path(sys.executable).parent
if shutil.which("dbt") is None and (_VENV_BIN / "dbt").exists():
    os.environ["PATH"] = f"{_VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"


class MartsDbtProjectComponent(DbtProjectComponent):
    def build_defs_from_state(self, context: dg.ComponentLoadContext, state_path: Path | None) -> dg.Definitions:
        project = self._project_manager.get_project(state_path)
        if not project.manifest_path.exists():
            _parse(project)
        return super().build_defs_from_state(context, state_path)

    def execute(self, context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator:
        paths = DataPaths.from_env()
        # The dbt subprocess inherits this; profiles.yml and the silver_source plugin read it.
        os.environ["OGI_DATA_DIR"] = str(paths.root)
        paths.build_database.parent.mkdir(parents=True, exist_ok=True)
        yield from super().execute(context, dbt)
