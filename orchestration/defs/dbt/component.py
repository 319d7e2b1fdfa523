"""The dbt project as Dagster assets: dagster-dbt's component, with three adjustments.

- dbt finds the build database and the silver tables through `$OGI_DATA_DIR` (absolute
  paths: profiles.yml must not depend on where dbt runs from); the run sets it from
  DataPaths.
- The manifest is parsed when missing or older than the project's files, in place, so a
  fresh checkout loads and a model edit shows up without `dg utils refresh-defs-state`.
- dbt always runs on dbt_project/ itself, never on the component's snapshot copy.
"""


import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, DbtProjectComponent
from dagster_dbt.compat import DBT_PYTHON_VERSION

from transforms.lake import profiles
from transforms.lake.settings import DataPaths


def _manifest_is_stale(project: DbtProject) -> bool:
    """No manifest yet, or a project file changed since it was written (a few dozen stats)."""
    if not project.manifest_path.exists():
        return True
    written = project.manifest_path.stat().st_mtime
    sources = [project.project_dir / "dbt_project.yml"]
    for folder in ("models", "macros", "tests"):
        sources += [p for p in (project.project_dir / folder).rglob("*") if p.suffix in (".sql", ".yml", ".yaml")]
    return any(p.stat().st_mtime > written for p in sources)


def _parse(project: DbtProject) -> None:
    """Write target/manifest.json for a fresh checkout (seconds) instead of failing to load.

    Parsed into a private folder and renamed into place: several processes (test workers,
    the webserver and a run) may load the definitions at once.
    """
    scratch = Path(tempfile.mkdtemp(prefix="parse-", dir=project.project_dir))
    try:
        DbtCliResource(project_dir=project).cli(["parse", "--quiet"], target_path=scratch).wait()
        project.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        # The parse state too: runs copy it and then parse only what changed.
        if (scratch / "partial_parse.msgpack").exists():
            os.replace(scratch / "partial_parse.msgpack", project.manifest_path.parent / "partial_parse.msgpack")
        os.replace(scratch / "manifest.json", project.manifest_path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# dagster-dbt looks `dbt` up on PATH; `.venv/bin/ogi run` does not put the venv there.
_VENV_BIN = Path(sys.executable).parent
if shutil.which("dbt") is None and (_VENV_BIN / "dbt").exists():
    os.environ["PATH"] = f"{_VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"


# dbt invocations' artifact folders (target/dbt_marts-<run>-<hash>) kept for debugging; older ones go.
KEEP_TARGETS = 10


class _InstalledDbt(DbtCliResource):
    """The dbt CLI resource, minus two things it does in this process before dbt starts.

    - A `dbt --version` subprocess on every invocation (about 2 s of dbt start-up, a
      sixteenth of the nightly budget): the dbt on PATH is the dbt-core installed beside it
      from requirements.lock, whose version is known in-process.
    - A dbt adapter set up in-process (profile, project, adapter registration: 1.5-2.5 s
      before the dbt subprocess even starts). dagster-dbt uses it only to fetch column
      metadata and row counts from the warehouse, which these assets do not ask for.
    """

    @cached_property
    def _cli_version(self):  # overrides a private dagster-dbt property (pinned version)
        return DBT_PYTHON_VERSION if DBT_PYTHON_VERSION is not None else super()._cli_version

    def _initialize_dbt_core_adapter(self, args):  # overrides a private dagster-dbt method (pinned version)
        return None


def _copy_atomically(source: Path, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def _restore_parse_state(project_dir: Path, kept: Path) -> None:
    """Seed this invocation with the parse state of the last one on the same data directory.

    dagster-dbt copies target/partial_parse.msgpack into each invocation; dbt throws it away
    ("profile has changed") when it was written for another data directory (the build
    database's path is in the profile) and parses the whole project again, ~1.7 s a run.
    So the state is kept beside the build database, one per data directory.
    """
    if kept.is_file():
        (project_dir / "target").mkdir(parents=True, exist_ok=True)
        _copy_atomically(kept, project_dir / "target" / "partial_parse.msgpack")


def _keep_parse_state(project_dir: Path, run_id: str, kept: Path) -> None:
    runs = sorted((project_dir / "target").glob(f"dbt_marts-{run_id[:7]}-*"), key=lambda p: p.stat().st_mtime)
    if runs and (runs[-1] / "partial_parse.msgpack").is_file():
        _copy_atomically(runs[-1] / "partial_parse.msgpack", kept)


def _prune_targets(project_dir: Path, keep: int = KEEP_TARGETS) -> None:
    """A nightly schedule would otherwise leave one artifact folder per run, forever."""
    runs = sorted((project_dir / "target").glob("dbt_marts-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in runs[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def _event_key(context: dg.AssetExecutionContext, event: object) -> dg.AssetKey | None:
    if isinstance(event, dg.Output):
        return context.asset_key_for_output(event.output_name)
    if isinstance(event, dg.MaterializeResult | dg.AssetMaterialization):
        return event.asset_key
    return None


def _described(context: dg.AssetExecutionContext, key: dg.AssetKey) -> dict[str, str]:
    """The columns' descriptions from the dbt YAML, which the definition's schema carries."""
    spec = context.assets_def.specs_by_key.get(key)
    schema = spec.metadata.get("dagster/column_schema") if spec is not None else None
    schema = getattr(schema, "schema", schema)  # a TableSchemaMetadataValue or a TableSchema
    return {c.name: c.description for c in getattr(schema, "columns", []) if c.description}


def _profile_metadata(found: profiles.TableProfile, descriptions: dict[str, str]) -> dict[str, object]:
    return {
        "dagster/row_count": dg.MetadataValue.int(found.rows),
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name, kind, description=descriptions.get(name)) for name, kind in found.columns]
        ),
        "preview": dg.MetadataValue.md(profiles.markdown(found.preview) if found.preview.height else "_no rows_"),
    }


def _with_profiles(context: dg.AssetExecutionContext, events: list, database: Path) -> Iterator:
    """The events, each model's materialization with its row count, column types and first rows.

    dagster-dbt's own fetch_row_counts() / fetch_column_metadata() run their queries through a
    dbt adapter in this process while dbt's subprocess still holds the DuckDB file, which DuckDB
    refuses (one writing process at a time); so the same figures are read once dbt is done.
    """
    keys = {id(e): k for e in events if (k := _event_key(context, e)) is not None and len(k.path) == 2}
    found = profiles.profile_tables(database, {tuple(k.path) for k in keys.values()})
    for event in events:
        key = keys.get(id(event))
        extra = _profile_metadata(found[tuple(key.path)], _described(context, key)) if key is not None and tuple(key.path) in found else None
        if extra is None:
            yield event
        elif isinstance(event, dg.MaterializeResult):
            yield event._replace(metadata={**(event.metadata or {}), **extra})
        else:  # Output, AssetMaterialization
            yield event.with_metadata({**event.metadata, **extra})


class MartsDbtProjectComponent(DbtProjectComponent):
    def build_defs_from_state(self, context: dg.ComponentLoadContext, state_path: Path | None) -> dg.Definitions:
        # Always the project in place, never the component's snapshot copy under
        # .local_defs_state: `dg dev` rewrites that copy while other processes (a run, the
        # tests) load it, and a left-over copy would pin every later run to old models.
        project = self._project_manager.get_project(None)
        if _manifest_is_stale(project):
            _parse(project)
        return super().build_defs_from_state(context, None)

    def execute(self, context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator:
        paths = DataPaths.from_env()
        # The dbt subprocess inherits this; profiles.yml and the silver_source plugin read it.
        os.environ["OGI_DATA_DIR"] = str(paths.root)
        paths.build_database.parent.mkdir(parents=True, exist_ok=True)
        fast = _InstalledDbt(
            project_dir=dbt.project_dir,
            global_config_flags=dbt.global_config_flags,
            profiles_dir=dbt.profiles_dir,
            profile=dbt.profile,
            target=dbt.target,
            dbt_executable=dbt.dbt_executable,
            state_path=dbt.state_path,
        )
        kept = paths.build_database.parent / "dbt_partial_parse.msgpack"
        _restore_parse_state(Path(dbt.project_dir), kept)
        # Held back until dbt exits: its process holds the build database until then, and the
        # models' row counts, column types and first rows are read from it (in one connection).
        events = []
        try:
            for event in super().execute(context, fast):
                events.append(event)
        except BaseException:
            yield from events  # what dbt did build stays recorded
            raise
        yield from _with_profiles(context, events, paths.build_database)
        _keep_parse_state(Path(dbt.project_dir), context.run_id, kept)
        _prune_targets(Path(dbt.project_dir))
