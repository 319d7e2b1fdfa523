"""`ogi run`: materialize the whole graph once, headless, and print what the load did.

It runs Dagster's `load_job` in this process against the instance of the data directory
(`<data>/dagster`), so the run shows in the UI afterwards exactly like a scheduled one.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from transforms.lake.settings import DataPaths

UI_HINT = ".venv/bin/ogi ui --data-dir {root}   # Dagster UI on http://127.0.0.1:3000 (runs, lineage, checks, quarantine)"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "run",
        help="load raw/ through bronze, silver and the marts once (Dagster load_job, headless)",
        description="Materialize the whole asset graph once on the data directory and print a summary.",
    )
    p.add_argument("--data-dir", help="data directory (default: $OGI_DATA_DIR or the repository's data/)")
    p.add_argument("-v", "--verbose", action="store_true", help="print every Dagster event, not only warnings")
    p.set_defaults(handler=handle)


def _metadata_value(value: Any) -> Any:
    return getattr(value, "value", value)


def execute(paths: DataPaths, log_level: str = "WARNING") -> tuple[Any, dict[str, dict[str, Any]], float]:
    """Run load_job on `paths`; (result, metadata per asset key, seconds)."""
    os.environ["OGI_DATA_DIR"] = str(paths.root)
    for name, value in (("DO_NOT_TRACK", "1"), ("GX_ANALYTICS_ENABLED", "false"), ("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")):
        os.environ.setdefault(name, value)
    from orchestration.instance import ensure_dagster_home
    from transforms.quality.gx import preload

    ensure_dagster_home(paths)
    import dagster as dg

    from orchestration.definitions import defs

    job = defs().resolve_job_def("load_job")
    # the quality steps run seconds from now, in this process; started once the definitions'
    # own imports are done, so the two threads never import the same modules at once
    preload()
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            tags={"ogi/trigger": "ogi run"},
        )
    elapsed = time.perf_counter() - started
    metadata: dict[str, dict[str, Any]] = {}
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        metadata[mat.asset_key.to_user_string()] = {k: _metadata_value(v) for k, v in mat.metadata.items()}
    return result, metadata, elapsed


def summary(paths: DataPaths, result: Any, metadata: dict[str, dict[str, Any]], elapsed: float) -> str:
    bronze = metadata.get("bronze/documents", {})
    reports = metadata.get("silver/reports", {})
    quarantine = metadata.get("silver/quarantine", {})
    rules = metadata.get("silver/rule_results", {})
    state = "succeeded" if result.success else "FAILED"
    lines = [
        f"ogi load {state} in {elapsed:.1f} s (run {result.run_id[:8]}, data {paths.root})",
        f"  files in raw/        {bronze.get('files_in_raw', '-')}  ({bronze.get('documents_added', 0)} newly landed, "
        f"bronze holds {bronze.get('dagster/row_count', '-')} documents)",
        f"  parsed this run      {reports.get('documents_parsed', 0)}  (ok {reports.get('status_ok', 0)}, "
        f"repaired {reports.get('status_repaired', 0)}, incomplete {reports.get('status_incomplete', 0)}, "
        f"re-parsed for a new parser version {reports.get('documents_reparsed', 0)})",
        f"  quarantined          {quarantine.get('rejected_this_run', 0)}  "
        f"(in quarantine: {quarantine.get('dagster/row_count', 0)}; see `ogi status`)",
        f"  violations found     {rules.get('violations_found', 0)}  (rule checks that did not hold, this run)",
        f"  silver               {reports.get('dagster/row_count', 0)} reports, parser {reports.get('parser_version', '-')}",
    ]
    checks = result.get_asset_check_evaluations()
    if checks:
        failed = [c for c in checks if not c.passed]
        lines.append(f"  checks               {len(checks) - len(failed)}/{len(checks)} passed")
        for c in failed[:10]:
            severity = getattr(c.severity, "value", c.severity)
            lines.append(f"    failed ({severity}): {c.asset_key.to_user_string()} {c.check_name}")
    if paths.published_database.exists():
        lines.append(f"  analysts' database   {paths.published_database}  (`ogi sql \"SELECT ...\"`)")
    for step in result.get_failed_step_keys():
        lines.append(f"  step failed: {step}")
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        if error is not None:
            lines.append(f"    {event.step_key}: {error.message.strip().splitlines()[0][:300]}")
    lines.append("Open the UI: " + UI_HINT.format(root=paths.root, home=paths.dagster_home))
    return "\n".join(lines)


@contextlib.contextmanager
def _output_to(log: Path) -> Iterator[None]:
    """Send this process's stdout and stderr, subprocesses included, to `log` for a while."""
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log, "wb") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def handle(args: argparse.Namespace) -> int:
    paths = DataPaths.from_env(args.data_dir)
    if not paths.raw.is_dir():
        print(f"ogi run: no landing folder {paths.raw}", file=sys.stderr)
        return 2
    print(f"ogi run: loading {paths.raw} (raw -> bronze -> silver -> marts, with checks) ...", flush=True)
    if args.verbose:
        result, metadata, elapsed = execute(paths, "DEBUG")
    else:
        log = paths.dagster_home / "logs" / "last_run.log"
        with _output_to(log):  # dbt and other tools print straight to the terminal's descriptors
            result, metadata, elapsed = execute(paths, "INFO")
        print(f"  (run log: {log})")
    print(summary(paths, result, metadata, elapsed))
    return 0 if result.success else 1

